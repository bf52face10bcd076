package applink

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-applinks/applinks/internal/engine"
	"github.com/go-applinks/applinks/internal/redact"
	"github.com/hashicorp/go-retryablehttp"
)

// withDefaults fills in the zero fields of a policy.
func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Max == 0 {
		p.Max = 3
	}
	if p.WaitMin <= 0 {
		p.WaitMin = 250 * time.Millisecond
	}
	if p.WaitMax <= 0 {
		p.WaitMax = 5 * time.Second
	}
	if p.WaitMax < p.WaitMin {
		p.WaitMax = p.WaitMin
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = 30 * time.Second
	}
	if p.MaxElapsed <= 0 {
		p.MaxElapsed = 2 * time.Minute
	}
	return p
}

// idempotent reports whether a method may be sent twice without harm.
func idempotent(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPatch:
		return false
	}
	return true
}

// retryClient returns a go-retryablehttp client sending through hc (whose
// transport signs every attempt afresh) under the service's policy:
// connection errors and 429/502/503/504 are retried for idempotent methods
// (and for others when allowed), Retry-After is honored up to
// MaxRetryAfter, and the last response is returned, not swallowed. Each
// retry is logged at info level with its number; an error after more than
// one attempt is a *RetryError. stats, when not nil, is told how the
// attempts went.
func (svc *Service) retryClient(hc *http.Client, link, method string, allowed bool, stats *retryStats) *retryablehttp.Client {
	p := svc.retry
	retry := p.Max > 0 && (allowed || p.NonIdempotent || idempotent(method))
	start := svc.clock()
	var slept time.Duration // waits reported to the test hook instead of taken
	elapsed := func() time.Duration { return svc.clock().Sub(start) + slept }
	maxRetries := p.Max
	if maxRetries < 0 {
		maxRetries = 0
	}
	// What the attempt being retried was and why it failed, for the log.
	// The attempts of one request are sequential.
	var (
		ctx    = context.Background()
		target string
		reason string
		nowRA  int // Retry-After: 0 answers so far
	)
	return &retryablehttp.Client{
		HTTPClient:   hc,
		RetryWaitMin: p.WaitMin,
		RetryWaitMax: p.WaitMax,
		RetryMax:     maxRetries,
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, i int) {
			ctx, target = req.Context(), redact.URL(req.URL)
			if stats != nil {
				stats.attempts = i + 1
			}
		},
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			if stats != nil {
				stats.elapsed = elapsed()
			}
			if ctx.Err() != nil {
				return false, ctx.Err()
			}
			if !retry || elapsed() >= p.MaxElapsed {
				return false, nil
			}
			if err != nil {
				reason = networkError(err).Error()
				return connectionError(err), nil
			}
			if !retriedStatus(resp.StatusCode) {
				return false, nil
			}
			if strings.Contains(resp.Header.Get("WWW-Authenticate"), "oauth_problem") {
				return false, nil // an OAuth refusal (user_refused, ...) will not change
			}
			if d, ok := retryAfter(resp.Header, svc.clock()); ok && d > p.MaxRetryAfter {
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
				if d, ok := retryAfter(resp.Header, svc.clock()); ok {
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
			svc.logger.LogAttrs(ctx, slog.LevelInfo, "applink: retrying a request",
				slog.String("link", link), slog.String("method", method), slog.String("url", target),
				slog.Int("attempt", n+2), slog.Int("max_attempts", maxRetries+1),
				slog.Duration("wait", wait), slog.String("after", reason))
			if svc.backoff != nil {
				svc.backoff(wait)
				slept += wait
				return 0
			}
			return wait
		},
		ErrorHandler: func(resp *http.Response, err error, attempts int) (*http.Response, error) {
			// Pass the last response (or error) through; an error after
			// retries says how many attempts it took.
			if err != nil && attempts > 1 {
				err = &RetryError{Attempts: attempts, Elapsed: elapsed(), Err: networkError(err)}
			}
			return resp, err
		},
	}
}

