package storetest_test

import (
	"context"
	"github.com/go-applinks/applinks/applink/token"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/storetest"
)

// brokenEnv names the broken store TestBrokenStore runs the suite on.
const brokenEnv = "STORETEST_BROKEN_STORE"

// sharedPointers hands out the token it stores: no copies. It is broken in
// that one way only: its map is guarded, so that the suite's concurrent
// check cannot crash the process before the copies check fails.
type sharedPointers struct {
	*token.MemoryStore
	mu   sync.Mutex
	kept map[token.Key]*token.AccessToken
}

func (s *sharedPointers) PutAccessToken(ctx context.Context, key token.Key, t *token.AccessToken) error {
	s.mu.Lock()
	s.kept[key] = t
	s.mu.Unlock()
	return s.MemoryStore.PutAccessToken(ctx, key, t)
}

func (s *sharedPointers) AccessToken(ctx context.Context, key token.Key) (*token.AccessToken, error) {
	if _, err := s.MemoryStore.AccessToken(ctx, key); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.kept[key]; t != nil {
		return t, nil
	}
	return s.MemoryStore.AccessToken(ctx, key)
}

// unsorted lists keys in reverse order.
type unsorted struct{ *token.MemoryStore }

func (s unsorted) AccessTokens(ctx context.Context) ([]token.Key, error) {
	keys, err := s.MemoryStore.AccessTokens(ctx)
	slices.Reverse(keys)
	return keys, err
}

// noopLock "locks" without excluding anyone.
type noopLock struct{ *token.MemoryStore }

func (noopLock) LockToken(ctx context.Context, _ token.Key) (token.Lock, error) {
	return &token.FuncLock{}, ctx.Err()
}

// reusableDance gives a dance to every taker.
type reusableDance struct{ *token.MemoryStore }

func (s reusableDance) TakeDance(ctx context.Context, state, user string) (*token.PendingDance, error) {
	d, err := s.MemoryStore.TakeDance(ctx, state, user)
	if err == nil {
		_ = s.MemoryStore.PutDance(ctx, d, token.DanceLimits{})
	}
	return d, err
}

// brokenStores are stores that break one rule each, with a check of the
// suite that must fail on them.
var brokenStores = map[string]struct {
	newStore storetest.NewStore
	failing  string
}{
	"shared pointers": {func(_ *testing.T, now func() time.Time) token.Store {
		return &sharedPointers{MemoryStore: token.NewMemoryStore(token.WithClock(now)), kept: map[token.Key]*token.AccessToken{}}
	}, "AccessTokenCopies"},
	"unsorted": {func(_ *testing.T, now func() time.Time) token.Store {
		return unsorted{token.NewMemoryStore(token.WithClock(now))}
	}, "AccessTokensSorted"},
	"wall clock": {func(_ *testing.T, _ func() time.Time) token.Store {
		return token.NewMemoryStore() // ignores the suite's clock
	}, "AccessTokenExpiry"},
	"lock that does not lock": {func(_ *testing.T, now func() time.Time) token.Store {
		return noopLock{token.NewMemoryStore(token.WithClock(now))}
	}, "LockContext"},
	"dance taken twice": {func(_ *testing.T, now func() time.Time) token.Store {
		return reusableDance{token.NewMemoryStore(token.WithClock(now))}
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
	storetest.RunReplicas(t, func(_ *testing.T, now func() time.Time) (token.Store, token.Store) {
		return token.NewMemoryStore(token.WithClock(now)), token.NewMemoryStore(token.WithClock(now))
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
