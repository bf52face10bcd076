package applinktest

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// RateLimiter limits requests per user as Jira and Confluence Data Center
// do (a token bucket per user, see docs/protocol-notes.md): FillRate
// tokens are added every Interval, in one batch, up to Limit; each request
// takes one. Every answer carries X-RateLimit-Limit, -Remaining,
// -FillRate, -Interval-Seconds and Retry-After (the whole seconds until
// the next batch, 0 when the user still has tokens or the next batch is
// less than a second away); a request without a token is answered 429
// with a JSON body and does not reach the resource.
//
// Wrap a resource with it and register that with [WithResource]:
//
//	lim := &applinktest.RateLimiter{FillRate: 20, Interval: time.Second}
//	srv := applinktest.NewServer(t, applinktest.WithResource("GET /rest/api/2/myself", lim.Wrap(h)))
//
// Requests are counted per [User] ("" for anonymous ones, and outside
// an applinktest server). Clock nil means time.Now; Interval 0 means a
// second; Limit 0 means FillRate. Set the fields before the first
// request. It is safe for concurrent use.
type RateLimiter struct {
	FillRate int
	Interval time.Duration
	Limit    int
	Clock    func() time.Time
	// Continuous adds the tokens one at a time, FillRate every Interval
	// evenly spread, instead of in one batch per interval (a limiter in
	// front of the product may do so).
	Continuous bool

	mu      sync.Mutex
	buckets map[string]*bucket
	served  atomic.Int64
	limited atomic.Int64
}

type bucket struct {
	tokens int
	filled time.Time // when the last batch (or token) was added
}

// Served returns how many requests reached the resource.
func (l *RateLimiter) Served() int { return int(l.served.Load()) }

// Limited returns how many requests were answered 429.
func (l *RateLimiter) Limited() int { return int(l.limited.Load()) }

// Wrap returns next behind the limiter.
func (l *RateLimiter) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, remaining, retry := l.take(User(r))
		h := w.Header()
		limit, fill, interval := l.params()
		h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
		h.Set("X-RateLimit-FillRate", strconv.Itoa(fill))
		h.Set("X-RateLimit-Interval-Seconds", strconv.Itoa(max(int(interval/time.Second), 1)))
		h.Set("Retry-After", strconv.Itoa(int(retry/time.Second)))
		if !ok {
			l.limited.Add(1)
			writeJSON(w, http.StatusTooManyRequests, map[string]any{
				"message": "Rate limit exceeded.", "status-code": http.StatusTooManyRequests})
			return
		}
		l.served.Add(1)
		next.ServeHTTP(w, r)
	})
}

func (l *RateLimiter) params() (limit, fill int, interval time.Duration) {
	fill, interval, limit = max(l.FillRate, 1), l.Interval, l.Limit
	if interval <= 0 {
		interval = time.Second
	}
	if limit <= 0 {
		limit = fill
	}
	return limit, fill, interval
}

// take takes a token of user's bucket: whether there was one, how many
// are left, and how long until the next batch when none is.
func (l *RateLimiter) take(user string) (ok bool, remaining int, retry time.Duration) {
	limit, fill, interval := l.params()
	now := time.Now()
	if l.Clock != nil {
		now = l.Clock()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = make(map[string]*bucket)
	}
	b := l.buckets[user]
	if b == nil {
		b = &bucket{tokens: limit, filled: now}
		l.buckets[user] = b
	}
	step, batch := interval, fill
	if l.Continuous {
		step, batch = interval/time.Duration(fill), 1
	}
	if n := int(now.Sub(b.filled) / step); n > 0 {
		b.tokens = min(limit, b.tokens+n*batch)
		b.filled = b.filled.Add(time.Duration(n) * step)
	}
	if l.Continuous && b.tokens == limit {
		b.filled = now // a full bucket saves up no part of a token
	}
	if b.tokens == 0 {
		return false, 0, b.filled.Add(step).Sub(now)
	}
	b.tokens--
	return true, b.tokens, 0
}
