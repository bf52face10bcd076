package applink

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/go-applinks/applinks/internal/fileread"
	"github.com/go-applinks/applinks/internal/oauth2link"
	"github.com/go-applinks/applinks/internal/redact"
)

// OAuth 2.0 scopes of the Data Center products, weakest first; each
// includes the ones before it.
const (
	ScopeRead        = "READ"
	ScopeWrite       = "WRITE"
	ScopeAdmin       = "ADMIN"
	ScopeSystemAdmin = "SYSTEM_ADMIN"
)

// OAuth2Client is the OAuth 2.0 side of a link: the client the remote's
// incoming "external application" link registered (Administration →
// Applications → Application links → Create link → External application →
// Incoming). The client secret is read from an environment variable or a
// file named here, or given in code with [Link.WithClientSecret]; it never
// prints.
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
	// Scopes are the scopes asked for: READ, WRITE, ADMIN or SYSTEM_ADMIN
	// (the link's scope at the remote, or less); empty asks for the link's.
	Scopes []string `json:"scopes,omitempty"`
	// RedirectURL is the redirect URL registered at the remote; required
	// for auth oauth2. The loopback flow listens on it (so it must be
	// http://127.0.0.1:PORT/... or http://localhost:PORT/...); for the web
	// dance handler it is the link's own callback, [DanceCallbackURL]. No
	// two OAuth 2.0 links of a dance handler may share one.
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

// WithClientSecret returns a copy of l whose OAuth 2.0 client authenticates
// with secret (given in code: never written to a config file, never
// printed).
func (l Link) WithClientSecret(secret string) Link {
	l.clientSecret = redact.NewSecret(secret)
	l.state = nil
	return l
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
	c := l.OAuth2
	if c == nil {
		if l.Cloud != nil {
			bad("oauth2", "missing: give clientId, clientSecretEnv or clientSecretFile, scopes and redirectUrl (the app's settings in Atlassian's developer console)")
			return
		}
		bad("oauth2", "missing: give clientId, clientSecretEnv or clientSecretFile, and redirectUrl (the incoming OAuth 2.0 link's settings at the remote)")
		return
	}
	if strings.TrimSpace(c.ClientID) == "" {
		bad("oauth2.clientId", "missing: give the client id the remote shows for the incoming link")
	}
	switch {
	case c.ClientSecretEnv != "" && c.ClientSecretFile != "":
		bad("oauth2.clientSecretFile", "several secret sources (clientSecretEnv, clientSecretFile): give exactly one")
	case c.ClientSecretEnv == "" && c.ClientSecretFile == "" && l.clientSecret.IsZero():
		bad("oauth2.clientSecretEnv", "no client secret: set clientSecretEnv or clientSecretFile to the secret the remote shows for the incoming link")
	}
	for _, s := range c.Scopes {
		if l.Cloud != nil {
			if s == "" || strings.ContainsAny(s, " \t\r\n") {
				bad("oauth2.scopes", "%q is not a scope: give each Cloud scope (read:jira-work, offline_access, ...) as one item", s)
			}
			continue
		}
		if !slices.Contains([]string{ScopeRead, ScopeWrite, ScopeAdmin, ScopeSystemAdmin}, s) {
			bad("oauth2.scopes", "unknown scope %q: use READ, WRITE, ADMIN or SYSTEM_ADMIN (upper case)", s)
		}
	}
	switch c.ClientAuth {
	case "", "post", "basic":
	default:
		bad("oauth2.clientAuth", "unknown client authentication %q: use post (the default) or basic", c.ClientAuth)
	}
	if l.allows(AuthOAuth2) && c.RedirectURL == "" {
		bad("oauth2.redirectUrl", "missing: give the redirect URL registered with the incoming link (for the command's loopback flow, such as http://127.0.0.1:8765/callback)")
	}
	if c.RedirectURL != "" {
		if err := checkOAuth2URL(c.RedirectURL, c.AllowInsecureHTTP, true); err != nil {
			bad("oauth2.redirectUrl", "%v", err)
		}
	}
	for _, f := range []struct{ field, url string }{{"rpcUrl", l.RPCURL}, {"displayUrl", l.DisplayURL}} {
		if f.url == "" {
			continue
		}
		if err := checkOAuth2URL(f.url, c.AllowInsecureHTTP, false); err != nil && checkBaseURL(f.url) == nil {
			bad(f.field, "%v", err)
		}
	}
	for _, ep := range []struct{ field, path string }{{"oauth2.authorizePath", c.AuthorizePath}, {"oauth2.tokenPath", c.TokenPath}} {
		if ep.path != "" && !strings.HasPrefix(ep.path, "/") {
			bad(ep.field, "%q must be a path starting with \"/\"", ep.path)
		}
	}
}

