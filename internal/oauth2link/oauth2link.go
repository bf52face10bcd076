package oauth2link

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/go-applinks/applinks/internal/redact"
)

// Default endpoint paths of the Data Center products, relative to the base
// URL.
const (
	DefaultAuthorizePath = "/rest/oauth2/latest/authorize"
	DefaultTokenPath     = "/rest/oauth2/latest/token"
)

// RFC 6749 §5.2 error codes (and RFC 6750 §3.1 for resources) that callers
// act on.
const (
	CodeInvalidGrant      = "invalid_grant"
	CodeInvalidClient     = "invalid_client"
	CodeInvalidScope      = "invalid_scope"
	CodeUnauthorized      = "unauthorized_client"
	CodeAccessDenied      = "access_denied"
	CodeInvalidToken      = "invalid_token"
	CodeInsufficientScope = "insufficient_scope"
)

// Config is one OAuth 2.0 client of one remote. Build it with all fields
// set; it is not changed afterwards.
type Config struct {
	ClientID string
	// ClientSecret is a Secret, so that the Config prints without it.
	ClientSecret redact.Secret
	// AuthorizationURL is the consent page (a browser URL); TokenURL the token
	// endpoint.
	AuthorizationURL, TokenURL string
	// RedirectURL is the registered redirect URL; "" for a client that only
	// uses client_credentials.
	RedirectURL string
	Scopes      []string
	// BasicAuth sends the client id and secret with HTTP Basic
	// (client_secret_basic) instead of in the form body
	// (client_secret_post, the Data Center documentation's way).
	BasicAuth bool
	// Client makes the token requests; it must refuse redirects. Nil
	// means a client that refuses them.
	Client *http.Client
	// AuthParams are extra parameters of the consent page URL
	// (Atlassian Cloud: audience=api.atlassian.com and prompt=consent).
	AuthParams map[string]string
	// JSONBody sends token requests as a JSON object instead of a form
	// (Atlassian Cloud), and the refresh grant without redirect_uri.
	JSONBody bool
}

// Token is what a token endpoint answered. Its tokens are Secrets, so
// that it prints without them.
type Token struct {
	Access  redact.Secret
	Refresh redact.Secret
	// ExpiresIn is how long the access token lives from the answer
	// (expires_in); 0 when the remote did not say. The caller dates it
	// with its own clock.
	ExpiresIn time.Duration
	// Scopes are the granted scopes (the response's scope, split on
	// spaces), or nil when the response had none.
	Scopes []string
}

// GenerateVerifier returns a new PKCE code verifier (32 random bytes,
// base64url), as golang.org/x/oauth2 makes it.
func GenerateVerifier() string { return oauth2.GenerateVerifier() }

func (c *Config) oauth2() *oauth2.Config {
	// Never AuthStyleAutoDetect: it sends a refused request again with the
	// other style (a rotating refresh token could be spent twice) and
	// caches what it learnt in package-level state.
	style := oauth2.AuthStyleInParams
	if c.BasicAuth {
		style = oauth2.AuthStyleInHeader
	}
	return &oauth2.Config{
		ClientID: c.ClientID, ClientSecret: c.ClientSecret.Reveal(), RedirectURL: c.RedirectURL, Scopes: c.Scopes,
		Endpoint: oauth2.Endpoint{AuthURL: c.AuthorizationURL, TokenURL: c.TokenURL, AuthStyle: style},
	}
}

// clientCtx returns ctx carrying the HTTP client for x/oauth2, which reads
// it from the context (its only way to take one for token requests).
func (c *Config) clientCtx(ctx context.Context, rt func(http.RoundTripper) http.RoundTripper) context.Context {
	hc := http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if c.Client != nil {
		hc = *c.Client
	}
	if rt != nil {
		base := hc.Transport
		if base == nil {
			base = http.DefaultTransport
		}
		hc.Transport = rt(base)
	}
	return context.WithValue(ctx, oauth2.HTTPClient, &hc)
}

// AuthCodeURL returns the consent page URL: response_type=code, the client
// id, the redirect URL, the scopes, state, and the PKCE S256 challenge of
// verifier.
func (c *Config) AuthCodeURL(state, verifier string) string {
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	for k, v := range c.AuthParams {
		opts = append(opts, oauth2.SetAuthURLParam(k, v))
	}
	return c.oauth2().AuthCodeURL(state, opts...)
}

// Exchange trades an authorization code and its PKCE verifier for tokens.
func (c *Config) Exchange(ctx context.Context, code, verifier string) (*Token, error) {
	t, err := c.oauth2().Exchange(c.clientCtx(ctx, c.bodyRewriter()), code, oauth2.VerifierOption(verifier))
	return convert(t, err, "exchanging the authorization code", c.sent(code, verifier))
}

// Refresh trades a refresh token for new tokens (the refresh token rotates:
// use the returned one from now on).
//
// x/oauth2 refreshes with grant_type and refresh_token only, but the Data
// Center provider also checks redirect_uri on the refresh grant and answers
// invalid_grant, with no explanation, without it. Refresh therefore goes
// through x/oauth2's own refresh (its request, client authentication,
// response parsing and errors) with a transport that adds the registered
// redirect_uri to that one request's form body.
func (c *Config) Refresh(ctx context.Context, refreshToken string) (*Token, error) {
	if refreshToken == "" {
		return nil, &Error{Step: "refreshing the access token", Code: CodeInvalidGrant, Description: "there is no refresh token"}
	}
	rt := func(base http.RoundTripper) http.RoundTripper {
		return &redirectURIAdder{base: base, tokenURL: c.TokenURL, redirect: c.RedirectURL}
	}
	if c.JSONBody {
		rt = c.bodyRewriter() // Cloud's refresh grant takes no redirect_uri
	}
	ctx = c.clientCtx(ctx, rt)
	// An empty access token makes the token source refresh at once.
	t, err := c.oauth2().TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken}).Token()
	return convert(t, err, "refreshing the access token", c.sent(refreshToken))
}

