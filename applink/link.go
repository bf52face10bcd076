package applink

import (
	"crypto/rsa"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/go-applinks/applinks/internal/engine"
	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/signer"
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

// types lists every known type.
var types = []Type{TypeJira, TypeConfluence, TypeBitbucket, TypeBamboo, TypeFecru, TypeCrowd, TypeJenkins, TypeGeneric}

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
// anonymous sends no credentials. OAuth2 and ClientCredentials are those of
// an OAuth 2.0 link ([Link.OAuth2]): OAuth2 acts as a user who consented
// (like 3LO), ClientCredentials as the link's service account (like 2LO).
const (
	Auth3LO       Auth = "3lo"
	Auth2LOi      Auth = "2loi"
	Auth2LO       Auth = "2lo"
	AuthAnonymous Auth = "anonymous"
	// AuthOAuth2 is the OAuth 2.0 authorization code grant: the user
	// consents once, requests carry their bearer token, refreshed with its
	// rotating refresh token.
	AuthOAuth2 Auth = "oauth2"
	// AuthClientCredentials is the OAuth 2.0 client_credentials grant: the
	// link's own service account, no user.
	AuthClientCredentials Auth = "client-credentials"
	// AuthPAT is a personal access token of a Data Center product (Jira
	// 8.14+, Confluence 7.9+, Bitbucket), sent as a bearer token: the
	// user's own, stored in the token store like any token, or for
	// requests without a user the link's ([Link.PAT], a bot account).
	// It cannot be renewed: a refused one is deleted, and the user makes
	// a new one in their profile.
	AuthPAT Auth = "pat"
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
	case "oauth2-client-credentials", "client_credentials", "clientcredentials":
		return AuthClientCredentials, nil
	case "personal-access-token", "personal_access_token":
		return AuthPAT, nil
	case Auth3LO, Auth2LOi, Auth2LO, AuthAnonymous, AuthOAuth2, AuthClientCredentials, AuthPAT:
		return a, nil
	}
	return "", fmt.Errorf("applink: unknown authentication %q: use 3lo, 2loi, 2lo, oauth2, client-credentials, pat or anonymous", s)
}

// MarshalText writes the type's canonical name ("Jira" and "stash" are
// written "jira" and "bitbucket"); an unknown name is written as it is.
func (t Type) MarshalText() ([]byte, error) { return []byte(canonicalType(t)), nil }

// UnmarshalText reads a type as [ParseType] does, so that "Jira" or "stash"
// in a config file becomes [TypeJira] or [TypeBitbucket]. An unknown name is
// kept as written, for [Link.Validate] to report with its field.
func (t *Type) UnmarshalText(text []byte) error {
	c, err := ParseType(string(text))
	if err != nil {
		c = Type(text)
	}
	*t = c
	return nil
}

// MarshalText writes the method's canonical name ("3LO" and "oauth" are
// written "3lo"); an unknown name is written as it is.
func (a Auth) MarshalText() ([]byte, error) {
	if c, err := ParseAuth(string(a)); err == nil {
		a = c
	}
	return []byte(a), nil
}

// UnmarshalText reads a method as [ParseAuth] does, so that "3LO" or
// "2LOi" in a config file becomes [Auth3LO] or [Auth2LOi]. An unknown name
// is kept as written, for [Link.Validate] to report with its field.
func (a *Auth) UnmarshalText(text []byte) error {
	c, err := ParseAuth(string(text))
	if err != nil {
		c = Auth(text)
	}
	*a = c
	return nil
}

// Impersonating reports whether the method acts as a named user (3LO, 2LOi,
// OAuth2, a user's PAT).
func (a Auth) Impersonating() bool {
	return a == Auth3LO || a == Auth2LOi || a == AuthOAuth2 || a == AuthPAT
}

// signs reports whether the method signs requests with OAuth 1.0a (3LO,
// 2LO, 2LOi), so that the link needs a consumer key and a key or secret.
func (a Auth) signs() bool { return a != AuthAnonymous && !a.isOAuth2() && a != AuthPAT }

