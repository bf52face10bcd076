package signer

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/go-applinks/applinks/internal/requri"
)

// ErrForeignHost is returned by [Transport] for a request to a host other
// than the one it signs for: signed requests never go anywhere else.
var ErrForeignHost = errors.New("signer: refusing to sign a request for another host")

// Transport is an http.RoundTripper that signs every request it sends. It
// clones each request before signing (the caller's request is never
// changed), signs every attempt afresh so retries and redirects get a new
// nonce and timestamp, replays a form body through GetBody, and refuses
// (with [ErrForeignHost]) any request whose scheme and host differ from
// Origin's. Its fields must not change once it is in use; it is then safe for
// concurrent use.
type Transport struct {
	// Signer signs. Required.
	Signer *Signer
	// Origin is the scheme and host (with port) requests may go to; its
	// path is ignored. Required.
	Origin *url.URL
	// Params returns the parameters for one request, called for every
	// attempt. Nil signs with the empty token (2-legged OAuth).
	Params func(*http.Request) (Params, error)
	// Base sends the signed request; nil means http.DefaultTransport.
	Base http.RoundTripper
}

// RoundTrip signs a clone of req and sends it through Base.
//
// The scheme and host of req.URL (and req.Host, when set) must equal
// Origin's, compared without regard to case and with a scheme's default
// port made explicit; otherwise the error wraps [ErrForeignHost] and nothing
// is sent. A form body is read through req.GetBody, so that each attempt
// signs the bytes it sends; a form body without GetBody (not made by
// http.NewRequest) is read once into memory. As http.RoundTripper requires,
// req's body is closed on every path, also when RoundTrip fails before
// sending.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.roundTrip(req)
	if err != nil && req != nil && req.Body != nil {
		// Base closes the body itself when it was reached; closing twice is
		// harmless for every body net/http hands out.
		req.Body.Close()
	}
	return resp, err
}

func (t *Transport) roundTrip(req *http.Request) (*http.Response, error) {
	switch {
	case req == nil || req.URL == nil:
		return nil, errors.New("signer: transport: nil request or URL")
	case t.Signer == nil:
		return nil, errors.New("signer: transport: no Signer: set Transport.Signer")
	case t.Origin == nil || t.Origin.Host == "":
		return nil, errors.New("signer: transport: no Origin: set Transport.Origin to the remote application's base URL")
	}
	if err := t.checkOrigin(req); err != nil {
		return nil, err
	}
	p := Params{}
	if t.Params != nil {
		var err error
		if p, err = t.Params(req); err != nil {
			return nil, fmt.Errorf("signer: transport: parameters for %s %s: %w", req.Method, redactedURL(req.URL), err)
		}
	}
	// Sign reads a form body through GetBody (or buffers it when GetBody is
	// nil), so the body sent is the one signed, on every attempt.
	clone := req.Clone(req.Context())
	if err := t.Signer.Sign(clone, p); err != nil {
		return nil, err
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(clone)
}

// checkOrigin refuses a request whose URL or Host header names another
// origin than t.Origin.
func (t *Transport) checkOrigin(req *http.Request) error {
	return requri.CheckOrigin(req.URL, req.Host, t.Origin, ErrForeignHost)
}

// Origin returns the origin of a URL's scheme and host (or a Host header)
// as "scheme://host:port", lower-cased, with the scheme's default port
// filled in and an IPv6 host bracketed ("scheme://host" for a scheme without
// a default port, such as ftp, when none is given): two URLs are on the same
// origin when their Origins are equal. [Transport] signs only for its
// Origin's.
func Origin(scheme, host string) string { return requri.Origin(scheme, host) }

// redactedURL returns u without user info, query or fragment, fit for an
// error message.
func redactedURL(u *url.URL) string {
	r := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return r.String()
}
