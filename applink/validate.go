package applink

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-applinks/applinks/internal/linkconf"
	"github.com/go-applinks/applinks/signer"
)

// Validate checks the link and returns every problem found, each naming the
// field and what to do (errors.Join of *[FieldError]s): a UUID id, a name, a
// known type, absolute http(s) RPC and display URLs without query or
// fragment, a consumer key, exactly one credential source fitting the auth
// methods (none needed for anonymous only), known auth methods without
// repeats (Jenkins: 3LO only), endpoint paths starting with "/".
//
// A credential given in code (PrivateKey, Secret) may
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
	} else if !linkconf.IsUUID(l.ID) {
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
	if err := linkconf.CheckBaseURL(l.RPCURL); err != nil {
		bad("rpcUrl", "%v", err)
	}
	if l.DisplayURL != "" {
		if err := linkconf.CheckBaseURL(l.DisplayURL); err != nil {
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
		if field, err := l.credentials().Check(signs, l.Type == TypeJenkins); err != nil {
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

// DefaultLinkID returns the id [NewService] gives a link whose ID is
// empty: a name-based (version 5, SHA-1) UUID of the name and the RPC URL
// (its scheme and host in lower case, without a trailing slash), the same
// in every run and on every machine, so that stored tokens stay found.
// Renaming the link or changing its RPC URL changes it: set a fixed ID to
// be free to do either.
func DefaultLinkID(name, rpcURL string) string { return linkconf.DefaultID(name, rpcURL) }
