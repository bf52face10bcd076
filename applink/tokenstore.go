package applink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-applinks/applinks/signer"
)

// ErrTokenNotFound is returned by a [TokenStore] when it holds no (unexpired)
// token for what was asked.
var ErrTokenNotFound = errors.New("applink: no token stored")

// AccessToken is a user's access token for one link, as the remote issued it
// at the end of the 3-legged dance. It never prints its secret.
type AccessToken struct {
	// Token is the token value (oauth_token).
	Token string
	secret string
	// ExpiresAt is when the token stops working (from oauth_expires_in);
	// zero means unknown.
	ExpiresAt time.Time
	// SessionHandle renews the token (oauth_session_handle); "" when the
	// remote gave none.
	SessionHandle string
	// AuthorizationExpiresAt is when renewal stops working (from
	// oauth_authorization_expires_in); zero means unknown.
	AuthorizationExpiresAt time.Time
	// CreatedAt is when the token was obtained.
	CreatedAt time.Time
}

// NewAccessToken returns an access token with its value and secret; set the
// other fields as known.
func NewAccessToken(token, secret string) *AccessToken {
	return &AccessToken{Token: token, secret: secret}
}

// Secret returns the token secret. Keep it out of logs.
func (t *AccessToken) Secret() string { return t.secret }

// SignerToken returns the token in the form [signer.Params] takes.
func (t *AccessToken) SignerToken() signer.Token { return signer.NewToken(t.Token, t.secret) }

// Expired reports whether the token has expired at now.
func (t *AccessToken) Expired(now time.Time) bool {
	return !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)
}

// Renewable reports whether the token can be renewed at now with its session
// handle.
func (t *AccessToken) Renewable(now time.Time) bool {
	return t.SessionHandle != "" && (t.AuthorizationExpiresAt.IsZero() || now.Before(t.AuthorizationExpiresAt))
}

// String describes the token without its secret or session handle.
func (t *AccessToken) String() string {
	if t == nil {
		return "AccessToken(nil)"
	}
	exp := "no expiry"
	if !t.ExpiresAt.IsZero() {
		exp = "expires " + t.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("AccessToken(%s, %s, secret redacted)", signer.Abbrev(t.Token), exp)
}

// GoString is [AccessToken.String].
func (t *AccessToken) GoString() string { return t.String() }

// LogValue keeps secrets out of slog output.
func (t *AccessToken) LogValue() slog.Value { return slog.StringValue(t.String()) }

// RequestToken is a pending request token of the 3-legged dance: obtained
// from the remote, waiting for the user to approve it. It never prints its
// secret.
type RequestToken struct {
	// Token is the request token value (oauth_token).
	Token string
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

// String describes the token without its secret.
func (t *RequestToken) String() string {
	if t == nil {
		return "RequestToken(nil)"
	}
	return fmt.Sprintf("RequestToken(%s, link %s, user %q, secret redacted)", signer.Abbrev(t.Token), t.LinkID, t.User)
}

// GoString is [RequestToken.String].
func (t *RequestToken) GoString() string { return t.String() }

// LogValue keeps secrets out of slog output.
func (t *RequestToken) LogValue() slog.Value { return slog.StringValue(t.String()) }

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
