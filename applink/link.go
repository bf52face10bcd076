package applink

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// Type is the application type of a link's remote end.
type Type string

// Application types, as Application Links names them (Bitbucket is "stash" in
// older manifests: [ParseType] accepts both).
const (
	TypeJira       Type = "jira"
	TypeConfluence Type = "confluence"
	TypeBitbucket  Type = "bitbucket"
	TypeBamboo     Type = "bamboo"
	TypeFecru      Type = "fecru"
	TypeCrowd      Type = "crowd"
	TypeJenkins    Type = "jenkins"
	TypeGeneric    Type = "generic"
)

// Types lists every known type.
var Types = []Type{TypeJira, TypeConfluence, TypeBitbucket, TypeBamboo, TypeFecru, TypeCrowd, TypeJenkins, TypeGeneric}

// ParseType returns the type named s (case-insensitive; "stash" is
// Bitbucket, "refapp" and "generic" are generic).
func ParseType(s string) (Type, error) {
	switch t := Type(strings.ToLower(strings.TrimSpace(s))); t {
	case "stash":
		return TypeBitbucket, nil
	case "refapp":
		return TypeGeneric, nil
	case TypeJira, TypeConfluence, TypeBitbucket, TypeBamboo, TypeFecru, TypeCrowd, TypeJenkins, TypeGeneric:
		return t, nil
	}
	return "", fmt.Errorf("applink: unknown application type %q: use one of jira, confluence, bitbucket, bamboo, fecru, crowd, jenkins, generic", s)
}

// Auth is an outgoing authentication method of a link.
type Auth string

// Authentication methods. 3LO and 2LOi act as a user (impersonating); 2LO acts
// as the consumer itself (or the remote's configured executing user);
// anonymous sends no credentials.
const (
	Auth3LO       Auth = "3lo"
	Auth2LOi      Auth = "2loi"
	Auth2LO       Auth = "2lo"
	AuthAnonymous Auth = "anonymous"
)

// ParseAuth returns the method named s (case-insensitive; "oauth" is 3LO,
// "2lo-impersonation" is 2LOi).
func ParseAuth(s string) (Auth, error) {
	switch a := Auth(strings.ToLower(strings.TrimSpace(s))); a {
	case "oauth", "3-legged":
		return Auth3LO, nil
	case "2lo-impersonation", "2loi-impersonation":
		return Auth2LOi, nil
	case "none":
		return AuthAnonymous, nil
	case Auth3LO, Auth2LOi, Auth2LO, AuthAnonymous:
		return a, nil
	}
	return "", fmt.Errorf("applink: unknown authentication %q: use 3lo, 2loi, 2lo or anonymous", s)
}

// Impersonating reports whether the method acts as a named user (3LO, 2LOi).
func (a Auth) Impersonating() bool { return a == Auth3LO || a == Auth2LOi }

// Endpoints are the paths of the remote's OAuth endpoints, relative to the
// link's RPC URL. Empty fields take the defaults of the link's type
// ([DefaultEndpoints]).
type Endpoints struct {
	RequestToken string `json:"requestToken,omitempty"`
	Authorize    string `json:"authorize,omitempty"`
	AccessToken  string `json:"accessToken,omitempty"`
}

// DefaultEndpoints returns the OAuth endpoint paths of an application type:
// Jenkins' Bitbucket Server Integration plugin has its own
// (/bitbucket/oauth/request-token, /bbs-oauth/authorize,
// /bitbucket/oauth/access-token); every other type uses Atlassian's
// /plugins/servlet/oauth/... paths.
func DefaultEndpoints(t Type) Endpoints {
	if t == TypeJenkins {
		return Endpoints{
			RequestToken: "/bitbucket/oauth/request-token",
			Authorize:    "/bbs-oauth/authorize",
			AccessToken:  "/bitbucket/oauth/access-token",
		}
	}
	return Endpoints{
		RequestToken: "/plugins/servlet/oauth/request-token",
		Authorize:    "/plugins/servlet/oauth/authorize",
		AccessToken:  "/plugins/servlet/oauth/access-token",
	}
}

