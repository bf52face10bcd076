package applink

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Request is one request through a link, built by
// [RequestFactory.NewRequest] and sent by [Request.Do] or [Execute]. Its
// setters return the request so calls chain. A Request is not safe for
// concurrent use; it may be sent more than once.
type Request struct {
	factory *RequestFactory
	auth    Auth
	method  string
	url     *url.URL
	header  http.Header
	form    url.Values
	body    []byte
	ctype   string
	timeout time.Duration
	follow  bool
	retry   bool
	err     error
}

// Method returns the HTTP method.
func (r *Request) Method() string { return r.method }

// URL returns a copy of the request URL (for 2LOi without
// xoauth_requestor_id, which is added when the request is sent).
func (r *Request) URL() *url.URL { u := *r.url; return &u }

// Auth returns the authentication method chosen for the request.
func (r *Request) Auth() Auth { return r.auth }

// SetHeader sets a header, replacing any value. Authorization cannot be set.
func (r *Request) SetHeader(key, value string) *Request { return r }

// AddHeader adds a header value.
func (r *Request) AddHeader(key, value string) *Request { return r }

// AddForm adds a form parameter: the body becomes
// application/x-www-form-urlencoded and its parameters are signed. It
// cannot be combined with SetBody.
func (r *Request) AddForm(key, value string) *Request { return r }

// SetBody sets the body and its content type.
func (r *Request) SetBody(contentType string, body []byte) *Request { return r }

// SetJSON sets the body to v encoded as JSON (application/json).
func (r *Request) SetJSON(v any) error { return errNotImplemented }

// SetTimeout bounds the request, from sending to the end of reading the
// response; 0 means none beyond the context.
func (r *Request) SetTimeout(d time.Duration) *Request { return r }

// FollowRedirects says whether to follow redirects (default true). Only
// redirects on the link's origin and under its RPC URL are followed, each hop
// signed afresh; any other redirect is an error wrapping [ErrForeignURL].
func (r *Request) FollowRedirects(follow bool) *Request { return r }

// Retryable lets a non-idempotent request (POST, PATCH) be retried on
// connection errors and 429/502/503/504, as idempotent ones are.
func (r *Request) Retryable() *Request { return r }

// Do sends the request and returns the response, whatever its status; the
// caller closes its body. A 401 with a token problem (token_expired,
// token_rejected, token_revoked, ...) deletes the user's stored token and
// returns *[CredentialsRequiredError]; other OAuth problems are returned as
// *[OAuthError]s. Clock skew reported by the remote (timestamp_refused) is
// corrected and the request sent again once.
func (r *Request) Do(ctx context.Context) (*http.Response, error) { return nil, errNotImplemented }
