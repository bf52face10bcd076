package sealed

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/signer"
)

// Option configures [New].
type Option func(*store)

// AllowUnsealed lets the store read values that the inner store holds in
// the clear, for the migration of a store written without sealing: each
// token is sealed when it is next written (renewed, authorized again).
// Without it an unsealed value is an [*OpenError] wrapping [ErrNotSealed],
// so that a value written around the sealed store is noticed. Remove it
// once the migration is done.
func AllowUnsealed() Option { return func(s *store) { s.allowUnsealed = true } }

// Fields of a token that are sealed, as errors name them.
const (
	fieldSecret  = "secret"
	fieldRefresh = "refresh token"
	fieldHandle  = "session handle"
)

// New returns a token store that keeps its tokens in inner with their
// secrets sealed by keyring's active key (AES-256-GCM): the OAuth 1.0a
// token secret and session handle, the OAuth 2.0 bearer and refresh tokens,
// and request tokens' secrets. Everything else (token values, which are
// not secret, OAuth 2.0 fingerprints, times, scopes, keys) is stored as it
// is, so inner still finds, lists, expires and prunes tokens.
//
// Each sealed value is "v1.<key id>.<base64url(nonce|ciphertext)>", and is
// bound as associated data to the key id, the (link id, user) of its access
// token or the value, link id and user of its request token, and its field:
// a value copied onto another user, token or field does not open. Reading
// opens each value with the key its id names, so tokens sealed with an
// older key of the keyring are read, and written again with the active key
// (rotation without a flag day). A value that does not open, or that is
// stored in the clear (see [AllowUnsealed]), is an [*OpenError] naming the
// key id and the token: the token is never returned or used in the clear,
// nor deleted.
//
// The returned store implements [token.Locker] and [token.DanceStore]
// exactly when inner does, passing them through (pending dances hold no
// secret of the remote); when inner implements both and [token.Swapper],
// it is a Swapper too. It is safe for concurrent
// use if inner is, and never prints its keys.
//
// Random 96-bit nonces are safe for about 2^32 values sealed with one key:
// rotate keys long before (yearly, or when a key may have leaked).
func New(inner token.Store, keyring *Keyring, opts ...Option) (token.Store, error) {
	if inner == nil {
		return nil, errors.New("sealed: New needs the token store to seal")
	}
	if keyring == nil || len(keyring.keys) == 0 {
		return nil, errors.New("sealed: New needs a keyring: build one with NewKeyring, ParseKeyring, KeyringFromEnv or KeyringFromFile")
	}
	s := &store{inner: inner, keys: keyring}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	locker, isLocker := inner.(token.Locker)
	dances, isDances := inner.(token.DanceStore)
	swapper, isSwapper := inner.(token.Swapper)
	switch {
	case isLocker && isDances && isSwapper:
		return &fullStore{s, locker, dances, swapper}, nil
	case isLocker && isDances:
		return &lockerDanceStore{s, locker, dances}, nil
	case isLocker:
		return &lockerStore{s, locker}, nil
	case isDances:
		return &danceStore{s, dances}, nil
	}
	return s, nil
}

// store is the sealing [token.Store].
type store struct {
	inner         token.Store
	keys          *Keyring
	allowUnsealed bool
}

// The variants of store that pass the optional interfaces of inner through.
type (
	lockerStore struct {
		*store
		token.Locker
	}
	danceStore struct {
		*store
		token.DanceStore
	}
	lockerDanceStore struct {
		*store
		token.Locker
		token.DanceStore
	}
	// fullStore also swaps conditionally (token.Swapper), sealing first.
	fullStore struct {
		*store
		token.Locker
		token.DanceStore
		swapper token.Swapper
	}
)

// accessParts binds an access token's value to its key and field.
func accessParts(key token.Key, field string) []string {
	return []string{"access", key.LinkID, key.User, field}
}

// requestParts binds a request token's secret to the token.
func requestParts(t *token.RequestToken) []string {
	return []string{"request", t.Token, t.LinkID, t.User, fieldSecret}
}

