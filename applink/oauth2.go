package applink

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/advice"
	"github.com/go-applinks/applinks/internal/oauth2link"
)

// OAuth2Client is the OAuth 2.0 side of a link: the client the remote's
// incoming "external application" link registered (Administration →
// Applications → Application links → Create link → External application →
// Incoming). The client secret is read from an environment variable or a
// file named here, or given in code in ClientSecret; it never prints.
type OAuth2Client struct {
	// ClientID is the client id the remote shows for the link. Required.
	ClientID string `json:"clientId"`
	// ClientSecretEnv names an environment variable holding the client
	// secret.
	ClientSecretEnv string `json:"clientSecretEnv,omitempty"`
	// ClientSecretFile is a file holding the client secret (trailing
	// newline ignored); a relative path is relative to the config file.
	// It must be a regular file that other users cannot access (mode 0600
	// or stricter, outside Windows), like token and keyring files.
	ClientSecretFile string `json:"clientSecretFile,omitempty"`
	// ClientSecret is the client secret given in code
	// (token.NewSecret(s)) instead of ClientSecretEnv or ClientSecretFile.
	// It is never written to a config file and prints REDACTED under every
	// verb.
	ClientSecret token.Secret `json:"-"`
	// Scopes are the scopes asked for, as the remote names them: READ,
	// WRITE, ADMIN or SYSTEM_ADMIN (weakest first, each including the ones
	// before it: the link's scope at the remote, or less); empty asks for
	// the link's. An Atlassian Cloud link takes the app's scopes
	// (read:jira-work, ..., and offline_access).
	Scopes []string `json:"scopes,omitempty"`
	// RedirectURL is the redirect URL registered at the remote; required
	// for auth oauth2. The loopback flow listens on it (so it must be
	// http://127.0.0.1:PORT/... or http://localhost:PORT/...); for the web
	// web handler of applink/authorize it is the link's own callback
	// (authorize.CallbackURL). No two OAuth 2.0 links of a handler may
	// share one.
	//
	// When the remote's redirect carries iss (RFC 9207), it must be the
	// link's issuer, which for Data Center is the product's base URL: the
	// link's RPC URL or its display URL (a trailing "/" and the case of
	// the scheme and host do not matter). Another issuer is refused before
	// the code is exchanged: it is another server's authorization (an
	// OAuth mix-up, RFC 9700 §4.4).
	RedirectURL string `json:"redirectUrl,omitempty"`
	// AuthorizePath and TokenPath override the endpoint paths, relative to
	// the display URL (the consent page) and the RPC URL (the token
	// endpoint); "" means the Data Center products' (Jira 8.22 and later,
	// Confluence, Bitbucket) /rest/oauth2/latest/authorize and
	// /rest/oauth2/latest/token.
	AuthorizePath string `json:"authorizePath,omitempty"`
	TokenPath     string `json:"tokenPath,omitempty"`
	// ClientAuth is how the client authenticates at the token endpoint:
	// "post" (client id and secret in the form body, as Data Center's
	// documentation does; the default) or "basic" (HTTP Basic).
	ClientAuth string `json:"clientAuth,omitempty"`
	// AllowInsecureHTTP lets the link's URLs and redirect URL be plain
	// http on hosts other than loopback. The remote refuses that in
	// production; use it for test instances only.
	AllowInsecureHTTP bool `json:"allowInsecureHttp,omitempty"`
}

// usesOAuth2 reports whether the link lists an OAuth 2.0 method.
func (l *Link) usesOAuth2() bool {
	return slices.ContainsFunc(l.auths(), Auth.isOAuth2)
}

// validateOAuth2 adds the problems of the link's OAuth 2.0 settings to bad.
func (l Link) validateOAuth2(signs bool, bad func(field, format string, args ...any)) {
	if !l.usesOAuth2() {
		if l.OAuth2 != nil {
			bad("oauth2", "set, but auth lists neither oauth2 nor client-credentials: add one, or remove oauth2")
		}
		return
	}
	if signs {
		bad("auth", "OAuth 1.0a methods (3lo, 2lo, 2loi) and OAuth 2.0 methods (oauth2, client-credentials) on one link: they are two incoming links at the remote, so make two links")
	}
	if l.Type == TypeJenkins {
		bad("auth", "Jenkins has no OAuth 2.0 provider: use 3lo with the Bitbucket Server Integration plugin")
	}
	if l.OAuth2 == nil {
		if l.Cloud != nil {
			bad("oauth2", "missing: give clientId, clientSecretEnv or clientSecretFile, scopes and redirectUrl (the app's settings in Atlassian's developer console)")
			return
		}
		bad("oauth2", "missing: give clientId, clientSecretEnv or clientSecretFile, and redirectUrl (the incoming OAuth 2.0 link's settings at the remote)")
		return
	}
	oauth2link.Validate(l.oauth2Settings(), bad)
}

