package applink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/go-applinks/applinks/internal/engine"
	"github.com/go-applinks/applinks/signer"
)

// Request is one request through a link, built by
// [RequestFactory.NewRequest] and sent by [Request.Do] or [Execute]. Its
// setters return the request so calls chain. A Request is not safe for
// concurrent use; it may be sent more than once. Its headers, form and body
// (which may carry secrets: an API key in a form, a token in a header) are
// behind a pointer, which fmt prints as an address: no verb, %p included,
// slog or JSON shows them.
type Request struct {
	*request
}

// ensure gives a zero Request (not built with NewRequest) its content, so
// that its methods work on it as on any Request: they record the misuse
// and Do refuses it.
func (r *Request) ensure() {
	if r.request == nil {
		r.request = &request{content: &content{}}
	}
}

// content is what a [Request] sends beside its method and URL.
type content struct {
	header http.Header
	form   url.Values
	body   []byte
	reader *bodyReader // SetBody's body; body is nil then (SetJSON's is in body)
	ctype  string
}

// request is a [Request]'s state.
type request struct {
	factory *RequestFactory
	auth    Auth
	method  string
	url     *url.URL
	// The headers, form and body, behind one more pointer: under a bad
	// verb fmt shows the fields of what a pointer field points to, but
	// not of what the pointers there point to.
	*content
	stats  engine.RetryStats // of the last send
	follow bool
	retry  bool
	err    error
	// The client and transport of the last send, kept here so that a
	// send does not allocate them.
	client http.Client
	tr     transport
}

// newRequest returns a Request with its state and content, allocated
// together.
func newRequest(f *RequestFactory, method string, u *url.URL) *Request {
	b := &struct {
		w Request
		r request
		c content
	}{}
	b.r = request{factory: f, method: method, url: u, content: &b.c, follow: true}
	b.w.request = &b.r
	return &b.w
}

// URL returns a copy of the request URL (for 2LOi without
// xoauth_requestor_id, which is added when the request is sent).
func (r *Request) URL() *url.URL {
	r.ensure()
	if r.url == nil {
		return nil
	}
	u := *r.url
	return &u
}

// Auth returns the authentication method the request was last sent with,
// "" before it is sent. The method is chosen when the request is sent (see
// [RequestFactory]); [RequestFactory.Auth] tells it beforehand.
//
// On a link that allows 3LO and then 2LOi, a user without a 3LO token (never
// authorized, or one the remote revoked) is acted as with 2LOi, without
// their consent: Auth then says [Auth2LOi], and the service logs it at
// level Info. To forbid that per call, make the factory with
// WithAuth(Auth3LO): a user without a token is then
// *[CredentialsRequiredError].
func (r *Request) Auth() Auth {
	r.ensure()
	return r.auth
}

// logFallback logs, at level Info, that the automatic choice fell back
// from 3LO (or OAuth 2.0) to 2LOi: the user has no token, and is acted as
// without their consent.
func (f *RequestFactory) logFallback(ctx context.Context, a Auth) {
	if a != Auth2LOi || f.opts.only != "" || f.user == "" {
		return
	}
	auths := f.link.auths()
	i2 := slices.Index(auths, Auth2LOi)
	first := slices.IndexFunc(auths, func(x Auth) bool { return x == Auth3LO || x == AuthOAuth2 })
	if first < 0 || first > i2 {
		return // 2LOi is the link's first choice, not a fallback
	}
	f.link.state.svc.logger.LogAttrs(ctx, slog.LevelInfo, "applink: falling back from 3LO to 2LOi: the user has no 3LO token, so the request impersonates them without their consent; authorize them, or forbid this with WithAuth(Auth3LO)",
		slog.String("link", f.link.Name), slog.String("user", f.user), slog.String("auth", string(a)))
}

