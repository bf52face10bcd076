package handler

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/go-applinks/applinks/internal/redact"
)

// cappedReader reads at most limit bytes of r and fails with a
// *TooLargeError when r has more. limit <= 0 means no limit.
type cappedReader struct {
	r     io.Reader
	limit int64
	n     int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.limit <= 0 {
		return c.r.Read(p)
	}
	if c.n > c.limit {
		return 0, &TooLargeError{Limit: c.limit}
	}
	// Read one byte past the limit to tell "exactly limit" from "more".
	if room := c.limit - c.n + 1; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.limit {
		return n - int(c.n-c.limit), &TooLargeError{Limit: c.limit}
	}
	return n, err
}

// readErr wraps an error met while reading resp's body: the context's error
// when the request's context is done (reads fail because of it), a
// *TooLargeError as is, anything else with the request named.
func readErr(resp *http.Response, err error) error {
	if cerr := contextErr(resp); cerr != nil {
		return cerr
	}
	var tooLarge *TooLargeError
	if errors.As(err, &tooLarge) {
		return tooLargeFor(resp, tooLarge)
	}
	return fmt.Errorf("handler: reading body of %s: %w", requestName(resp), err)
}

// requestName is "GET https://..." (redacted) for messages.
func requestName(resp *http.Response) string {
	if resp == nil || resp.Request == nil {
		return "response"
	}
	m := resp.Request.Method
	if m == "" {
		m = http.MethodGet
	}
	return m + " " + redact.URL(resp.Request.URL)
}

// readAll reads resp's body up to the limit of o.
func readAll(resp *http.Response, o options) ([]byte, error) {
	data, err := io.ReadAll(&cappedReader{r: body(resp), limit: o.maxBytes})
	if err != nil {
		return nil, readErr(resp, err)
	}
	return data, nil
}

// bytesHandler reads the whole body.
type bytesHandler struct{ o options }

// Bytes returns a [Handler] that reads the whole body (up to [MaxBytes],
// default [DefaultMaxBytes]; longer is a [*TooLargeError]). An empty body is
// an empty, non-nil slice.
func Bytes(opts ...Option) Handler[[]byte] { return &bytesHandler{newOptions(opts)} }

func (h *bytesHandler) Handle(resp *http.Response) ([]byte, error) {
	if err := checkStatus(resp, h.o.accept); err != nil {
		return nil, err
	}
	data, err := readAll(resp, h.o)
	if err != nil {
		return nil, err
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}

func (h *bytesHandler) acceptsStatus(code int) bool { return h.o.accept.accepts(code) }

func (h *bytesHandler) withAccept(s statusSet) Handler[[]byte] {
	c := *h
	c.o.accept = s
	return &c
}

// stringHandler reads the whole body as a string.
type stringHandler struct{ o options }

// String returns a [Handler] that reads the whole body as a string (up to
// [MaxBytes], default [DefaultMaxBytes]; longer is a [*TooLargeError]). The
// bytes are not checked or converted: a body in another charset than UTF-8
// comes back as sent.
func String(opts ...Option) Handler[string] { return &stringHandler{newOptions(opts)} }

func (h *stringHandler) Handle(resp *http.Response) (string, error) {
	if err := checkStatus(resp, h.o.accept); err != nil {
		return "", err
	}
	data, err := readAll(resp, h.o)
	return string(data), err
}

func (h *stringHandler) acceptsStatus(code int) bool { return h.o.accept.accepts(code) }

func (h *stringHandler) withAccept(s statusSet) Handler[string] {
	c := *h
	c.o.accept = s
	return &c
}

// discardHandler ignores the body.
type discardHandler struct{ set statusSet }

// Discard returns a [Handler] for when only success matters: it accepts any
// 2xx status and ignores the body, which [Handle] drains (up to
// [DrainLimit]) and closes.
func Discard() Handler[struct{}] { return discardHandler{} }

func (h discardHandler) Handle(resp *http.Response) (struct{}, error) {
	return struct{}{}, checkStatus(resp, h.set)
}

func (h discardHandler) acceptsStatus(code int) bool { return h.set.accepts(code) }

func (h discardHandler) withAccept(s statusSet) Handler[struct{}] { return discardHandler{s} }

// copyHandler copies the body to a writer.
type copyHandler struct {
	w io.Writer
	o options
}

// CopyTo returns a [Handler] that copies the body to w and returns the number
// of bytes copied. The copy is capped like every read ([MaxBytes], default
// [DefaultMaxBytes]; MaxBytes(0) removes the cap): past it, what was copied
// stays in w and the result is a [*TooLargeError]. A nil w is an error when
// the handler runs.
func CopyTo(w io.Writer, opts ...Option) Handler[int64] {
	return &copyHandler{w: w, o: newOptions(opts)}
}

func (h *copyHandler) Handle(resp *http.Response) (int64, error) {
	if err := checkStatus(resp, h.o.accept); err != nil {
		return 0, err
	}
	if h.w == nil {
		return 0, errors.New("handler: CopyTo has a nil io.Writer: give it somewhere to write")
	}
	n, err := io.Copy(h.w, &cappedReader{r: body(resp), limit: h.o.maxBytes})
	if err != nil {
		if cerr := contextErr(resp); cerr != nil {
			return n, cerr
		}
		var tooLarge *TooLargeError
		if errors.As(err, &tooLarge) {
			return n, tooLargeFor(resp, tooLarge)
		}
		return n, fmt.Errorf("handler: copying body of %s: %w", requestName(resp), err)
	}
	return n, nil
}

func (h *copyHandler) acceptsStatus(code int) bool { return h.o.accept.accepts(code) }

func (h *copyHandler) withAccept(s statusSet) Handler[int64] {
	c := *h
	c.o.accept = s
	return &c
}

// statusHandler accepts given codes and returns the one it got.
type statusHandler struct{ set statusSet }

// Status returns a [Handler] that accepts only the given status codes (none:
// any 2xx), ignores the body and returns the status code; [Handle] turns any
// other status into a [*ResponseError].
func Status(codes ...int) Handler[int] {
	return &statusHandler{statusSet{codes: append([]int(nil), codes...)}}
}

func (h *statusHandler) Handle(resp *http.Response) (int, error) {
	if err := checkStatus(resp, h.set); err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

func (h *statusHandler) acceptsStatus(code int) bool { return h.set.accepts(code) }

func (h *statusHandler) withAccept(s statusSet) Handler[int] { return &statusHandler{s} }
