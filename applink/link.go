package applink

import (
	"cmp"
	"crypto/rsa"
	"fmt"
	"log/slog"
	"slices"
	"strconv"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/engine"
	"github.com/go-applinks/applinks/internal/redact"
)

// Endpoints are the paths of the remote's OAuth endpoints, relative to the
// link's RPC URL. Empty fields take the defaults of the link's type:
// Atlassian's /plugins/servlet/oauth/request-token, .../authorize and
// .../access-token, or for Jenkins' Bitbucket Server Integration plugin
// /bitbucket/oauth/request-token, /bbs-oauth/authorize and
// /bitbucket/oauth/access-token. The links a [Service] returns have them
// filled in.
type Endpoints struct {
	RequestToken string `json:"requestToken,omitempty"`
	Authorize    string `json:"authorize,omitempty"`
	AccessToken  string `json:"accessToken,omitempty"`
}

// Link is one application link: plain data, as stored in a config file, plus
// credentials given in code. Its signing key or shared secret is read from a
// file or an environment variable named here, or given in code in
// PrivateKey or Secret; credentials given in code are never written to a
// config file and never print.
//
// A Link obtained from a [Service] ([Service.Link], [Service.Links],
// [Service.Primary], ...) is a copy bound to it: it can make requests
// ([Link.RequestFactory]), but changing its fields changes nothing — the
// service keeps its own links, fixed when it was built, and requests always
// use those. To change a link, change the config or the []Link and build a
// new service.
type Link struct {
	// ID is the link's id, a UUID. Tokens are stored under it
	// ([TokenKey]): give every run of a program the same id, a fixed
	// string in the code or the config (applink link add writes one), or
	// each run orphans the users' tokens and asks them to consent again.
	// Never make a random one at each start. Left empty, [NewService]
	// derives one from Name and RPCURL ([DefaultLinkID]): stable across
	// runs, but renaming the link or moving its URL then changes it.
	ID string `json:"id"`
	// Name is a display name; names need not be unique.
	Name string `json:"name"`
	// Type is the remote application's type.
	Type Type `json:"type"`
	// DisplayURL is the remote's URL for browsers; "" means RPCURL
	// (cmp.Or(l.DisplayURL, l.RPCURL) is the URL browsers reach).
	DisplayURL string `json:"displayUrl,omitempty"`
	// RPCURL is the remote's base URL for calls (it may differ from
	// DisplayURL, e.g. an internal address that bypasses a reverse proxy).
	RPCURL string `json:"rpcUrl"`
	// Primary marks the primary link of its type. When no link of a type
	// is marked, the first of the type is its primary: links obtained
	// from a [Service] have the flag set by that rule (config.WithPrimary finds it the same way).
	// At most one link of a type may be marked.
	Primary bool `json:"primary,omitempty"`
	// ConsumerKey is the key the remote knows this application by.
	ConsumerKey string `json:"consumerKey"`
	// PrivateKeyFile is a PEM (PKCS #1 or #8) or OpenSSH private key file
	// for RSA-SHA1; a relative path is relative to the config file. It must
	// be a regular file of at most 1 MiB (as must SecretFile).
	PrivateKeyFile string `json:"privateKeyFile,omitempty"`
	// PrivateKeyEnv names an environment variable holding the PEM private key.
	PrivateKeyEnv string `json:"privateKeyEnv,omitempty"`
	// SecretEnv names an environment variable holding the shared secret for
	// HMAC-SHA1 (Jenkins).
	SecretEnv string `json:"secretEnv,omitempty"`
	// SecretFile is a file holding the shared secret (trailing newline ignored).
	SecretFile string `json:"secretFile,omitempty"`
	// PrivateKey is an RSA private key given in code (RSA-SHA1) instead of
	// PrivateKeyFile or PrivateKeyEnv (or beside one of them, which a
	// config file then records); Secret is a shared secret given in code
	// (HMAC-SHA1: token.NewSecret(s)) instead of SecretEnv or SecretFile.
	// Neither is written to a config file, and neither prints: the key is
	// behind a pointer and the secret prints REDACTED under every verb.
	PrivateKey *rsa.PrivateKey `json:"-"`
	Secret     token.Secret    `json:"-"`
	// Auth lists the outgoing authentication methods the link may use, in
	// preference order; empty means [Auth3LO] alone.
	Auth []Auth `json:"auth,omitempty"`
	// Endpoints overrides the remote's OAuth endpoint paths.
	Endpoints Endpoints `json:"endpoints,omitzero"`
	// SignatureDialect says which request parameters the remote verifies a
	// signature over ([signer.Dialect]): "servlet" for a remote that runs
	// the Java net.oauth library behind Tomcat or Jetty, as every Atlassian
	// product and the Jenkins plugin do (form-body parameters are signed
	// for POST only), or "rfc5849" for one that follows RFC 5849 (signed
	// whatever the method). "" means by type: servlet for every type but
	// generic, rfc5849 for generic.
	SignatureDialect string `json:"signatureDialect,omitempty"`
	// OAuth2 configures an OAuth 2.0 link (auth oauth2 and
	// client-credentials); nil for an OAuth 1.0a link.
	OAuth2 *OAuth2Client `json:"oauth2,omitempty"`
	// PAT names where the link's own personal access token (a bot
	// account's) is read from, for requests without a user; nil when
	// there is none. Users' own PATs are in the token store. Needs auth
	// pat.
	PAT *LinkPAT `json:"pat,omitempty"`
	// Cloud makes the link an Atlassian Cloud OAuth 2.0 (3LO) link to the
	// site at RPCURL (see [CloudSite]); nil for Data Center.
	Cloud *CloudSite `json:"cloud,omitempty"`

	// state binds a link obtained from a Service to it.
	state *linkState

	// Dir is the directory relative file paths (PrivateKeyFile, SecretFile,
	// OAuth2.ClientSecretFile) are read from: config.Load sets it to the
	// config file's directory; "" means the working directory. It is not
	// part of the config file.
	Dir string `json:"-"`
}

