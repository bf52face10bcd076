package pgstore

import (
	"context"
	"errors"
	"fmt"
	"github.com/go-applinks/applinks/applink/token"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// AccessToken returns the user's token for the link, or an error wrapping
// [token.ErrNotFound]. An expired token counts as absent unless it
// can be renewed (a session handle whose authorization has not expired, or
// a refresh token), as the [token.Store] contract says. It is one
// query on the primary key: one round trip.
func (s *Store) AccessToken(ctx context.Context, key token.Key) (*token.AccessToken, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !storable(key.LinkID) || !storable(key.User) {
		// PostgreSQL text cannot hold it, so no such token was stored.
		return nil, accessNotFound(key)
	}
	var (
		kind, value, secret, refresh, handle string
		expires, authExpires, created        *time.Time
		scopes                               []string
	)
	err := s.run(ctx, &key, func(q querier) error {
		return q.QueryRow(ctx, s.q.getAccess, s.now(), key.LinkID, key.User).
			Scan(&kind, &value, &secret, &refresh, &handle, &expires, &authExpires, &scopes, &created)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, accessNotFound(key)
	}
	if err != nil {
		return nil, fmt.Errorf("pgstore: reading the access token for link %q, user %q: %w", key.LinkID, key.User, err)
	}
	var t *token.AccessToken
	switch token.Kind(kind) {
	case token.KindOAuth2:
		t = token.NewOAuth2AccessToken(secret, refresh)
	case token.KindPAT:
		t = token.NewPATAccessToken(secret)
	case token.KindOAuth1:
		t = token.NewAccessToken(value, secret)
	default:
		return nil, fmt.Errorf("pgstore: the access token for link %q, user %q has unknown kind %q: was it written by a newer program?", key.LinkID, key.User, kind)
	}
	// The stored value, not one recomputed: a sealed store (sealed.New
	// wrapping this one) stores a sealed bearer token.
	t.Token = value
	t.SessionHandle = token.NewSecret(handle)
	t.ExpiresAt = fromDB(expires)
	t.AuthorizationExpiresAt = fromDB(authExpires)
	t.Scopes = scopes
	t.CreatedAt = fromDB(created)
	return t, nil
}

// PutAccessToken stores (replaces) the user's token for the link. The key
// needs a link id and a user, and t a token value (and, for OAuth 2.0, its
// bearer token).
func (s *Store) PutAccessToken(ctx context.Context, key token.Key, t *token.AccessToken) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validateAccess(key, t); err != nil {
		return err
	}
	kind := t.Kind
	if kind == "" {
		kind = token.KindOAuth1
	}
	err := s.run(ctx, &key, func(q querier) error {
		_, err := q.Exec(ctx, s.q.putAccess, key.LinkID, key.User,
			string(kind), t.Token, t.Secret.Reveal(), t.RefreshToken.Reveal(), t.SessionHandle.Reveal(),
			toDB(t.ExpiresAt), toDB(t.AuthorizationExpiresAt), t.Scopes, toDB(t.CreatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("pgstore: storing the access token for link %q, user %q: %w", key.LinkID, key.User, err)
	}
	return nil
}

// SwapAccessToken stores tok for key only if the token stored for key is
// still (and usable as) the one whose Token is old, in one conditional
// UPDATE (on the lock's connection while this store holds key's lock);
// otherwise it returns an error wrapping [token.ErrTokenChanged] and
// writes nothing. See [token.Swapper].
func (s *Store) SwapAccessToken(ctx context.Context, key token.Key, old string, tok *token.AccessToken) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validateAccess(key, tok); err != nil {
		return err
	}
	if !storable(old) {
		return token.Changed(key)
	}
	kind := tok.Kind
	if kind == "" {
		kind = token.KindOAuth1
	}
	var swapped bool
	err := s.run(ctx, &key, func(q querier) error {
		tag, err := q.Exec(ctx, s.q.swapAccess, s.now(), key.LinkID, key.User, old,
			string(kind), tok.Token, tok.Secret.Reveal(), tok.RefreshToken.Reveal(), tok.SessionHandle.Reveal(),
			toDB(tok.ExpiresAt), toDB(tok.AuthorizationExpiresAt), tok.Scopes, toDB(tok.CreatedAt))
		swapped = err == nil && tag.RowsAffected() > 0
		return err
	})
	if err != nil {
		return fmt.Errorf("pgstore: storing the renewed access token for link %q, user %q: %w", key.LinkID, key.User, err)
	}
	if !swapped {
		return token.Changed(key)
	}
	return nil
}

// DeleteAccessToken removes the user's token for the link; removing an
// absent token is not an error.
func (s *Store) DeleteAccessToken(ctx context.Context, key token.Key) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !storable(key.LinkID) || !storable(key.User) {
		return nil
	}
	if err := s.run(ctx, &key, func(q querier) error {
		_, err := q.Exec(ctx, s.q.deleteAccess, key.LinkID, key.User)
		return err
	}); err != nil {
		return fmt.Errorf("pgstore: deleting the access token for link %q, user %q: %w", key.LinkID, key.User, err)
	}
	return nil
}

// AccessTokens lists the keys of the stored access tokens that are present
// (unexpired or renewable), sorted by link id then user (bytewise, as Go
// compares strings).
func (s *Store) AccessTokens(ctx context.Context) ([]token.Key, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var keys []token.Key
	err := s.run(ctx, nil, func(q querier) error {
		rows, err := q.Query(ctx, s.q.listAccess, s.now())
		if err != nil {
			return err
		}
		keys, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (token.Key, error) {
			var k token.Key
			err := row.Scan(&k.LinkID, &k.User)
			return k, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pgstore: listing access tokens: %w", err)
	}
	if keys == nil {
		keys = []token.Key{}
	}
	return keys, nil
}

func accessNotFound(key token.Key) error { return token.AccessNotFound(key) }

// validateAccess refuses what the other stores refuse
// ([token.AccessToken.Validate]), and text PostgreSQL cannot hold.
func validateAccess(key token.Key, t *token.AccessToken) error {
	if err := t.Validate(key); err != nil {
		return err
	}
	texts := []struct{ field, value string }{
		{"link id", key.LinkID}, {"user", key.User}, {"token", t.Token}, {"token secret", t.Secret.Reveal()},
		{"refresh token", t.RefreshToken.Reveal()}, {"session handle", t.SessionHandle.Reveal()},
	}
	for _, s := range t.Scopes {
		texts = append(texts, struct{ field, value string }{"scope", s})
	}
	for _, x := range texts {
		if !storable(x.value) {
			return &TextError{Field: x.field}
		}
	}
	return nil
}

// storable reports whether PostgreSQL text can hold s.
func storable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// toDB stores the zero time as NULL.
func toDB(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// fromDB reads NULL as the zero time, and any other time in UTC.
func fromDB(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
