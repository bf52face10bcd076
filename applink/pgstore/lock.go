package pgstore

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// LockToken locks the user's token for the link across every process that
// shares the database, and returns the function that unlocks it. Renewals
// take it so that replicas that all see a token expire renew it once.
//
// The lock is a transaction-scoped advisory lock (pg_advisory_xact_lock on
// a hash of the schema, prefix, link id and user) held by a transaction on
// a connection of its own, which unlock ends; if the process dies the
// database ends the transaction and the lock with it. Waiting honors ctx:
// when ctx is done first, the wait is canceled at the server and LockToken
// returns ctx's error. When ctx is done while the lock is held, the lock is
// released, so a holder that forgets to unlock cannot keep it past its
// context. unlock may be called more than once.
//
// At most the pool's MaxConns-1 locks are held at once by one store, so
// that their holders' reads and writes always find a connection.
func (s *Store) LockToken(ctx context.Context, key applink.TokenKey) (unlock func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case s.locks <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	release := func() { <-s.locks }
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		release()
		return nil, fmt.Errorf("pgstore: locking the token of link %q, user %q: %w", key.LinkID, key.User, err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		conn.Release()
		release()
		return nil, fmt.Errorf("pgstore: locking the token of link %q, user %q: %w", key.LinkID, key.User, err)
	}
	if err := waitLock(ctx, conn, tx, lockID("token", s.t.schema, s.t.prefix, key.LinkID, key.User)); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		conn.Release()
		release()
		return nil, fmt.Errorf("pgstore: locking the token of link %q, user %q: %w", key.LinkID, key.User, err)
	}
	var once sync.Once
	end := func() {
		once.Do(func() {
			// Ending the transaction releases the lock; if that fails the
			// connection is closed, which releases it too.
			ectx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if err := tx.Rollback(ectx); err != nil {
				_ = conn.Conn().Close(ectx)
			}
			conn.Release()
			release()
		})
	}
	stop := context.AfterFunc(ctx, end)
	return func() {
		stop()
		end()
	}, nil
}

// waitLock takes the advisory lock id in tx. If ctx is done while it waits,
// it asks the server to cancel the wait (rather than dropping the
// connection, which would leave the server waiting to grant a lock nobody
// wants) and returns ctx's error, also when the lock was granted just
// before the cancel request arrived: the caller then ends tx.
func waitLock(ctx context.Context, conn *pgxpool.Conn, tx pgx.Tx, id int64) error {
	done := make(chan struct{})
	sent := make(chan bool, 1)
	go func() {
		select {
		case <-done:
			sent <- false
		case <-ctx.Done():
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			_ = conn.Conn().PgConn().CancelRequest(cctx)
			sent <- true
		}
	}()
	_, err := tx.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_xact_lock($1)`, id)
	close(done)
	if <-sent {
		return ctx.Err()
	}
	return err
}