// isOAuth2 reports whether the method is an OAuth 2.0 one.
func (a Auth) isOAuth2() bool { return a == AuthOAuth2 || a == AuthClientCredentials }

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

// defaultEndpoints returns the OAuth 1.0a endpoint paths of an application
// type.
func defaultEndpoints(t Type) Endpoints {
	var e Endpoints
	e.RequestToken, e.Authorize, e.AccessToken = engine.DefaultOAuth1Endpoints(t == TypeJenkins)
	return e
}

// Link is one application link: plain data, as stored in a config file, plus
// credentials given in code. Its signing key or shared secret is read from a
// file or an environment variable named here, or given with
// [Link.WithPrivateKey] / [Link.WithSecret]; credentials given in code are
// never written to a config file and never print.
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
	// ([Link.EffectiveDisplayURL] resolves it).
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

	// The credentials given in code: behind a pointer or in a Secret, so
	// that no fmt verb (%p included), slog or JSON shows them.
	privateKey   *rsa.PrivateKey
	secret       redact.Secret
	clientSecret redact.Secret
	state        *linkState

	// Dir is the directory relative file paths (PrivateKeyFile, SecretFile,
	// OAuth2.ClientSecretFile) are read from: config.Load sets it to the
	// config file's directory; "" means the working directory. It is not
	// part of the config file.
	Dir string `json:"-"`
}

// WithPrivateKey returns a copy of l that signs with key (RSA-SHA1).
func (l Link) WithPrivateKey(key *rsa.PrivateKey) Link {
	l.privateKey = key
	l.state = nil
	return l
}

// WithSecret returns a copy of l that signs with a shared secret (HMAC-SHA1).
func (l Link) WithSecret(secret string) Link {
	l.secret = redact.NewSecret(secret)
	l.state = nil
	return l
}

// EffectiveDisplayURL returns the URL browsers reach the remote at:
// DisplayURL, or RPCURL when DisplayURL is "". Authorization URLs and the
// remote's pages (where users revoke tokens) are built on it.
func (l Link) EffectiveDisplayURL() string {
	if l.DisplayURL != "" {
		return l.DisplayURL
	}
	return l.RPCURL
}

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

// Validate checks the link and returns every problem found, each naming the
// field and what to do (errors.Join of *[FieldError]s): a UUID id, a name, a
// known type, absolute http(s) RPC and display URLs without query or
// fragment, a consumer key, exactly one credential source fitting the auth
// methods (none needed for anonymous only), known auth methods without
// repeats (Jenkins: 3LO only), endpoint paths starting with "/".
//
// A credential given in code ([Link.WithPrivateKey], [Link.WithSecret]) may
// sit beside one file or environment source of the same kind (what a config
// file records); the one given in code is then used. Validate does no I/O:
// keys and secrets are read by [NewService].
func (l Link) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &FieldError{Link: l.label(), Field: field, Err: fmt.Errorf(format, args...)})
	}
	if l.ID == "" {
		bad("id", "missing: give the link a fixed UUID (its tokens are stored under it), or leave it empty for NewService to derive one from the name and RPC URL (applink.DefaultLinkID)")
	} else if !isUUID(l.ID) {
		bad("id", "%q is not a UUID (8-4-4-4-12 hexadecimal digits): make one once (applink.DefaultLinkID(name, rpcURL), uuidgen) and keep it fixed", l.ID)
	}
	if strings.TrimSpace(l.Name) == "" {
		bad("name", "missing: give the link a name")
	}
	if l.Type == "" {
		bad("type", "missing: use one of %s", typeList())
	} else if !slices.Contains(types, l.Type) {
		bad("type", "unknown type %q: use one of %s", l.Type, typeList())
	}
	if err := checkBaseURL(l.RPCURL); err != nil {
		bad("rpcUrl", "%v", err)
	}
	if l.DisplayURL != "" {
		if err := checkBaseURL(l.DisplayURL); err != nil {
			bad("displayUrl", "%v", err)
		}
	}
	auths := l.auths()
	seen := make(map[Auth]bool, len(auths))
	signs := false
	for _, a := range l.Auth {
		switch a {
		case Auth3LO, Auth2LOi, Auth2LO, AuthAnonymous, AuthOAuth2, AuthClientCredentials, AuthPAT:
		default:
			bad("auth", "unknown authentication %q: use 3lo, 2loi, 2lo, oauth2, client-credentials, pat or anonymous", a)
			continue
		}
		if seen[a] {
			bad("auth", "%s is listed twice: list each method once, in preference order", a)
		}
		seen[a] = true
	}
	for _, a := range auths {
		if a.signs() {
			signs = true
		}
	}
	l.validateOAuth2(signs, bad)
	l.validatePAT(bad)
	l.validateCloud(bad)
	if l.Type == TypeJenkins {
		for _, a := range auths {
			if a == Auth2LO || a == Auth2LOi {
				bad("auth", "Jenkins links support 3lo only (the Bitbucket Server Integration plugin refuses 2-legged OAuth): remove %s", a)
			}
		}
	}
	if signs && strings.TrimSpace(l.ConsumerKey) == "" {
		bad("consumerKey", "missing: give the consumer key the remote's incoming link has for this application")
	}
	if signs || !l.usesOAuth2() { // an OAuth 2.0 link needs no OAuth 1.0a credential
		if field, err := l.checkCredentialSources(signs); err != nil {
			bad(field, "%v", err)
		}
	}
	if _, err := l.dialect(); err != nil {
		bad("signatureDialect", "%v", err)
	}
	for _, ep := range []struct{ field, path string }{
		{"endpoints.requestToken", l.Endpoints.RequestToken},
		{"endpoints.authorize", l.Endpoints.Authorize},
		{"endpoints.accessToken", l.Endpoints.AccessToken},
	} {
		if ep.path != "" && !strings.HasPrefix(ep.path, "/") {
			bad(ep.field, "%q must be a path starting with \"/\" (relative to rpcUrl)", ep.path)
		}
	}
	return errors.Join(errs...)
}

