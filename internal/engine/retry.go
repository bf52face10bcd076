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

// FillDefaults sets the policy's zero fields to the defaults: 3 retries,
// a backoff between 250ms and 5s (WaitMax at least WaitMin), a Retry-After
// of at most 30s, 2 minutes in all. A negative Max (no retries) is kept.
func (p *Retry) FillDefaults() {
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
// transport signs every attempt afresh) under the service's policy, as
// [Retry.Do] sends: see there. The token endpoints and the Client view
// retry through it.
func (p *Retry) Client(hc *http.Client, link, method string, allowed bool, stats *RetryStats) *retryablehttp.Client {
	a := p.begin(link, method, allowed, stats)
	return &retryablehttp.Client{
		HTTPClient:   hc,
		RetryWaitMin: p.WaitMin,
		RetryWaitMax: p.WaitMax,
		RetryMax:     a.max,
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, i int) {
			a.attempt(req, i)
		},
		CheckRetry: a.check,
		Backoff:    a.backoff,
		ErrorHandler: func(resp *http.Response, err error, attempts int) (*http.Response, error) {
			return a.giveUp(resp, err, attempts)
		},
	}
}

// Do sends req through send (an http.Client's Do, whose transport signs
// every attempt afresh) under the service's policy: connection errors and
// 429/502/503/504 are retried for idempotent methods (and for others when
// allowed), Retry-After is honored up to MaxRetryAfter, and the last
// response is returned, not swallowed. Each retry is logged at info level
// with its number; an error after more than one attempt is what GiveUp
// makes of it. stats, when not nil, is told how the attempts went. Every
// attempt after the first sends a shallow copy of req with its own header
// map and its body from req.GetBody, as go-retryablehttp does (the
// transport may still be writing the one before, and may change the
// header of the one it is given). When req's context ends during a
// wait, Do returns its error.
//
// It is the loop of go-retryablehttp's Client.Do, without a client built
// per request: every request through a link is sent this way.
func (p *Retry) Do(req *http.Request, send func(*http.Request) (*http.Response, error), link string, allowed bool, stats *RetryStats) (*http.Response, error) {
	a := p.begin(link, req.Method, allowed, stats)
	ctx := req.Context()
	var (
		resp      *http.Response
		err, cerr error
		retry     bool
		attempts  int
	)
	for i := 0; ; i++ {
		attempts++
		if i > 0 {
			next := *req
			next.Header = req.Header.Clone()
			req = &next
			if req.GetBody != nil {
				body, gerr := req.GetBody()
				if gerr != nil {
					return nil, gerr
				}
				req.Body = body
			}
		}
		a.attempt(req, i)
		resp, err = send(req)
		retry, cerr = a.check(ctx, resp, err)
		if !retry || a.max-i <= 0 {
			break
		}
		if err == nil {
			Drain(resp) // to reuse the connection
		}
		if err := sleepCtx(ctx, a.backoff(p.WaitMin, p.WaitMax, i, resp)); err != nil {
			return nil, err
		}
	}
	if err == nil && cerr == nil && !retry {
		return resp, nil
	}
	if cerr != nil {
		err = cerr
	}
	return a.giveUp(resp, err, attempts)
}

// attempts is how one request's attempts go under a policy: what Do and
// Client's hooks share. The attempts of one request are sequential.
type attempts struct {
	p     *Retry
	clock func() time.Time
	start time.Time
	slept time.Duration // waits reported to the test hook instead of taken
	retry bool          // the request may be retried at all
	max   int           // retries at most
	stats *RetryStats

	link, method string
	// What the attempt being retried was and why it failed, for the log.
	ctx    context.Context
	target *url.URL // redacted only for the log: most requests are never retried
	reason string
	nowRA  int // Retry-After: 0 answers so far
}

func (p *Retry) begin(link, method string, allowed bool, stats *RetryStats) attempts {
	clock := p.Clock
	if clock == nil {
		clock = time.Now
	}
	return attempts{p: p, clock: clock, start: clock(), retry: p.Max > 0 && (allowed || p.NonIdempotent || Idempotent(method)),
		max: max(p.Max, 0), stats: stats, link: link, method: method, ctx: context.Background()}
}

func (a *attempts) elapsed() time.Duration { return a.clock().Sub(a.start) + a.slept }

// attempt is told of attempt i (from 0) before it is sent.
func (a *attempts) attempt(req *http.Request, i int) {
	a.ctx, a.target = req.Context(), req.URL
	if a.stats != nil {
		a.stats.Attempts = i + 1
	}
}

// check says whether the attempt that ended with resp or err is retried.
func (a *attempts) check(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if err == nil && !RetriedStatus(resp.StatusCode) && ctx.Err() == nil {
		return false, nil // the answer most requests get: no clock read
	}
	elapsed := a.elapsed()
	if a.stats != nil {
		a.stats.Elapsed = elapsed
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if !a.retry || elapsed >= a.p.MaxElapsed {
		return false, nil
	}
	if err != nil {
		a.reason = NetworkError(err).Error()
		return ConnectionError(err), nil
	}
	if strings.Contains(resp.Header.Get("WWW-Authenticate"), "oauth_problem") {
		return false, nil // an OAuth refusal (user_refused, ...) will not change
	}
	if d, ok := RetryAfter(resp.Header, a.clock()); ok && d > a.p.MaxRetryAfter {
		return false, nil
	}
	a.reason = resp.Status
	return true, nil
}

// backoff returns the wait before retry n (from 0) and logs the retry.
func (a *attempts) backoff(lo, hi time.Duration, n int, resp *http.Response) time.Duration {
	p := a.p
	wait := lo << min(n, 30)
	if wait > hi || wait <= 0 {
		wait = hi
	}
	if resp != nil {
		if d, ok := RetryAfter(resp.Header, a.clock()); ok {
			// Retry-After: 0 means now: once; a second one for the same
			// request backs off as if there were none (it never means
			// "do not retry").
			if d > 0 || a.nowRA == 0 {
				wait = d
			}
			if d == 0 {
				a.nowRA++
			}
		}
	}
	if left := p.MaxElapsed - a.elapsed(); wait > left {
		wait = max(left, 0)
	}
	// n counts retries from 0: attempt n+1 failed, n+2 comes next.
	p.logger().LogAttrs(a.ctx, slog.LevelInfo, "applink: retrying a request",
		slog.String("link", a.link), slog.String("method", a.method), slog.String("url", redact.URL(a.target)),
		slog.Int("attempt", n+2), slog.Int("max_attempts", a.max+1),
		slog.Duration("wait", wait), slog.String("after", a.reason))
	if p.Backoff != nil {
		p.Backoff(wait)
		a.slept += wait
		return 0
	}
	return wait
}

// giveUp passes the last response (or error) through; an error after
// retries says how many attempts it took.
func (a *attempts) giveUp(resp *http.Response, err error, attempts int) (*http.Response, error) {
	if err != nil && attempts > 1 && a.p.GiveUp != nil {
		err = a.p.GiveUp(attempts, a.elapsed(), NetworkError(err))
	}
	return resp, err
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
// and, when the last one failed or got a status that is retried (what
// [RetryStats.Exhausted] reports on), the time from the first to its end.
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

// sleepCtx waits d, or until ctx ends (returning its error).
func sleepCtx(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
