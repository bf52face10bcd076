package applink

import (
	"context"
	"errors"

	"github.com/go-applinks/applinks/handler"
)

// Execute sends r and turns the response into a T with h, as
// ApplicationLinkRequest.execute(handler) does: the response goes through
// [handler.Handle] (which checks the status the handler accepts, then
// drains and closes the body), so Execute never leaves a body open.
//
// When the remote rejects the user's token (a 401 with a token problem on a
// 3LO request), the token is deleted; if h also implements
// [handler.CredentialsHandler], its CredentialsRequired method gets the
// response and its result is returned, else the error is
// *[CredentialsRequiredError]. Every other failure is returned as by
// [Request.Do]: *[OAuthError], *[ClockSkewError], an error wrapping
// [ErrForeignURL], ctx.Err(), or what the handler returns (such as a
// *handler.ResponseError for an unexpected status).
func Execute[T any](ctx context.Context, r *Request, h handler.Handler[T]) (T, error) {
	var zero T
	if r == nil {
		return zero, errors.New("applink: Execute: nil request: build one with RequestFactory.NewRequest")
	}
	if h == nil {
		return zero, errors.New("applink: Execute: nil handler: pass one, such as handler.JSON[T]() or handler.Discard()")
	}
	resp, err := r.send(ctx)
	if err != nil {
		return zero, err
	}
	if err := r.inspect(ctx, resp); err != nil {
		var cre *CredentialsRequiredError
		if ch, ok := h.(handler.CredentialsHandler[T]); ok && errors.As(err, &cre) {
			defer drain(resp)
			return ch.CredentialsRequired(resp)
		}
		drain(resp)
		return zero, err
	}
	return handler.Handle(resp, h)
}
