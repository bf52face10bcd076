package engine

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// TimeoutError is the error of a request that the HTTP client's Timeout
// ended, before the answer or while its body was read. errors.Is finds
// context.DeadlineExceeded in it, and it is a net.Error whose Timeout is
// true, as the error net/http gives for its own Timeout is.
type TimeoutError struct {
	Limit time.Duration // the client's Timeout
	Body  bool          // the answer came; reading its body took too long
}

func (e *TimeoutError) Error() string {
	what := "before the remote answered"
	if e.Body {
		what = "while the answer's body was read"
	}
	return fmt.Sprintf("the HTTP client's Timeout of %v passed %s: check that the remote is up, or give the service a client with a longer Timeout (WithHTTPClient), or none and a context with a deadline per request", e.Limit, what)
}

// Is reports whether target is context.DeadlineExceeded.
func (e *TimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// Timeout reports true: the request timed out (net.Error).
func (e *TimeoutError) Timeout() bool { return true }

// Temporary reports true, as net/http's timeout errors do (net.Error).
func (e *TimeoutError) Temporary() bool { return true }

// DoWithin sends req through do within limit, as an http.Client's Timeout
// bounds a request: redirects and the read of the answer's body included,
// until the body is closed. net/http does the same for a Timeout only when
// the client's RoundTripper is its own Transport; for any other (applink's
// signing transport) it starts a goroutine and a timer per request. A
// request that the limit ends returns a *TimeoutError; one that req's own
// context ends returns that context's error, as before.
func DoWithin(do func(*http.Request) (*http.Response, error), req *http.Request, limit time.Duration) (*http.Response, error) {
	parent := req.Context()
	ctx, cancel := context.WithTimeoutCause(parent, limit, &TimeoutError{Limit: limit})
	resp, err := do(req.WithContext(ctx))
	if err != nil {
		cancel()
		if parent.Err() == nil && ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, err
	}
	resp.Body = &withinBody{ReadCloser: resp.Body, ctx: ctx, parent: parent, cancel: cancel, limit: limit}
	return resp, nil
}

// withinBody is the body of an answer that DoWithin bounds: closing it
// releases the deadline, and a read that the deadline ends says so.
type withinBody struct {
	io.ReadCloser
	ctx, parent context.Context
	cancel      context.CancelFunc
	limit       time.Duration
}

func (b *withinBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && b.parent.Err() == nil && b.ctx.Err() != nil {
		err = &TimeoutError{Limit: b.limit, Body: true}
	}
	return n, err
}

func (b *withinBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