// Link is one application link: plain data, as stored in a config file, plus
// credentials given in code. Its signing key or shared secret is read from a
// file or an environment variable named here, or given with
// [Link.WithPrivateKey] / [Link.WithSecret]; credentials given in code are
// never written to a config file and never print.
//
// A Link obtained from a [Service] is bound to it and can make requests
// ([Link.RequestFactory]); treat it as read-only.
type Link struct {
	// ID is the link's id, a UUID (see [NewLinkID]).
	ID string `json:"id"`
	// Name is a display name; names need not be unique.
	Name string `json:"name"`
	// Type is the remote application's type.
	Type Type `json:"type"`
	// DisplayURL is the remote's URL for browsers; "" means RPCURL.
	DisplayURL string `json:"displayUrl,omitempty"`
	// RPCURL is the remote's base URL for calls (it may differ from
	// DisplayURL, e.g. an internal address that bypasses a reverse proxy).
	RPCURL string `json:"rpcUrl"`
	// Primary marks the primary link of its type.
	Primary bool `json:"primary,omitempty"`
	// ConsumerKey is the key the remote knows this application by.
	ConsumerKey string `json:"consumerKey"`
	// PrivateKeyFile is a PEM (PKCS #1 or #8) or OpenSSH private key file
	// for RSA-SHA1; a relative path is relative to the config file.
	PrivateKeyFile string `json:"privateKeyFile,omitempty"`
	// PrivateKeyEnv names an environment variable holding the PEM private key.
	PrivateKeyEnv string `json:"privateKeyEnv,omitempty"`
	// SecretEnv names an environment variable holding the shared secret for
	// HMAC-SHA1 (Jenkins).
	SecretEnv string `json:"secretEnv,omitempty"`
	// SecretFile is a file holding the shared secret (trailing newline ignored).
	SecretFile string `json:"secretFile,omitempty"`
	// Auth lists the outgoing authentication methods the link may use, in
	// preference order; empty means [Auth3LO] alone.
	Auth []Auth `json:"auth,omitempty"`
	// Endpoints overrides the remote's OAuth endpoint paths.
	Endpoints Endpoints `json:"endpoints,omitzero"`

	privateKey *rsa.PrivateKey
	secret     string
	state      *linkState
}

// WithPrivateKey returns a copy of l that signs with key (RSA-SHA1).
func (l Link) WithPrivateKey(key *rsa.PrivateKey) Link {
	l.privateKey = key
	l.state = nil
	return l
}

// WithSecret returns a copy of l that signs with a shared secret (HMAC-SHA1).
func (l Link) WithSecret(secret string) Link {
	l.secret = secret
	l.state = nil
	return l
}

// String describes the link without credentials.
func (l Link) String() string {
	return fmt.Sprintf("Link(%q, %s, %s, id %s)", l.Name, l.Type, l.RPCURL, l.ID)
}

// GoString is [Link.String]: credentials never print.
func (l Link) GoString() string { return l.String() }

// LogValue keeps credentials out of slog output.
func (l Link) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", l.ID), slog.String("name", l.Name),
		slog.String("type", string(l.Type)), slog.String("rpcUrl", l.RPCURL))
}

var errNotImplemented = errors.New("applink: not implemented yet")

// Validate checks the link and returns every problem found, each naming the
// field and what to do (errors.Join of *[FieldError]s): a UUID id, a name, a
// known type, absolute http(s) RPC and display URLs without query or
// fragment, a consumer key, exactly one credential source fitting the auth
// methods (none needed for anonymous only), known auth methods without
// repeats (Jenkins: 3LO only), endpoint paths starting with "/".
func (l Link) Validate() error { return errNotImplemented }

// FieldError is a problem with one field of a link or config file.
type FieldError struct {
	// Path is the config file, "" for a link built in code.
	Path string
	// Link names the link (name, else id, else its position).
	Link string
	// Field is the JSON name of the field.
	Field string
	// Err says what is wrong and what to do.
	Err error
}

func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString("applink: ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	if e.Link != "" {
		fmt.Fprintf(&b, "link %s: ", e.Link)
	}
	fmt.Fprintf(&b, "%s: %v", e.Field, e.Err)
	return b.String()
}

func (e *FieldError) Unwrap() error { return e.Err }

// NewLinkID returns a new random (version 4) UUID for a link.
func NewLinkID() string { return "" }
