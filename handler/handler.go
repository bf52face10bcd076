package handler

import (
	"errors"
	"io"
	"net/http"
)

// DrainLimit is how much of a response body [Handle] reads and discards
// after the handler ran, so that the connection can be reused. A longer
// remainder is not read: the body is closed and the connection dropped.
const DrainLimit = 256 << 10

// Handler turns a response into a T. Handle is given a response whose status
// the handler accepts (see [Handle]); it reads what it needs from the body and
// need not drain or close it.
type Handler[T any] interface {
	Handle(resp *http.Response) (T, error)
}

// Func adapts a function to a [Handler]. Through [Handle] it sees only 2xx
// responses; wrap it with [AcceptingStatuses] or [AcceptingAllStatuses] to
// see others.
type Func[T any] func(resp *http.Response) (T, error)

// Handle calls f(resp).
func (f Func[T]) Handle(resp *http.Response) (T, error) { return f(resp) }

// CredentialsHandler is the optional second method of a [Handler], after
// Java's credentialsRequired: when the user must authorize (again) before a
// request can act as them, applink calls CredentialsRequired instead of
// returning its credentials-required error, so that a handler can produce a
// value (a message, a fallback) rather than fail. It is called in both
// cases that mean "credentials required": the user has no token yet (no
// request was sent) and the remote rejected the token (a 401 with a token
// problem; the response is drained and closed by applink). So, unlike
// Java's, it gets the error, not a response: err is the error the call
// would otherwise return (applink's *CredentialsRequiredError, found with
// errors.As, which carries the authorization URI and, for a rejected token,
// the remote's problem as its cause). Returning err itself fails the call
// as if there were no CredentialsRequired.
type CredentialsHandler[T any] interface {
	CredentialsRequired(err error) (T, error)
}

// WithCredentialsRequired returns a [Handler] that handles responses with h
// and also implements [CredentialsHandler] with fn. It accepts the statuses
// h accepts. A nil fn gives h itself.
func WithCredentialsRequired[T any](h Handler[T], fn func(err error) (T, error)) Handler[T] {
	if fn == nil {
		return h
	}
	return &credentialsHandler[T]{Handler: h, fn: fn}
}

type credentialsHandler[T any] struct {
	Handler[T]
	fn func(err error) (T, error)
}

func (c *credentialsHandler[T]) CredentialsRequired(err error) (T, error) {
	return c.fn(err)
}

func (c *credentialsHandler[T]) acceptsStatus(code int) bool { return accepts(c.Handler, code) }

func (c *credentialsHandler[T]) withAccept(s statusSet) Handler[T] {
	return &credentialsHandler[T]{Handler: accepting(c.Handler, s), fn: c.fn}
}

// statusAcceptor is implemented by handlers that choose which statuses they
// see: the built-in ones (any 2xx unless [AcceptingStatuses] or
// [AcceptingAllStatuses] made them accept others; [Status] its codes) and
// the wrapper of [WithCredentialsRequired].
type statusAcceptor interface {
	acceptsStatus(code int) bool
}

// accepts reports whether h wants to see a response with status code: what h
// says when it is a statusAcceptor, any 2xx status otherwise.
func accepts(h any, code int) bool {
	if a, ok := h.(statusAcceptor); ok {
		return a.acceptsStatus(code)
	}
	return is2xx(code)
}

func is2xx(code int) bool { return code >= 200 && code <= 299 }

// AcceptingStatuses returns a [Handler] that runs h on responses with exactly
// the given status codes (no codes: any 2xx status, the default), so that
// [Handle] turns only the others into a [*ResponseError]. It keeps h's
// [CredentialsHandler] method, if any.
func AcceptingStatuses[T any](h Handler[T], codes ...int) Handler[T] {
	return accepting(h, statusSet{codes: append([]int(nil), codes...)})
}

// AcceptingAllStatuses returns a [Handler] that runs h on every response,
// whatever its status: h checks the status itself. It keeps h's
// [CredentialsHandler] method, if any.
func AcceptingAllStatuses[T any](h Handler[T]) Handler[T] {
	return accepting(h, statusSet{all: true})
}

func accepting[T any](h Handler[T], s statusSet) Handler[T] {
	if b, ok := h.(acceptSetter[T]); ok {
		return b.withAccept(s)
	}
	a := &acceptingHandler[T]{Handler: h, set: s}
	if c, ok := h.(CredentialsHandler[T]); ok {
		return &credentialsHandler[T]{Handler: a, fn: c.CredentialsRequired}
	}
	return a
}

type acceptingHandler[T any] struct {
	Handler[T]
	set statusSet
}

func (a *acceptingHandler[T]) acceptsStatus(code int) bool { return a.set.accepts(code) }

func (a *acceptingHandler[T]) withAccept(s statusSet) Handler[T] {
	return &acceptingHandler[T]{Handler: a.Handler, set: s}
}

// acceptSetter is implemented by the built-in handlers and the wrappers:
// withAccept returns a copy that accepts the statuses of s, so that
// [AcceptingStatuses] and [AcceptingAllStatuses] set what the handler
// itself checks (a built-in one checks the status when it runs) instead of
// wrapping it.
type acceptSetter[T any] interface {
	withAccept(s statusSet) Handler[T]
}

// Handle runs h on resp the way applink does, and is how every handler should
// be run:
//
//   - unless h accepts the status (any 2xx by default; see
//     [AcceptingStatuses], [AcceptingAllStatuses], [Status]), it returns a
//     [*ResponseError] built from the response, without running h;
//   - when the request's context is already done, it returns its error;
//   - whatever happens, it then drains up to [DrainLimit] bytes of the body,
//     so the connection can be reused, and closes it.
//
// Reading a body blocks until the server sends it; the request's context (or
// the client's timeout) bounds that: once it is done, reads fail with its
// error, which Handle returns. A nil resp or h is an error; resp.Body is
// closed in any case.
func Handle[T any](resp *http.Response, h Handler[T]) (T, error) {
	var zero T
	if resp == nil {
		return zero, errors.New("handler: nil *http.Response: handle the response of a request that succeeded")
	}
	defer drainAndClose(resp)
	if h == nil {
		return zero, errors.New("handler: nil Handler: pass one, such as handler.Discard()")
	}
	if err := contextErr(resp); err != nil {
		return zero, err
	}
	if !accepts(h, resp.StatusCode) {
		return zero, newResponseError(resp)
	}
	return h.Handle(resp)
}

// drainAndClose reads up to DrainLimit bytes of resp.Body and closes it.
// It does not read when the request's context is done: reads would fail.
func drainAndClose(resp *http.Response) {
	if resp.Body == nil {
		return
	}
	if contextErr(resp) == nil {
		_, _ = io.CopyN(io.Discard, resp.Body, DrainLimit)
	}
	_ = resp.Body.Close()
}

// contextErr returns the error of resp's request context, if done.
func contextErr(resp *http.Response) error {
	if resp.Request == nil {
		return nil
	}
	return resp.Request.Context().Err()
}

// body returns resp.Body, or an empty reader when it is nil.
func body(resp *http.Response) io.Reader {
	if resp.Body == nil {
		return http.NoBody
	}
	return resp.Body
}
