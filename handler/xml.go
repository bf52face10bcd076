package handler

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
)

// xmlHandler decodes an XML body into a T.
type xmlHandler[T any] struct{ o options }

// XML returns a [Handler] that decodes an XML body into a T with
// encoding/xml, as the applinks manifest and consumer-info documents are
// served. It reads up to [MaxBytes] (default [DefaultMaxBytes]; longer is a
// [*TooLargeError]); refuses text/html without decoding; reports a body that
// is not XML or is truncated as a [*DecodeError] showing how it starts; and
// an empty body likewise, unless [AllowEmpty] is given (then the result is
// the zero T). [Strict] has no effect: encoding/xml has no unknown-element
// check.
func XML[T any](opts ...Option) Handler[T] { return &xmlHandler[T]{newOptions(opts)} }

func (h *xmlHandler[T]) acceptsStatus(code int) bool { return h.o.accept.accepts(code) }

func (h *xmlHandler[T]) Handle(resp *http.Response) (T, error) {
	var v T
	if err := checkStatus(resp, h.o.accept); err != nil {
		return v, err
	}
	if resp.StatusCode == http.StatusNoContent && h.o.allowEmpty {
		return v, nil
	}
	rec := newBodyReader(resp, h.o.maxBytes)
	if isHTML(resp) {
		rec.readPrefix()
		return v, newDecodeError(resp, "XML", rec.start(), nil, "got an HTML page, not XML (a login page or a proxy's error page?)")
	}
	if err := xml.NewDecoder(rec).Decode(&v); err != nil {
		var zero T
		if errors.Is(err, io.EOF) && isBlank(rec.prefix[:rec.plen]) {
			if h.o.allowEmpty {
				return zero, nil
			}
			return zero, newDecodeError(resp, "XML", rec.start(), nil, "empty body; use handler.AllowEmpty() if that is fine")
		}
		if errors.Is(err, io.EOF) && contextErr(resp) == nil {
			return zero, newDecodeError(resp, "XML", rec.start(), err, "no XML element in the body")
		}
		return zero, decodeErr(resp, "XML", rec.start(), err)
	}
	return v, nil
}
