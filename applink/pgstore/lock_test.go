package pgstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/pgtest"
	"github.com/jackc/pgx/v5"
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
	// Bounded: a lock never released fails the test instead of hanging it.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
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
					t.Errorf("LockToken (the test gives up after 2m): %v", err)
					return
				}
				mu.Lock()
				holders++
				most = max(most, holders)
				mu.Unlock()
				// Let the others queue up on the server while we hold it.
				if _, err := stores[i%2].AccessToken(ctx, key); !errors.Is(err, token.ErrNotFound) {
					t.Error(err)
				}
				mu.Lock()
				holders--
				mu.Unlock()
				unlock.Unlock()
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
	defer unlock.Unlock()
	// Another user, another link, and a key whose parts run together
	// differently must not wait for it.
	for _, k := range []token.Key{key2, {LinkID: "other", User: key.User}, {LinkID: key.LinkID + key.User[:1], User: key.User[1:]}} {
		u, err := b.LockToken(ctx, k)
		if err != nil {
			t.Fatalf("LockToken(%v) while %v is locked: %v", k, key, err)
		}
		u.Unlock()
	}
}

// lockInBackground runs s.LockToken(ctx, key) in a goroutine, unlocking at
// once if it gets the lock, and returns where its error will arrive.
func lockInBackground(ctx context.Context, s *Store) <-chan error {
	errc := make(chan error, 1)
	go func() {
		u, err := s.LockToken(ctx, key)
		if err == nil {
			u.Unlock()
		}
		errc <- err
	}()
	return errc
}

// wantCanceled fails t unless the LockToken call (what) behind errc ends
// with context.Canceled within 30 seconds of its context's end. When it
// still waits, it releases the lock it waits for (held), so that the test
// can end.
func wantCanceled(t *testing.T, errc <-chan error, held token.Lock, what string) {
	t.Helper()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: %v, want context.Canceled", what, err)
		}
	case <-time.After(30 * time.Second):
		held.Unlock() // ends the stuck wait, so that the test can end
		t.Fatalf("%s: still waited 30s after its context was canceled", what)
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
	errc := lockInBackground(ctx, b)
	waitForLockWaiters(t, a, 1)
	cancel()
	wantCanceled(t, errc, unlock, "LockToken after cancel")
	// The server gave up the wait: nobody waits for the lock any more.
	waitForLockWaiters(t, a, 0)
	unlock.Unlock()
	// And b can still lock (its connection and semaphore were released).
	for range 5 {
		u, err := b.LockToken(t.Context(), key)
		if err != nil {
			t.Fatal(err)
		}
		u.Unlock()
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
	u.Unlock()
	unlock.Unlock() // late and twice: harmless
	unlock.Unlock()
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
	u.Unlock()
	unlock.Unlock() // on a dead connection: returns, and frees the connection
	u, err = a.LockToken(t.Context(), key)
	if err != nil {
		t.Fatalf("locking again after the holder's session died: %v", err)
	}
	u.Unlock()
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
	defer unlock.Unlock() // on failure too, before the pool closes
	waiter := make(chan error, 1)
	wctx, cancelWait := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancelWait()
	go func() {
		u, err := s.LockToken(wctx, key)
		if err == nil {
			u.Unlock()
		}
		waiter <- err
	}()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for range 3 {
		if err := s.PutAccessToken(ctx, key, token.NewAccessToken("t", "s")); err != nil {
			t.Fatalf("the lock holder's write: %v", err)
		}
		if _, err := s.AccessToken(ctx, key); err != nil {
			t.Fatalf("the lock holder's read: %v", err)
		}
	}
	unlock.Unlock()
	select {
	case err := <-waiter:
		if err != nil {
			t.Errorf("the waiting LockToken: %v", err)
		}
	case <-time.After(40 * time.Second):
		t.Fatal("the waiting LockToken still waited 40s after the holder unlocked, 10s after its context ended")
	}
}

