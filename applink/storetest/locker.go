package storetest

import (
	"context"
	"errors"
	"fmt"
	"github.com/go-applinks/applinks/applink/token"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// lockWait bounds how long a check waits for a lock that must be free: a
// store that blocks longer is taken as blocking.
const lockWait = 10 * time.Second

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
func testLockExcludes(t *testing.T, s token.Store, _ *clock) {
	l := s.(token.Locker)
	ctx := t.Context()
	key := token.Key{LinkID: "link-1", User: "alice"}
	const workers, rounds = 8, 5
	var (
		holders atomic.Int32
		counter int // guarded by the store's lock, nothing else
		wg      sync.WaitGroup
	)
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				lock, err := l.LockToken(ctx, key)
				if err != nil {
					t.Errorf("worker %d: LockToken: %v", w, err)
					return
				}
				if n := holders.Add(1); n != 1 {
					t.Errorf("worker %d: %d holders of one key's lock at once", w, n)
				}
				// A read-modify-write of the store under the lock, as the
				// core's renewal does: no update may be lost.
				tok, err := s.AccessToken(ctx, key)
				switch {
				case errors.Is(err, token.ErrNotFound):
				case err != nil:
					t.Errorf("worker %d round %d: AccessToken: %v", w, r, err)
				case tok.Token != fmt.Sprint(counter):
					t.Errorf("worker %d round %d: stored token %q, want %d: a write under the lock was lost", w, r, tok.Token, counter)
				}
				counter++
				if err := s.PutAccessToken(ctx, key, token.NewAccessToken(fmt.Sprint(counter), "s")); err != nil {
					t.Errorf("worker %d: PutAccessToken: %v", w, err)
				}
				holders.Add(-1)
				lock.Unlock()
			}
		})
	}
	wg.Wait()
	if counter != workers*rounds {
		t.Errorf("%d rounds ran under the lock, want %d", counter, workers*rounds)
	}
}

// testLockKeysIndependent: while one key is locked, other keys (another
// user, the same user on another link) lock at once.
func testLockKeysIndependent(t *testing.T, s token.Store, _ *clock) {
	l := s.(token.Locker)
	ctx := t.Context()
	held := token.Key{LinkID: "link-1", User: "alice"}
	lock, err := l.LockToken(ctx, held)
	if err != nil {
		t.Fatalf("LockToken: %v", err)
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
func testLockDoesNotBlockStore(t *testing.T, s token.Store, _ *clock) {
	l := s.(token.Locker)
	key := token.Key{LinkID: "link-1", User: "alice"}
	lock, err := l.LockToken(t.Context(), key)
	if err != nil {
		t.Fatalf("LockToken: %v", err)
	}
	defer lock.Unlock()
	ctx, cancel := context.WithTimeout(t.Context(), lockWait)
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
func testLockContext(t *testing.T, s token.Store, _ *clock) {
	l := s.(token.Locker)
	key := token.Key{LinkID: "link-1", User: "alice"}
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	if u, err := l.LockToken(canceled, key); !errors.Is(err, context.Canceled) {
		if err == nil {
			u.Unlock()
		}
		t.Errorf("LockToken with a canceled context: %v, want context.Canceled", err)
	}
	lock, err := l.LockToken(t.Context(), key)
	if err != nil {
		t.Fatalf("LockToken: %v", err)
	}
	short, cancelShort := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancelShort()
	if u, err := l.LockToken(short, key); !errors.Is(err, context.DeadlineExceeded) {
		if err == nil {
			u.Unlock()
		}
		t.Errorf("LockToken of a held key until the context ended: %v, want context.DeadlineExceeded", err)
	}
	lock.Unlock()
	// The abandoned wait holds nothing: the key locks again at once.
	wctx, cancelWait := context.WithTimeout(t.Context(), lockWait)
	defer cancelWait()
	u, err := l.LockToken(wctx, key)
	if err != nil {
		t.Fatalf("LockToken after an abandoned wait: %v", err)
	}
	u.Unlock()
}

// testLockHandOff: a waiter gets the lock when the holder unlocks.
func testLockHandOff(t *testing.T, s token.Store, _ *clock) {
	l := s.(token.Locker)
	key := token.Key{LinkID: "link-1", User: "alice"}
	lock, err := l.LockToken(t.Context(), key)
	if err != nil {
		t.Fatalf("LockToken: %v", err)
	}
	got := make(chan error, 1)
	var released atomic.Bool
	go func() {
		ctx, cancel := context.WithTimeout(t.Context(), lockWait)
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
	if err := <-got; err != nil {
		t.Errorf("waiting LockToken: %v", err)
	}
}
