package applink

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/signer"
)

// ErrTokenNotFound is returned by a [TokenStore] when it holds no (unexpired)
// token for what was asked.
var ErrTokenNotFound = errors.New("applink: no token stored")

// TokenKind says which protocol issued an [AccessToken].
type TokenKind string

const (
	// KindOAuth1 is an OAuth 1.0a access token: a token value (not secret)
	// and a token secret that signs requests. The zero TokenKind means
	// KindOAuth1, so tokens stored before OAuth 2.0 links existed read as
	// such.
	KindOAuth1 TokenKind = "oauth1"
	// KindOAuth2 is an OAuth 2.0 bearer token with an optional (rotating)
	// refresh token.
	KindOAuth2 TokenKind = "oauth2"
)

// AccessToken is a user's access token for one link, as the remote issued it
// at the end of the dance: OAuth 1.0a (the 3-legged dance) or OAuth 2.0 (the
// authorization code grant). It never prints its secrets.
//
// For an OAuth 1.0a token, Token is the oauth_token value and [AccessToken.Secret]
// its token secret. For an OAuth 2.0 token ([NewOAuth2AccessToken]) the bearer
// token itself is the secret: [AccessToken.Secret] returns it, Token holds a
// non-secret fingerprint of it (for logs and "has it changed" checks), and
// [AccessToken.RefreshToken] the refresh token.
type AccessToken struct {
	// Kind is the protocol that issued the token; "" means [KindOAuth1].
	Kind TokenKind
	// Token is the token value (oauth_token) of an OAuth 1.0a token, or the
	// fingerprint of an OAuth 2.0 bearer token.
	Token   string
	secret  string
	refresh string
	// ExpiresAt is when the token stops working (from oauth_expires_in or
	// the OAuth 2.0 expires_in); zero means unknown.
	ExpiresAt time.Time
	// SessionHandle renews an OAuth 1.0a token (oauth_session_handle); ""
	// when the remote gave none. Treat it as a secret.
	SessionHandle string
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
	return &AccessToken{Kind: KindOAuth1, Token: token, secret: secret}
}

// NewOAuth2AccessToken returns an OAuth 2.0 access token: the bearer token
// and the refresh token ("" when the remote gave none). Its Token field is
// set to [OAuth2Fingerprint] of the bearer token. Set ExpiresAt, Scopes
// and CreatedAt as known.
func NewOAuth2AccessToken(bearer, refresh string) *AccessToken {
	return &AccessToken{Kind: KindOAuth2, Token: OAuth2Fingerprint(bearer), secret: bearer, refresh: refresh}
}

// OAuth2Fingerprint returns the non-secret name of an OAuth 2.0 bearer
// token: "sha256:" and the first 16 hex digits of its SHA-256. Two different
// tokens have different fingerprints for every practical purpose.
func OAuth2Fingerprint(bearer string) string {
	sum := sha256.Sum256([]byte(bearer))
	return "sha256:" + hex.EncodeToString(sum[:8])
}

// IsOAuth2 reports whether t is an OAuth 2.0 token.
func (t *AccessToken) IsOAuth2() bool { return t.Kind == KindOAuth2 }

// RefreshToken returns the OAuth 2.0 refresh token ("" for none, and for
// OAuth 1.0a tokens). Keep it out of logs.
func (t *AccessToken) RefreshToken() string { return t.refresh }

// Secret returns the OAuth 1.0a token secret, or the OAuth 2.0 bearer
// token. Keep it out of logs.
func (t *AccessToken) Secret() string { return t.secret }

// SignerToken returns the token in the form [signer.Params] takes.
func (t *AccessToken) SignerToken() signer.Token { return signer.NewToken(t.Token, t.secret) }

// Expired reports whether the token has expired at now.
func (t *AccessToken) Expired(now time.Time) bool {
	return !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)
}

// Renewable reports whether the token can be renewed at now: with its
// session handle (OAuth 1.0a) or its refresh token (OAuth 2.0).
func (t *AccessToken) Renewable(now time.Time) bool {
	if t.Kind == KindOAuth2 {
		return t.refresh != ""
	}
	return t.SessionHandle != "" && (t.AuthorizationExpiresAt.IsZero() || now.Before(t.AuthorizationExpiresAt))
}

