package sealed_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/applink/sealed"
	"github.com/google/go-cmp/cmp"
)

// replacedMeanwhile is an inner store in which, right after the first read
// of key, another replica stores a new token for it (a dance completing).
type replacedMeanwhile struct {
	*token.MemoryStore
	key     token.Key
	replace func()
	once    sync.Once
}

func (s *replacedMeanwhile) AccessToken(ctx context.Context, key token.Key) (*token.AccessToken, error) {
	t, err := s.MemoryStore.AccessToken(ctx, key)
	if key == s.key {
		s.once.Do(s.replace)
	}
	return t, err
}

func TestReseal(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	k0, k1, k2 := testKey(t, "k0", 7), testKey(t, "k1", 1), testKey(t, "k2", 2)
	mem := token.NewMemoryStore()
	frank := token.Key{LinkID: "link-1", User: "frank"}
	newer := token.NewAccessToken("token-frank-new", "SECRET-frank-new")
	inner := &replacedMeanwhile{MemoryStore: mem, key: frank}
	inner.replace = func() {
		if err := newSealed(t, mem, testKeyring(t, k2)).PutAccessToken(ctx, frank, newer); err != nil {
			t.Error(err)
		}
	}
	old := newSealed(t, mem, testKeyring(t, k1))
	want := map[string]*token.AccessToken{}
	for _, user := range []string{"alice", "bob", "carol", "frank"} {
		tok := token.NewAccessToken("token-"+user, "SECRET-"+user)
		if user == "bob" {
			tok = token.NewOAuth2AccessToken("BEARER-bob", "REFRESH-bob")
		}
		if err := old.PutAccessToken(ctx, token.Key{LinkID: "link-1", User: user}, tok); err != nil {
			t.Fatal(err)
		}
		want[user] = tok
	}
	// dave's token is in the clear (before sealing was turned on); erin's
	// was sealed with a key nobody has any more.
	dave := token.NewAccessToken("token-dave", "SECRET-dave")
	if err := mem.PutAccessToken(ctx, token.Key{LinkID: "link-1", User: "dave"}, dave); err != nil {
		t.Fatal(err)
	}
	want["dave"] = dave
	if err := newSealed(t, mem, testKeyring(t, k0)).PutAccessToken(ctx, token.Key{LinkID: "link-1", User: "erin"}, token.NewAccessToken("token-erin", "SECRET-erin")); err != nil {
		t.Fatal(err)
	}

	rotated := newSealed(t, inner, testKeyring(t, k2, k1), sealed.AllowUnsealed())
	rep, err := sealed.Reseal(ctx, rotated)
	var oe *sealed.OpenError
	if !errors.As(err, &oe) || !errors.Is(err, sealed.ErrUnknownKey) || oe.KeyID != "k0" || !strings.Contains(err.Error(), `"erin"`) {
		t.Errorf("Reseal error = %v, want erin's token reported with ErrUnknownKey for k0", err)
	}
	if diff := cmp.Diff(sealed.ResealReport{Resealed: 4, Skipped: 1, Failed: 1}, rep); diff != "" {
		t.Errorf("Reseal report (-want +got):\n%s", diff)
	}
	// Everything but erin's now opens with k2 alone, in a strict store;
	// frank's is the newer token, not the one Reseal first read.
	want["frank"] = newer
	strict := newSealed(t, mem, testKeyring(t, k2))
	for user, w := range want {
		got, err := strict.AccessToken(ctx, token.Key{LinkID: "link-1", User: user})
		if err != nil {
			t.Errorf("%s after Reseal, with k2 alone: %v", user, err)
			continue
		}
		if diff := cmp.Diff(w, got, tokenCmp); diff != "" {
			t.Errorf("%s after Reseal (-want +got):\n%s", user, diff)
		}
	}
	// A second run has nothing to do.
	rep, _ = sealed.Reseal(ctx, rotated)
	if diff := cmp.Diff(sealed.ResealReport{Current: 5, Failed: 1}, rep); diff != "" {
		t.Errorf("second Reseal report (-want +got):\n%s", diff)
	}
	if _, err := sealed.Reseal(ctx, mem); err == nil {
		t.Error("Reseal of a store that is not sealed: nil error")
	}
}

// replacedBeforeWrite is an inner store in which another replica stores a
// new token for key without taking the lock (an authorization completing)
// right after Reseal's last read of it, before Reseal writes: the third
// read (the token read, opened, then checked again).
type replacedBeforeWrite struct {
	*token.MemoryStore
	key     token.Key
	replace func()
	mu      sync.Mutex
	reads   int
}

func (s *replacedBeforeWrite) AccessToken(ctx context.Context, key token.Key) (*token.AccessToken, error) {
	t, err := s.MemoryStore.AccessToken(ctx, key)
	if key == s.key {
		s.mu.Lock()
		s.reads++
		third := s.reads == 3
		s.mu.Unlock()
		if third {
			s.replace()
		}
	}
	return t, err
}

// TestResealKeepsATokenStoredBeforeItsWrite: a token stored between
// Reseal's last check and its write is not overwritten by the resealed
// older one (Reseal writes conditionally on a token.Swapper).
func TestResealKeepsATokenStoredBeforeItsWrite(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	k1, k2 := testKey(t, "k1", 1), testKey(t, "k2", 2)
	mem := token.NewMemoryStore()
	grace := token.Key{LinkID: "link-1", User: "grace"}
	if err := newSealed(t, mem, testKeyring(t, k1)).PutAccessToken(ctx, grace, token.NewAccessToken("token-grace", "SECRET-grace")); err != nil {
		t.Fatal(err)
	}
	newer := token.NewAccessToken("token-grace-new", "SECRET-grace-new")
	inner := &replacedBeforeWrite{MemoryStore: mem, key: grace}
	inner.replace = func() {
		if err := newSealed(t, mem, testKeyring(t, k2)).PutAccessToken(ctx, grace, newer); err != nil {
			t.Error(err)
		}
	}
	rep, err := sealed.Reseal(ctx, newSealed(t, inner, testKeyring(t, k2, k1)))
	if err != nil {
		t.Fatal(err)
	}
	if inner.reads < 3 {
		t.Fatalf("Reseal read grace's token %d times; the test expects its write after a third read", inner.reads)
	}
	if diff := cmp.Diff(sealed.ResealReport{Skipped: 1}, rep); diff != "" {
		t.Errorf("Reseal report (-want +got):\n%s", diff)
	}
	got, err := newSealed(t, mem, testKeyring(t, k2)).AccessToken(ctx, grace)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(newer, got, tokenCmp); diff != "" {
		t.Errorf("grace's token after Reseal: the newer authorization was overwritten (-want +got):\n%s", diff)
	}
}