// oauth2Settings returns the link's OAuth 2.0 settings for package
// oauth2link; l.OAuth2 is not nil.
func (l *Link) oauth2Settings() oauth2link.Settings {
	c := l.OAuth2
	return oauth2link.Settings{Cloud: l.Cloud != nil, NeedsRedirect: l.allows(AuthOAuth2), SecretInCode: !c.ClientSecret.IsZero(),
		ClientID: c.ClientID, ClientSecretEnv: c.ClientSecretEnv, ClientSecretFile: c.ClientSecretFile, Scopes: c.Scopes,
		RedirectURL: c.RedirectURL, AuthorizePath: c.AuthorizePath, TokenPath: c.TokenPath, ClientAuth: c.ClientAuth,
		AllowInsecureHTTP: c.AllowInsecureHTTP, RPCURL: l.RPCURL, DisplayURL: l.DisplayURL}
}

// newOAuth2 loads the client secret and returns the link's OAuth 2.0 client
// (without its HTTP client, set per call), or nil for an OAuth 1.0a link.
// Errors are *FieldErrors; they never include the secret.
func (l *Link) newOAuth2() (*oauth2link.Config, error) {
	if !l.usesOAuth2() || l.OAuth2 == nil {
		return nil, nil
	}
	c, s := l.OAuth2, l.oauth2Settings()
	secret, field, err := s.LoadSecret(c.ClientSecret.Reveal(), l.resolve(c.ClientSecretFile))
	if err == nil && l.Cloud != nil {
		return newCloudState(l, "").OAuth2(c.ClientID, secret, c.RedirectURL, c.Scopes), nil
	}
	var o2 *oauth2link.Config
	if err == nil {
		o2, field, err = s.Config(secret)
	}
	if err != nil {
		return nil, &FieldError{Link: l.label(), Field: field, Err: err}
	}
	return o2, nil
}

// OAuth2Error is an OAuth 2.0 error a remote answered: its token endpoint
// refused a grant (RFC 6749 §5.2: invalid_grant, invalid_client, ...), the
// consent page redirected with an error, or a resource refused a bearer
// token (RFC 6750 §3: invalid_token, insufficient_scope). It never holds a
// token, code or secret.
type OAuth2Error struct {
	LinkName string
	// Step is what failed: "exchanging the authorization code",
	// "refreshing the access token", "getting a client credentials
	// token", "authorizing at the consent page", or the method and
	// redacted URL of a resource request.
	Step string
	// Status is the HTTP status; 0 if none (a redirect's error).
	Status int
	// Code is the OAuth 2.0 error code; "" when the remote's answer was
	// not OAuth 2.0 JSON.
	Code string
	// Description is the remote's error_description, shortened, with
	// every secret the SDK sent in that exchange (bearer, refresh token,
	// client secret, code, PKCE verifier) masked: servers echo them.
	Description string
	// Scope is the scope a resource said it needs (insufficient_scope).
	Scope string
}

// Error names the link, the step, the code and what to do.
func (e *OAuth2Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "applink: link %q: %s: the remote answered", e.LinkName, e.Step)
	if e.Status != 0 {
		fmt.Fprintf(&b, " %d", e.Status)
	}
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Description != "" {
		b.WriteString(" (" + e.Description + ")")
	}
	if advice := e.Advice(); advice != "" {
		b.WriteString(": " + advice)
	}
	return b.String()
}

// Advice says what to do about the error, from the one table of advice per
// OAuth 2.0 error code that [OAuth2Error.Error] ends with; "" when there is
// none for the code.
func (e *OAuth2Error) Advice() string {
	return advice.OAuth2(e.Code, e.Step, e.Description, e.Scope)
}

// oauth2Error turns an error of package oauth2link into an *OAuth2Error
// of the link; other errors are wrapped with the link's name.
func (st *linkState) oauth2Error(err error) error {
	var e *oauth2link.Error
	if errors.As(err, &e) {
		return &OAuth2Error{LinkName: st.link.Name, Step: e.Step, Status: e.Status, Code: e.Code, Description: e.Description}
	}
	var own *TokenRedirectError
	if errors.As(err, &own) {
		return own
	}
	return fmt.Errorf("applink: link %q: %w", st.link.Name, err)
}

// bearerProblem reads a resource's refusal of a bearer token (a 401 or 403
// with a Bearer challenge, see [oauth2link.Refusal]); nil for any other
// response.
func bearerProblem(linkName, step string, resp *http.Response) *OAuth2Error {
	ch, ok := oauth2link.Refusal(resp)
	if !ok {
		return nil
	}
	return &OAuth2Error{LinkName: linkName, Step: step, Status: resp.StatusCode, Code: ch.Code, Description: ch.Description, Scope: ch.Scope}
}
