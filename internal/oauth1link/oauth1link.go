// Package oauth1link speaks to the OAuth 1.0a token endpoints of
// Atlassian's Application Links for package applink: the POST of a request
// token (RFC 5849 §2.1) or access token (§2.3) call, and its answer with
// Atlassian's session extension (oauth_expires_in, oauth_session_handle,
// oauth_authorization_expires_in); the authorization page's URL and the
// check of a callback. It knows nothing about links, and does not sign: the
// caller passes a function that does.
//
// # Security
//
// Token secrets and session handles live in [redact.Secret] fields, and no
// error quotes the answer: it holds them.
package oauth1link

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-applinks/applinks/internal/linkconf"
	"github.com/go-applinks/applinks/internal/redact"
)

const (
	// MaxResponse caps how much of a token endpoint's answer is read.
	MaxResponse = 64 << 10
	// MaxLifetime caps the lifetimes a remote may announce, so that a huge
	// oauth_expires_in cannot overflow a time.Duration or make a time the
	// token store refuses.
	MaxLifetime = 100 * 365 * 24 * time.Hour
)

// TokenResponse is a token endpoint's answer: text/plain (or
// application/x-www-form-urlencoded), OAuth form encoded.
type TokenResponse struct {
	Token  string
	Secret redact.Secret
	// CallbackConfirmed is oauth_callback_confirmed=true (request token).
	CallbackConfirmed bool
	// ExpiresIn is oauth_expires_in; 0 when absent.
	ExpiresIn time.Duration
	// SessionHandle is oauth_session_handle; zero when absent.
	SessionHandle redact.Secret
	// AuthExpiresIn is oauth_authorization_expires_in; 0 when absent.
	AuthExpiresIn time.Duration
}

// ParseTokenResponse parses a token endpoint's body. It requires
// oauth_token and oauth_token_secret (which may be empty, as RSA-SHA1 does
// not use it); lifetimes must be whole non-negative seconds, and are capped
// at [MaxLifetime]. Error messages never quote the body: it holds secrets.
func ParseTokenResponse(body []byte) (*TokenResponse, error) {
	v, err := url.ParseQuery(strings.TrimSpace(string(body)))
	if err != nil {
		return nil, errors.New("the answer is not OAuth form encoded (oauth_token=...&oauth_token_secret=...)")
	}
	r := &TokenResponse{
		Token:             v.Get("oauth_token"),
		Secret:            redact.NewSecret(v.Get("oauth_token_secret")),
		CallbackConfirmed: v.Get("oauth_callback_confirmed") == "true",
		SessionHandle:     redact.NewSecret(v.Get("oauth_session_handle")),
	}
	switch {
	case r.Token == "":
		return nil, errors.New("the answer has no oauth_token")
	case !v.Has("oauth_token_secret"):
		return nil, errors.New("the answer has no oauth_token_secret")
	}
	if r.ExpiresIn, err = parseLifetime(v, "oauth_expires_in"); err != nil {
		return nil, err
	}
	if r.AuthExpiresIn, err = parseLifetime(v, "oauth_authorization_expires_in"); err != nil {
		return nil, err
	}
	return r, nil
}

// Expiry dates the answer's lifetimes from now: when the access token and
// the authorization expire, each zero when the remote did not say.
func (r *TokenResponse) Expiry(now time.Time) (expires, authExpires time.Time) {
	end := func(d time.Duration) time.Time {
		if d <= 0 {
			return time.Time{}
		}
		return now.Add(d)
	}
	return end(r.ExpiresIn), end(r.AuthExpiresIn)
}

// parseLifetime reads a lifetime in seconds; absent is 0. Values beyond
// MaxLifetime are capped.
func parseLifetime(v url.Values, name string) (time.Duration, error) {
	s := v.Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("the answer's %s is not a whole number of seconds", name)
	}
	if n > int64(MaxLifetime/time.Second) {
		return MaxLifetime, nil
	}
	return time.Duration(n) * time.Second, nil
}

// Post makes one POST without a body to the token endpoint at u through c,
// signed by sign, with agent as its User-Agent ("": none), and returns the
// answer and its body (at most [MaxResponse] bytes; the body is closed).
// When ctx ends it returns ctx.Err(); an error of sign as it is; an error
// of c (such as its CheckRedirect's, which errors.As finds) or of reading
// the answer says what failed.
func Post(ctx context.Context, c *http.Client, u, agent string, sign func(*http.Request) error) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, http.NoBody)
	if err != nil {
		return nil, nil, redact.URLError(err)
	}
	req.Header.Set("Accept", "text/plain, application/x-www-form-urlencoded")
	if agent != "" {
		req.Header.Set("User-Agent", agent)
	}
	if err := sign(req); err != nil {
		return nil, nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, fmt.Errorf("POST %s: %w: check the link's RPC URL and that the remote is up", redact.URLString(u), redact.URLError(err))
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponse))
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, fmt.Errorf("reading the answer of POST %s: %w", redact.URLString(u), err)
	}
	return resp, body, nil
}

// CheckCallback accepts an OAuth 1.0a callback: "" or "oob" (out of band),
// or an absolute http(s) URL without a fragment.
func CheckCallback(callback string) error {
	if callback == "" || callback == "oob" {
		return nil
	}
	u, err := url.Parse(callback)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
		return fmt.Errorf("the callback %q is not an absolute http or https URL without a fragment: give one, or \"\" for out of band", redact.Shorten(callback, 20))
	}
	return nil
}

// AuthorizeURL returns the page where the user approves the request token:
// path joined to base (the display URL), with oauth_token, and with
// oauth_callback when callback is not "" (Jenkins' plugin takes it there).
func AuthorizeURL(base, path, token, callback string) (*url.URL, error) {
	u, err := linkconf.JoinBase(base, path)
	if err != nil {
		return nil, err
	}
	q := url.Values{"oauth_token": {token}}
	if callback != "" {
		q.Set("oauth_callback", callback)
	}
	u.RawQuery = q.Encode()
	return u, nil
}

// VerifierFromInput returns the verification code a user typed or pasted:
// the oauth_verifier of a pasted URL or query string, else the trimmed
// input.
func VerifierFromInput(s string) string {
	s = strings.TrimSpace(s)
	i := strings.Index(s, "oauth_verifier=")
	if i < 0 {
		return s
	}
	q, err := url.ParseQuery(s[i:])
	if err != nil || q.Get("oauth_verifier") == "" {
		return s
	}
	return q.Get("oauth_verifier")
}
