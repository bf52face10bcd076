package handler

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/go-applinks/applinks/internal/redact"
)

// prefixLen is how much of the start of a body decode errors keep.
const prefixLen = 512

// bodyReader reads a body through a cap (see cappedReader) and keeps its
// first prefixLen bytes for error messages; one allocation per decode.
type bodyReader struct {
	capped  cappedReader
	prefix  [prefixLen]byte
	plen    int
	scratch [128]byte
}

func newBodyReader(resp *http.Response, limit int64) *bodyReader {
	return &bodyReader{capped: cappedReader{r: body(resp), limit: limit}}
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.capped.Read(p)
	if b.plen < prefixLen && n > 0 {
		b.plen += copy(b.prefix[b.plen:], p[:n])
	}
	return n, err
}

// start returns the prefix read so far.
func (b *bodyReader) start() []byte { return append([]byte(nil), b.prefix[:b.plen]...) }

// readPrefix reads until the prefix is full or the body ends, for error
// messages about a body that is not decoded.
func (b *bodyReader) readPrefix() {
	for b.plen < prefixLen {
		if _, err := b.Read(b.scratch[:min(len(b.scratch), prefixLen-b.plen)]); err != nil {
			return
		}
	}
}

// onlySpaceLeft reports whether buffered and then the rest of the body hold
// nothing but JSON white space; it returns a read error other than io.EOF.
func (b *bodyReader) onlySpaceLeft(buffered io.Reader) (bool, error) {
	if ok, err := b.onlySpace(buffered); !ok || err != nil {
		return ok, err
	}
	return b.onlySpace(b)
}

func (b *bodyReader) onlySpace(r io.Reader) (bool, error) {
	for {
		n, err := r.Read(b.scratch[:])
		if !isBlank(b.scratch[:n]) {
			return false, nil
		}
		if errors.Is(err, io.EOF) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// jsonHandler decodes a JSON body into a T.
type jsonHandler[T any] struct{ o options }

// JSON returns a [Handler] that decodes a JSON body into a T with
// encoding/json.
//
//   - The body is read up to [MaxBytes] (default [DefaultMaxBytes]); longer
//     is a [*TooLargeError].
//   - The content type check is lenient: application/json, any +json type,
//     no Content-Type and other types are decoded; text/html (a login page, a
//     proxy's error page) is refused without decoding.
//   - A body that is not JSON, is truncated, has data after the value or
//     (with [Strict]) has fields T lacks is a [*DecodeError] showing how the
//     body starts.
//   - An empty body (a 204 No Content, a HEAD) is a [*DecodeError] unless
//     [AllowEmpty] is given: then the result is the zero T.
func JSON[T any](opts ...Option) Handler[T] { return &jsonHandler[T]{newOptions(opts)} }

func (h *jsonHandler[T]) acceptsStatus(code int) bool { return h.o.accept.accepts(code) }

func (h *jsonHandler[T]) withAccept(s statusSet) Handler[T] {
	c := *h
	c.o.accept = s
	return &c
}

func (h *jsonHandler[T]) Handle(resp *http.Response) (T, error) {
	return decodeBody(resp, h.o, "JSON", func(rec *bodyReader, v *T) error {
		dec := json.NewDecoder(rec)
		if h.o.strict {
			dec.DisallowUnknownFields()
		}
		if err := dec.Decode(v); err != nil {
			return err
		}
		// Nothing but white space may follow the value.
		if ok, err := rec.onlySpaceLeft(dec.Buffered()); !ok {
			if err == nil {
				err = errors.New("data after the JSON value")
			}
			return err
		}
		return nil
	})
}

// decodeBody does what the JSON and XML handlers share around decode, the
// format's own decoding of the capped body into v: the status check, an
// empty 204 with [AllowEmpty], the refusal of an HTML page, and the errors
// (an empty body, the context's end, a *TooLargeError, a *DecodeError
// showing how the body starts). A *DecodeError from decode is returned as
// it is.
func decodeBody[T any](resp *http.Response, o options, format string, decode func(rec *bodyReader, v *T) error) (T, error) {
	var v T
	if err := checkStatus(resp, o.accept); err != nil {
		return v, err
	}
	if resp.StatusCode == http.StatusNoContent && o.allowEmpty {
		return v, nil
	}
	rec := newBodyReader(resp, o.maxBytes)
	if isHTML(resp) {
		rec.readPrefix()
		return v, newDecodeError(resp, format, rec.start(), nil, "got an HTML page, not "+format+" (a login page or a proxy's error page?)")
	}
	if err := decode(rec, &v); err != nil {
		var zero T
		if errors.Is(err, io.EOF) && isBlank(rec.prefix[:rec.plen]) {
			if o.allowEmpty {
				return zero, nil
			}
			return zero, newDecodeError(resp, format, rec.start(), nil, "empty body; use handler.AllowEmpty() if that is fine")
		}
		var de *DecodeError
		if errors.As(err, &de) {
			return zero, err
		}
		return zero, decodeErr(resp, format, rec.start(), err)
	}
	return v, nil
}

// decodeErr turns a decoder error into the error to return: the context's
// error when it is done, a *TooLargeError as is, a *DecodeError otherwise.
func decodeErr(resp *http.Response, format string, prefix []byte, err error) error {
	if cerr := contextErr(resp); cerr != nil {
		return cerr
	}
	var tooLarge *TooLargeError
	if errors.As(err, &tooLarge) {
		return tooLargeFor(resp, tooLarge)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return newDecodeError(resp, format, prefix, err, "truncated body: "+err.Error())
	}
	return newDecodeError(resp, format, prefix, err, "")
}

func newDecodeError(resp *http.Response, format string, prefix []byte, err error, reason string) *DecodeError {
	e := &DecodeError{
		Format:      format,
		StatusCode:  resp.StatusCode,
		ContentType: resp.Header.Get("Content-Type"),
		Prefix:      prefix,
		Err:         err,
		reason:      reason,
	}
	if resp.Request != nil {
		e.Method = resp.Request.Method
		if e.Method == "" {
			e.Method = http.MethodGet
		}
		e.URL = redact.URL(resp.Request.URL)
	}
	return e
}

// isHTML reports whether resp says its body is HTML.
func isHTML(resp *http.Response) bool {
	mt := mediaType(resp)
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// mediaType is resp's Content-Type without parameters, lower case; "" when
// absent.
func mediaType(resp *http.Response) string {
	mt, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}
