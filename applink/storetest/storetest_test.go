package storetest_test

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/storetest"
)

// brokenEnv names the broken store TestBrokenStore runs the suite on.
const brokenEnv = "STORETEST_BROKEN_STORE"

// sharedPointers hands out the token it stores: no copies. It is broken in
// that one way only: its map is guarded, so that the suite's concurrent
// check cannot crash the process before the copies check fails.
type sharedPointers struct {
	*applink.MemoryTokenStore
	mu   sync.Mutex
	kept map[applink.TokenKey]*applink.AccessToken
}

func (s *sharedPointers) PutAccessToken(ctx context.Context, key applink.TokenKey, t *applink.AccessToken) error {
	s.mu.Lock()
	s.kept[key] = t
	s.mu.Unlock()
	return s.MemoryTokenStore.PutAccessToken(ctx, key, t)
}

func (s *sharedPointers) AccessToken(ctx context.Context, key applink.TokenKey) (*applink.AccessToken, error) {
	if _, err := s.MemoryTokenStore.AccessToken(ctx, key); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.kept[key]; t != nil {
		return t, nil
	}
	return s.MemoryTokenStore.AccessToken(ctx, key)
}

// unsorted lists keys in reverse order.
type unsorted struct{ *applink.MemoryTokenStore }

func (s unsorted) AccessTokens(ctx context.Context) ([]applink.TokenKey, error) {
	keys, err := s.MemoryTokenStore.AccessTokens(ctx)
	slices.Reverse(keys)
	return keys, err
}

// noopLock "locks" without excluding anyone.
type noopLock struct{ *applink.MemoryTokenStore }

func (noopLock) LockToken(ctx context.Context, _ applink.TokenKey) (func(), error) {
	return func() {}, ctx.Err()
}

// reusableDance gives a dance to every taker.
type reusableDance struct{ *applink.MemoryTokenStore }

func (s reusableDance) TakeDance(ctx context.Context, state, user string) (*applink.PendingDance, error) {
	d, err := s.MemoryTokenStore.TakeDance(ctx, state, user)
	if err == nil {
		_ = s.MemoryTokenStore.PutDance(ctx, d, applink.DanceLimits{})
	}
	return d, err
}

// brokenStores are stores that break one rule each, with a check of the
// suite that must fail on them.
var brokenStores = map[string]struct {
	newStore storetest.NewStore
	failing  string
}{
	"shared pointers": {func(_ *testing.T, now func() time.Time) applink.TokenStore {
		return &sharedPointers{MemoryTokenStore: applink.NewMemoryTokenStore(applink.WithStoreClock(now)), kept: map[applink.TokenKey]*applink.AccessToken{}}
	}, "AccessTokenCopies"},
	"unsorted": {func(_ *testing.T, now func() time.Time) applink.TokenStore {
		return unsorted{applink.NewMemoryTokenStore(applink.WithStoreClock(now))}
	}, "AccessTokensSorted"},
	"wall clock": {func(_ *testing.T, _ func() time.Time) applink.TokenStore {
		return applink.NewMemoryTokenStore() // ignores the suite's clock
	}, "AccessTokenExpiry"},
	"lock that does not lock": {func(_ *testing.T, now func() time.Time) applink.TokenStore {
		return noopLock{applink.NewMemoryTokenStore(applink.WithStoreClock(now))}
	}, "LockContext"},
	"dance taken twice": {func(_ *testing.T, now func() time.Time) applink.TokenStore {
		return reusableDance{applink.NewMemoryTokenStore(applink.WithStoreClock(now))}
	}, "DanceRoundTrip"},
}

// TestBrokenStore runs the suite on the broken store named by brokenEnv,
// in the child process TestRunFindsBrokenStores starts; it is skipped
// otherwise.
func TestBrokenStore(t *testing.T) {
	name := os.Getenv(brokenEnv)
	if name == "" {
		t.Skip("runs in a child process of TestRunFindsBrokenStores")
	}
	storetest.Run(t, brokenStores[name].newStore)
}

// TestBrokenReplicas runs RunReplicas on two independent memory stores
// posing as replicas of one, in the child process of
// TestRunReplicasFindsUnsharedStores; it is skipped otherwise.
func TestBrokenReplicas(t *testing.T) {
	if os.Getenv(brokenEnv) != "unshared replicas" {
		t.Skip("runs in a child process of TestRunReplicasFindsUnsharedStores")
	}
	storetest.RunReplicas(t, func(_ *testing.T, now func() time.Time) (applink.TokenStore, applink.TokenStore) {
		return applink.NewMemoryTokenStore(applink.WithStoreClock(now)), applink.NewMemoryTokenStore(applink.WithStoreClock(now))
	})
}

// TestRunReplicasFindsUnsharedStores: stores that share nothing fail every
// check of RunReplicas.
func TestRunReplicasFindsUnsharedStores(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts a child process")
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestBrokenReplicas$", "-test.v")
	cmd.Env = append(os.Environ(), brokenEnv+"=unshared replicas")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("RunReplicas passed two stores that share nothing:\n%s", out)
	}
	for _, check := range []string{"TokensShared", "LockShared", "DanceShared"} {
		if !strings.Contains(string(out), "--- FAIL: TestBrokenReplicas/"+check+" ") {
			t.Errorf("RunReplicas did not fail %s:\n%s", check, out)
		}
	}
}

// TestRunFindsBrokenStores: the suite fails each broken store, in the check
// of the rule it breaks. It runs the suite in a child process, since a
// failing test cannot be observed from inside.
func TestRunFindsBrokenStores(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts child processes")
	}
	for name, b := range brokenStores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestBrokenStore$", "-test.v")
			cmd.Env = append(os.Environ(), brokenEnv+"="+name)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a store with %s:\n%s", name, out)
			}
			if want := "--- FAIL: TestBrokenStore/" + b.failing + " "; !strings.Contains(string(out), want) {
				t.Errorf("the suite failed, but not in %s:\n%s", b.failing, out)
			}
		})
	}
}
