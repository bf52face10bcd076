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
	"github.com/google/go-cmp/cmp"
)

// danceChecks are the checks of the DanceStore contract.
func danceChecks() []check {
	return []check{
		{"DanceRoundTrip", testDanceRoundTrip},
		{"DanceCopies", testDanceCopies},
		{"DanceOtherUser", testDanceOtherUser},
		{"DanceExpiry", testDanceExpiry},
		{"DancePerUserLimit", testDancePerUserLimit},
		{"DanceTotalLimit", testDanceTotalLimit},
		{"DanceInvalid", testDanceInvalid},
		{"DanceContextCanceled", testDanceContextCanceled},
		{"DanceTakeOnce", testDanceTakeOnce},
	}
}

// fullDance returns a pending dance with every field set, started at now.
func fullDance(now time.Time, state, user string) *token.PendingDance {
	return &token.PendingDance{
		State:        token.NewSecret(state),
		User:         user,
		LinkID:       "link-1",
		RequestToken: "request-token-of-" + state,
		Redirect:     "/projects?tab=" + state,
		ExpiresAt:    now.Add(10 * time.Minute),
		CreatedAt:    now,
	}
}

func testDanceRoundTrip(t *testing.T, s token.Store, clock *testclock.Clock) {
	ds := s.(token.DanceStore)
	ctx := t.Context()
	want := fullDance(clock.Now(), "state-1", "alice")
	if err := ds.PutDance(ctx, want, token.DanceLimits{}); err != nil {
		t.Fatalf("PutDance: %v", err)
	}
	got, err := ds.TakeDance(ctx, "state-1", "alice")
	if err != nil {
		t.Fatalf("TakeDance: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("TakeDance (-want +got):\n%s", diff)
	}
	if _, err := ds.TakeDance(ctx, "state-1", "alice"); !errors.Is(err, token.ErrDanceNotFound) {
		t.Errorf("second TakeDance: %v, want ErrDanceNotFound (single use)", err)
	}
	if _, err := ds.TakeDance(ctx, "state-unknown", "alice"); !errors.Is(err, token.ErrDanceNotFound) {
		t.Errorf("TakeDance(unknown): %v, want ErrDanceNotFound", err)
	}
	if err := ds.PutDance(ctx, fullDance(clock.Now(), "state-2", "alice"), token.DanceLimits{}); err != nil {
		t.Fatalf("PutDance: %v", err)
	}
	if err := ds.DeleteDance(ctx, "state-2"); err != nil {
		t.Fatalf("DeleteDance: %v", err)
	}
	if _, err := ds.TakeDance(ctx, "state-2", "alice"); !errors.Is(err, token.ErrDanceNotFound) {
		t.Errorf("TakeDance after DeleteDance: %v, want ErrDanceNotFound", err)
	}
	if err := ds.DeleteDance(ctx, "state-2"); err != nil {
		t.Errorf("DeleteDance of an absent dance: %v, want nil", err)
	}
	// Putting a dance again under its state replaces it.
	first := fullDance(clock.Now(), "state-3", "alice")
	second := fullDance(clock.Now(), "state-3", "alice")
	second.RequestToken = "the request token obtained later"
	for _, d := range []*token.PendingDance{first, second} {
		if err := ds.PutDance(ctx, d, token.DanceLimits{PerUser: 1, Total: 1}); err != nil {
			t.Fatalf("PutDance: %v", err)
		}
	}
	got, err = ds.TakeDance(ctx, "state-3", "alice")
	if err != nil {
		t.Fatalf("TakeDance: %v", err)
	}
	if diff := cmp.Diff(second, got); diff != "" {
		t.Errorf("TakeDance after replacing (-want +got):\n%s", diff)
	}
}

func testDanceCopies(t *testing.T, s token.Store, clock *testclock.Clock) {
	ds := s.(token.DanceStore)
	ctx := t.Context()
	d := fullDance(clock.Now(), "state-1", "alice")
	want := *d
	if err := ds.PutDance(ctx, d, token.DanceLimits{}); err != nil {
		t.Fatalf("PutDance: %v", err)
	}
	d.User, d.Redirect = "mallory", "/elsewhere"
	got, err := ds.TakeDance(ctx, "state-1", "alice")
	if err != nil {
		t.Fatalf("TakeDance: %v (the store changed through the caller's pointer?)", err)
	}
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("store changed through a caller's pointer (-want +got):\n%s", diff)
	}
}

