package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/testclock"
)

// lockWait bounds how long a check waits for a lock that must be free: a
// store that blocks longer is taken as blocking.
const lockWait = 10 * time.Second

// checkWait bounds a whole check of the Locker contract, every wait in it
// included: a store whose lock is never released, or whose wait ignores
// its context, fails the check with an error that says so instead of
// hanging the test binary until its -timeout.
const checkWait = time.Minute

// checkContext returns the context of a Locker check: t's, ending after
// checkWait.
func checkContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), checkWait)
	t.Cleanup(cancel)
	return ctx
}

// blocked adds to err, when ctx (a checkContext) has run out, that the
// store blocked.
func blocked(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w (the check gave up after %v: the store blocked, on a lock never released or a wait that ignores its context)", err, checkWait)
	}
	return err
}

// lockHeld calls LockToken on key, which the check holds with held, with
// a context that ends after 50ms, and returns its error (unlocking what it
// got when it got the lock, a failure of the contract). When the call has
// not returned lockWait after its context ended, lockHeld unlocks held to
// free the stuck call and fails the check: the store's wait ignores its
// context.
func lockHeld(t *testing.T, ctx context.Context, l token.Locker, key token.Key, held token.Lock) error {
	t.Helper()
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	done := make(chan struct{})
	var err error
	go func() {
		defer close(done)
		var u token.Lock
		if u, err = l.LockToken(short, key); err == nil {
			u.Unlock()
		}
	}()
	if !returnsAfter(short, done) {
		held.Unlock()
		t.Fatalf("LockToken of a held key still waited %v after its context ended: the store's wait ignores its context", lockWait)
	}
	return err
}

// returnsAfter waits for done, which closes when the calls a check made
// return, for at most lockWait after ctx ends: a store's calls must
// return once their context is done. It reports whether done closed.
func returnsAfter(ctx context.Context, done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	case <-ctx.Done():
	}
	select {
	case <-done:
		return true
	case <-time.After(lockWait):
		return false
	}
}

// lockerChecks are the checks of the token.Locker contract.
func lockerChecks() []check {
	return []check{
		{"LockExcludes", testLockExcludes},
		{"LockKeysIndependent", testLockKeysIndependent},
		{"LockDoesNotBlockStore", testLockDoesNotBlockStore},
		{"LockContext", testLockContext},
		{"LockHandOff", testLockHandOff},
		{"LockContract", testLockContract},
	}
}

// testLockExcludes: of many goroutines locking one key, one at a time
// holds it, and each write made under the lock is seen by the next holder.
func testLockExcludes(t *testing.T, s token.Store, _ *testclock.Clock) {
	l := s.(token.Locker)
	ctx := checkContext(t)
	key := token.Key{LinkID: "link-1", User: "alice"}
	const workers, rounds = 8, 5
	var (
		holders atomic.Int32
		counter int // guarded by the store's lock, nothing else
		wg      sync.WaitGroup
		errMu   sync.Mutex
		errs    []string // the workers' errors, reported once they are done
	)
	errorf := func(format string, args ...any) {
		errMu.Lock()
		defer errMu.Unlock()
		errs = append(errs, fmt.Sprintf(format, args...))
	}
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				lock, err := l.LockToken(ctx, key)
				if err != nil {
					errorf("worker %d: LockToken: %v", w, blocked(ctx, err))
					return
				}
				if n := holders.Add(1); n != 1 {
					errorf("worker %d: %d holders of one key's lock at once", w, n)
				}
				// A read-modify-write of the store under the lock, as the
				// core's renewal does: no update may be lost.
				tok, err := s.AccessToken(ctx, key)
				switch {
				case errors.Is(err, token.ErrNotFound):
				case err != nil:
					errorf("worker %d round %d: AccessToken: %v", w, r, blocked(ctx, err))
				case tok.Token != fmt.Sprint(counter):
					errorf("worker %d round %d: stored token %q, want %d: a write under the lock was lost", w, r, tok.Token, counter)
				}
				counter++
				if err := s.PutAccessToken(ctx, key, token.NewAccessToken(fmt.Sprint(counter), "s")); err != nil {
					errorf("worker %d: PutAccessToken: %v", w, blocked(ctx, err))
				}
				holders.Add(-1)
				lock.Unlock()
			}
		})
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	if !returnsAfter(ctx, done) {
		t.Fatalf("workers still blocked in the store %v after the check's %v ended: LockToken, or a call made under the lock, ignores its context", lockWait, checkWait)
	}
	errMu.Lock()
	defer errMu.Unlock()
	for _, e := range errs {
		t.Error(e)
	}
	if counter != workers*rounds {
		t.Errorf("%d rounds ran under the lock, want %d", counter, workers*rounds)
	}
}