// String describes the token without its secret or session handle. It has
// a value receiver so that printing an AccessToken value (not only a
// pointer), alone or inside another struct, is redacted too.
func (t AccessToken) String() string {
	exp := "no expiry"
	if !t.ExpiresAt.IsZero() {
		exp = "expires " + t.ExpiresAt.UTC().Format(time.RFC3339)
	}
	if t.Kind == KindOAuth2 {
		scopes := ""
		if len(t.Scopes) > 0 {
			scopes = ", scopes " + strings.Join(t.Scopes, " ")
		}
		return fmt.Sprintf("AccessToken(oauth2 %s, %s%s, bearer and refresh tokens redacted)", t.Token, exp, scopes)
	}
	return fmt.Sprintf("AccessToken(%s, %s, secret redacted)", signer.Abbrev(t.Token), exp)
}

// GoString is [AccessToken.String].
func (t AccessToken) GoString() string { return t.String() }

// Format prints [AccessToken.String] for every verb (%#v:
// [AccessToken.GoString]), so that no verb (%d, %t, %+v, …) reaches the
// secret or the session handle.
func (t AccessToken) Format(f fmt.State, verb rune) { redact.Format(f, verb, t.String(), t.GoString()) }

// LogValue keeps secrets out of slog output.
func (t AccessToken) LogValue() slog.Value { return slog.StringValue(t.String()) }

// MarshalJSON renders the token as the JSON string of [AccessToken.String],
// so that a struct holding a token, logged as JSON, shows neither its secret
// nor its session handle. It does not persist a token: use a [TokenStore].
func (t AccessToken) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

// clone returns a deep copy of t (Scopes included), so that stores hand out
// and keep tokens nobody else can change.
func (t *AccessToken) clone() *AccessToken {
	c := *t
	c.Scopes = slices.Clone(t.Scopes)
	if c.Kind == "" {
		c.Kind = KindOAuth1
	}
	return &c
}

// RequestToken is a pending request token of the 3-legged dance: obtained
// from the remote, waiting for the user to approve it. It never prints its
// secret.
type RequestToken struct {
	// Token is the request token value (oauth_token).
	Token  string
	secret string
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
	return &RequestToken{Token: token, secret: secret}
}

// Secret returns the request token secret. Keep it out of logs.
func (t *RequestToken) Secret() string { return t.secret }

// SignerToken returns the token in the form [signer.Params] takes.
func (t *RequestToken) SignerToken() signer.Token { return signer.NewToken(t.Token, t.secret) }

// Expired reports whether the request token has expired at now.
func (t *RequestToken) Expired(now time.Time) bool {
	return !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)
}

// String describes the token without its secret. It has a value receiver
// so that printing a RequestToken value is redacted too.
func (t RequestToken) String() string {
	return fmt.Sprintf("RequestToken(%s, link %s, user %q, secret redacted)", signer.Abbrev(t.Token), t.LinkID, t.User)
}

// GoString is [RequestToken.String].
func (t RequestToken) GoString() string { return t.String() }

// Format prints [RequestToken.String] for every verb (%#v:
// [RequestToken.GoString]), so that no verb (%d, %t, %+v, …) reaches the
// secret.
func (t RequestToken) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, t.String(), t.GoString())
}

// LogValue keeps secrets out of slog output.
func (t RequestToken) LogValue() slog.Value { return slog.StringValue(t.String()) }

// MarshalJSON renders the token as the JSON string of [RequestToken.String],
// without its secret. It does not persist a token: use a [TokenStore].
func (t RequestToken) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

// TokenKey names one user's access token for one link.
type TokenKey struct {
	LinkID string
	User   string
}