// displayURL returns the URL browsers reach the remote at: DisplayURL,
// or RPCURL when DisplayURL is "". Authorization URLs and the remote's
// pages (where users revoke tokens) are built on it.
func (l *Link) displayURL() string { return cmp.Or(l.DisplayURL, l.RPCURL) }

// Service returns the service the link is bound to: the one it was
// obtained from ([Service.Link], [Service.Links], ...), or nil for a link
// built in code and not yet given to [NewService].
func (l *Link) Service() *Service {
	if l == nil || l.state == nil {
		return nil
	}
	return l.state.svc
}

// String describes the link by its name, type, RPC URL and id. The link's
// credentials never print, however the link is printed: they are held in
// Secret fields or behind a pointer.
func (l Link) String() string {
	return fmt.Sprintf("Link(%q, %s, %s, id %s)", l.Name, l.Type, redact.URLString(l.RPCURL), l.ID)
}

// Format prints [Link.String] for every verb (%q and %#v quote it, %10v
// pads it): a link not yet validated may carry a password in its RPC URL,
// which String masks.
func (l Link) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, l.String(), strconv.Quote(l.String()))
}

// LogValue logs the link's id, name, type and RPC URL (masked).
func (l Link) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", l.ID), slog.String("name", l.Name),
		slog.String("type", string(l.Type)), slog.String("rpcUrl", redact.URLString(l.RPCURL)))
}

// auths returns the link's authentication methods, [Auth3LO] when none are
// listed.
func (l *Link) auths() []Auth {
	if len(l.Auth) == 0 {
		return []Auth{Auth3LO}
	}
	return l.Auth
}

// allows reports whether the link may use a.
func (l *Link) allows(a Auth) bool { return slices.Contains(l.auths(), a) }

// label names the link in messages: its name, else its id.
func (l Link) label() string {
	if l.Name != "" {
		return strconv.Quote(l.Name)
	}
	return l.ID
}

// endpoints returns the link's OAuth endpoint paths with the defaults of
// its type filled in.
func (l *Link) endpoints() Endpoints {
	e := l.Endpoints
	e.RequestToken, e.Authorize, e.AccessToken = engine.OAuth1Endpoints(e.RequestToken, e.Authorize, e.AccessToken, l.Type == TypeJenkins)
	return e
}
