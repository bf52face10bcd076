package pgstore

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// PruneResult counts what [Store.Prune] deleted.
type PruneResult struct {
	// AccessTokens are expired access tokens that cannot be renewed.
	AccessTokens int64
	// RequestTokens are expired pending request tokens.
	RequestTokens int64
	// Dances are expired pending dances of the web dance handler.
	Dances int64
}

// Prune deletes, in bulk, every row the store already treats as absent:
// expired access tokens that cannot be renewed, expired request tokens and
// expired pending dances. Expired means by the database's clock (now() in
// SQL) and by the store's ([WithClock]) alike, so that a replica whose
// clock runs ahead never deletes a token the others still use, and nothing
// it deletes could have been read. It runs in one transaction.
func (s *Store) Prune(ctx context.Context) (PruneResult, error) {
	now := s.now()
	var r PruneResult
	err := s.run(ctx, nil, func(q querier) error {
		tx, err := q.Begin(ctx)
		if err != nil {
			return fmt.Errorf("pgstore: pruning: %w", err)
		}
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
		r = PruneResult{}
		tag, err := tx.Exec(ctx, s.q.pruneAccess, now)
		if err != nil {
			return fmt.Errorf("pgstore: pruning access tokens: %w", err)
		}
		r.AccessTokens = tag.RowsAffected()
		tag, err = tx.Exec(ctx, s.q.pruneRequest, now)
		if err != nil {
			return fmt.Errorf("pgstore: pruning request tokens: %w", err)
		}
		r.RequestTokens = tag.RowsAffected()
		tag, err = tx.Exec(ctx, s.q.pruneDances, now)
		if err != nil {
			return fmt.Errorf("pgstore: pruning pending dances: %w", err)
		}
		r.Dances = tag.RowsAffected()
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("pgstore: pruning: %w", err)
		}
		return nil
	})
	if err != nil {
		return PruneResult{}, err
	}
	return r, nil
}

// pruneLoop prunes on every tick until ctx is done.
func (s *Store) pruneLoop(ctx context.Context, o options) {
	defer close(s.done)
	ticks := o.pruneTicks
	if ticks == nil {
		tk := time.NewTicker(o.pruneEvery)
		defer tk.Stop()
		ticks = tk.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
		}
		r, err := s.Prune(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.logger.LogAttrs(ctx, slog.LevelWarn, "pgstore: scheduled pruning failed; retrying at the next interval",
				slog.String("store", s.String()), slog.String("error", err.Error()))
		case err == nil:
			s.logger.LogAttrs(ctx, slog.LevelDebug, "pgstore: pruned expired tokens",
				slog.String("store", s.String()), slog.Int64("access_tokens", r.AccessTokens), slog.Int64("request_tokens", r.RequestTokens), slog.Int64("dances", r.Dances))
		}
		if o.afterPrune != nil {
			o.afterPrune(r, err)
		}
	}
}