// checkOAuth2URL refuses plain http to a host that is not loopback, unless
// insecure: the remote enforces HTTPS for OAuth 2.0 in production, and a
// bearer token or code over plain http is readable on the way.
func checkOAuth2URL(s string, insecure, redirect bool) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("not a URL: %v", redactParseError(err))
	}
	if redirect {
		switch {
		case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
			return fmt.Errorf("%q must be an absolute http or https URL", redact.URL(u))
		case u.Fragment != "":
			return fmt.Errorf("%q must not have a fragment", redact.URL(u))
		}
	}
	if u.Scheme == "http" && !insecure && !isLoopbackHost(u.Hostname()) {
		return fmt.Errorf("%q is plain http to a host other than loopback: OAuth 2.0 needs https (the remote enforces it in production); set oauth2.allowInsecureHttp for a test instance", redact.URL(u))
	}
	return nil
}

// isLoopbackHost reports whether host is "localhost" or a loopback IP.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// newOAuth2 loads the client secret and returns the link's OAuth 2.0 client
// (without its HTTP client, set per call), or nil for an OAuth 1.0a link.
// Errors are *FieldErrors; they never include the secret.
func (l *Link) newOAuth2() (*oauth2link.Config, error) {
	if !l.usesOAuth2() || l.OAuth2 == nil {
		return nil, nil
	}
	c := l.OAuth2
	secret := l.clientSecret.Reveal()
	switch {
	case secret != "":
	case c.ClientSecretEnv != "":
		v, ok := os.LookupEnv(c.ClientSecretEnv)
		if !ok || v == "" {
			return nil, &FieldError{Link: l.label(), Field: "oauth2.clientSecretEnv",
				Err: fmt.Errorf("environment variable %s is not set: export it with the client secret the remote shows for the incoming link", c.ClientSecretEnv)}
		}
		secret = v
	case c.ClientSecretFile != "":
		path := l.resolve(c.ClientSecretFile)
		data, err := readSecretFile(path, "the client secret")
		if err != nil {
			return nil, &FieldError{Link: l.label(), Field: "oauth2.clientSecretFile", Err: fmt.Errorf("reading the client secret: %w", err)}
		}
		secret = strings.TrimRight(string(data), "\r\n")
		if secret == "" {
			return nil, &FieldError{Link: l.label(), Field: "oauth2.clientSecretFile", Err: fmt.Errorf("%s is empty: put the client secret in it", path)}
		}
	default:
		return nil, &FieldError{Link: l.label(), Field: "oauth2.clientSecretEnv", Err: errors.New("no client secret")}
	}
	if l.Cloud != nil {
		return l.cloudOAuth2(secret), nil
	}
	authorize, token := c.AuthorizePath, c.TokenPath
	if authorize == "" {
		authorize = oauth2link.DefaultAuthorizePath
	}
	if token == "" {
		token = oauth2link.DefaultTokenPath
	}
	display := l.DisplayURL
	if display == "" {
		display = l.RPCURL
	}
	au, err := joinBase(display, authorize)
	if err != nil {
		return nil, &FieldError{Link: l.label(), Field: "oauth2.authorizePath", Err: err}
	}
	tu, err := joinBase(l.RPCURL, token)
	if err != nil {
		return nil, &FieldError{Link: l.label(), Field: "oauth2.tokenPath", Err: err}
	}
	return &oauth2link.Config{
		ClientID: c.ClientID, ClientSecret: redact.NewSecret(secret), AuthorizationURL: au.String(), TokenURL: tu.String(),
		RedirectURL: c.RedirectURL, Scopes: slices.Clone(c.Scopes), BasicAuth: c.ClientAuth == "basic",
	}, nil
}

// maxClientSecretFile bounds a client secret file: a secret is a few
// dozen bytes.
const maxClientSecretFile = 64 << 10

// readSecretFile reads a client secret file like every other secret file
// ([fileread]): a regular file (a named pipe or a device fails at once
// instead of hanging), of at most 64 KiB, that other users cannot access
// (mode 0600 or stricter) outside Windows, the rule of token and keyring
// files.
func readSecretFile(path, what string) ([]byte, error) {
	f, fi, err := fileread.Open(path)
	if err != nil {
		var nr *fileread.NotRegularError
		if errors.As(err, &nr) {
			return nil, fmt.Errorf("%w: put %s in a regular file", err, what)
		}
		return nil, err
	}
	defer f.Close()
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s has mode %04o, so other users may read %s; run: chmod 600 %s",
			path, uint32(fi.Mode().Perm()), what, fileread.ShellQuote(path))
	}
	data, err := fileread.Read(f, fi, path, maxClientSecretFile)
	var tooLarge *fileread.TooLargeError
	if errors.As(err, &tooLarge) {
		return nil, fmt.Errorf("%w: it should hold %s alone", err, what)
	}
	return data, err
}
