package storetest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/testclock"
	"github.com/google/go-cmp/cmp"
)

// NewReplicas returns two values of one store on the same, empty storage,
// as two processes (the replicas of one application) would open it: a
// second FileTokenStore on the same path, a second database store on the
// same schema. Both must read the time from now.
type NewReplicas func(t *testing.T, now func() time.Time) (a, b token.Store)

// RunReplicas checks what the replicas of an application sharing one store
// rely on, across two values of the store: a token written or deleted
// through one is seen so through the other at once; when the store is an
// [token.Locker], a key locked through one waits through the other;
// when it is an [token.DanceStore], a dance put through one is taken
// through the other, once, however many replicas race for it.
func RunReplicas(t *testing.T, newReplicas NewReplicas) {
	t.Helper()
	checks := []struct {
		name string
		run  func(t *testing.T, a, b token.Store, clock *testclock.Clock)
	}{
		{"TokensShared", testReplicaTokens},
		{"LockShared", testReplicaLock},
		{"DanceShared", testReplicaDance},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			clock := testclock.New(testclock.Start)
			a, b := newReplicas(t, clock.Now)
			c.run(t, a, b, clock)
		})
	}
}

func testReplicaTokens(t *testing.T, a, b token.Store, clock *testclock.Clock) {
	ctx := t.Context()
	key := token.Key{LinkID: "link-1", User: "alice"}
	want := fullAccessToken(clock.Now(), "tok-a")
	if err := a.PutAccessToken(ctx, key, want); err != nil {
		t.Fatalf("PutAccessToken on A: %v", err)
	}
	got, err := b.AccessToken(ctx, key)
	if err != nil {
		t.Fatalf("AccessToken on B: %v", err)
	}
	if diff := cmp.Diff(want, got, tokenCmp); diff != "" {
		t.Errorf("AccessToken on B (-want +got):\n%s", diff)
	}
	// A token revoked through A is never handed out again by B.
	if err := a.DeleteAccessToken(ctx, key); err != nil {
		t.Fatalf("DeleteAccessToken on A: %v", err)
	}
	if _, err := b.AccessToken(ctx, key); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("AccessToken on B after A deleted it: %v, want token.ErrNotFound", err)
	}
	rt := fullRequestToken(clock.Now(), "req-1")
	if err := a.PutRequestToken(ctx, rt); err != nil {
		t.Fatalf("PutRequestToken on A: %v", err)
	}
	if _, err := b.RequestToken(ctx, "req-1"); err != nil {
		t.Errorf("RequestToken on B: %v", err)
	}
}

func testReplicaLock(t *testing.T, a, b token.Store, _ *testclock.Clock) {
	la, okA := a.(token.Locker)
	lb, okB := b.(token.Locker)
	if !okA || !okB {
		t.Skip("the store is not a token.Locker")
	}
	key := token.Key{LinkID: "link-1", User: "alice"}
	check := checkContext(t)
	lock, err := la.LockToken(check, key)
	if err != nil {
		t.Fatalf("LockToken on A: %v", blocked(check, err))
	}
	if err := lockHeld(t, check, lb, key, lock); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("LockToken on B while A holds the key: %v, want to wait (context.DeadlineExceeded)", err)
	}
	var released atomic.Bool
	got := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(check, lockWait)
		defer cancel()
		u, err := lb.LockToken(ctx, key)
		if err == nil {
			if !released.Load() {
				err = errors.New("replica B got the lock before A released it")
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
			t.Errorf("LockToken on B after A unlocked: %v", err)
		}
	case <-time.After(2 * lockWait):
		t.Fatalf("LockToken on B still waited %v after A unlocked, %v after its context ended: the store's wait ignores its context", 2*lockWait, lockWait)
	}
}

func testReplicaDance(t *testing.T, a, b token.Store, clock *testclock.Clock) {
	da, okA := a.(token.DanceStore)
	db, okB := b.(token.DanceStore)
	if !okA || !okB {
		t.Skip("the store is not a DanceStore")
	}
	ctx := t.Context()
	want := fullDance(clock.Now(), "state-1", "alice")
	if err := da.PutDance(ctx, want, token.DanceLimits{}); err != nil {
		t.Fatalf("PutDance on A: %v", err)
	}
	var (
		wg   sync.WaitGroup
		wins atomic.Int32
	)
	for i := range 8 {
		ds := []token.DanceStore{da, db}[i%2]
		wg.Go(func() {
			d, err := ds.TakeDance(ctx, "state-1", "alice")
			switch {
			case err == nil:
				wins.Add(1)
				if diff := cmp.Diff(want, d); diff != "" {
					t.Errorf("TakeDance (-want +got):\n%s", diff)
				}
			case !errors.Is(err, token.ErrDanceNotFound):
				t.Errorf("TakeDance: %v", err)
			}
		})
	}
	wg.Wait()
	if n := wins.Load(); n != 1 {
		t.Errorf("the dance was taken %d times across the replicas, want once", n)
	}
	// The per-user limit counts the dances put through either replica.
	limits := token.DanceLimits{PerUser: 1}
	if err := da.PutDance(ctx, fullDance(clock.Now(), "state-2", "bob"), limits); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	if err := db.PutDance(ctx, fullDance(clock.Now(), "state-3", "bob"), limits); err != nil {
		t.Fatal(err)
	}
	if _, err := da.TakeDance(ctx, "state-2", "bob"); !errors.Is(err, token.ErrDanceNotFound) {
		t.Errorf("bob's older dance after a newer one was put through B with PerUser 1: %v, want ErrDanceNotFound", err)
	}
}