func testDanceOtherUser(t *testing.T, s token.Store, clock *testclock.Clock) {
	ds := s.(token.DanceStore)
	ctx := t.Context()
	if err := ds.PutDance(ctx, fullDance(clock.Now(), "state-1", "alice"), token.DanceLimits{}); err != nil {
		t.Fatalf("PutDance: %v", err)
	}
	var mismatch *token.DanceMismatchError
	if _, err := ds.TakeDance(ctx, "state-1", "mallory"); !errors.As(err, &mismatch) {
		t.Fatalf("TakeDance by another user: %v, want *DanceMismatchError", err)
	}
	if mismatch.User != "mallory" {
		t.Errorf("DanceMismatchError.User = %q, want mallory", mismatch.User)
	}
	if _, err := ds.TakeDance(ctx, "state-1", "alice"); err != nil {
		t.Errorf("TakeDance by its user after another user's attempt: %v, want the dance (still pending)", err)
	}
}

func testDanceExpiry(t *testing.T, s token.Store, clock *testclock.Clock) {
	ds := s.(token.DanceStore)
	ctx := t.Context()
	for _, state := range []string{"state-1", "state-2"} {
		if err := ds.PutDance(ctx, fullDance(clock.Now(), state, "alice"), token.DanceLimits{}); err != nil {
			t.Fatalf("PutDance: %v", err)
		}
	}
	clock.Advance(10*time.Minute - time.Microsecond)
	if _, err := ds.TakeDance(ctx, "state-1", "alice"); err != nil {
		t.Fatalf("TakeDance just before expiry: %v", err)
	}
	clock.Advance(time.Microsecond)
	if _, err := ds.TakeDance(ctx, "state-2", "alice"); !errors.Is(err, token.ErrDanceNotFound) {
		t.Errorf("TakeDance at expiry: %v, want ErrDanceNotFound", err)
	}
	if _, err := ds.TakeDance(ctx, "state-2", "mallory"); !errors.Is(err, token.ErrDanceNotFound) {
		t.Errorf("TakeDance of an expired dance by another user: %v, want ErrDanceNotFound", err)
	}
}

func testDancePerUserLimit(t *testing.T, s token.Store, clock *testclock.Clock) {
	ds := s.(token.DanceStore)
	ctx := t.Context()
	limits := token.DanceLimits{PerUser: 2}
	if err := ds.PutDance(ctx, fullDance(clock.Now(), "bob-1", "bob"), limits); err != nil {
		t.Fatalf("PutDance: %v", err)
	}
	for i := range 4 {
		clock.Advance(time.Second)
		if err := ds.PutDance(ctx, fullDance(clock.Now(), fmt.Sprintf("alice-%d", i), "alice"), limits); err != nil {
			t.Fatalf("PutDance(alice-%d): %v", i, err)
		}
	}
	// alice's two newest remain; bob's is untouched.
	for state, want := range map[string]bool{"alice-0": false, "alice-1": false, "alice-2": true, "alice-3": true} {
		_, err := ds.TakeDance(ctx, state, "alice")
		if got := err == nil; got != want {
			t.Errorf("TakeDance(%s): %v; want present=%v (PerUser 2 keeps the newest)", state, err, want)
		}
	}
	if _, err := ds.TakeDance(ctx, "bob-1", "bob"); err != nil {
		t.Errorf("TakeDance(bob-1): %v: another user's dances do not count against bob", err)
	}
}

func testDanceTotalLimit(t *testing.T, s token.Store, clock *testclock.Clock) {
	ds := s.(token.DanceStore)
	ctx := t.Context()
	limits := token.DanceLimits{Total: 2}
	if err := ds.PutDance(ctx, fullDance(clock.Now(), "state-1", "alice"), limits); err != nil {
		t.Fatalf("PutDance: %v", err)
	}
	clock.Advance(5 * time.Minute)
	if err := ds.PutDance(ctx, fullDance(clock.Now(), "state-2", "bob"), limits); err != nil {
		t.Fatalf("PutDance: %v", err)
	}
	if err := ds.PutDance(ctx, fullDance(clock.Now(), "state-3", "carol"), limits); !errors.Is(err, token.ErrTooManyDances) {
		t.Fatalf("PutDance beyond Total: %v, want ErrTooManyDances", err)
	}
	if _, err := ds.TakeDance(ctx, "state-3", "carol"); !errors.Is(err, token.ErrDanceNotFound) {
		t.Errorf("a refused dance was stored: TakeDance = %v, want ErrDanceNotFound", err)
	}
	// Replacing a pending dance is not one more.
	if err := ds.PutDance(ctx, fullDance(clock.Now(), "state-2", "bob"), limits); err != nil {
		t.Errorf("PutDance replacing a pending dance at the limit: %v", err)
	}
	// Expired dances do not count.
	clock.Advance(5 * time.Minute)
	if err := ds.PutDance(ctx, fullDance(clock.Now(), "state-3", "carol"), limits); err != nil {
		t.Errorf("PutDance after one of the two expired: %v", err)
	}
	// A taken dance frees its place.
	if _, err := ds.TakeDance(ctx, "state-2", "bob"); err != nil {
		t.Fatalf("TakeDance: %v", err)
	}
	if err := ds.PutDance(ctx, fullDance(clock.Now(), "state-4", "dave"), limits); err != nil {
		t.Errorf("PutDance after a take freed a place: %v", err)
	}
}

