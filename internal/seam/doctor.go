package seam

// What applink/doctor sees of a link.

import (
	"context"
	"crypto/rsa"
	"net/http"
	"net/url"
	"time"
)

// Link is what the doctor sees of a link bound to a Service beyond
// applink's exported API. Package applink fills every field.
type Link struct {
	// Client sends the doctor's unsigned requests as the service sends its
	// own: it has the service client's Transport (TLS configuration, proxy,
	// dialer) and cookie Jar, and follows no redirect.
	Client *http.Client
	// UserAgent is the User-Agent header the service sends.
	UserAgent string
	// Now is the service's clock.
	Now func() time.Time
	// Resolve returns the URL of a path under the link's RPC URL, as
	// requests through the link resolve it.
	Resolve func(path string) (*url.URL, error)
	// SignatureMethod names the link's signature method ("RSA-SHA1",
	// "HMAC-SHA1"), "" when it signs nothing; PublicKey is the public half
	// of its RSA key (not a secret), nil for HMAC-SHA1.
	SignatureMethod string
	PublicKey       *rsa.PublicKey
	// Probe sends GET path (relative to the RPC URL, with Accept:
	// application/json) with the authentication method auth ("3lo",
	// "2loi", "2lo"), acting as user when the method impersonates, once:
	// through the link's signing transport, which corrects a refused
	// timestamp as every request does and follows redirects within the
	// link, but without the service's retries, looking at the user's token
	// as stored: it renews and deletes no token. It returns the final response, whose body the
	// caller closes, and the signature base string of the request that
	// answered it, redacted ("" when unsigned). The error is applink's
	// own (*CredentialsRequiredError, *OAuthError,
	// *AuthNotConfiguredError, ...) or a network error wrapped with the link
	// and the redacted URL.
	Probe func(ctx context.Context, auth, user, path string) (*http.Response, string, error)
	// ClockOffset returns how far the remote's clock is ahead of ours
	// (negative: behind), as the link learnt it from the remote's last
	// timestamp_refused answer; every later request through the link
	// corrects its oauth_timestamp by it. It is 0 until the remote refuses
	// a timestamp.
	ClockOffset func() time.Duration
	// OAuth2 is set for an OAuth 2.0 link, nil otherwise.
	OAuth2 *OAuth2
}

// OAuth2 is what the doctor sees of an OAuth 2.0 link's client.
type OAuth2 struct {
	// AuthorizationURL is the consent page, TokenURL the token endpoint,
	// ClientID the client's id.
	AuthorizationURL, TokenURL, ClientID string
	// Exchange asks the token endpoint to exchange code (with a fresh PKCE
	// verifier), authenticated as the client; a refusal is applink's
	// *OAuth2Error. Nothing is stored.
	Exchange func(ctx context.Context, code string) error
	// ClientCredentials returns the scopes of the link's service-account
	// token: the one the link keeps, else one it gets from the token
	// endpoint (and then keeps, as requests do).
	ClientCredentials func(ctx context.Context) (scopes []string, err error)
}

// View returns the doctor's view of link, an *applink.Link obtained from
// a Service. The error says what is wrong (a link not bound to a Service).
func View(link any) (*Link, error) {
	f := registered().Link
	if f == nil {
		return nil, errNotRegistered("applink/doctor", "link view")
	}
	return f(link)
}
