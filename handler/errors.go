package handler

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/signer"
)

// MaxErrorBody is how much of a rejected response's body a [*ResponseError]
// keeps: 64 KiB.
const MaxErrorBody = 64 << 10

// excerptLen is how many characters of a body an error message shows.
const excerptLen = 200

// ResponseError is a response whose status the handler did not accept (by
// default, any status but 2xx). Get it with errors.As; when the response
// carried an OAuth problem, errors.As also finds the [*signer.ProblemError].
type ResponseError struct {
	// Method is the request's method ("" when the response has no request).
	Method string
	// URL is the request's URL with secrets redacted (query values named
	// like tokens or signatures, user info password, fragment).
	URL string
	// StatusCode is the HTTP status code; Status the status line text
	// ("404 Not Found").
	StatusCode int
	Status     string
	// ContentType is the response's Content-Type header.
	ContentType string
	// Body is the start of the response body, at most [MaxErrorBody] bytes,
	// as sent (not redacted: do not log it as is); Truncated reports that the
	// body was longer.
	Body      []byte
	Truncated bool
	// Header is a copy of the response header with credentials, cookies and
	// tokens redacted.
	Header http.Header
	// Problem is the OAuth problem the response reported (in
	// WWW-Authenticate or a form body), nil if none.
	Problem *signer.ProblemError
}

// Error describes the response in one line, with secrets redacted:
//
//	handler: GET https://jira/rest/api/2/myself: 404 Not Found: <start of body>
//
// followed by the OAuth problem when there is one.
func (e *ResponseError) Error() string {
	var b strings.Builder
	b.WriteString("handler: ")
	if e.Method != "" {
		b.WriteString(e.Method)
		b.WriteByte(' ')
	}
	if e.URL != "" {
		b.WriteString(e.URL)
		b.WriteString(": ")
	}
	b.WriteString(e.statusText())
	if x := excerpt(e.Body, e.Truncated); x != "" {
		b.WriteString(": ")
		b.WriteString(x)
	}
	if e.Problem != nil {
		b.WriteString(" (")
		b.WriteString(e.Problem.Error())
		b.WriteByte(')')
	}
	return b.String()
}

// GoString keeps %#v as safe as %v: it prints Error.
func (e *ResponseError) GoString() string {
	return "&handler.ResponseError{" + fmt.Sprintf("%q", e.Error()) + "}"
}

func (e *ResponseError) statusText() string {
	if e.Status != "" {
		return e.Status
	}
	if t := http.StatusText(e.StatusCode); t != "" {
		return fmt.Sprintf("%d %s", e.StatusCode, t)
	}
	return fmt.Sprintf("status %d", e.StatusCode)
}

// Unwrap returns the OAuth problem, so that errors.As(err, &problem) works
// with a *signer.ProblemError; nil if the response carried none.
func (e *ResponseError) Unwrap() error {
	if e.Problem == nil {
		return nil
	}
	return e.Problem
}

// CheckResponse is the status check of [Handle] alone: nil for a 2xx
// response, otherwise a [*ResponseError] holding up to [MaxErrorBody] bytes
// of the body, which it reads. It neither drains nor closes the body: the
// caller still does. A nil resp is an error.
func CheckResponse(resp *http.Response) error {
	if resp == nil {
		return errors.New("handler: nil *http.Response")
	}
	if is2xx(resp.StatusCode) {
		return nil
	}
	return newResponseError(resp)
}

// checkStatus is what every built-in handler does first, so that one called
// directly (not through Handle) still refuses statuses it does not accept.
func checkStatus(resp *http.Response, s statusSet) error {
	if resp == nil {
		return errors.New("handler: nil *http.Response")
	}
	if !s.accepts(resp.StatusCode) {
		return newResponseError(resp)
	}
	return nil
}

func newResponseError(resp *http.Response) *ResponseError {
	e := &ResponseError{
		StatusCode:  resp.StatusCode,
		Status:      resp.Status,
		ContentType: resp.Header.Get("Content-Type"),
		Header:      redact.Header(resp.Header),
	}
	if resp.Request != nil {
		e.Method = resp.Request.Method
		if e.Method == "" {
			e.Method = http.MethodGet
		}
		e.URL = redact.URL(resp.Request.URL)
	}
	data, err := io.ReadAll(io.LimitReader(body(resp), MaxErrorBody+1))
	if len(data) > MaxErrorBody {
		data, e.Truncated = data[:MaxErrorBody], true
	} else if err != nil {
		// What could be read is kept; the rest is lost.
		e.Truncated = true
	}
	if len(data) > 0 {
		e.Body = data
	}
	e.Problem = signer.ParseProblem(resp.StatusCode, resp.Header, data)
	return e
}