// ClientCredentials gets a token for the client's own service account
// (the client_credentials grant), with x/oauth2's clientcredentials package.
func (c *Config) ClientCredentials(ctx context.Context) (*Token, error) {
	o := c.oauth2()
	cc := clientcredentials.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, TokenURL: o.Endpoint.TokenURL,
		Scopes: o.Scopes, AuthStyle: o.Endpoint.AuthStyle}
	t, err := cc.Token(c.clientCtx(ctx, nil))
	return convert(t, err, "getting a client credentials token", c.sent())
}

// bodyRewriter returns the transport wrapper that sends the token
// requests as JSON when JSONBody is set, else nil.
func (c *Config) bodyRewriter() func(http.RoundTripper) http.RoundTripper {
	if !c.JSONBody {
		return nil
	}
	return func(base http.RoundTripper) http.RoundTripper { return &jsonBody{base: base, tokenURL: c.TokenURL} }
}

// jsonBody sends the form body of a POST to the token URL as a JSON object
// of the same (single-valued) parameters, as Atlassian Cloud's token
// endpoint takes it.
type jsonBody struct {
	base     http.RoundTripper
	tokenURL string
}

func (j *jsonBody) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodPost || req.Body == nil || req.URL.String() != j.tokenURL {
		return j.base.RoundTrip(req)
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, 64<<10))
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("reading the token request's form: %w", err)
	}
	m := make(map[string]string, len(v))
	for k := range v {
		m[k] = v.Get(k)
	}
	enc, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.Header.Set("Content-Type", "application/json")
	out.Body = io.NopCloser(bytes.NewReader(enc))
	out.ContentLength = int64(len(enc))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(enc)), nil }
	return j.base.RoundTrip(out)
}

// sent lists the secrets a token request sends: the client secret (and its
// Basic credentials) and the grant's own (code and verifier, or refresh
// token). A remote's answer is masked of them before it reaches an error.
func (c *Config) sent(grant ...string) []string {
	return append(grant, c.ClientSecret.Reveal(), redact.BasicCredentials(c.ClientID, c.ClientSecret.Reveal()))
}

// convert turns x/oauth2's answer into a Token or an *Error. Whatever the
// remote said is masked of the secrets the request sent: a server may echo
// them in error_description, and a gateway in its error page.
func convert(t *oauth2.Token, err error, step string, sent []string) (*Token, error) {
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			e := &Error{Step: step, Code: redact.Secrets(re.ErrorCode, sent...),
				Description: truncate(redact.Secrets(re.ErrorDescription, sent...))}
			if re.Response != nil {
				e.Status = re.Response.StatusCode
			}
			return nil, e
		}
		return nil, &maskedError{msg: redact.Secrets(step+": "+err.Error(), sent...), err: err}
	}
	out := &Token{Access: redact.NewSecret(t.AccessToken), Refresh: redact.NewSecret(t.RefreshToken), ExpiresIn: time.Duration(t.ExpiresIn) * time.Second}
	if s, ok := t.Extra("scope").(string); ok && s != "" {
		out.Scopes = strings.Fields(s)
	}
	return out, nil
}

// Error is a token endpoint's refusal (RFC 6749 §5.2).
type Error struct {
	// Step says which call failed ("refreshing the access token", ...).
	Step string
	// Status is the HTTP status; 0 if unknown.
	Status int
	// Code is the error code (invalid_grant, invalid_client, ...); "" when
	// the answer was not an RFC 6749 error.
	Code string
	// Description is error_description, shortened.
	Description string
}

// Error reads "<step>: the token endpoint answered <status> <code>: <description>".
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: the token endpoint answered", e.Step)
	if e.Status != 0 {
		fmt.Fprintf(&b, " %d", e.Status)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	} else {
		b.WriteString(" an error that is not OAuth 2.0 JSON")
	}
	if e.Description != "" {
		fmt.Fprintf(&b, ": %s", e.Description)
	}
	return b.String()
}

// maskedError is an error of x/oauth2 that is not a remote's refusal (a
// body that is not JSON, a network failure), its message masked of the
// secrets sent. It unwraps to the error, for errors.Is (context deadline)
// and errors.As (*url.Error).
type maskedError struct {
	msg string
	err error
}

func (e *maskedError) Error() string { return e.msg }
func (e *maskedError) Unwrap() error { return e.err }

func truncate(s string) string {
	const n = 200
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// redirectURIAdder adds redirect_uri to refresh_token grants sent to the
// token URL.
type redirectURIAdder struct {
	base               http.RoundTripper
	tokenURL, redirect string
}

func (a *redirectURIAdder) RoundTrip(req *http.Request) (*http.Response, error) {
	return rewriteForm(a.base, req, a.tokenURL, func(v url.Values) {
		if v.Get("grant_type") == "refresh_token" && a.redirect != "" {
			v.Set("redirect_uri", a.redirect)
		}
	})
}

// rewriteForm applies edit to the form body of a POST to tokenURL, and
// sends every request on unchanged otherwise. It never changes req.
func rewriteForm(base http.RoundTripper, req *http.Request, tokenURL string, edit func(url.Values)) (*http.Response, error) {
	if req.Method != http.MethodPost || req.Body == nil || req.URL.String() != tokenURL {
		return base.RoundTrip(req)
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, 64<<10))
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("reading the token request's form: %w", err)
	}
	edit(v)
	enc := []byte(v.Encode())
	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(enc))
	out.ContentLength = int64(len(enc))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(enc)), nil }
	return base.RoundTrip(out)
}
