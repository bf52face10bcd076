package sealed_test

import (
	"context"
	"errors"
	"github.com/go-applinks/applinks/applink/token"
	"strings"
	"sync"
	"testing"

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