// dialect returns the signature dialect of the remote: SignatureDialect,
// or by type.
func (l Link) dialect() (signer.Dialect, error) {
	switch strings.ToLower(strings.TrimSpace(l.SignatureDialect)) {
	case "servlet":
		return signer.Servlet, nil
	case "rfc5849":
		return signer.RFC5849, nil
	case "":
		if l.Type == TypeGeneric {
			return signer.RFC5849, nil
		}
		return signer.Servlet, nil
	}
	return 0, fmt.Errorf("unknown dialect %q: use servlet (Atlassian products, Jenkins) or rfc5849, or leave it empty to go by the type", l.SignatureDialect)
}

// checkCredentialSources checks that the link has one credential source, of
// the kind its type needs. It returns the field to blame.
func (l Link) checkCredentialSources(signs bool) (string, error) {
	var keySrc, secretSrc []string
	if l.PrivateKeyFile != "" {
		keySrc = append(keySrc, "privateKeyFile")
	}
	if l.PrivateKeyEnv != "" {
		keySrc = append(keySrc, "privateKeyEnv")
	}
	if l.SecretEnv != "" {
		secretSrc = append(secretSrc, "secretEnv")
	}
	if l.SecretFile != "" {
		secretSrc = append(secretSrc, "secretFile")
	}
	fields := append(slices.Clone(keySrc), secretSrc...)
	inCode := l.privateKey != nil || !l.secret.IsZero()
	switch {
	case l.privateKey != nil && !l.secret.IsZero():
		return "privateKeyFile", errors.New("both a private key and a secret were given in code: give one")
	case len(fields) > 1:
		return fields[1], fmt.Errorf("several credential sources (%s): give exactly one", strings.Join(fields, ", "))
	case l.privateKey != nil && len(secretSrc) > 0, !l.secret.IsZero() && len(keySrc) > 0:
		return fields[0], errors.New("a credential of the other kind was given in code: give a private key or a secret, not both")
	case signs && len(fields) == 0 && !inCode:
		if l.Type == TypeJenkins {
			return "secretEnv", errors.New("no shared secret: set secretEnv or secretFile to the secret of the Jenkins consumer")
		}
		return "privateKeyFile", errors.New("no credentials: set privateKeyFile, privateKeyEnv, secretEnv or secretFile")
	}
	if l.Type == TypeJenkins && (len(keySrc) > 0 || l.privateKey != nil) {
		field := "privateKeyFile"
		if len(keySrc) > 0 {
			field = keySrc[0]
		}
		return field, errors.New("a Jenkins consumer uses HMAC-SHA1 with a shared secret, not an RSA key: set secretEnv or secretFile")
	}
	return "", nil
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
	e, d := l.Endpoints, defaultEndpoints(l.Type)
	if e.RequestToken == "" {
		e.RequestToken = d.RequestToken
	}
	if e.Authorize == "" {
		e.Authorize = d.Authorize
	}
	if e.AccessToken == "" {
		e.AccessToken = d.AccessToken
	}
	return e
}