// TestLockHeldReportsLoss: Held is nil while the lock holds, and says the
// lock was lost once its session is ended (pg_terminate_backend, as an
// administrator, a restart or a failover would), so that the holder does
// not renew (or store a renewal) another replica may be renewing too.
func TestLockHeldReportsLoss(t *testing.T) {
	t.Parallel()
	a, b := twoReplicas(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	l, err := a.lockToken(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	if err := l.Held(ctx); err != nil {
		t.Fatalf("Held on a fresh lock: %v", err)
	}
	var killed bool
	if err := b.pool.QueryRow(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&killed); err != nil || !killed {
		t.Fatalf("terminating the holder's session: %v, %v", killed, err)
	}
	err = l.Held(ctx)
	if !errors.Is(err, ErrLockLost) {
		t.Fatalf("Held after the lock's session was terminated: %v, want ErrLockLost", err)
	}
	// Another replica can take it now, which is why Held had to say so.
	u, err := b.LockToken(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	u.Unlock()
	l.Unlock()
	if err := l.Held(ctx); err == nil {
		t.Error("Held after Unlock = nil")
	}
}

// TestLockSurvivesIdleTimeouts: a database whose sessions end after 100 ms
// idle in a transaction or 300 ms idle (idle_in_transaction_session_timeout,
// idle_session_timeout) does not end a renewal lock's session: another
// session that went idle after the lock was taken is ended, and the lock
// still holds.
func TestLockSurvivesIdleTimeouts(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	a, err := New(ctx, pgtest.Pool(t, url), WithSchema("fleet"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(ctx, pgtest.Pool(t, url), WithSchema("fleet"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.pool.Exec(ctx, `DO $$ BEGIN
		EXECUTE format('ALTER DATABASE %I SET idle_in_transaction_session_timeout = 100', current_database());
		EXECUTE format('ALTER DATABASE %I SET idle_session_timeout = 300', current_database());
	END $$`); err != nil {
		t.Fatal(err)
	}
	a.pool.Reset() // new sessions, with the timeouts
	b.pool.Reset()
	l, err := a.lockToken(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	probe, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close(context.Background())
	if _, err := probe.Exec(ctx, `BEGIN`); err != nil {
		t.Fatal(err)
	}
	// Wait for the server to end the probe's idle transaction (watched
	// from another session, busy enough not to time out): the lock's
	// session has been idle longer.
	watcher, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close(context.Background())
	for {
		var alive bool
		if err := watcher.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1)`, probe.PgConn().PID()).Scan(&alive); err != nil {
			t.Fatal(err)
		}
		if !alive {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the server never ended an idle transaction: the timeouts are not in effect")
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err := l.Held(ctx); err != nil {
		t.Fatalf("the lock after the idle timeouts: %v", err)
	}
	// And no other replica can take it.
	wctx, wcancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer wcancel()
	if u, err := b.LockToken(wctx, key); !errors.Is(err, context.DeadlineExceeded) {
		if err == nil {
			u.Unlock()
		}
		t.Fatalf("another replica's LockToken while the lock is held: %v, want it to wait", err)
	}
}

// TestSharedPoolProgress: on a pool of 4 connections of which the
// application holds one, 3 concurrent lock, read, write and unlock cycles
// (on 3 users, and on one) all complete: a holder's reads and writes run
// on its lock's connection, so holders never wait for a connection another
// holder keeps.
func TestSharedPoolProgress(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		sameUser bool
	}{{"three users", false}, {"one user", true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pool := sizedPool(t, pgtest.NewDatabase(t), 4, nil)
			s := newTestStore(t, pool)
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			app, err := pool.Acquire(ctx) // the application's own use of the pool
			if err != nil {
				t.Fatal(err)
			}
			defer app.Release()
			start := time.Now()
			var wg sync.WaitGroup
			for i := range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					k := token.Key{LinkID: "l", User: fmt.Sprint("user-", i)}
					if tc.sameUser {
						k.User = "shared"
					}
					for round := range 5 {
						unlock, err := s.LockToken(ctx, k)
						if err != nil {
							t.Errorf("worker %d, round %d: LockToken: %v", i, round, err)
							return
						}
						_, err = s.AccessToken(ctx, k)
						if err == nil || errors.Is(err, token.ErrNotFound) {
							err = s.PutAccessToken(ctx, k, token.NewAccessToken(fmt.Sprint("t-", i, "-", round), "s"))
						}
						unlock.Unlock()
						if err != nil {
							t.Errorf("worker %d, round %d: the holder's read or write: %v", i, round, err)
							return
						}
					}
				}()
			}
			wg.Wait()
			t.Logf("3 workers x 5 cycles with the application holding 1 of 4 connections: %v", time.Since(start))
		})
	}
}

// TestLostLockThenSwap is the review's lost-lock race at the store level:
// replica A locks a rotating token and reads it; its database session
// ends; replica B takes the lock at once and stores the renewal. A's Held
// says its lock is gone, and A's own renewal, stored conditionally on the
// token it read, is refused: B's renewal stays.
func TestLostLockThenSwap(t *testing.T) {
	t.Parallel()
	a, b := twoReplicas(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := a.PutAccessToken(ctx, key, token.NewOAuth2AccessToken("bearer-1", "refresh-1")); err != nil {
		t.Fatal(err)
	}
	lockA, err := a.LockToken(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	defer lockA.Unlock()
	readA, err := a.AccessToken(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	var killed bool
	if err := b.pool.QueryRow(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&killed); err != nil || !killed {
		t.Fatalf("terminating A's lock session: %v, %v", killed, err)
	}
	lockB, err := b.LockToken(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	readB, err := b.AccessToken(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	renewedB := token.NewOAuth2AccessToken("bearer-2", "refresh-2")
	if err := b.SwapAccessToken(ctx, key, readB.Token, renewedB); err != nil {
		t.Fatalf("B's renewal: %v", err)
	}
	lockB.Unlock()
	if err := lockA.Held(ctx); !errors.Is(err, ErrLockLost) {
		t.Errorf("A's Held after its session ended: %v, want ErrLockLost", err)
	}
	err = a.SwapAccessToken(ctx, key, readA.Token, token.NewOAuth2AccessToken("bearer-3", "refresh-3"))
	if !errors.Is(err, token.ErrTokenChanged) {
		t.Errorf("A's renewal after B's: %v, want ErrTokenChanged", err)
	}
	got, err := b.AccessToken(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if got.RefreshToken.Reveal() != "refresh-2" {
		t.Errorf("stored refresh token %q, want B's refresh-2", got.RefreshToken.Reveal())
	}
}

// TestLockWaitCanceledBeforeStatement: when the context ends before
// pg_advisory_lock reaches the server, the server ignores the cancel
// request (its session runs no statement yet); LockToken must still return
// the context's error, not wait for a lock its holder keeps.
func TestLockWaitCanceledBeforeStatement(t *testing.T) {
	// Not parallel: it sets testHookBeforeWait.
	a, b := twoReplicas(t)
	unlock, err := a.LockToken(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock.Unlock()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	testHookBeforeWait = func() {
		cancel()
		// The first cancel request reaches the session while it is idle.
		time.Sleep(300 * time.Millisecond)
	}
	defer func() { testHookBeforeWait = nil }()
	// If it waits on, the cancel request was lost.
	wantCanceled(t, lockInBackground(ctx, b), unlock, "LockToken canceled before its statement reached the server")
	waitForLockWaiters(t, a, 0)
}
