package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/signer"
	"github.com/jackc/pgx/v5"
)

// RequestToken returns a pending request token by its value, or an error
// wrapping [applink.ErrTokenNotFound] if it is unknown or has expired.
func (s *Store) RequestToken(ctx context.Context, token string) (*applink.RequestToken, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !storable(token) {
		return nil, requestNotFound(token)
	}
	var (
		value, secret, link, user, callback string
		expires, created                    *time.Time
	)
	err := s.run(ctx, nil, func(q querier) error {
		return q.QueryRow(ctx, s.q.getRequest, s.now(), token).
			Scan(&value, &secret, &link, &user, &callback, &expires, &created)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, requestNotFound(token)
	}
	if err != nil {
		return nil, fmt.Errorf("pgstore: reading request token %s: %w", signer.Abbrev(token), err)
	}
	t := applink.NewRequestToken(value, secret)
	t.LinkID, t.User, t.Callback = link, user, callback
	t.ExpiresAt, t.CreatedAt = fromDB(expires), fromDB(created)
	return t, nil
}

// PutRequestToken stores a pending request token, which needs a token
// value. Expired ones are deleted by [Store.Prune].
func (s *Store) PutRequestToken(ctx context.Context, t *applink.RequestToken) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validateRequest(t); err != nil {
		return err
	}
	err := s.run(ctx, nil, func(q querier) error {
		_, err := q.Exec(ctx, s.q.putRequest, t.Token, t.Secret(), t.LinkID, t.User, t.Callback,
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
func (s *Store) DeleteRequestToken(ctx context.Context, token string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !storable(token) {
		return nil
	}
	if err := s.run(ctx, nil, func(q querier) error {
		_, err := q.Exec(ctx, s.q.deleteRequest, token)
		return err
	}); err != nil {
		return fmt.Errorf("pgstore: deleting request token %s: %w", signer.Abbrev(token), err)
	}
	return nil
}

func requestNotFound(token string) error {
	return fmt.Errorf("%w: request token %s", applink.ErrTokenNotFound, signer.Abbrev(token))
}

// validateRequest refuses what the other stores refuse
// ([applink.ValidateRequestToken]), and text PostgreSQL cannot hold.
func validateRequest(t *applink.RequestToken) error {
	if err := applink.ValidateRequestToken(t); err != nil {
		return err
	}
	for _, x := range []struct{ field, value string }{
		{"request token", t.Token}, {"request token secret", t.Secret()}, {"link id", t.LinkID},
		{"user", t.User}, {"callback", t.Callback},
	} {
		if !storable(x.value) {
			return &TextError{Field: x.field}
		}
	}
	return nil
}
