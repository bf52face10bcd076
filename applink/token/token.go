package token

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"
)

// Kind says which protocol issued an [AccessToken].
type Kind string

const (
	// KindOAuth1 is an OAuth 1.0a access token: a token value (not secret)
	// and a token secret that signs requests. The zero Kind means
	// KindOAuth1, so tokens stored before OAuth 2.0 links existed read as
	// such.
	KindOAuth1 Kind = "oauth1"
	// KindOAuth2 is an OAuth 2.0 bearer token with an optional (rotating)
	// refresh token.
	KindOAuth2 Kind = "oauth2"
	// KindPAT is a personal access token of a Data Center product (Jira
	// 8.14+, Confluence 7.9+, Bitbucket): sent as a bearer token, acting as
	// the user who made it, never renewed. Secret holds it and Token its
	// [Fingerprint].
	KindPAT Kind = "pat"
)

// AccessToken is a user's access token for one link, as the remote issued it
// at the end of the dance: OAuth 1.0a (the 3-legged dance) or OAuth 2.0 (the
// authorization code grant). Its secrets are [Secret] fields, so printing,
// logging or marshaling a token (or a value holding one) never shows them.
//
// For an OAuth 1.0a token, Token is the oauth_token value and Secret its
// token secret. For an OAuth 2.0 token ([NewOAuth2AccessToken]) the bearer
// token itself is the secret: Secret holds it, Token a non-secret
// [Fingerprint] of it (for logs and "has it changed" checks), and
// RefreshToken the refresh token.
type AccessToken struct {
	// Kind is the protocol that issued the token; "" means [KindOAuth1].
	Kind Kind
	// Token is the token value (oauth_token) of an OAuth 1.0a token, or the
	// fingerprint of an OAuth 2.0 bearer token.
	Token string
	// Secret is the OAuth 1.0a token secret, or the OAuth 2.0 bearer token.
	Secret Secret
	// RefreshToken renews an OAuth 2.0 token; zero when the remote gave
	// none, and for OAuth 1.0a tokens.
	RefreshToken Secret
	// ExpiresAt is when the token stops working (from oauth_expires_in or
	// the OAuth 2.0 expires_in); zero means unknown.
	ExpiresAt time.Time
	// SessionHandle renews an OAuth 1.0a token (oauth_session_handle); zero
	// when the remote gave none.
	SessionHandle Secret
	// AuthorizationExpiresAt is when renewal stops working (from
	// oauth_authorization_expires_in); zero means unknown.
	AuthorizationExpiresAt time.Time
	// Scopes are the scopes an OAuth 2.0 token was granted (READ, WRITE,
	// ...); nil for OAuth 1.0a.
	Scopes []string
	// CreatedAt is when the token was obtained.
	CreatedAt time.Time
}

// NewAccessToken returns an OAuth 1.0a access token with its value and
// secret; set the other fields as known.
func NewAccessToken(token, secret string) *AccessToken {
	return &AccessToken{Kind: KindOAuth1, Token: token, Secret: NewSecret(secret)}
}

// NewOAuth2AccessToken returns an OAuth 2.0 access token: the bearer token
// and the refresh token ("" when the remote gave none). Its Token field is
// set to [Fingerprint] of the bearer token. Set ExpiresAt, Scopes and
// CreatedAt as known.
func NewOAuth2AccessToken(bearer, refresh string) *AccessToken {
	return &AccessToken{Kind: KindOAuth2, Token: Fingerprint(bearer), Secret: NewSecret(bearer), RefreshToken: NewSecret(refresh)}
}

// NewPATAccessToken returns a personal access token ([KindPAT]) holding
// pat: Secret is the token, Token its [Fingerprint]. Set ExpiresAt (when
// the owner made it to expire) and CreatedAt as known.
func NewPATAccessToken(pat string) *AccessToken {
	return &AccessToken{Kind: KindPAT, Token: Fingerprint(pat), Secret: NewSecret(pat)}
}

