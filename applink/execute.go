package applink

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/internal/redact"
)

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
// returned as by [Request.Do]: *[OAuthError], *[ClockSkewError], an error
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
		maskResponseError(err, sentBearer(resp.Request))
	}
	switch {
	case err != nil && exhausted:
		// The retries ran out on a retried status (429, 502, 503, 504):
		// say how many attempts it took.
		re := &RetryError{Attempts: r.stats.Attempts, Elapsed: r.stats.Elapsed, Err: err}
		if hasRL {
			re.RateLimit = &rl
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
