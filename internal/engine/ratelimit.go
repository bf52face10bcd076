package engine

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RateLimit is what one response says of the caller's rate limit, in the
// headers of Jira and Confluence Data Center (a token bucket per user) and
// of Jira Cloud; see docs/protocol-notes.md. A number the response does
// not give is -1; a duration or time it does not give is zero.
type RateLimit struct {
	// Limit is the most tokens the bucket holds (X-RateLimit-Limit).
	Limit int
	// Remaining is the tokens left (X-RateLimit-Remaining).
	Remaining int
	// FillRate is the tokens added every Interval (X-RateLimit-FillRate).
	FillRate int
	// Interval is X-RateLimit-Interval-Seconds.
	Interval time.Duration
	// RetryAfter is the Retry-After header; HasRetryAfter tells a
	// Retry-After of 0 ("now") from none.
	RetryAfter    time.Duration
	HasRetryAfter bool
	// Reset is Jira Cloud's X-RateLimit-Reset: when the limit resets.
	Reset time.Time
	// NearLimit is Jira Cloud's X-RateLimit-NearLimit: less than 20% of
	// the budget is left.
	NearLimit bool
	// Reason is Jira Cloud's RateLimit-Reason (which limit was hit).
	Reason string
}

// Rate returns the fill rate in tokens per second, 0 when unknown.
func (r RateLimit) Rate() float64 {
	if r.FillRate <= 0 || r.Interval <= 0 {
		return 0
	}
	return float64(r.FillRate) / r.Interval.Seconds()
}

// Bucket reports whether r describes a token bucket to pace by: a fill
// rate and an interval.
func (r RateLimit) Bucket() bool { return r.Rate() > 0 }

// String describes the state in one line: "9 of 10 left, 10 per 1s".
func (r RateLimit) String() string {
	s := ""
	switch {
	case r.Remaining >= 0 && r.Limit >= 0:
		s = fmt.Sprintf("%d of %d left", r.Remaining, r.Limit)
	case r.Remaining >= 0:
		s = fmt.Sprintf("%d left", r.Remaining)
	default:
		s = "remaining unknown"
	}
	if r.FillRate >= 0 && r.Interval > 0 {
		s += fmt.Sprintf(", %d per %v", r.FillRate, r.Interval)
	}
	if r.HasRetryAfter {
		s += fmt.Sprintf(", retry after %v", r.RetryAfter)
	}
	if !r.Reset.IsZero() {
		s += ", resets " + r.Reset.UTC().Format(time.RFC3339)
	}
	if r.NearLimit {
		s += ", near the limit"
	}
	if r.Reason != "" {
		s += ", reason " + r.Reason
	}
	return s
}

// ResponseRateLimit reads the rate-limit headers of a response's header
// h as [ParseRateLimit] does, a Retry-After date against the server's
// clock (its Date header; ours when it has none).
func ResponseRateLimit(h http.Header) (RateLimit, bool) {
	now := time.Now()
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		now = d
	}
	return ParseRateLimit(h, now)
}

// maxRetryAfter bounds a Retry-After or reset read from a header.
const maxRetryAfter = 24 * time.Hour

// ParseRateLimit reads the rate-limit headers of h; ok is false when it has
// none (Retry-After alone counts: a 429 or 503 may carry only it). The
// early X-RateLimiting-* names of Jira 8.6's access builds are read when
// the X-RateLimit-* ones are absent. A header that does not parse is
// ignored, never an error: a server's typo must not stop requests.
func ParseRateLimit(h http.Header, now time.Time) (r RateLimit, ok bool) {
	if !mayLimit(h) {
		return RateLimit{Limit: -1, Remaining: -1, FillRate: -1}, false
	}
	return parseRateLimit(h, now)
}

