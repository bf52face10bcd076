package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/testclock"
	"github.com/google/go-cmp/cmp"
)

// fullRequestToken returns a request token with every field set.
func fullRequestToken(now time.Time, value string) *token.RequestToken {
	rt := token.NewRequestToken(value, "secret-of-"+value)
	rt.LinkID = "link-1"
	rt.User = "alice"
	rt.Callback = "http://127.0.0.1:8080/callback"
	rt.ExpiresAt = now.Add(10 * time.Minute)
	rt.CreatedAt = now
	return rt
}

func testRequestTokenRoundTrip(t *testing.T, s token.Store, clock *testclock.Clock) {
	ctx := t.Context()
	want := fullRequestToken(clock.Now(), "req-1")
	if err := s.PutRequestToken(ctx, want); err != nil {
		t.Fatalf("PutRequestToken: %v", err)
	}
	got, err := s.RequestToken(ctx, "req-1")
	if err != nil {
		t.Fatalf("RequestToken: %v", err)
	}
	if diff := cmp.Diff(want, got, tokenCmp); diff != "" {
		t.Errorf("RequestToken (-want +got):\n%s", diff)
	}
	if _, err := s.RequestToken(ctx, "req-2"); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("RequestToken(unknown) error = %v, want token.ErrNotFound", err)
	}
	if err := s.DeleteRequestToken(ctx, "req-1"); err != nil {
		t.Fatalf("DeleteRequestToken: %v", err)
	}
	if _, err := s.RequestToken(ctx, "req-1"); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("RequestToken after delete: error = %v, want token.ErrNotFound", err)
	}
	if err := s.DeleteRequestToken(ctx, "req-1"); err != nil {
		t.Errorf("DeleteRequestToken of an absent token: %v, want nil", err)
	}
}

func testRequestTokenCopies(t *testing.T, s token.Store, clock *testclock.Clock) {
	ctx := t.Context()
	rt := fullRequestToken(clock.Now(), "req-1")
	want := *rt
	if err := s.PutRequestToken(ctx, rt); err != nil {
		t.Fatalf("PutRequestToken: %v", err)
	}
	rt.User = "mallory"
	got, err := s.RequestToken(ctx, "req-1")
	if err != nil {
		t.Fatalf("RequestToken: %v", err)
	}
	got.LinkID = "changed"
	again, err := s.RequestToken(ctx, "req-1")
	if err != nil {
		t.Fatalf("RequestToken: %v", err)
	}
	if diff := cmp.Diff(&want, again, tokenCmp); diff != "" {
		t.Errorf("store changed through a caller's pointer (-want +got):\n%s", diff)
	}
}

func testRequestTokenExpiry(t *testing.T, s token.Store, clock *testclock.Clock) {
	ctx := t.Context()
	if err := s.PutRequestToken(ctx, fullRequestToken(clock.Now(), "old")); err != nil {
		t.Fatalf("PutRequestToken: %v", err)
	}
	clock.Advance(10*time.Minute - time.Microsecond)
	if _, err := s.RequestToken(ctx, "old"); err != nil {
		t.Fatalf("RequestToken just before expiry: %v", err)
	}
	clock.Advance(time.Microsecond)
	if _, err := s.RequestToken(ctx, "old"); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("RequestToken at expiry: error = %v, want token.ErrNotFound", err)
	}
	// Writing after the expiry works, and the expired token stays absent.
	if err := s.PutRequestToken(ctx, fullRequestToken(clock.Now(), "new")); err != nil {
		t.Fatalf("PutRequestToken: %v", err)
	}
	if _, err := s.RequestToken(ctx, "old"); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("RequestToken of an expired token after a write: error = %v, want token.ErrNotFound", err)
	}
	if _, err := s.RequestToken(ctx, "new"); err != nil {
		t.Errorf("RequestToken(new): %v", err)
	}
}

func testRequestTokenInvalid(t *testing.T, s token.Store, clock *testclock.Clock) {
	ctx := t.Context()
	bad := token.NewRequestToken("req", "s")
	bad.CreatedAt = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)
	for name, rt := range map[string]*token.RequestToken{"nil": nil, "empty token": token.NewRequestToken("", "s"), "year -1": bad} {
		if err := s.PutRequestToken(ctx, rt); err == nil {
			t.Errorf("PutRequestToken(%s) = nil, want an error", name)
		}
	}
	if _, err := s.RequestToken(ctx, "req"); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("RequestToken after an invalid put: error = %v, want token.ErrNotFound", err)
	}
}
