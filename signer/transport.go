package signer

import (
	"errors"
	"net/http"
	"net/url"
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
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	return nil, errNotImplemented
}