// testLockKeysIndependent: while one key is locked, other keys (another
// user, the same user on another link) lock at once.
func testLockKeysIndependent(t *testing.T, s token.Store, _ *testclock.Clock) {
	l := s.(token.Locker)
	ctx := checkContext(t)
	held := token.Key{LinkID: "link-1", User: "alice"}
	lock, err := l.LockToken(ctx, held)
	if err != nil {
		t.Fatalf("LockToken: %v", blocked(ctx, err))
	}
	defer lock.Unlock()
	for _, other := range []token.Key{{LinkID: "link-1", User: "bob"}, {LinkID: "link-2", User: "alice"}, {LinkID: "link-1", User: "Alice"}} {
		wctx, cancel := context.WithTimeout(ctx, lockWait)
		u, err := l.LockToken(wctx, other)
		cancel()
		if err != nil {
			t.Errorf("LockToken(%v) while %v is locked: %v, want the lock at once", other, held, err)
			continue
		}
		u.Unlock()
	}
}

// testLockDoesNotBlockStore: while a key is locked (a renewal's HTTP call
// in progress), every operation of the store works, on that key too.
func testLockDoesNotBlockStore(t *testing.T, s token.Store, _ *testclock.Clock) {
	l := s.(token.Locker)
	key := token.Key{LinkID: "link-1", User: "alice"}
	check := checkContext(t)
	lock, err := l.LockToken(check, key)
	if err != nil {
		t.Fatalf("LockToken: %v", blocked(check, err))
	}
	defer lock.Unlock()
	ctx, cancel := context.WithTimeout(check, lockWait)
	defer cancel()
	if err := s.PutAccessToken(ctx, key, token.NewAccessToken("t", "s")); err != nil {
		t.Errorf("PutAccessToken of the locked key: %v", err)
	}
	if _, err := s.AccessToken(ctx, key); err != nil {
		t.Errorf("AccessToken of the locked key: %v", err)
	}
	if _, err := s.AccessTokens(ctx); err != nil {
		t.Errorf("AccessTokens: %v", err)
	}
	if err := s.PutRequestToken(ctx, token.NewRequestToken("r", "s")); err != nil {
		t.Errorf("PutRequestToken: %v", err)
	}
	if err := s.DeleteAccessToken(ctx, key); err != nil {
		t.Errorf("DeleteAccessToken of the locked key: %v", err)
	}
}

// testLockContext: a canceled context fails LockToken at once; a context
// that ends while waiting fails it with its error, holding nothing.
func testLockContext(t *testing.T, s token.Store, _ *testclock.Clock) {
	l := s.(token.Locker)
	key := token.Key{LinkID: "link-1", User: "alice"}
	ctx := checkContext(t)
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if u, err := l.LockToken(canceled, key); !errors.Is(err, context.Canceled) {
		if err == nil {
			u.Unlock()
		}
		t.Errorf("LockToken with a canceled context: %v, want context.Canceled", err)
	}
	lock, err := l.LockToken(ctx, key)
	if err != nil {
		t.Fatalf("LockToken: %v", blocked(ctx, err))
	}
	if err := lockHeld(t, ctx, l, key, lock); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("LockToken of a held key until the context ended: %v, want context.DeadlineExceeded", err)
	}
	lock.Unlock()
	// The abandoned wait holds nothing: the key locks again at once.
	wctx, cancelWait := context.WithTimeout(ctx, lockWait)
	defer cancelWait()
	u, err := l.LockToken(wctx, key)
	if err != nil {
		t.Fatalf("LockToken after an abandoned wait: %v", blocked(ctx, err))
	}
	u.Unlock()
}

// testLockHandOff: a waiter gets the lock when the holder unlocks.
func testLockHandOff(t *testing.T, s token.Store, _ *testclock.Clock) {
	l := s.(token.Locker)
	key := token.Key{LinkID: "link-1", User: "alice"}
	check := checkContext(t)
	lock, err := l.LockToken(check, key)
	if err != nil {
		t.Fatalf("LockToken: %v", blocked(check, err))
	}
	got := make(chan error, 1)
	var released atomic.Bool
	go func() {
		ctx, cancel := context.WithTimeout(check, lockWait)
		defer cancel()
		u, err := l.LockToken(ctx, key)
		if err == nil {
			if !released.Load() {
				err = errors.New("the waiter got the lock before the holder released it")
			}
			u.Unlock()
		}
		got <- err
	}()
	released.Store(true)
	lock.Unlock()
	select {
	case err := <-got:
		if err != nil {
			t.Errorf("waiting LockToken: %v", err)
		}
	case <-time.After(2 * lockWait):
		t.Fatalf("the waiting LockToken still waited %v after the holder unlocked, %v after its context ended: the store's wait ignores its context", 2*lockWait, lockWait)
	}
}