func testDanceInvalid(t *testing.T, s token.Store, clock *testclock.Clock) {
	ds := s.(token.DanceStore)
	ctx := t.Context()
	now := clock.Now()
	noState := fullDance(now, "", "alice")
	noUser := fullDance(now, "state-1", "")
	noLink := fullDance(now, "state-2", "alice")
	noLink.LinkID = ""
	farFuture := fullDance(now, "state-3", "alice")
	farFuture.ExpiresAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	for name, d := range map[string]*token.PendingDance{"nil": nil, "no state": noState, "no user": noUser, "no link": noLink, "year 10000": farFuture} {
		if err := ds.PutDance(ctx, d, token.DanceLimits{}); err == nil {
			t.Errorf("PutDance(%s) = nil, want an error", name)
		}
	}
	for _, state := range []string{"state-1", "state-2", "state-3"} {
		if _, err := ds.TakeDance(ctx, state, "alice"); !errors.Is(err, token.ErrDanceNotFound) {
			t.Errorf("TakeDance(%s) after an invalid put: %v, want ErrDanceNotFound", state, err)
		}
	}
}

func testDanceContextCanceled(t *testing.T, s token.Store, clock *testclock.Clock) {
	ds := s.(token.DanceStore)
	if err := ds.PutDance(t.Context(), fullDance(clock.Now(), "state-1", "alice"), token.DanceLimits{}); err != nil {
		t.Fatalf("PutDance: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls := map[string]func() error{
		"PutDance": func() error {
			return ds.PutDance(ctx, fullDance(clock.Now(), "state-2", "alice"), token.DanceLimits{})
		},
		"TakeDance":   func() error { _, err := ds.TakeDance(ctx, "state-1", "alice"); return err },
		"DeleteDance": func() error { return ds.DeleteDance(ctx, "state-1") },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a canceled context: error = %v, want context.Canceled", name, err)
		}
	}
	if _, err := ds.TakeDance(t.Context(), "state-1", "alice"); err != nil {
		t.Errorf("TakeDance after canceled calls: %v, want the dance (untouched)", err)
	}
	if _, err := ds.TakeDance(t.Context(), "state-2", "alice"); !errors.Is(err, token.ErrDanceNotFound) {
		t.Errorf("a canceled PutDance stored its dance: %v", err)
	}
}

// testDanceTakeOnce: of many goroutines taking one dance, exactly one gets
// it; meanwhile others put and take their own.
func testDanceTakeOnce(t *testing.T, s token.Store, clock *testclock.Clock) {
	ds := s.(token.DanceStore)
	ctx := t.Context()
	const dances, takers = 8, 8
	for i := range dances {
		if err := ds.PutDance(ctx, fullDance(clock.Now(), fmt.Sprintf("state-%d", i), "alice"), token.DanceLimits{}); err != nil {
			t.Fatalf("PutDance: %v", err)
		}
	}
	var (
		wg   sync.WaitGroup
		wins [dances]atomic.Int32
	)
	for i := range dances {
		for range takers {
			wg.Go(func() {
				d, err := ds.TakeDance(ctx, fmt.Sprintf("state-%d", i), "alice")
				switch {
				case err == nil && d.State.Reveal() == fmt.Sprintf("state-%d", i):
					wins[i].Add(1)
				case err == nil:
					t.Errorf("TakeDance(state-%d) returned %v", i, d)
				case !errors.Is(err, token.ErrDanceNotFound):
					t.Errorf("TakeDance(state-%d): %v", i, err)
				}
			})
		}
		wg.Go(func() {
			if err := ds.PutDance(ctx, fullDance(clock.Now(), fmt.Sprintf("other-%d", i), "bob"), token.DanceLimits{}); err != nil {
				t.Errorf("PutDance: %v", err)
			}
		})
	}
	wg.Wait()
	for i := range dances {
		if n := wins[i].Load(); n != 1 {
			t.Errorf("state-%d was taken %d times, want exactly once", i, n)
		}
	}
	for i := range dances {
		if _, err := ds.TakeDance(ctx, fmt.Sprintf("other-%d", i), "bob"); err != nil {
			t.Errorf("TakeDance(other-%d): %v", i, err)
		}
	}
}
