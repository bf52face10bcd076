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
)

// swapChecks are the checks of the Swapper contract.
func swapChecks() []check {
	return []check{
		{"SwapWhenUnchanged", testSwapWhenUnchanged},
		{"SwapRefusesChanged", testSwapRefusesChanged},
		{"SwapRace", testSwapRace},
	}
}

// testSwapWhenUnchanged: a swap from the stored token's value stores the
// new token, with its secrets; a swap refuses what PutAccessToken refuses.
func testSwapWhenUnchanged(t *testing.T, s token.Store, clock *testclock.Clock) {
	sw := s.(token.Swapper)
	ctx := t.Context()
	key := token.Key{LinkID: "link-1", User: "alice"}
	if err := s.PutAccessToken(ctx, key, token.NewOAuth2AccessToken("bearer-1", "refresh-1")); err != nil {
		t.Fatalf("PutAccessToken: %v", err)
	}
	renewed := token.NewOAuth2AccessToken("bearer-2", "refresh-2")
	renewed.ExpiresAt = clock.Now().Add(time.Hour)
	if err := sw.SwapAccessToken(ctx, key, token.Fingerprint("bearer-1"), renewed); err != nil {
		t.Fatalf("SwapAccessToken from the stored token: %v", err)
	}
	got, err := s.AccessToken(ctx, key)
	if err != nil {
		t.Fatalf("AccessToken after the swap: %v", err)
	}
	if got.Secret.Reveal() != "bearer-2" || got.RefreshToken.Reveal() != "refresh-2" || got.Token != renewed.Token {
		t.Errorf("after the swap the store holds %+v, want the renewed token", got)
	}
	if err := sw.SwapAccessToken(ctx, key, renewed.Token, &token.AccessToken{}); err == nil || errors.Is(err, token.ErrTokenChanged) {
		t.Errorf("SwapAccessToken of an empty token: %v, want a validation error", err)
	}
	if err := sw.SwapAccessToken(ctx, token.Key{LinkID: "link-1"}, renewed.Token, renewed); err == nil {
		t.Error("SwapAccessToken for a key without a user: nil, want a validation error")
	}
}

// testSwapRefusesChanged: a swap from a value that is no longer stored (a
// newer token, none at all) writes nothing and reports ErrTokenChanged.
func testSwapRefusesChanged(t *testing.T, s token.Store, _ *testclock.Clock) {
	sw := s.(token.Swapper)
	ctx := t.Context()
	key := token.Key{LinkID: "link-1", User: "alice"}
	if err := sw.SwapAccessToken(ctx, key, "tok-old", token.NewAccessToken("tok-new", "s")); !errors.Is(err, token.ErrTokenChanged) {
		t.Errorf("SwapAccessToken with nothing stored: %v, want ErrTokenChanged", err)
	}
	if _, err := s.AccessToken(ctx, key); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("after a refused swap with nothing stored, AccessToken: %v, want ErrNotFound", err)
	}
	if err := s.PutAccessToken(ctx, key, token.NewAccessToken("tok-newer", "s-newer")); err != nil {
		t.Fatalf("PutAccessToken: %v", err)
	}
	if err := sw.SwapAccessToken(ctx, key, "tok-old", token.NewAccessToken("tok-new", "s")); !errors.Is(err, token.ErrTokenChanged) {
		t.Errorf("SwapAccessToken from a value no longer stored: %v, want ErrTokenChanged", err)
	}
	got, err := s.AccessToken(ctx, key)
	if err != nil {
		t.Fatalf("AccessToken: %v", err)
	}
	if got.Token != "tok-newer" || got.Secret.Reveal() != "s-newer" {
		t.Errorf("a refused swap changed the stored token to %q", got.Token)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := sw.SwapAccessToken(canceled, key, "tok-newer", token.NewAccessToken("tok-new", "s")); err == nil {
		t.Error("SwapAccessToken with a canceled context: nil, want an error")
	}
}

// testSwapRace: of many goroutines swapping from the same stored token,
// exactly one succeeds, as when replicas store the results of one renewal.
func testSwapRace(t *testing.T, s token.Store, _ *testclock.Clock) {
	sw := s.(token.Swapper)
	ctx := t.Context()
	key := token.Key{LinkID: "link-1", User: "alice"}
	if err := s.PutAccessToken(ctx, key, token.NewAccessToken("tok-0", "s")); err != nil {
		t.Fatalf("PutAccessToken: %v", err)
	}
	const workers = 8
	var (
		won atomic.Int32
		wg  sync.WaitGroup
	)
	for w := range workers {
		wg.Go(func() {
			err := sw.SwapAccessToken(ctx, key, "tok-0", token.NewAccessToken("tok-"+string(rune('a'+w)), "s"))
			switch {
			case err == nil:
				won.Add(1)
			case !errors.Is(err, token.ErrTokenChanged):
				t.Errorf("worker %d: SwapAccessToken: %v", w, err)
			}
		})
	}
	wg.Wait()
	if n := won.Load(); n != 1 {
		t.Errorf("%d of %d concurrent swaps from one token succeeded, want exactly 1", n, workers)
	}
}

// testLockContract: a Lock reports itself held until it is unlocked, and
// unlocking twice is safe (the second does nothing: a lock taken by
// another holder meanwhile stays held).
func testLockContract(t *testing.T, s token.Store, _ *testclock.Clock) {
	l := s.(token.Locker)
	ctx := checkContext(t)
	key := token.Key{LinkID: "link-1", User: "alice"}
	lock, err := l.LockToken(ctx, key)
	if err != nil {
		t.Fatalf("LockToken: %v", blocked(ctx, err))
	}
	if err := lock.Held(ctx); err != nil {
		t.Errorf("Held of a lock just taken: %v, want nil", blocked(ctx, err))
	}
	lock.Unlock()
	second, err := l.LockToken(ctx, key)
	if err != nil {
		t.Fatalf("LockToken after Unlock: %v", blocked(ctx, err))
	}
	defer second.Unlock()
	lock.Unlock() // must not release second
	if err := lockHeld(t, ctx, l, key, second); err == nil {
		t.Error("a second Unlock of a released lock released the next holder's lock")
	}
	if err := second.Held(ctx); err != nil {
		t.Errorf("Held of the second holder's lock: %v, want nil", blocked(ctx, err))
	}
}
