package doctor

import (
	"fmt"
	"net/http"

	"github.com/go-applinks/applinks/applink"
)

// checkRateLimit is the check of the remote's rate limit, made when a
// probe's answer carries rate-limit headers.
const checkRateLimit = "rate-limit"

// rateLimitCheck reports the rate limit the probes' answers carry (the
// last one that has any): the user's bucket, its fill rate and what is
// left, or the 429 one met. ok is false when no answer had rate-limit
// headers (the user is not limited, or the remote does not say).
func rateLimitCheck(user string, probes []*probeResult) (Check, bool) {
	var found *probeResult
	var rl applink.RateLimit
	for _, pr := range probes {
		if pr == nil || pr.header == nil {
			continue
		}
		if r, ok := applink.RateLimitOf(&http.Response{Header: pr.header}); ok {
			found, rl = pr, r
		}
	}
	if found == nil {
		return Check{}, false
	}
	who := "anonymous requests"
	if user != "" {
		who = fmt.Sprintf("user %q", user)
	}
	c := Check{Name: checkRateLimit, Category: CategoryAccess, Status: StatusPass,
		Summary:  fmt.Sprintf("the remote rate-limits %s: %s", who, rl),
		Evidence: []string{fmt.Sprintf("%s probe: HTTP %d, %s", found.auth, found.status, rateLimitHeaders(found.header))}}
	if rl.FillRate > 0 && rl.Interval > 0 {
		c.Summary += fmt.Sprintf(" (%.3g requests a second)", float64(rl.FillRate)/rl.Interval.Seconds())
	}
	switch {
	case found.status == http.StatusTooManyRequests:
		c.Status = StatusWarn
		c.Fix = "The user is out of requests now: requests through this link wait for the limit. If scripts act as this user, ask the remote's administrator for an exemption (Jira: Administration > System > Rate limiting)."
	case rl.Remaining == 0 || rl.NearLimit:
		c.Status = StatusWarn
		c.Fix = "The user has (almost) no requests left now: requests through this link will wait for the limit."
	}
	return c, true
}

// rateLimitHeaders lists the rate-limit headers of h as they came.
func rateLimitHeaders(h http.Header) string {
	out := ""
	for _, name := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-FillRate",
		"X-RateLimit-Interval-Seconds", "Retry-After", "X-RateLimit-Reset", "X-RateLimit-NearLimit", "RateLimit-Reason"} {
		if v := h.Get(name); v != "" {
			if out != "" {
				out += ", "
			}
			out += name + ": " + v
		}
	}
	return out
}
