package applink

import (
	"fmt"
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

// UnmarshalText reads a type as [ParseType] does, so that "Jira" or "stash"
// in a config file becomes [TypeJira] or [TypeBitbucket]. An unknown name is
// kept as written, for [Link.Validate] to report with its field.
func (t *Type) UnmarshalText(text []byte) error { *t = canonical(ParseType, string(text)); return nil }

// UnmarshalText reads a method as [ParseAuth] does, so that "3LO" or
// "2LOi" in a config file becomes [Auth3LO] or [Auth2LOi]. An unknown name
// is kept as written, for [Link.Validate] to report with its field.
func (a *Auth) UnmarshalText(text []byte) error { *a = canonical(ParseAuth, string(text)); return nil }

// canonical is s as parse reads it ("Jira" is jira), or s as written when
// parse does not know it.
func canonical[T ~string](parse func(string) (T, error), s string) T {
	if c, err := parse(s); err == nil {
		return c
	}
	return T(s)
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

func typeList() string {
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}