func typeList() string {
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// checkBaseURL checks an RPC or display URL: absolute http(s), a host, no
// user info, query or fragment.
func checkBaseURL(s string) error {
	if s == "" {
		return errors.New("missing: give the remote's base URL, e.g. https://jira.example.com")
	}
	u, err := url.Parse(s)
	if err != nil {
		err = redactParseError(err)
		if strings.HasPrefix(err.Error(), "invalid port") {
			return fmt.Errorf("not a URL: %v: %s", err, portAdvice)
		}
		return fmt.Errorf("not a URL: %v", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%q must start with http:// or https://", redact.URL(u))
	case u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("%q has no host", redact.URL(u))
	case u.User != nil:
		return fmt.Errorf("%q must not carry a user name or password: credentials come from the link's key or secret", redact.URL(u))
	case u.RawQuery != "" || u.ForceQuery:
		return fmt.Errorf("%q must not have a query", redact.URL(u))
	case u.Fragment != "":
		return fmt.Errorf("%q must not have a fragment", redact.URL(u))
	}
	return checkPort(u)
}

// portAdvice says what a base URL's port may be.
const portAdvice = "give a port number from 1 to 65535 (e.g. https://jira.example.com:8443), or none for the scheme's default"

// checkPort refuses a base URL whose port is empty (a bare colon), zero or
// above 65535; url.Parse has already refused one that is not decimal digits.
func checkPort(u *url.URL) error {
	port := u.Port()
	if port == "" {
		if strings.HasSuffix(u.Host, ":") {
			return fmt.Errorf("%q has an empty port: %s", redact.URL(u), portAdvice)
		}
		return nil
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%q has an invalid port %q: %s", redact.URL(u), port, portAdvice)
	}
	return nil
}

// redactParseError drops the URL from a url.Parse error (it may hold a
// password).
func redactParseError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

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

// Error reads "applink: <file>: link <link>: <field>: <what is wrong>".
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

// Unwrap returns Err.
func (e *FieldError) Unwrap() error { return e.Err }

// linkIDNamespace is the UUID namespace of [DefaultLinkID].
var linkIDNamespace = [16]byte{0x6b, 0x1f, 0x2e, 0x3a, 0x9c, 0x54, 0x4d, 0x0e, 0x8f, 0x31, 0x52, 0xa7, 0xc4, 0x0b, 0x7d, 0x96}

// DefaultLinkID returns the id [NewService] gives a link whose ID is
// empty: a name-based (version 5, SHA-1) UUID of the name and the RPC URL
// (its scheme and host in lower case, without a trailing slash), the same
// in every run and on every machine, so that stored tokens stay found.
// Renaming the link or changing its RPC URL changes it: set a fixed ID to
// be free to do either.
func DefaultLinkID(name, rpcURL string) string {
	u := strings.TrimSuffix(strings.TrimSpace(rpcURL), "/")
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		p.Scheme, p.Host = strings.ToLower(p.Scheme), strings.ToLower(p.Host)
		u = p.String()
	}
	h := sha1.New()
	h.Write(linkIDNamespace[:])
	h.Write([]byte(strings.TrimSpace(name) + "\n" + u))
	var b [16]byte
	copy(b[:], h.Sum(nil))
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

func formatUUID(b [16]byte) string {
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