// TooLargeError reports a body longer than a handler's limit ([MaxBytes]).
type TooLargeError struct {
	// Limit is the limit in bytes that the body exceeded.
	Limit int64
	// Method and URL (redacted) identify the request, when known.
	Method, URL string
}

// Error says what limit was exceeded, by which response, and how to raise
// it.
func (e *TooLargeError) Error() string {
	var b strings.Builder
	b.WriteString("handler: ")
	if e.Method != "" || e.URL != "" {
		b.WriteString(strings.TrimSpace(e.Method + " " + e.URL))
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "response body exceeds the limit of %d bytes", e.Limit)
	if e.Limit >= 1<<20 && e.Limit%(1<<20) == 0 {
		fmt.Fprintf(&b, " (%d MiB)", e.Limit>>20)
	} else if e.Limit >= 1<<10 && e.Limit%(1<<10) == 0 {
		fmt.Fprintf(&b, " (%d KiB)", e.Limit>>10)
	}
	b.WriteString("; raise it with handler.MaxBytes")
	return b.String()
}

// tooLargeFor returns a copy of e naming resp's request.
func tooLargeFor(resp *http.Response, e *TooLargeError) *TooLargeError {
	c := *e
	if resp != nil && resp.Request != nil {
		c.Method = resp.Request.Method
		if c.Method == "" {
			c.Method = http.MethodGet
		}
		c.URL = redact.URL(resp.Request.URL)
	}
	return &c
}

// DecodeError reports a body that [JSON] or [XML] could not decode: not of
// that format (an HTML login page, a proxy's error page), truncated, empty,
// or (with [Strict]) with unknown fields. errors.As finds it; Unwrap gives the
// decoder's error.
type DecodeError struct {
	// Format is "JSON" or "XML".
	Format string
	// Method and URL (redacted) identify the request, when known.
	Method, URL string
	// StatusCode and ContentType are the response's.
	StatusCode  int
	ContentType string
	// Prefix is the start of the body as read (at most 512 bytes).
	Prefix []byte
	// Err is the underlying error; nil for a body that is empty or of the
	// wrong content type.
	Err error
	// reason says what went wrong when Err does not.
	reason string
}

// Error says what could not be decoded from where, why, and how the body
// starts (redacted).
func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString("handler: decoding ")
	b.WriteString(e.Format)
	if e.Method != "" || e.URL != "" {
		b.WriteString(" from ")
		b.WriteString(strings.TrimSpace(e.Method + " " + e.URL))
	}
	b.WriteString(": ")
	switch {
	case e.reason != "":
		b.WriteString(e.reason)
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	}
	if e.ContentType != "" {
		fmt.Fprintf(&b, " (Content-Type %q)", e.ContentType)
	}
	if x := excerpt(e.Prefix, false); x != "" {
		b.WriteString("; body starts: ")
		b.WriteString(x)
	}
	return b.String()
}

// GoString keeps %#v as safe as %v: it prints Error.
func (e *DecodeError) GoString() string {
	return "&handler.DecodeError{" + fmt.Sprintf("%q", e.Error()) + "}"
}

// Unwrap returns the decoder's error.
func (e *DecodeError) Unwrap() error { return e.Err }

// excerpt renders the start of a body for an error message: secrets
// redacted, whitespace runs collapsed to one space, at most excerptLen
// characters, "..." when cut.
func excerpt(data []byte, truncated bool) string {
	s := redact.Excerpt(string(data))
	var b strings.Builder
	n := 0
	space := false
	cut := false
	for _, r := range s {
		if n >= excerptLen {
			cut = true
			break
		}
		if unicode.IsSpace(r) || !unicode.IsPrint(r) && r != utf8.RuneError {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	if cut || truncated && b.Len() > 0 {
		b.WriteString("...")
	}
	return b.String()
}
