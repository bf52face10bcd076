package pgstore

import (
	"context"
	"errors"
	"fmt"
	"github.com/go-applinks/applinks/applink/token"
	"time"

	"github.com/go-applinks/applinks/signer"
	"github.com/jackc/pgx/v5"
)

// RequestToken returns a pending request token by its value, or an error
// wrapping [token.ErrNotFound] if it is unknown or has expired.
func (s *Store) RequestToken(ctx context.Context, tokenValue string) (*token.RequestToken, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !storable(tokenValue) {
		return nil, requestNotFound(tokenValue)
	}
	var (
		value, secret, link, user, callback string
		expires, created                    *time.Time
	)
	err := s.run(ctx, nil, func(q querier) error {
		return q.QueryRow(ctx, s.q.getRequest, s.now(), tokenValue).
			Scan(&value, &secret, &link, &user, &callback, &expires, &created)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, requestNotFound(tokenValue)
	}
	if err != nil {
		return nil, fmt.Errorf("pgstore: reading request token %s: %w", signer.Abbrev(tokenValue), err)
	}
	t := token.NewRequestToken(value, secret)
	t.LinkID, t.User, t.Callback = link, user, callback
	t.ExpiresAt, t.CreatedAt = fromDB(expires), fromDB(created)
	return t, nil
}

// PutRequestToken stores a pending request token, which needs a token
// value. Expired ones are deleted by [Store.Prune].
func (s *Store) PutRequestToken(ctx context.Context, t *token.RequestToken) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validateRequest(t); err != nil {
		return err
	}
	err := s.run(ctx, nil, func(q querier) error {
		_, err := q.Exec(ctx, s.q.putRequest, t.Token, t.Secret.Reveal(), t.LinkID, t.User, t.Callback,
			toDB(t.ExpiresAt), toDB(t.CreatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("pgstore: storing request token %s: %w", signer.Abbrev(t.Token), err)
	}
	return nil
}

// DeleteRequestToken removes a pending request token; removing an absent
// one is not an error.
func (s *Store) DeleteRequestToken(ctx context.Context, tokenValue string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !storable(tokenValue) {
		return nil
	}
	if err := s.run(ctx, nil, func(q querier) error {
		_, err := q.Exec(ctx, s.q.deleteRequest, tokenValue)
		return err
	}); err != nil {
		return fmt.Errorf("pgstore: deleting request token %s: %w", signer.Abbrev(tokenValue), err)
	}
	return nil
}

func requestNotFound(tokenValue string) error { return token.RequestNotFound(tokenValue) }

// validateRequest refuses what the other stores refuse
// ([token.RequestToken.Validate]), and text PostgreSQL cannot hold.
func validateRequest(t *token.RequestToken) error {
	if err := t.Validate(); err != nil {
		return err
	}
	for _, x := range []struct{ field, value string }{
		{"request token", t.Token}, {"request token secret", t.Secret.Reveal()}, {"link id", t.LinkID},
		{"user", t.User}, {"callback", t.Callback},
	} {
		if !storable(x.value) {
			return &TextError{Field: x.field}
		}
	}
	return nil
}
