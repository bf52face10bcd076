package handler

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/go-applinks/applinks/internal/redact"
)

// prefixLen is how much of the start of a body decode errors keep.
const prefixLen = 512

// prefixRecorder keeps the first prefixLen bytes read through it.
type prefixRecorder struct {
	r      io.Reader
	prefix []byte
}

func (p *prefixRecorder) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if room := prefixLen - len(p.prefix); room > 0 && n > 0 {
		p.prefix = append(p.prefix, b[:min(n, room)]...)
	}
	return n, err
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

func (h *jsonHandler[T]) Handle(resp *http.Response) (T, error) {
	var v T
	if err := checkStatus(resp, h.o.accept); err != nil {
		return v, err
	}
	if resp.StatusCode == http.StatusNoContent && h.o.allowEmpty {
		return v, nil
	}
	rec := &prefixRecorder{r: &cappedReader{r: body(resp), limit: h.o.maxBytes}}
	if isHTML(resp) {
		_, _ = io.ReadFull(rec, make([]byte, prefixLen))
		return v, newDecodeError(resp, "JSON", rec.prefix, nil, "got an HTML page, not JSON (a login page or a proxy's error page?)")
	}
	dec := json.NewDecoder(rec)
	if h.o.strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(&v); err != nil {
		var zero T
		if errors.Is(err, io.EOF) && isBlank(rec.prefix) {
			if h.o.allowEmpty {
				return zero, nil
			}
			return zero, newDecodeError(resp, "JSON", rec.prefix, nil, "empty body; use handler.AllowEmpty() if that is fine")
		}
		return zero, decodeErr(resp, "JSON", rec.prefix, err)
	}
	// Nothing but white space may follow the value.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var zero T
		if err == nil {
			err = errors.New("data after the JSON value")
		}
		return zero, decodeErr(resp, "JSON", rec.prefix, err)
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
		return tooLarge
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
	ct := resp.Header.Get("Content-Type")
	if ct == "" {
		return ""
	}
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		return mt
	}
	mt, _, _ := strings.Cut(ct, ";")
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