// RetryError is the error of a request that failed after it was sent more
// than once under the service's [RetryPolicy]: the last attempt's error,
// how many attempts were made and over how long (waits included). Err is
// the network's error (errors.Is(err, syscall.ECONNREFUSED) still holds),
// or, from [Execute], the handler's error for the last response when the
// retries ran out on a retried status (a *handler.ResponseError for a
// 503, say). [Request.Do] and the Client view return that last response
// itself, whatever its status, instead of an error.
type RetryError struct {
	// Attempts counts the attempts made, the first included.
	Attempts int
	// Elapsed is the time from the first attempt to giving up.
	Elapsed time.Duration
	// Err is the last attempt's error.
	Err error
	// RateLimit is the rate-limit state the last response reported (its
	// Retry-After, for a 429), nil when it reported none.
	RateLimit *RateLimit
}

// Error says how many attempts were made, over how long, and the last
// error.
func (e *RetryError) Error() string {
	if rl := e.RateLimit; rl != nil && rl.HasRetryAfter {
		return fmt.Sprintf("gave up after %d attempts over %v (the server asked to wait %v more; rate limit: %s): %v",
			e.Attempts, e.Elapsed.Round(time.Millisecond), rl.RetryAfter, rl, e.Err)
	}
	return fmt.Sprintf("gave up after %d attempts over %v: %v", e.Attempts, e.Elapsed.Round(time.Millisecond), e.Err)
}

// Unwrap returns Err.
func (e *RetryError) Unwrap() error { return e.Err }

// GoString shows the fields, secrets redacted.
func (e *RetryError) GoString() string {
	if e.RateLimit != nil {
		return fmt.Sprintf("&applink.RetryError{Attempts:%d, Elapsed:%s, Err:%#v, RateLimit:%q}", e.Attempts, e.Elapsed, e.Err, e.RateLimit.String())
	}
	return fmt.Sprintf("&applink.RetryError{Attempts:%d, Elapsed:%s, Err:%#v}", e.Attempts, e.Elapsed, e.Err)
}

// Format prints the error message for every verb (%#v: GoString), so that
// no verb (%+v, %t, %x) reaches the raw fields.
func (e *RetryError) Format(f fmt.State, verb rune) { redact.Format(f, verb, e.Error(), e.GoString()) }

// retriedStatus reports whether a response with this status may be sent
// again: 429, 502, 503, 504.
func retriedStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryStats is how the attempts of one request went: how many were made
// and the time from the first to the end of the last.
type retryStats struct {
	attempts int
	elapsed  time.Duration
}

// exhausted reports whether the request was sent more than once and still
// got a status that is retried: the retries ran out.
func (s retryStats) exhausted(resp *http.Response) bool {
	return s.attempts > 1 && resp != nil && retriedStatus(resp.StatusCode)
}

// networkError returns the error inside net/http's *url.Error, whose
// message carries the full URL.
func networkError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// maxRetryAfterHeader bounds what a Retry-After header is read as: any
// longer wait is beyond every sensible MaxRetryAfter anyway.
const maxRetryAfterHeader = 24 * time.Hour

// retryAfter parses a Retry-After header: seconds, or an HTTP date. The
// result is at most a day; a number of seconds too large for int64 is a
// day too.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	secs, err := strconv.ParseInt(v, 10, 64)
	if err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(maxRetryAfterHeader/time.Second) {
			return maxRetryAfterHeader, true
		}
		return time.Duration(secs) * time.Second, true
	}
	if errors.Is(err, strconv.ErrRange) && allDigits(v) {
		// Valid delay-seconds (RFC 9110 §10.2.3), past int64: longer than
		// any wait, so "too long", not "no header".
		return maxRetryAfterHeader, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfterHeader), true
	}
	return 0, false
}

// allDigits reports whether s is one or more ASCII digits.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// connectionError reports whether err is a failure to reach the remote or
// to read its answer, which a retry may cure: not one of ours, not a
// certificate problem.
func connectionError(err error) bool {
	var own *engine.OwnError
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

// retryTransport retries the requests of the Client view under the
// service's policy; next (the signing transport) signs every attempt.
type retryTransport struct {
	svc  *Service
	link string // the link's name, for the log
	next http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
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
	inner := &http.Client{Transport: t.next, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, err := t.svc.retryClient(inner, t.link, req.Method, false, nil).Do(rreq)
	if err != nil {
		if resp != nil {
			engine.Drain(resp)
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the outer client wraps it again
		}
		return nil, err
	}
	return resp, nil
}
