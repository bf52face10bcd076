package applink

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/go-applinks/applinks/internal/engine"
	"github.com/go-applinks/applinks/internal/redact"
)

// RateLimit is what a response says of the user's rate limit, from the
// headers of Jira and Confluence Data Center (a token bucket per user:
// X-RateLimit-Limit, -Remaining, -FillRate, -Interval-Seconds) and Jira
// Cloud (Retry-After, X-RateLimit-Reset, X-RateLimit-NearLimit,
// RateLimit-Reason). A number the response does not give is -1; a
// duration or time it does not give is zero.
//
// Requests through a link pace themselves by these headers: every
// goroutine sending as the same user through the same link shares one
// throttle, which waits for the bucket's tokens and for the window a 429
// announces, so that a hundred goroutines do not collect a hundred 429s.
// Each replica of a fleet paces itself the same way: the server's bucket
// is the shared truth, and Remaining falls for all when one spends.
type RateLimit struct {
	// Limit is the most requests the bucket holds.
	Limit int
	// Remaining is the requests left.
	Remaining int
	// FillRate is the requests added every Interval.
	FillRate int
	// Interval is how often FillRate requests are added.
	Interval time.Duration
	// RetryAfter is the Retry-After header: how long to wait before
	// sending again (0: now). HasRetryAfter tells 0 from no header.
	RetryAfter    time.Duration
	HasRetryAfter bool
	// Reset is when the limit resets (Jira Cloud).
	Reset time.Time
	// NearLimit says less than 20% of the budget is left (Jira Cloud).
	NearLimit bool
	// Reason names the limit that was hit (Jira Cloud's
	// RateLimit-Reason).
	Reason string
}

// String describes the state in one line, as `applink request -v` prints
// it: "9 of 10 left, 10 per 1s".
func (r RateLimit) String() string { return engine.RateLimit(r).String() }

// RateLimitOf returns the rate-limit state resp reports, and whether it
// reports one (a response of a user who is not limited has none of the
// headers). A header that does not parse is left out, never an error.
func RateLimitOf(resp *http.Response) (RateLimit, bool) {
	if resp == nil {
		return RateLimit{}, false
	}
	rl, ok := engine.ResponseRateLimit(resp.Header)
	return RateLimit(rl), ok
}

// RateLimitError is the error of a request the remote rate-limited that
// was not sent again: a POST or PATCH answered 429, which is not retried
// unless the caller said it may be sent twice ([Request.Retryable],
// [RetryPolicy].NonIdempotent), or a request not sent at all because the
// server asked to wait longer than the [RetryPolicy]'s MaxRetryAfter. Wait
// is how long the server asked to wait (0 when it did not say).
type RateLimitError struct {
	LinkName, User string
	Method, URL    string // the URL redacted
	// Wait is how long the server asked to wait before sending again.
	Wait time.Duration
	// NotSent is set when the request was not sent: the wait the server
	// asked was longer than MaxRetryAfter, or (Queued) the requests
	// waiting before this one put its turn beyond MaxElapsed.
	NotSent, Queued bool
	// RateLimit is the state the server last reported.
	RateLimit RateLimit
	// Err is the handler's error for the 429 response (a
	// *handler.ResponseError), nil when nothing was sent.
	Err error
}

// Error says what was limited, how long the server asked to wait, and
// what to do.
func (e *RateLimitError) Error() string {
	wait := "did not say how long to wait"
	if e.Wait > 0 {
		wait = fmt.Sprintf("asked to wait %v", e.Wait.Round(time.Second))
	} else if e.RateLimit.HasRetryAfter {
		wait = "said to send again now (Retry-After: 0)"
	}
	if e.NotSent && e.Queued {
		return fmt.Sprintf("applink: link %q: %s %s: not sent: the remote rate-limits user %q, and behind the requests already waiting this one's turn is %v away, more than the retry policy's MaxElapsed: send fewer requests at once, or raise MaxElapsed",
			e.LinkName, e.Method, e.URL, e.User, e.Wait.Round(time.Second))
	}
	if e.NotSent {
		return fmt.Sprintf("applink: link %q: %s %s: not sent: the remote rate-limits user %q and %s, more than the retry policy's MaxRetryAfter: try again later, or raise MaxRetryAfter",
			e.LinkName, e.Method, e.URL, e.User, wait)
	}
	return fmt.Sprintf("applink: link %q: %s %s: 429 Too Many Requests: the remote rate-limits user %q and %s; a %s is not sent again unless it may take effect twice (Request.Retryable): wait, then send it again",
		e.LinkName, e.Method, e.URL, e.User, wait, e.Method)
}

// Unwrap returns Err.
func (e *RateLimitError) Unwrap() error { return e.Err }

// throttledRoundTrip sends out through rt when the throttle of the
// factory's user on its link (shared by every factory and goroutine acting
// as that user) gives it its turn ([engine.Throttle.RoundTrip]), signing
// it with sign first when sign is not nil.
func (f *RequestFactory) throttledRoundTrip(rt http.RoundTripper, out *http.Request, sign func(*http.Request) error) (*http.Response, error) {
	svc := f.link.state.svc
	p := svc.retry // with its defaults (NewService)
	resp, err := f.link.state.throttles.For(f.user).RoundTrip(rt, out, sign, p.MaxRetryAfter, p.MaxElapsed, svc.logger, f.link.Name, f.user)
	if err != nil { // the target of errors.As escapes: only on this path
		var long *engine.WaitTooLongError
		if errors.As(err, &long) {
			return nil, &engine.OwnError{Err: &RateLimitError{LinkName: f.link.Name, User: f.user, Method: out.Method, URL: redact.URL(out.URL),
				Wait: long.Wait, NotSent: true, Queued: long.Queued, RateLimit: RateLimit(long.RateLimit)}}
		}
	}
	return resp, err
}

// throttleSleep is how the throttles of a service wait: really, or not at
// all when a test hook takes the retries' waits.
func (s *Service) throttleSleep() func(context.Context, time.Duration) error {
	if s.backoff != nil {
		return func(context.Context, time.Duration) error { return nil }
	}
	return nil
}

// retried reports whether the request is sent again on a 429 (under the
// service's policy, for its method).
func (r *Request) retried() bool {
	p := r.factory.link.state.svc.retry
	return p.Max >= 0 && (r.retry || p.NonIdempotent || engine.Idempotent(r.method))
}
