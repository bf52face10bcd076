package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-applinks/applinks/applink"
	"github.com/jackc/pgx/v5"
)

// AccessToken returns the user's token for the link, or an error wrapping
// [applink.ErrTokenNotFound]. An expired token counts as absent unless it
// can be renewed (a session handle whose authorization has not expired, or
// a refresh token), as the [applink.TokenStore] contract says. It is one
// query on the primary key: one round trip.
func (s *Store) AccessToken(ctx context.Context, key applink.TokenKey) (*applink.AccessToken, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !storable(key.LinkID) || !storable(key.User) {
		// PostgreSQL text cannot hold it, so no such token was stored.
		return nil, accessNotFound(key)
	}
	var (
		kind, token, secret, refresh, handle string
		expires, authExpires, created        *time.Time
		scopes                               []string
	)
	err := s.run(ctx, &key, func(q querier) error {
		return q.QueryRow(ctx, s.q.getAccess, s.now(), key.LinkID, key.User).
			Scan(&kind, &token, &secret, &refresh, &handle, &expires, &authExpires, &scopes, &created)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, accessNotFound(key)
	}
	if err != nil {
		return nil, fmt.Errorf("pgstore: reading the access token for link %q, user %q: %w", key.LinkID, key.User, err)
	}
	var t *applink.AccessToken
	switch applink.TokenKind(kind) {
	case applink.KindOAuth2:
		t = applink.NewOAuth2AccessToken(secret, refresh)
	case applink.KindOAuth1:
		t = applink.NewAccessToken(token, secret)
	default:
		return nil, fmt.Errorf("pgstore: the access token for link %q, user %q has unknown kind %q: was it written by a newer program?", key.LinkID, key.User, kind)
	}
	// The stored value, not one recomputed: a sealed store (sealed.New
	// wrapping this one) stores a sealed bearer token.
	t.Token = token
	t.SessionHandle = handle
	t.ExpiresAt = fromDB(expires)
	t.AuthorizationExpiresAt = fromDB(authExpires)
	t.Scopes = scopes
	t.CreatedAt = fromDB(created)
	return t, nil
}

// PutAccessToken stores (replaces) the user's token for the link. The key
// needs a link id and a user, and t a token value (and, for OAuth 2.0, its
// bearer token).
func (s *Store) PutAccessToken(ctx context.Context, key applink.TokenKey, t *applink.AccessToken) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validateAccess(key, t); err != nil {
		return err
	}
	kind := t.Kind
	if kind == "" {
		kind = applink.KindOAuth1
	}
	err := s.run(ctx, &key, func(q querier) error {
		_, err := q.Exec(ctx, s.q.putAccess, key.LinkID, key.User,
			string(kind), t.Token, t.Secret(), t.RefreshToken(), t.SessionHandle,
			toDB(t.ExpiresAt), toDB(t.AuthorizationExpiresAt), t.Scopes, toDB(t.CreatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("pgstore: storing the access token for link %q, user %q: %w", key.LinkID, key.User, err)
	}
	return nil
}

// DeleteAccessToken removes the user's token for the link; removing an
// absent token is not an error.
func (s *Store) DeleteAccessToken(ctx context.Context, key applink.TokenKey) error {
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
func (s *Store) AccessTokens(ctx context.Context) ([]applink.TokenKey, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var keys []applink.TokenKey
	err := s.run(ctx, nil, func(q querier) error {
		rows, err := q.Query(ctx, s.q.listAccess, s.now())
		if err != nil {
			return err
		}
		keys, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (applink.TokenKey, error) {
			var k applink.TokenKey
			err := row.Scan(&k.LinkID, &k.User)
			return k, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pgstore: listing access tokens: %w", err)
	}
	if keys == nil {
		keys = []applink.TokenKey{}
	}
	return keys, nil
}

func accessNotFound(key applink.TokenKey) error {
	return fmt.Errorf("%w: access token for link %q, user %q", applink.ErrTokenNotFound, key.LinkID, key.User)
}

// validateAccess refuses what the other stores refuse
// ([applink.ValidateAccessToken]), and text PostgreSQL cannot hold.
func validateAccess(key applink.TokenKey, t *applink.AccessToken) error {
	if err := applink.ValidateAccessToken(key, t); err != nil {
		return err
	}
	texts := []struct{ field, value string }{
		{"link id", key.LinkID}, {"user", key.User}, {"token", t.Token}, {"token secret", t.Secret()},
		{"refresh token", t.RefreshToken()}, {"session handle", t.SessionHandle},
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
