package applink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/internal/engine"
	"github.com/go-applinks/applinks/internal/oauth2link"
	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/signer"
)

// Do sends the request and returns the response, whatever its status; the
// caller closes its body. The authentication method is chosen now (see
// [RequestFactory]): when 3LO is needed and the user has no token, Do sends
// nothing and returns *[CredentialsRequiredError], as it does for a token
// the remote rejected. An error made while building the request (a bad
// header, an unencodable JSON value, an unreadable body) is returned here,
// before anything is sent. A 3LO token the remote answers token_expired for
// is renewed with its session handle and the request sent again (also when
// the local record had not expired yet); should the remote end the renewed
// token too before the request is through, it is renewed once more, at most
// twice per request. The user's stored token is deleted only when the
// remote definitively refused it (see "When a stored token is deleted" in
// the package doc), and Do then returns *[CredentialsRequiredError]; other
// OAuth problems are returned as *[OAuthError]s or *[OAuth2Error]s, with
// the token kept. Clock skew reported by the remote (timestamp_refused) is
// corrected and the request sent again once; a second refusal is an
// *[OAuthError] whose Problem carries the remote's acceptable range. When ctx is done the error is ctx.Err().
func (r *Request) Do(ctx context.Context) (*http.Response, error) {
	r.ensure()
	resp, err := r.send(ctx)
	if err != nil {
		return nil, err
	}
	if err := r.inspect(ctx, resp); err != nil {
		engine.Drain(resp)
		return nil, err
	}
	return resp, nil
}

// send sends the request through the retrying client and the signing
// transport and returns the final response, unchecked.
func (r *Request) send(ctx context.Context) (*http.Response, error) {
	if r.factory == nil || r.url == nil {
		return nil, errors.New("applink: the Request was not made by RequestFactory.NewRequest")
	}
	if r.err != nil {
		return nil, r.err
	}
	if ctx == nil {
		return nil, errors.New("applink: nil context")
	}
	r.auth = ""
	f := r.factory
	st := f.link.state
	svc := st.svc

	out, err := r.wire(ctx)
	if err != nil {
		return nil, fmt.Errorf("applink: link %q: %s %s: %w", f.link.Name, r.method, redact.URL(r.url), err)
	}
	// The client and transport live in the request: a send allocates
	// neither. The transport tells r which method it chose.
	r.tr = transport{factory: f, owner: r.request}
	r.client = http.Client{Transport: &r.tr, CheckRedirect: st.scope.CheckRedirect(r.follow), Jar: svc.client.Jar}
	r.stats = engine.RetryStats{}
	send := r.client.Do
	if limit := svc.client.Timeout; limit > 0 {
		// The service client's Timeout bounds each attempt as it would
		// bound client.Do, without net/http's goroutine per request.
		send = func(req *http.Request) (*http.Response, error) { return engine.DoWithin(r.client.Do, req, limit) }
	}
	resp, err := svc.retrier.Do(out, send, f.link.Name, r.retry, &r.stats)
	if err != nil {
		if resp != nil {
			engine.Drain(resp)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, r.unwrapError(err)
	}
	return resp, nil
}

// wire returns the request to send, built once (attempts and redirect hops
// copy it): its URL is set as built (keeping the exact escaping of the
// path), not printed for http.NewRequest to parse again, and its body
// comes afresh from GetBody for every attempt, as go-retryablehttp's
// request gave it.
func (r *Request) wire(ctx context.Context) (*http.Request, error) {
	ctype := r.ctype
	var raw []byte
	var readers func() (io.Reader, error)
	switch {
	case r.form != nil:
		raw, ctype = []byte(r.form.Encode()), "application/x-www-form-urlencoded"
	case r.body != nil:
		raw = r.body
	case r.reader != nil:
		var err error
		if readers, err = r.reader.replay(); err != nil {
			return nil, err
		}
	}
	h := make(http.Header, len(r.header)+1)
	for k, vs := range r.header {
		h[k] = vs[:len(vs):len(vs)] // an Add to the copy cannot write into r's
	}
	if ctype != "" {
		h["Content-Type"] = []string{ctype}
	}
	// r.url is not changed in place (setQuery replaces it): it is shared.
	out := &http.Request{Method: r.method, URL: r.url, Host: requestHost(r.url.Host), Header: h,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, GetBody: noBody}
	switch {
	case raw != nil:
		out.ContentLength = int64(len(raw))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }
	case readers != nil:
		first, err := readers()
		if err != nil {
			return nil, err
		}
		if lr, ok := first.(interface{ Len() int }); ok {
			out.ContentLength = int64(lr.Len())
		}
		out.GetBody = func() (io.ReadCloser, error) {
			body, err := readers()
			if err != nil {
				return nil, err
			}
			return io.NopCloser(body), nil
		}
	}
	if raw != nil || readers != nil {
		body, err := out.GetBody()
		if err != nil {
			return nil, err
		}
		out.Body = body
	}
	return out.WithContext(ctx), nil
}