// TokenStore keeps users' access tokens per link, and pending request tokens
// of the 3-legged dance. Implementations must be safe for concurrent use and
// treat expired tokens as absent (returning [ErrTokenNotFound]), except that
// an expired access token with a usable session handle is returned so that
// it can be renewed. Stored values are copies: changing a token after Put
// does not change the store.
type TokenStore interface {
	// AccessToken returns the user's token for the link, or ErrTokenNotFound.
	AccessToken(ctx context.Context, key TokenKey) (*AccessToken, error)
	// PutAccessToken stores (replaces) the user's token for the link.
	PutAccessToken(ctx context.Context, key TokenKey, t *AccessToken) error
	// DeleteAccessToken removes it; removing an absent token is not an error.
	DeleteAccessToken(ctx context.Context, key TokenKey) error
	// AccessTokens lists the keys of every stored access token, sorted by
	// link id then user.
	AccessTokens(ctx context.Context) ([]TokenKey, error)

	// RequestToken returns a pending request token by its value, or
	// ErrTokenNotFound (also when it has expired).
	RequestToken(ctx context.Context, token string) (*RequestToken, error)
	// PutRequestToken stores a pending request token.
	PutRequestToken(ctx context.Context, t *RequestToken) error
	// DeleteRequestToken removes it; removing an absent token is not an error.
	DeleteRequestToken(ctx context.Context, token string) error
}

// StoreOption configures [NewMemoryTokenStore] and [OpenFileTokenStore].
type StoreOption func(*storeOptions)

// storeOptions is what StoreOption sets.
type storeOptions struct {
	now func() time.Time
	// afterTempWrite is a test hook of the file store, called with the
	// temporary file's path after it is written and synced, before it
	// replaces the token file.
	afterTempWrite func(tmpPath string)
	// maxFileSize is the file store's size limit; tests lower it.
	maxFileSize int64
}

// WithStoreClock sets the clock a token store uses to decide whether a token
// has expired. The default (and what nil means) is [time.Now].
func WithStoreClock(now func() time.Time) StoreOption {
	return func(o *storeOptions) { o.now = now }
}

// withAfterTempWrite sets the file store's test hook run between writing the
// temporary file and renaming it over the token file.
func withAfterTempWrite(f func(tmpPath string)) StoreOption {
	return func(o *storeOptions) { o.afterTempWrite = f }
}

// withMaxFileSize lowers the file store's size limit (MaxTokenFileSize) so
// that tests reach it quickly.
func withMaxFileSize(n int64) StoreOption {
	return func(o *storeOptions) { o.maxFileSize = n }
}

func newStoreOptions(opts []StoreOption) storeOptions {
	o := storeOptions{maxFileSize: MaxTokenFileSize}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.now == nil {
		o.now = time.Now
	}
	return o
}

// accessTokenNotFound wraps ErrTokenNotFound with what was asked.
func accessTokenNotFound(key TokenKey) error {
	return fmt.Errorf("%w: access token for link %q, user %q", ErrTokenNotFound, key.LinkID, key.User)
}

// requestTokenNotFound wraps ErrTokenNotFound with what was asked.
func requestTokenNotFound(token string) error {
	return fmt.Errorf("%w: request token %s", ErrTokenNotFound, signer.Abbrev(token))
}

// validateAccessToken checks what every store needs before storing an
// access token.
func validateAccessToken(key TokenKey, t *AccessToken) error {
	switch {
	case t == nil:
		return errors.New("applink: cannot store a nil access token")
	case key.LinkID == "":
		return errors.New("applink: cannot store an access token without a link id")
	case key.User == "":
		return fmt.Errorf("applink: cannot store an access token for link %q without a user", key.LinkID)
	case t.Token == "":
		return fmt.Errorf("applink: cannot store an empty access token for link %q, user %q", key.LinkID, key.User)
	case t.Kind != "" && t.Kind != KindOAuth1 && t.Kind != KindOAuth2:
		return fmt.Errorf("applink: cannot store the access token for link %q, user %q: unknown kind %q (want %q or %q)", key.LinkID, key.User, t.Kind, KindOAuth1, KindOAuth2)
	case t.Kind == KindOAuth2 && t.secret == "":
		return fmt.Errorf("applink: cannot store an OAuth 2.0 access token without its bearer token for link %q, user %q", key.LinkID, key.User)
	}
	for _, ts := range []time.Time{t.ExpiresAt, t.AuthorizationExpiresAt, t.CreatedAt} {
		if err := validateStoreTime(ts); err != nil {
			return fmt.Errorf("applink: cannot store the access token for link %q, user %q: %w", key.LinkID, key.User, err)
		}
	}
	return nil
}