// AddQuery adds a query parameter to the request URL, after those already
// there (the path's own, then earlier AddQuery calls). key and value are
// given as meant, unencoded: they are percent-encoded once, by RFC 3986 (a
// space is %20, "+" is %2B, "%" is %25, every non-ASCII byte %XX), and the
// request is signed over exactly what is sent. A repeated key is kept, in
// the order added:
//
//	req.AddQuery("jql", `project = "OPS" AND summary ~ "50% off"`).
//		AddQuery("fields", "key").AddQuery("fields", "summary")
func (r *Request) AddQuery(key, value string) *Request {
	r.ensure()
	if r.url == nil {
		r.fail(errors.New("applink: AddQuery on a Request not made by RequestFactory.NewRequest"))
		return r
	}
	var b strings.Builder
	b.WriteString(r.url.RawQuery)
	appendQuery(&b, key, value)
	r.setQuery(b.String())
	return r
}

// setQuery gives the request a new URL with this raw query: the URL of a
// request sent before may be its response's, which must not change.
func (r *Request) setQuery(raw string) {
	u := *r.url
	u.RawQuery, u.ForceQuery = raw, false
	r.url = &u
}

// appendQuery appends "&key=value" (no "&" first in an empty query),
// RFC 3986-encoded.
func appendQuery(b *strings.Builder, key, value string) {
	if b.Len() > 0 {
		b.WriteByte('&')
	}
	b.WriteString(signer.Encode(key))
	b.WriteByte('=')
	b.WriteString(signer.Encode(value))
}

// SetHeader sets a header, replacing any value. Authorization cannot be set.
func (r *Request) SetHeader(key, value string) *Request {
	r.ensure()
	if r.headerAllowed(key) {
		r.header.Set(key, value)
	}
	return r
}

// AddHeader adds a header value. Authorization cannot be set.
func (r *Request) AddHeader(key, value string) *Request {
	r.ensure()
	if r.headerAllowed(key) {
		r.header.Add(key, value)
	}
	return r
}

func (r *Request) headerAllowed(key string) bool {
	if http.CanonicalHeaderKey(key) == "Authorization" {
		r.fail(errors.New("applink: the Authorization header is the link's to set: choose the authentication with the factory"))
		return false
	}
	if r.header == nil {
		r.header = make(http.Header)
	}
	return true
}

// fail records the first error made while building the request; Do
// returns it.
func (r *Request) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// AddForm adds a form parameter: the body becomes
// application/x-www-form-urlencoded and its parameters are signed (for
// POST, by the servers of every Atlassian type and Jenkins; see
// [Link].SignatureDialect). It cannot be combined with SetBody (nor
// SetJSON), and needs POST, PUT or PATCH (as in
// Application Links; for other methods put parameters in the query).
func (r *Request) AddForm(key, value string) *Request {
	r.ensure()
	switch r.method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		r.fail(fmt.Errorf("applink: form parameters need POST, PUT or PATCH, not %s: put them in the URL's query", r.method))
		return r
	}
	if r.body != nil || r.reader != nil {
		r.fail(errors.New("applink: AddForm after SetBody: a request has either form parameters or a body"))
		return r
	}
	if r.form == nil {
		r.form = make(url.Values)
	}
	r.form.Add(key, value)
	return r
}

// maxBufferedBody is how much of a body given to [Request.SetBody] that
// cannot seek is read into memory (32 MiB); a longer one fails the request.
const maxBufferedBody = 32 << 20

// SetBody sets the body to what body yields, and its content type. It
// cannot be combined with AddForm, and replaces a body set before; a nil
// body is an empty one. The body is sent again, the same, on every retry
// and every redirect that keeps it, and when the request is sent again:
//
//   - An io.Seeker that reads at an offset (*bytes.Reader,
//     *strings.Reader, *os.File) is streamed from where it stands when
//     the request is first sent, and read again from there for every
//     attempt; its length (to the end) is sent as Content-Length.
//   - Any other reader, or a seeker that cannot seek (a pipe, standard
//     input), is read into memory when the request is first sent, up to
//     32 MiB; a longer body fails the request with an error
//     saying so.
//
// The request does not close body: the caller does, once done with the
// request. An error reading it is returned by [Request.Do] or [Execute].
// Do not change what it reads afterwards.
func (r *Request) SetBody(contentType string, body io.Reader) *Request {
	r.ensure()
	if r.form != nil {
		r.fail(errors.New("applink: SetBody after AddForm: a request has either form parameters or a body"))
		return r
	}
	if body == nil {
		r.body, r.reader, r.ctype = []byte{}, nil, contentType
		return r
	}
	r.body, r.reader, r.ctype = nil, &bodyReader{r: body}, contentType
	return r
}

