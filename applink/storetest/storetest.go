package storetest

import (
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/testclock"
	"github.com/google/go-cmp/cmp"
)

// NewStore returns an empty store for one test of the suite. The store must
// read the time from now whenever it decides whether something has expired
// (the memory store takes it as [token.WithClock]); the
// suite moves that clock. Release what the store holds with t.Cleanup. Run
// calls it from parallel subtests, so it must be safe for concurrent use,
// and each store it returns must be empty and independent of the others (a
// database store: its own schema or table prefix per call).
type NewStore func(t *testing.T, now func() time.Time) token.Store

// Run checks that the stores newStore returns keep the contract of
// [token.Store], and of [token.Locker], [token.Swapper] and
// [token.DanceStore] when they implement them, each check in its own
// parallel subtest:
//
//   - Store: access and request tokens round-trip with every field and
//     secret (OAuth 1.0a and OAuth 2.0); they are copied in and out; a Put
//     replaces; expired tokens are absent unless renewable (a session handle
//     before the authorization expires, an OAuth 2.0 refresh token);
//     AccessTokens lists the present keys sorted by link id then user;
//     deleting an absent token is not an error; invalid tokens are refused
//     ([token.AccessToken.Validate]); a canceled context fails every
//     call; many goroutines at once lose nothing.
//   - Locker: one holder per key at a time, other keys and every store
//     operation not blocked, the context honored while waiting; a Lock is
//     Held until unlocked, and a second Unlock does nothing. A check whose
//     store blocks (a lock never released, a wait that ignores its
//     context) fails with an error that says so within about a minute,
//     rather than hanging the test binary.
//   - Swapper: a swap from the stored token's value stores the new token, a
//     swap from any other value (or with nothing stored) writes nothing and
//     reports token.ErrTokenChanged, and of concurrent swaps from one
//     token exactly one wins.
//   - DanceStore: round trip, single use (exactly one of concurrent takes
//     wins), another user's take refused leaving the dance, expiry, the
//     per-user and total limits, invalid dances refused.
//
// The suite's clock starts at 2026-03-01 12:00 UTC and moves in steps of
// at least a microsecond, so a store may keep times to the microsecond
// (PostgreSQL's timestamptz). Run it with -race.
func Run(t *testing.T, newStore NewStore) {
	t.Helper()
	probe := newStore(t, testclock.New(testclock.Start).Now)
	_, locker := probe.(token.Locker)
	_, dances := probe.(token.DanceStore)
	_, swapper := probe.(token.Swapper)
	checks := tokenChecks()
	if locker {
		checks = append(checks, lockerChecks()...)
	}
	if swapper {
		checks = append(checks, swapChecks()...)
	}
	if dances {
		checks = append(checks, danceChecks()...)
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			clock := testclock.New(testclock.Start)
			c.run(t, newStore(t, clock.Now), clock)
		})
	}
}

// check is one test of the suite.
type check struct {
	name string
	run  func(t *testing.T, s token.Store, clock *testclock.Clock)
}

// tokenCmp compares tokens including their secrets; times compare with
// their Equal method, whatever their location.
var tokenCmp = cmp.AllowUnexported(token.AccessToken{}, token.RequestToken{})