// noBody is the GetBody of a request without a body.
func noBody() (io.ReadCloser, error) { return http.NoBody, nil }

// requestHost returns the Host http.NewRequest gives a request for a URL
// with this host: the host without an empty port ("host:" is "host").
func requestHost(host string) string {
	if strings.LastIndex(host, ":") > strings.LastIndex(host, "]") {
		return strings.TrimSuffix(host, ":")
	}
	return host
}

// unwrapError returns this package's own errors as they are, and wraps
// others (network failures) with the link, method and redacted URL in
// place of net/http's *url.Error, whose message has the full URL.
func (r *Request) unwrapError(err error) error {
	var own *engine.OwnError
	if errors.As(err, &own) {
		return own.Err
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	// The advice the token endpoints give for the same failure.
	var op *net.OpError
	if errors.As(err, &op) && !op.Timeout() {
		return fmt.Errorf("applink: link %q: %s %s: %w: check the link's RPC URL and that the remote is up",
			r.factory.link.Name, r.method, redact.URL(r.url), err)
	}
	return fmt.Errorf("applink: link %q: %s %s: %w", r.factory.link.Name, r.method, redact.URL(r.url), err)
}

// inspect turns an OAuth problem in the final response into an error: a
// token problem on a 3LO request deletes the token and is
// *CredentialsRequiredError, any other is *OAuthError. It leaves the
// response's body readable from the start; the caller closes it.
func (r *Request) inspect(ctx context.Context, resp *http.Response) error {
	if r.auth.isOAuth2() {
		return r.inspectBearer(ctx, resp)
	}
	p := readProblem(resp)
	if p == nil {
		return nil
	}
	e := &OAuthError{LinkName: r.factory.link.Name, Auth: r.auth, Method: r.method, URL: redact.URL(r.url), Problem: p}
	e.ProviderBaseString = e.theirs()
	if resp.Request != nil {
		e.URL = redact.URL(resp.Request.URL)
		if resp.Request.Header.Get("Authorization") != "" {
			if base, err := r.factory.link.state.dialect().BaseString(resp.Request); err == nil {
				e.BaseString = redact.BaseString(base)
			}
		}
	}
	return e
}

// readProblem returns the OAuth problem of a 400, 401, 403 or 503 response
// (in its WWW-Authenticate header, or a body that is a problem form in its
// entirety), or nil. It leaves the body readable from the start.
func readProblem(resp *http.Response) *signer.ProblemError {
	switch resp.StatusCode {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusServiceUnavailable:
	default:
		return nil
	}
	if !strings.Contains(resp.Header.Get("WWW-Authenticate"), "oauth_problem") &&
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/x-www-form-urlencoded") &&
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		return nil
	}
	if rb, ok := resp.Body.(*replayBody); ok {
		return signer.ParseProblem(resp.StatusCode, resp.Header, rb.head) // read before, still unread
	}
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	p := signer.ParseProblem(resp.StatusCode, resp.Header, head)
	var r io.Reader = bytes.NewReader(head) // a problem body is kept whole (up to the cap)
	if p == nil {
		r = io.MultiReader(bytes.NewReader(head), resp.Body)
	}
	resp.Body = &replayBody{Reader: r, Closer: resp.Body, head: head}
	return p
}

// replayBody is a response body already read in full (up to the problem
// size cap) and kept for a handler.
type replayBody struct {
	io.Reader
	io.Closer
	head []byte
}