// parseRateLimit is ParseRateLimit for an h that [mayLimit] let through.
func parseRateLimit(h http.Header, now time.Time) (r RateLimit, ok bool) {
	r = RateLimit{Limit: -1, Remaining: -1, FillRate: -1}
	get := func(name rateLimitHeader) string {
		v := strings.TrimSpace(headerValue(h, name.current))
		if v == "" {
			v = strings.TrimSpace(headerValue(h, name.early))
		}
		if v != "" {
			ok = true
		}
		return v
	}
	number := func(name rateLimitHeader) int {
		v := get(name)
		if v == "" {
			return -1 // absent, as on most responses: no error to make
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return -1
		}
		return n
	}
	r.Limit, r.Remaining, r.FillRate = number(hdrLimit), number(hdrRemaining), number(hdrFillRate)
	if n := number(hdrInterval); n > 0 {
		r.Interval = time.Duration(min(n, int(maxRetryAfter/time.Second))) * time.Second
	}
	if v := get(hdrReset); v != "" {
		r.Reset = parseReset(v, now)
	}
	r.NearLimit = strings.EqualFold(get(hdrNearLimit), "true")
	if v := strings.TrimSpace(headerValue(h, hdrReason)); v != "" {
		r.Reason, ok = v, true
	}
	if d, has := ParseRetryAfter(headerValue(h, "Retry-After"), now); has {
		r.RetryAfter, r.HasRetryAfter, ok = d, true, true
	}
	return r, ok
}

// mayLimit reports whether h may carry a rate-limit header. Most responses
// carry none and few headers: a look at each name is cheaper than the
// fifteen lookups ParseRateLimit makes.
func mayLimit(h http.Header) bool {
	if len(h) > 16 {
		return true
	}
	for k := range h {
		if strings.HasPrefix(k, "X-Ratelimit") || k == hdrReason || k == "Retry-After" {
			return true
		}
	}
	return false
}

// headerValue is h.Get(name) for a name already in canonical form, without
// checking and canonicalizing it again: this runs for every response.
func headerValue(h http.Header, name string) string {
	if vs := h[name]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// rateLimitHeader is one rate-limit header's name, X-RateLimit-* and the
// early X-RateLimiting-*, in canonical form, so that reading an absent
// header (most responses have none) allocates nothing.
type rateLimitHeader struct{ current, early string }

func newRateLimitHeader(name string) rateLimitHeader {
	return rateLimitHeader{http.CanonicalHeaderKey("X-RateLimit-" + name), http.CanonicalHeaderKey("X-RateLimiting-" + name)}
}

var (
	hdrLimit     = newRateLimitHeader("Limit")
	hdrRemaining = newRateLimitHeader("Remaining")
	hdrFillRate  = newRateLimitHeader("FillRate")
	hdrInterval  = newRateLimitHeader("Interval-Seconds")
	hdrReset     = newRateLimitHeader("Reset")
	hdrNearLimit = newRateLimitHeader("NearLimit")
	hdrReason    = http.CanonicalHeaderKey("RateLimit-Reason")
)

// ParseRetryAfter reads a Retry-After value: whole seconds, or an HTTP
// date (RFC 9110 §10.2.3). The result is between 0 and a day; a number too
// large for the day is a day. ok is false for an empty or unreadable value
// (a negative number, a fraction).
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if allDigits(v) {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter, true // valid, and longer than any wait
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter), true
	}
	return 0, false
}

// parseReset reads X-RateLimit-Reset: Jira Cloud's ISO 8601 time
// (yyyy-MM-ddTHH:mmZ, or with seconds), or, as other services send it, Unix
// seconds. It returns the zero time when it cannot read it, and at most a
// day from now.
func parseReset(v string, now time.Time) time.Time {
	var t time.Time
	switch {
	case allDigits(v):
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > now.Add(maxRetryAfter).Unix() {
			return time.Time{}
		}
		t = time.Unix(secs, 0)
	default:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04Z"} {
			if p, err := time.Parse(layout, v); err == nil {
				t = p
				break
			}
		}
	}
	if t.IsZero() || t.After(now.Add(maxRetryAfter)) {
		return time.Time{}
	}
	return t
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