// Fingerprint returns the non-secret name of an OAuth 2.0 bearer token:
// "sha256:" and the first 16 hex digits of its SHA-256. Two different tokens
// have different fingerprints for every practical purpose.
func Fingerprint(bearer string) string {
	sum := sha256.Sum256([]byte(bearer))
	return "sha256:" + hex.EncodeToString(sum[:8])
}

// String describes the token by its kind, abbreviated value and expiry,
// for messages and examples; its secrets are never part of it.
func (t AccessToken) String() string {
	exp := "no expiry"
	if !t.ExpiresAt.IsZero() {
		exp = "expires " + t.ExpiresAt.UTC().Format(time.RFC3339)
	}
	if t.Kind == KindPAT {
		return "AccessToken(pat " + t.Token + ", " + exp + ", personal access token redacted)"
	}
	if t.Kind == KindOAuth2 {
		return "AccessToken(oauth2 " + t.Token + ", " + exp + ", bearer and refresh tokens redacted)"
	}
	return "AccessToken(" + abbrev(t.Token) + ", " + exp + ", secret redacted)"
}

// IsOAuth2 reports whether t is an OAuth 2.0 token.
func (t *AccessToken) IsOAuth2() bool { return t.Kind == KindOAuth2 }

// IsPAT reports whether t is a personal access token.
func (t *AccessToken) IsPAT() bool { return t.Kind == KindPAT }

// Expired reports whether the token has expired at now.
func (t *AccessToken) Expired(now time.Time) bool {
	return !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)
}

// Renewable reports whether the token can be renewed at now: with its
// session handle (OAuth 1.0a) or its refresh token (OAuth 2.0). A personal
// access token never is.
func (t *AccessToken) Renewable(now time.Time) bool {
	switch t.Kind {
	case KindPAT:
		return false
	case KindOAuth2:
		return !t.RefreshToken.IsZero()
	}
	return !t.SessionHandle.IsZero() && (t.AuthorizationExpiresAt.IsZero() || now.Before(t.AuthorizationExpiresAt))
}

// usable reports whether a stored access token counts as present at now:
// unexpired, or expired but renewable.
func (t *AccessToken) usable(now time.Time) bool { return !t.Expired(now) || t.Renewable(now) }

// Clone returns a deep copy of t (Scopes included) with Kind "" made
// [KindOAuth1], so that stores hand out and keep tokens nobody else can
// change. Secrets are immutable and shared.
func (t *AccessToken) Clone() *AccessToken {
	c := *t
	c.Scopes = slices.Clone(t.Scopes)
	if c.Kind == "" {
		c.Kind = KindOAuth1
	}
	return &c
}

// RequestToken is a pending request token of the 3-legged OAuth 1.0a dance:
// obtained from the remote, waiting for the user to approve it. An OAuth
// 2.0 dance keeps its pending state in one too: Token is the state and
// Secret the PKCE verifier.
type RequestToken struct {
	// Token is the request token value (oauth_token), or an OAuth 2.0
	// dance's state.
	Token string
	// Secret is the request token secret, or an OAuth 2.0 dance's PKCE
	// verifier.
	Secret Secret
	// LinkID and User say whose dance this is.
	LinkID, User string
	// Callback is the oauth_callback sent with it ("oob" for out of band).
	Callback string
	// ExpiresAt is when the remote forgets it (10 minutes after issue at
	// Atlassian's products).
	ExpiresAt time.Time
	// CreatedAt is when it was obtained.
	CreatedAt time.Time
}

// NewRequestToken returns a pending request token with its value and secret;
// set the other fields.
func NewRequestToken(token, secret string) *RequestToken {
	return &RequestToken{Token: token, Secret: NewSecret(secret)}
}

// Expired reports whether the request token has expired at now.
func (t *RequestToken) Expired(now time.Time) bool {
	return !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)
}

// abbrev shortens a token value (not a secret, but long and of no use whole
// in a message) to its first four characters.
func abbrev(s string) string {
	if len(s) <= 8 {
		return s
	}
	return s[:4] + "…"
}
