package pgstore

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/internal/pgtest"
	"github.com/jackc/pgx/v5/pgxpool"
)

// twoReplicas returns two stores on one schema through two pools, as two
// replicas of a service would have.
func twoReplicas(t *testing.T) (a, b *Store) {
	t.Helper()
	url := pgtest.NewDatabase(t)
	a, err := New(t.Context(), pgtest.Pool(t, url), WithSchema("fleet"))
	if err != nil {
		t.Fatal(err)
	}
	b, err = New(t.Context(), pgtest.Pool(t, url), WithSchema("fleet"))
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

func TestLockTokenExcludesAcrossPools(t *testing.T) {
	t.Parallel()
	a, b := twoReplicas(t)
	ctx := t.Context()
	stores := []*Store{a, b}
	const workers, rounds = 6, 10
	var (
		mu      sync.Mutex
		holders int
		most    int
		wg      sync.WaitGroup
	)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				unlock, err := stores[i%2].LockToken(ctx, key)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				holders++
				most = max(most, holders)
				mu.Unlock()
				// Let the others queue up on the server while we hold it.
				if _, err := stores[i%2].AccessToken(ctx, key); !errors.Is(err, applink.ErrTokenNotFound) {
					t.Error(err)
				}
				mu.Lock()
				holders--
				mu.Unlock()
				unlock()
			}
		}()
	}
	wg.Wait()
	if most != 1 {
		t.Errorf("%d holders at once, want 1", most)
	}
}

func TestLockTokenKeysIndependent(t *testing.T) {
	t.Parallel()
	a, b := twoReplicas(t)
	ctx := t.Context()
	unlock, err := a.LockToken(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	// Another user, another link, and a key whose parts run together
	// differently must not wait for it.
	for _, k := range []applink.TokenKey{key2, {LinkID: "other", User: key.User}, {LinkID: key.LinkID + key.User[:1], User: key.User[1:]}} {
		u, err := b.LockToken(ctx, k)
		if err != nil {
			t.Fatalf("LockToken(%v) while %v is locked: %v", k, key, err)
		}
		u()
	}
}

func TestLockTokenWaitHonorsContext(t *testing.T) {
	t.Parallel()
	a, b := twoReplicas(t)
	unlock, err := a.LockToken(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() {
		u, err := b.LockToken(ctx, key)
		if err == nil {
			u()
		}
		errc <- err
	}()
	waitForLockWaiters(t, a, 1)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("LockToken after cancel: %v, want context.Canceled", err)
	}
	// The server gave up the wait: nobody waits for the lock any more.
	waitForLockWaiters(t, a, 0)
	unlock()
	// And b can still lock (its connection and semaphore were released).
	for range cap(b.locks) + 1 {
		u, err := b.LockToken(t.Context(), key)
		if err != nil {
			t.Fatal(err)
		}
		u()
	}
}

func TestLockTokenReleasedWhenContextEnds(t *testing.T) {
	t.Parallel()
	a, b := twoReplicas(t)
	ctx, cancel := context.WithCancel(t.Context())
	unlock, err := a.LockToken(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	cancel() // the holder's request is over, but it never called unlock
	u, err := b.LockToken(t.Context(), key)
	if err != nil {
		t.Fatalf("the lock outlived its holder's context: %v", err)
	}
	u()
	unlock() // late and twice: harmless
	unlock()
}

func TestLockTokenReleasedWhenHolderDisconnects(t *testing.T) {
	t.Parallel()
	a, b := twoReplicas(t)
	unlock, err := a.LockToken(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	// As if the replica died: the server loses its session.
	var killed bool
	if err := b.pool.QueryRow(t.Context(), `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&killed); err != nil || !killed {
		t.Fatalf("terminating the holder's session: %v, %v", killed, err)
	}
	u, err := b.LockToken(t.Context(), key)
	if err != nil {
		t.Fatalf("the lock outlived its holder's session: %v", err)
	}
	u()
	unlock() // on a dead connection: returns, and frees the connection
	u, err = a.LockToken(t.Context(), key)
	if err != nil {
		t.Fatalf("locking again after the holder's session died: %v", err)
	}
	u()
}

// waitForLockWaiters waits until n sessions wait for an advisory lock.
func waitForLockWaiters(t *testing.T, s *Store, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for {
		var got int
		err := s.pool.QueryRow(ctx, `SELECT count(*) FROM pg_locks
			WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&got)
		if err != nil {
			t.Fatalf("waiting for %d lock waiters: %v", n, err)
		}
		if got == n {
			return
		}
		// Poll the server: there is no notification for lock waits.
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %d lock waiters: still %d", n, got)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// TestLockHolderFindsAConnection: on a pool of 2 connections, a second
// LockToken of the held key waits without taking the last connection, so
// the holder can still read and write (else: a deadlock until timeout).
func TestLockHolderFindsAConnection(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 2
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	s := newTestStore(t, pool)
	unlock, err := s.LockToken(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock() // on failure too, before the pool closes
	waiter := make(chan error, 1)
	go func() {
		u, err := s.LockToken(t.Context(), key)
		if err == nil {
			u()
		}
		waiter <- err
	}()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for range 3 {
		if err := s.PutAccessToken(ctx, key, applink.NewAccessToken("t", "s")); err != nil {
			t.Fatalf("the lock holder's write: %v", err)
		}
		if _, err := s.AccessToken(ctx, key); err != nil {
			t.Fatalf("the lock holder's read: %v", err)
		}
	}
	unlock()
	if err := <-waiter; err != nil {
		t.Errorf("the waiting LockToken: %v", err)
	}
}