// SetJSON sets the body to v encoded as JSON (application/json). It
// returns the request, as the other setters do; an error encoding v is
// returned by [Request.Do] or [Execute].
func (r *Request) SetJSON(v any) *Request {
	r.ensure()
	if r.form != nil {
		r.fail(errors.New("applink: SetJSON after AddForm: a request has either form parameters or a body"))
		return r
	}
	b, err := json.Marshal(v)
	if err != nil {
		r.fail(fmt.Errorf("applink: encoding the JSON body: %w", err))
		return r
	}
	r.body, r.reader, r.ctype = b, nil, "application/json"
	return r
}

// FollowRedirects says whether to follow redirects (default true). Only
// redirects on the link's origin and under its RPC URL are followed, each hop
// signed afresh; any other redirect is an error wrapping [ErrForeignURL].
func (r *Request) FollowRedirects(follow bool) *Request {
	r.ensure()
	r.follow = follow
	return r
}

// Retryable lets a non-idempotent request (POST, PATCH) be retried on
// connection errors and 429/502/503/504, as idempotent ones are.
func (r *Request) Retryable() *Request {
	r.ensure()
	r.retry = true
	return r
}

// bodyReader is the body given to [Request.SetBody]. It is prepared
// when the request is first sent: a reader that can read at an offset and
// seek (an *os.File, a *bytes.Reader) is measured from where it stands,
// and every attempt reads its own section of it, so that attempts never
// share a read position; anything else is read into memory once, up to
// maxBufferedBody. Either way every attempt, retry and redirect sends the
// same bytes.
type bodyReader struct {
	r        io.Reader
	prepared bool
	err      error // sticky: a failed read leaves the reader consumed

	at          io.ReaderAt
	start, size int64
	buf         []byte
}

// replay returns a function that yields the body afresh for each attempt.
func (b *bodyReader) replay() (func() (io.Reader, error), error) {
	if !b.prepared {
		b.prepared = true
		b.err = b.prepare()
	}
	if b.err != nil {
		return nil, b.err
	}
	if b.at == nil {
		buf := b.buf
		return func() (io.Reader, error) { return bytes.NewReader(buf), nil }, nil
	}
	at, start, size := b.at, b.start, b.size
	// *io.SectionReader has Size, not Len: sectionBody tells the length,
	// which becomes the Content-Length.
	return func() (io.Reader, error) { return &sectionBody{io.NewSectionReader(at, start, size)}, nil }, nil
}

// prepare measures a seekable body or reads any other into memory.
func (b *bodyReader) prepare() error {
	if at, ok := b.r.(io.ReaderAt); ok {
		if s, ok := b.r.(io.Seeker); ok {
			if start, err := s.Seek(0, io.SeekCurrent); err == nil {
				end, err := s.Seek(0, io.SeekEnd)
				if err != nil {
					return fmt.Errorf("measuring the request body: %w", err)
				}
				if _, err := s.Seek(start, io.SeekStart); err != nil {
					return fmt.Errorf("measuring the request body: %w", err)
				}
				b.at, b.start, b.size = at, start, max(end-start, 0)
				return nil
			}
			// A pipe or a terminal: it cannot seek, so it is buffered.
		}
	}
	buf, err := io.ReadAll(io.LimitReader(b.r, maxBufferedBody+1))
	if err != nil {
		return fmt.Errorf("reading the request body: %w", err)
	}
	if len(buf) > maxBufferedBody {
		return errors.New("the request body is larger than 32 MiB and cannot seek: " +
			"give SetBody a file (*os.File), which is streamed and read again for a retry, instead of a stream")
	}
	b.buf = buf
	return nil
}

// sectionBody is one attempt's reading of a seekable body.
type sectionBody struct{ *io.SectionReader }

// Len reports the bytes left, as bytes.Reader does.
func (s *sectionBody) Len() int {
	cur, _ := s.Seek(0, io.SeekCurrent)
	return int(s.Size() - cur)
}