// validateRequestToken checks what every store needs before storing a
// request token.
func validateRequestToken(t *RequestToken) error {
	switch {
	case t == nil:
		return errors.New("applink: cannot store a nil request token")
	case t.Token == "":
		return fmt.Errorf("applink: cannot store an empty request token for link %q, user %q", t.LinkID, t.User)
	}
	for _, ts := range []time.Time{t.ExpiresAt, t.CreatedAt} {
		if err := validateStoreTime(ts); err != nil {
			return fmt.Errorf("applink: cannot store request token %s: %w", signer.Abbrev(t.Token), err)
		}
	}
	return nil
}

// validateStoreTime refuses times that RFC 3339 cannot write, so that every
// store accepts the same tokens and the file store can read what it wrote.
func validateStoreTime(t time.Time) error {
	if t.IsZero() {
		return nil
	}
	if y := t.UTC().Year(); y < 0 || y > 9999 {
		return fmt.Errorf("time %d is outside years 0 to 9999", y)
	}
	return nil
}

// tokenSet is the data of a token store, without locking: the memory store
// guards one with a mutex, the file store reads one from its file for every
// operation. Tokens in it are owned by the set: callers copy in and out.
type tokenSet struct {
	access  map[TokenKey]*AccessToken
	request map[string]*RequestToken
	// dances are the pending dances of the web dance handler, by state
	// (the DanceStore of the memory and file stores).
	dances map[string]*PendingDance
}

func newTokenSet() *tokenSet {
	return &tokenSet{access: map[TokenKey]*AccessToken{}, request: map[string]*RequestToken{}, dances: map[string]*PendingDance{}}
}

// usableAccess reports whether a stored access token counts as present at
// now: unexpired, or expired but renewable.
func usableAccess(t *AccessToken, now time.Time) bool {
	return !t.Expired(now) || t.Renewable(now)
}

// accessToken returns a copy of the usable token for key.
func (s *tokenSet) accessToken(key TokenKey, now time.Time) (*AccessToken, error) {
	t, ok := s.access[key]
	if !ok || !usableAccess(t, now) {
		return nil, accessTokenNotFound(key)
	}
	return t.clone(), nil
}

// putAccessToken stores a copy of t, which must be valid.
func (s *tokenSet) putAccessToken(key TokenKey, t *AccessToken) {
	s.access[key] = t.clone()
}

// deleteAccessToken removes key and reports whether it was there.
func (s *tokenSet) deleteAccessToken(key TokenKey) bool {
	_, ok := s.access[key]
	delete(s.access, key)
	return ok
}

// accessKeys lists the keys of the usable access tokens, sorted.
func (s *tokenSet) accessKeys(now time.Time) []TokenKey {
	keys := make([]TokenKey, 0, len(s.access))
	for k, t := range s.access {
		if usableAccess(t, now) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, compareTokenKeys)
	return keys
}

// compareTokenKeys orders keys by link id, then user.
func compareTokenKeys(a, b TokenKey) int {
	if c := strings.Compare(a.LinkID, b.LinkID); c != 0 {
		return c
	}
	return strings.Compare(a.User, b.User)
}

// requestToken returns a copy of the unexpired request token.
func (s *tokenSet) requestToken(token string, now time.Time) (*RequestToken, error) {
	t, ok := s.request[token]
	if !ok || t.Expired(now) {
		return nil, requestTokenNotFound(token)
	}
	c := *t
	return &c, nil
}

// putRequestToken stores a copy of t, which must be valid.
func (s *tokenSet) putRequestToken(t *RequestToken) {
	c := *t
	s.request[t.Token] = &c
}

// deleteRequestToken removes token and reports whether it was there.
func (s *tokenSet) deleteRequestToken(token string) bool {
	_, ok := s.request[token]
	delete(s.request, token)
	return ok
}

// purge drops expired request tokens, expired access tokens that cannot
// be renewed and expired pending dances, and reports whether it dropped
// any.
func (s *tokenSet) purge(now time.Time) bool {
	n := len(s.access) + len(s.request) + len(s.dances)
	maps.DeleteFunc(s.access, func(_ TokenKey, t *AccessToken) bool { return !usableAccess(t, now) })
	maps.DeleteFunc(s.request, func(_ string, t *RequestToken) bool { return t.Expired(now) })
	maps.DeleteFunc(s.dances, func(_ string, d *PendingDance) bool { return d.Expired(now) })
	return len(s.access)+len(s.request)+len(s.dances) != n
}
