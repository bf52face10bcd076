package engine

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/go-applinks/applinks/internal/redact"
)

// Retry is a retry policy at work: applink's RetryPolicy with the
// service's clock, logger and test hooks. Its fields are set once; it is
// safe for concurrent use.
type Retry struct {
	// Max is how many times a request is sent again; 0 or less: never.
	Max int
	// WaitMin and WaitMax bound the exponential backoff.
	WaitMin, WaitMax time.Duration
	// MaxRetryAfter is the longest Retry-After honored; a longer one ends
	// the retries.
	MaxRetryAfter time.Duration
	// MaxElapsed bounds the time of all attempts.
	MaxElapsed time.Duration
	// NonIdempotent allows retrying POST and PATCH.
	NonIdempotent bool
	// Clock is the time; nil means time.Now.
	Clock func() time.Time
	// Logger logs each retry at info level; nil is silent.
	Logger *slog.Logger
	// Backoff, when set, is told each wait instead of it being taken
	// (tests).
	Backoff func(time.Duration)
	// GiveUp makes the error of a request that failed after more than one
	// attempt; nil returns it as it is.
	GiveUp func(attempts int, elapsed time.Duration, err error) error
}

func (p *Retry) logger() *slog.Logger {
	if p.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Logger
}

// Idempotent reports whether a method may be sent twice without harm.
func Idempotent(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPatch:
		return false
	}
	return true
}

// Client returns a go-retryablehttp client sending through hc (whose
// transport signs every attempt afresh) under the service's policy:
// connection errors and 429/502/503/504 are retried for idempotent methods
// (and for others when allowed), Retry-After is honored up to
// MaxRetryAfter, and the last response is returned, not swallowed. Each
// retry is logged at info level with its number; an error after more than
// one attempt is what GiveUp makes of it. stats, when not nil, is told how the
// attempts went.
func (p *Retry) Client(hc *http.Client, link, method string, allowed bool, stats *RetryStats) *retryablehttp.Client {
	clock := p.Clock
	if clock == nil {
		clock = time.Now
	}
	retry := p.Max > 0 && (allowed || p.NonIdempotent || Idempotent(method))
	start := clock()
	var slept time.Duration // waits reported to the test hook instead of taken
	elapsed := func() time.Duration { return clock().Sub(start) + slept }
	maxRetries := p.Max
	if maxRetries < 0 {
		maxRetries = 0
	}
	// What the attempt being retried was and why it failed, for the log.
	// The attempts of one request are sequential.
	var (
		ctx    = context.Background()
		target *url.URL // redacted only for the log: most requests are never retried
		reason string
		nowRA  int // Retry-After: 0 answers so far
	)
	return &retryablehttp.Client{
		HTTPClient:   hc,
		RetryWaitMin: p.WaitMin,
		RetryWaitMax: p.WaitMax,
		RetryMax:     maxRetries,
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, i int) {
			ctx, target = req.Context(), req.URL
			if stats != nil {
				stats.Attempts = i + 1
			}
		},
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			if stats != nil {
				stats.Elapsed = elapsed()
			}
			if ctx.Err() != nil {
				return false, ctx.Err()
			}
			if !retry || elapsed() >= p.MaxElapsed {
				return false, nil
			}
			if err != nil {
				reason = NetworkError(err).Error()
				return ConnectionError(err), nil
			}
			if !RetriedStatus(resp.StatusCode) {
				return false, nil
			}
			if strings.Contains(resp.Header.Get("WWW-Authenticate"), "oauth_problem") {
				return false, nil // an OAuth refusal (user_refused, ...) will not change
			}
			if d, ok := RetryAfter(resp.Header, clock()); ok && d > p.MaxRetryAfter {
				return false, nil
			}
			reason = resp.Status
			return true, nil
		},
		Backoff: func(lo, hi time.Duration, n int, resp *http.Response) time.Duration {
			wait := lo << min(n, 30)
			if wait > hi || wait <= 0 {
				wait = hi
			}
			if resp != nil {
				if d, ok := RetryAfter(resp.Header, clock()); ok {
					// Retry-After: 0 means now: once; a second one for
					// the same request backs off as if there were none
					// (it never means "do not retry").
					if d > 0 || nowRA == 0 {
						wait = d
					}
					if d == 0 {
						nowRA++
					}
				}
			}
			if left := p.MaxElapsed - elapsed(); wait > left {
				wait = max(left, 0)
			}
			// n counts retries from 0: attempt n+1 failed, n+2 comes next.
			p.logger().LogAttrs(ctx, slog.LevelInfo, "applink: retrying a request",
				slog.String("link", link), slog.String("method", method), slog.String("url", redact.URL(target)),
				slog.Int("attempt", n+2), slog.Int("max_attempts", maxRetries+1),
				slog.Duration("wait", wait), slog.String("after", reason))
			if p.Backoff != nil {
				p.Backoff(wait)
				slept += wait
				return 0
			}
			return wait
		},
		ErrorHandler: func(resp *http.Response, err error, attempts int) (*http.Response, error) {
			// Pass the last response (or error) through; an error after
			// retries says how many attempts it took.
			if err != nil && attempts > 1 && p.GiveUp != nil {
				err = p.GiveUp(attempts, elapsed(), NetworkError(err))
			}
			return resp, err
		},
	}
}

// RetriedStatus reports whether a response with this status may be sent
// again: 429, 502, 503, 504.
func RetriedStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// RetryStats is how the attempts of one request went: how many were made
// and the time from the first to the end of the last.
type RetryStats struct {
	Attempts int
	Elapsed  time.Duration
}

// Exhausted reports whether the request was sent more than once and still
// got a status that is retried: the retries ran out.
func (s RetryStats) Exhausted(resp *http.Response) bool {
	return s.Attempts > 1 && resp != nil && RetriedStatus(resp.StatusCode)
}

// NetworkError returns the error inside net/http's *url.Error, whose
// message carries the full URL.
func NetworkError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// MaxRetryAfterHeader bounds what a Retry-After header is read as: any
// longer wait is beyond every sensible MaxRetryAfter anyway.
const MaxRetryAfterHeader = maxRetryAfter

// RetryAfter parses a Retry-After header: seconds, or an HTTP date. The
// result is at most a day; a number of seconds too large for int64 is a
// day too.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	return ParseRetryAfter(h.Get("Retry-After"), now)
}

// ConnectionError reports whether err is a failure to reach the remote or
// to read its answer, which a retry may cure: not one of ours, not a
// certificate problem.
func ConnectionError(err error) bool {
	var own *OwnError
	if errors.As(err, &own) {
		return false
	}
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	if errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var opErr *net.OpError
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr):
		return dnsErr.IsTemporary || dnsErr.IsTimeout
	case errors.As(err, &opErr),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED):
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// RetryTransport retries the requests of the Client view under the
// policy; Next (the signing transport) signs every attempt.
type RetryTransport struct {
	Retry *Retry
	Link  string // the link's name, for the log
	Next  http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *RetryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rreq, err := retryablehttp.FromRequest(req) // buffers the body for replays
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	if req.Body != nil {
		req.Body.Close()
	}
	// Redirects are the outer client's (it checks each hop); this one only
	// sends.
	inner := &http.Client{Transport: t.Next, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, err := t.Retry.Client(inner, t.Link, req.Method, false, nil).Do(rreq)
	if err != nil {
		if resp != nil {
			Drain(resp)
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the outer client wraps it again
		}
		return nil, err
	}
	return resp, nil
}