// AccessToken returns the user's token for the link with its secrets
// opened, or the inner store's error, or an [*OpenError].
func (s *store) AccessToken(ctx context.Context, key token.Key) (*token.AccessToken, error) {
	t, err := s.inner.AccessToken(ctx, key)
	if err != nil || t == nil {
		return t, err
	}
	what := fmt.Sprintf("the access token of link %q, user %q", key.LinkID, key.User)
	open := func(v, field string) (string, error) {
		pt, id, err := s.keys.open(v, s.allowUnsealed, accessParts(key, field)...)
		if err != nil {
			return "", &OpenError{KeyID: id, What: what, Field: field, Err: err}
		}
		return pt, nil
	}
	secret, err := open(t.Secret.Reveal(), fieldSecret)
	if err != nil {
		return nil, err
	}
	refresh, err := open(t.RefreshToken.Reveal(), fieldRefresh)
	if err != nil {
		return nil, err
	}
	handle, err := open(t.SessionHandle.Reveal(), fieldHandle)
	if err != nil {
		return nil, err
	}
	out := t.Clone()
	out.Secret, out.RefreshToken, out.SessionHandle = token.NewSecret(secret), token.NewSecret(refresh), token.NewSecret(handle)
	return out, nil
}

// PutAccessToken seals the token's secrets with the active key and stores
// it in the inner store.
func (s *store) PutAccessToken(ctx context.Context, key token.Key, t *token.AccessToken) error {
	sealed, err := s.sealAccess(ctx, key, t)
	if err != nil {
		return err
	}
	return s.inner.PutAccessToken(ctx, key, sealed)
}

// SwapAccessToken seals the token's secrets and stores it in the inner
// store only if the token stored there is still the one whose Token is old
// (Token is stored as it is, so the inner store compares it); see
// [token.Swapper].
func (s *fullStore) SwapAccessToken(ctx context.Context, key token.Key, old string, t *token.AccessToken) error {
	sealed, err := s.sealAccess(ctx, key, t)
	if err != nil {
		return err
	}
	return s.swapper.SwapAccessToken(ctx, key, old, sealed)
}

// sealAccess validates t and returns a copy with its secrets sealed.
func (s *store) sealAccess(ctx context.Context, key token.Key, t *token.AccessToken) (*token.AccessToken, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := t.Validate(key); err != nil {
		return nil, err
	}
	secret, err := s.keys.seal(t.Secret.Reveal(), accessParts(key, fieldSecret)...)
	if err != nil {
		return nil, err
	}
	refresh, err := s.keys.seal(t.RefreshToken.Reveal(), accessParts(key, fieldRefresh)...)
	if err != nil {
		return nil, err
	}
	handle, err := s.keys.seal(t.SessionHandle.Reveal(), accessParts(key, fieldHandle)...)
	if err != nil {
		return nil, err
	}
	sealed := t.Clone()
	sealed.Secret, sealed.RefreshToken, sealed.SessionHandle = token.NewSecret(secret), token.NewSecret(refresh), token.NewSecret(handle)
	return sealed, nil
}

// DeleteAccessToken deletes the token from the inner store.
func (s *store) DeleteAccessToken(ctx context.Context, key token.Key) error {
	return s.inner.DeleteAccessToken(ctx, key)
}

// AccessTokens lists the inner store's keys.
func (s *store) AccessTokens(ctx context.Context) ([]token.Key, error) {
	return s.inner.AccessTokens(ctx)
}

// RequestToken returns the pending request token with its secret opened,
// or the inner store's error, or an [*OpenError].
func (s *store) RequestToken(ctx context.Context, value string) (*token.RequestToken, error) {
	t, err := s.inner.RequestToken(ctx, value)
	if err != nil || t == nil {
		return t, err
	}
	secret, id, err := s.keys.open(t.Secret.Reveal(), s.allowUnsealed, requestParts(t)...)
	if err != nil {
		return nil, &OpenError{KeyID: id, What: "request token " + signer.Abbrev(t.Token), Field: fieldSecret, Err: err}
	}
	out := *t
	out.Secret = token.NewSecret(secret)
	return &out, nil
}

// PutRequestToken seals the request token's secret and stores it in the
// inner store.
func (s *store) PutRequestToken(ctx context.Context, t *token.RequestToken) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return err
	}
	secret, err := s.keys.seal(t.Secret.Reveal(), requestParts(t)...)
	if err != nil {
		return err
	}
	sealed := *t
	sealed.Secret = token.NewSecret(secret)
	return s.inner.PutRequestToken(ctx, &sealed)
}

// DeleteRequestToken deletes the request token from the inner store.
func (s *store) DeleteRequestToken(ctx context.Context, value string) error {
	return s.inner.DeleteRequestToken(ctx, value)
}
