package pgstore

import (
	"context"
	"errors"
	"fmt"
	"github.com/go-applinks/applinks/applink/token"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// querier is what the store's statements run on: the pool, or one of its
// connections (a renewal lock's, or a fresh one).
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Begin(ctx context.Context) (pgx.Tx, error)
}

var (
	_ querier = (*pgxpool.Pool)(nil)
	_ querier = (*pgxpool.Conn)(nil)
)

// run runs f on the connection of the renewal lock this store holds on
// *key, if any (so that a lock holder needs no second connection), else on
// the pool. When a pooled connection turns out to be one the server ended
// (a restart or failover: SQLSTATE 57P01), f runs once more on a fresh
// connection; f's statements are each a single idempotent statement or a
// transaction, which the server did not commit.
func (s *Store) run(ctx context.Context, key *token.Key, f func(q querier) error) error {
	if key != nil {
		if conn, done := s.heldConn(*key); conn != nil {
			defer done()
			return f(conn)
		}
	}
	err := f(s.pool)
	if !shutdown(err) {
		return err
	}
	conn, ferr := s.freshConn(ctx)
	if ferr != nil {
		return err
	}
	defer conn.Release()
	return f(conn)
}

// freshConn returns a connection of the pool that answers a ping, dropping
// the ones the server ended: after a restart, every idle connection of the
// pool may be dead.
func (s *Store) freshConn(ctx context.Context) (*pgxpool.Conn, error) {
	var err error
	for range s.pool.Stat().TotalConns() + 1 {
		var conn *pgxpool.Conn
		if conn, err = s.pool.Acquire(ctx); err != nil {
			return nil, err
		}
		if err = conn.Ping(ctx); err == nil {
			return conn, nil
		}
		if !conn.Conn().IsClosed() {
			conn.Release()
			return nil, err
		}
		conn.Release() // closed: the pool drops it
	}
	return nil, fmt.Errorf("no connection of the pool answers: %w", err)
}

// shutdown reports whether err says the server ended the connection's
// session before running the statement: an administrator's or a restart's
// termination (SQLSTATE 57P01), or a failure pgconn knows happened before
// anything was sent.
func shutdown(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "57P01"
	}
	return pgconn.SafeToRetry(err)
}
