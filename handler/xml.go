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

func (h *xmlHandler[T]) withAccept(s statusSet) Handler[T] {
	c := *h
	c.o.accept = s
	return &c
}

func (h *xmlHandler[T]) Handle(resp *http.Response) (T, error) {
	return decodeBody(resp, h.o, "XML", func(rec *bodyReader, v *T) error {
		err := xml.NewDecoder(rec).Decode(v)
		if errors.Is(err, io.EOF) && !isBlank(rec.prefix[:rec.plen]) && contextErr(resp) == nil {
			return newDecodeError(resp, "XML", rec.start(), err, "no XML element in the body")
		}
		return err
	})
}