// inspectBearer is inspect for OAuth 2.0 requests: a 401 invalid_token
// that the transport's refresh did not cure deletes the user's token and is
// *CredentialsRequiredError; any other Bearer refusal (403
// insufficient_scope, or a client credentials token refused) is
// *OAuth2Error.
func (r *Request) inspectBearer(ctx context.Context, resp *http.Response) error {
	step := r.method + " " + redact.URL(r.url)
	if resp.Request != nil {
		step = r.method + " " + redact.URL(resp.Request.URL)
	}
	if an, ok := r.factory.link.state.authenticator(r.auth).(answerer); ok {
		if err := an.answer(r.factory, step, resp); err != nil {
			return err
		}
	}
	p := bearerProblem(r.factory.link.Name, step, resp)
	if p == nil {
		return nil
	}
	return p
}

// Execute sends r and turns the response into a T with h, as
// ApplicationLinkRequest.execute(handler) does: the response goes through
// [handler.Handle] (which checks the status the handler accepts, then
// drains and closes the body), so Execute never leaves a body open.
//
// Credentials required has one path: when the user must authorize the link
// first, because they have no token yet (nothing is sent) or because the
// remote rejected their token (a 401 with a token problem on a 3LO request;
// the token is deleted), Execute returns *[CredentialsRequiredError], or, if
// h also implements [handler.CredentialsHandler], what its
// CredentialsRequired method returns for that error. Every other failure is
// returned as by [Request.Do]: *[OAuthError] (clock skew included), an error
// wrapping [ErrForeignURL], ctx.Err(), or what the handler returns (such as
// a *handler.ResponseError for an unexpected status), inside a
// *[RetryError] when the retries ran out on that status.
func Execute[T any](ctx context.Context, r *Request, h handler.Handler[T]) (T, error) {
	var zero T
	if r == nil {
		return zero, errors.New("applink: Execute: nil request: build one with RequestFactory.NewRequest")
	}
	if h == nil {
		return zero, errors.New("applink: Execute: nil handler: pass one, such as handler.JSON[T]() or handler.Discard()")
	}
	resp, err := r.Do(ctx)
	if err != nil {
		var cre *CredentialsRequiredError
		if ch, ok := h.(handler.CredentialsHandler[T]); ok && errors.As(err, &cre) {
			return ch.CredentialsRequired(err)
		}
		return zero, err
	}
	exhausted := r.stats.Exhausted(resp)
	limited := resp.StatusCode == http.StatusTooManyRequests
	var rl RateLimit
	var hasRL bool
	if exhausted || limited { // read only for the errors below
		rl, hasRL = RateLimitOf(resp)
	}
	v, err := handler.Handle(resp, h)
	if err != nil {
		maskResponseError(err, oauth2link.SentBearer(resp.Request))
	}
	switch {
	case err != nil && exhausted:
		// The retries ran out on a retried status (429, 502, 503, 504):
		// say how many attempts it took.
		re := &RetryError{Attempts: r.stats.Attempts, Elapsed: r.stats.Elapsed, Err: err}
		if hasRL {
			re.RateLimit = new(RateLimit) // rl itself would escape on every call
			*re.RateLimit = rl
		}
		err = fmt.Errorf("applink: link %q: %s %s: %w", r.factory.link.Name, r.method, redact.URL(r.url), re)
	case err != nil && limited && r.stats.Attempts <= 1 && !r.retried():
		// A 429 to a request that may not be sent twice: say how long
		// the server asked to wait.
		err = &RateLimitError{LinkName: r.factory.link.Name, User: r.factory.user, Method: r.method, URL: redact.URL(r.url),
			Wait: rl.RetryAfter, RateLimit: rl, Err: err}
	}
	return v, err
}

// maskResponseError masks, in the body and OAuth problem a
// *handler.ResponseError quotes, the bearer token the request was sent
// with: a remote may echo it in its error page.
func maskResponseError(err error, bearer string) {
	var re *handler.ResponseError
	if bearer == "" || !errors.As(err, &re) {
		return
	}
	if masked := redact.Secrets(string(re.Body), bearer); masked != string(re.Body) {
		re.Body = []byte(masked)
	}
	if re.Problem != nil {
		maskProblem(re.Problem, bearer)
	}
}
