package oauth2link

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/go-applinks/applinks/internal/fileread"
	"github.com/go-applinks/applinks/internal/linkconf"
	"github.com/go-applinks/applinks/internal/redact"
)

// The OAuth 2.0 scopes of the Data Center products, weakest first.
const (
	ScopeRead        = "READ"
	ScopeWrite       = "WRITE"
	ScopeAdmin       = "ADMIN"
	ScopeSystemAdmin = "SYSTEM_ADMIN"
)

// Settings are a link's OAuth 2.0 settings, as a config file gives them,
// with what [Validate] needs to know of the link.
type Settings struct {
	// Cloud is set for an Atlassian Cloud link, whose scopes are Cloud's
	// (read:jira-work, ...) and whose endpoints come from elsewhere.
	Cloud bool
	// NeedsRedirect is set when the link allows the authorization code
	// grant (auth oauth2), which needs a redirect URL.
	NeedsRedirect bool
	// SecretInCode is set when the client secret was given in code.
	SecretInCode bool

	ClientID, ClientSecretEnv, ClientSecretFile string
	Scopes                                      []string
	RedirectURL                                 string
	AuthorizePath, TokenPath                    string
	// ClientAuth is "", "post" or "basic".
	ClientAuth        string
	AllowInsecureHTTP bool

	// RPCURL and DisplayURL are the link's base URLs ("": the RPC URL).
	RPCURL, DisplayURL string
}

// Validate adds the problems of s to bad, each with the field to blame (its
// JSON name, such as "oauth2.redirectUrl") and what to do. Base URLs that
// are not valid base URLs at all are left to the caller's own check.
func Validate(s Settings, bad func(field, format string, args ...any)) {
	if strings.TrimSpace(s.ClientID) == "" {
		bad("oauth2.clientId", "missing: give the client id the remote shows for the incoming link")
	}
	switch {
	case s.ClientSecretEnv != "" && s.ClientSecretFile != "":
		bad("oauth2.clientSecretFile", "several secret sources (clientSecretEnv, clientSecretFile): give exactly one")
	case s.ClientSecretEnv == "" && s.ClientSecretFile == "" && !s.SecretInCode:
		bad("oauth2.clientSecretEnv", "no client secret: set clientSecretEnv or clientSecretFile to the secret the remote shows for the incoming link")
	}
	for _, sc := range s.Scopes {
		if s.Cloud {
			if sc == "" || strings.ContainsAny(sc, " \t\r\n") {
				bad("oauth2.scopes", "%q is not a scope: give each Cloud scope (read:jira-work, offline_access, ...) as one item", sc)
			}
			continue
		}
		if !slices.Contains([]string{ScopeRead, ScopeWrite, ScopeAdmin, ScopeSystemAdmin}, sc) {
			bad("oauth2.scopes", "unknown scope %q: use READ, WRITE, ADMIN or SYSTEM_ADMIN (upper case)", sc)
		}
	}
	switch s.ClientAuth {
	case "", "post", "basic":
	default:
		bad("oauth2.clientAuth", "unknown client authentication %q: use post (the default) or basic", s.ClientAuth)
	}
	if s.NeedsRedirect && s.RedirectURL == "" {
		bad("oauth2.redirectUrl", "missing: give the redirect URL registered with the incoming link (for the command's loopback flow, such as http://127.0.0.1:8765/callback)")
	}
	if s.RedirectURL != "" {
		if err := CheckURL(s.RedirectURL, s.AllowInsecureHTTP, true); err != nil {
			bad("oauth2.redirectUrl", "%v", err)
		}
	}
	for _, f := range []struct{ field, url string }{{"rpcUrl", s.RPCURL}, {"displayUrl", s.DisplayURL}} {
		if f.url == "" {
			continue
		}
		if err := CheckURL(f.url, s.AllowInsecureHTTP, false); err != nil && linkconf.CheckBaseURL(f.url) == nil {
			bad(f.field, "%v", err)
		}
	}
	for _, ep := range []struct{ field, path string }{{"oauth2.authorizePath", s.AuthorizePath}, {"oauth2.tokenPath", s.TokenPath}} {
		if ep.path != "" && !strings.HasPrefix(ep.path, "/") {
			bad(ep.field, "%q must be a path starting with \"/\"", ep.path)
		}
	}
}

