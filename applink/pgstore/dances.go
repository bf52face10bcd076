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

var _ token.DanceStore = (*Store)(nil)

// PutDance stores a pending dance of the web dance handler within limits
// (see [token.DanceStore]): every replica's handler sees it, so the
// callback may land on any of them. It runs in a transaction holding an
// advisory lock on the store's dances, so that replicas putting dances at
// once keep the limits; it first deletes the expired dances.
func (s *Store) PutDance(ctx context.Context, d *token.PendingDance, limits token.DanceLimits) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := d.Validate(); err != nil {
		return err
	}
	for _, x := range []struct{ field, value string }{
		{"state", d.State.Reveal()}, {"user", d.User}, {"link id", d.LinkID}, {"request token", d.RequestToken}, {"redirect", d.Redirect},
	} {
		if !storable(x.value) {
			return &TextError{Field: x.field}
		}
	}
	now := s.now()
	return s.run(ctx, nil, func(q querier) (err error) {
		tx, err := q.Begin(ctx)
		if err != nil {
			return fmt.Errorf("pgstore: storing a pending dance: %w", err)
		}
		defer func() {
			if err != nil {
				_ = tx.Rollback(context.WithoutCancel(ctx))
			}
		}()
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockID("dances", s.t.schema, s.t.prefix)); err != nil {
			return fmt.Errorf("pgstore: storing a pending dance: %w", err)
		}
		if _, err := tx.Exec(ctx, s.q.pruneDances, now); err != nil {
			return fmt.Errorf("pgstore: storing a pending dance: %w", err)
		}
		if limits.PerUser > 0 {
			if _, err := tx.Exec(ctx, s.q.evictDances, d.User, d.State.Reveal(), limits.PerUser-1); err != nil {
				return fmt.Errorf("pgstore: storing a pending dance: %w", err)
			}
		}
		if limits.Total > 0 {
			var others int
			if err := tx.QueryRow(ctx, s.q.countDances, d.State.Reveal()).Scan(&others); err != nil {
				return fmt.Errorf("pgstore: storing a pending dance: %w", err)
			}
			if others+1 > limits.Total {
				// Rolled back: the evictions too.
				return fmt.Errorf("%w (%d): try again when some have completed or expired", token.ErrTooManyDances, limits.Total)
			}
		}
		if _, err := tx.Exec(ctx, s.q.putDance, d.State.Reveal(), d.User, d.LinkID, d.RequestToken, d.Redirect,
			toDB(d.ExpiresAt), toDB(d.CreatedAt)); err != nil {
			return fmt.Errorf("pgstore: storing a pending dance: %w", err)
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("pgstore: storing a pending dance: %w", err)
		}
		return nil
	})
}

// TakeDance removes and returns the pending dance for state if user started
// it, in one statement, so that of concurrent takes on any replica exactly
// one gets it (see [token.DanceStore]).
func (s *Store) TakeDance(ctx context.Context, state, user string) (*token.PendingDance, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !storable(state) {
		return nil, danceNotFound(state)
	}
	now := s.now()
	var (
		d                token.PendingDance
		dstate           string
		expires, created *time.Time
	)
	err := s.run(ctx, nil, func(q querier) error {
		return q.QueryRow(ctx, s.q.takeDance, now, state, user).
			Scan(&dstate, &d.User, &d.LinkID, &d.RequestToken, &d.Redirect, &expires, &created)
	})
	if err == nil {
		d.State, d.ExpiresAt, d.CreatedAt = token.NewSecret(dstate), fromDB(expires), fromDB(created)
		return &d, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("pgstore: taking a pending dance: %w", err)
	}
	// Not taken: absent, expired, or another user's.
	var owner string
	err = s.run(ctx, nil, func(q querier) error {
		return q.QueryRow(ctx, s.q.danceOwner, now, state).Scan(&owner)
	})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, danceNotFound(state)
	case err != nil:
		return nil, fmt.Errorf("pgstore: taking a pending dance: %w", err)
	case owner != user:
		return nil, &token.DanceMismatchError{User: user}
	}
	// Its user took it meanwhile.
	return nil, danceNotFound(state)
}

// DeleteDance removes the pending dance for state; removing an absent one
// is not an error.
func (s *Store) DeleteDance(ctx context.Context, state string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !storable(state) {
		return nil
	}
	if err := s.run(ctx, nil, func(q querier) error {
		_, err := q.Exec(ctx, s.q.deleteDance, state)
		return err
	}); err != nil {
		return fmt.Errorf("pgstore: deleting a pending dance: %w", err)
	}
	return nil
}

func danceNotFound(state string) error {
	return fmt.Errorf("%w %s (unknown, expired or already used)", token.ErrDanceNotFound, signer.Abbrev(state))
}
