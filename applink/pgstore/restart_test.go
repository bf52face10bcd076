package pgstore

import (
	"context"
	"github.com/go-applinks/applinks/applink/token"
	"testing"
	"time"

	"github.com/go-applinks/applinks/internal/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestServerEndedIdleConnections: when the server has ended every idle
// connection of the pool (a restart, a failover, pg_terminate_backend), the
// next store calls succeed: a call that meets a dead connection (SQLSTATE
// 57P01) runs once more on a fresh one. The pool never pings before use,
// as a caller's pool may be configured, so every call meets a dead one.
func TestServerEndedIdleConnections(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	pool := sizedPool(t, url, 4, func(cfg *pgxpool.Config) {
		cfg.ShouldPing = func(context.Context, pgxpool.ShouldPingParams) bool { return false }
	})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	s := newTestStore(t, pool)
	if err := s.PutAccessToken(ctx, key, token.NewAccessToken("t", "s")); err != nil {
		t.Fatal(err)
	}
	for _, call := range []struct {
		name string
		f    func() error
	}{
		{"AccessToken", func() error { _, err := s.AccessToken(ctx, key); return err }},
		{"PutAccessToken", func() error { return s.PutAccessToken(ctx, key, token.NewAccessToken("t2", "s")) }},
		{"AccessTokens", func() error { _, err := s.AccessTokens(ctx); return err }},
		{"Prune", func() error { _, err := s.Prune(ctx); return err }},
		{"PutDance", func() error {
			return s.PutDance(ctx, &token.PendingDance{State: token.NewSecret("st"), User: "u", LinkID: "l"}, token.DanceLimits{})
		}},
		{"LockToken", func() error {
			unlock, err := s.LockToken(ctx, key)
			if err == nil {
				unlock.Unlock()
			}
			return err
		}},
	} {
		fillAndEnd(t, ctx, pool, url)
		if err := call.f(); err != nil {
			t.Errorf("%s after the server ended the pool's connections: %v", call.name, err)
		}
	}
}

// fillAndEnd opens every connection of pool, leaves them idle, and has the
// server end them all.
func fillAndEnd(t *testing.T, ctx context.Context, pool *pgxpool.Pool, url string) {
	t.Helper()
	var conns []*pgxpool.Conn
	for range pool.Config().MaxConns {
		c, err := pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Release()
	}
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	// Wait until they are gone (termination is asynchronous).
	for {
		var left int
		if err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d sessions still alive after pg_terminate_backend", left)
		case <-time.After(5 * time.Millisecond):
		}
	}
}