// CheckURL refuses plain http to a host that is not loopback, unless
// insecure: the remote enforces HTTPS for OAuth 2.0 in production, and a
// bearer token or code over plain http is readable on the way. A redirect
// URL must also be absolute and without a fragment.
func CheckURL(s string, insecure, redirect bool) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("not a URL: %v", redact.URLError(err))
	}
	if redirect {
		switch {
		case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
			return fmt.Errorf("%q must be an absolute http or https URL", redact.URL(u))
		case u.Fragment != "":
			return fmt.Errorf("%q must not have a fragment", redact.URL(u))
		}
	}
	if u.Scheme == "http" && !insecure && !IsLoopbackHost(u.Hostname()) {
		return fmt.Errorf("%q is plain http to a host other than loopback: OAuth 2.0 needs https (the remote enforces it in production); set oauth2.allowInsecureHttp for a test instance", redact.URL(u))
	}
	return nil
}

// IsLoopbackHost reports whether host is "localhost" or a loopback IP.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Config returns the Data Center client of s with secret: its consent page
// on the display URL, its token endpoint on the RPC URL (the default paths
// unless s gives others). On error, field is the setting to blame.
func (s Settings) Config(secret string) (c *Config, field string, err error) {
	authorize, tokenPath := s.AuthorizePath, s.TokenPath
	if authorize == "" {
		authorize = DefaultAuthorizePath
	}
	if tokenPath == "" {
		tokenPath = DefaultTokenPath
	}
	display := s.DisplayURL
	if display == "" {
		display = s.RPCURL
	}
	au, err := linkconf.JoinBase(display, authorize)
	if err != nil {
		return nil, "oauth2.authorizePath", err
	}
	tu, err := linkconf.JoinBase(s.RPCURL, tokenPath)
	if err != nil {
		return nil, "oauth2.tokenPath", err
	}
	return &Config{
		ClientID: s.ClientID, ClientSecret: redact.NewSecret(secret), AuthorizationURL: au.String(), TokenURL: tu.String(),
		RedirectURL: s.RedirectURL, Scopes: slices.Clone(s.Scopes), BasicAuth: s.ClientAuth == "basic",
	}, "", nil
}

// LoadSecret returns the client secret: inCode when given, else the
// environment variable ClientSecretEnv, else the file at path
// (ClientSecretFile, resolved by the caller; a trailing newline is
// ignored), read by [fileread.ReadSecret]. On error, field is the setting
// to blame; no error holds the secret.
func (s Settings) LoadSecret(inCode, path string) (secret, field string, err error) {
	switch {
	case inCode != "":
		return inCode, "", nil
	case s.ClientSecretEnv != "":
		v, ok := os.LookupEnv(s.ClientSecretEnv)
		if !ok || v == "" {
			return "", "oauth2.clientSecretEnv", fmt.Errorf("environment variable %s is not set: export it with the client secret the remote shows for the incoming link", s.ClientSecretEnv)
		}
		return v, "", nil
	case s.ClientSecretFile != "":
		data, err := fileread.ReadSecret(path, "the client secret", fileread.MaxSecretSize)
		if err != nil {
			return "", "oauth2.clientSecretFile", fmt.Errorf("reading the client secret: %w", err)
		}
		if secret = strings.TrimRight(string(data), "\r\n"); secret == "" {
			return "", "oauth2.clientSecretFile", fmt.Errorf("%s is empty: put the client secret in it", path)
		}
		return secret, "", nil
	}
	return "", "oauth2.clientSecretEnv", errors.New("no client secret")
}
