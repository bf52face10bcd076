package token_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/storetest"
	"github.com/go-applinks/applinks/applink/token"
)

// TestMemoryStoreConformance: the memory store keeps the contract of
// Store, Locker, Swapper and DanceStore.
func TestMemoryStoreConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(_ *testing.T, now func() time.Time) token.Store {
		return token.NewMemoryStore(token.WithClock(now))
	})
}

func TestValidateRefusesBrokenOAuth2Tokens(t *testing.T) {
	t.Parallel()
	key := token.Key{LinkID: "l", User: "u"}
	noBearer := token.NewOAuth2AccessToken("", "r")
	noBearer.Token = "sha256:0000"
	badKind := token.NewAccessToken("t", "s")
	badKind.Kind = "saml"
	for name, tok := range map[string]*token.AccessToken{"no bearer": noBearer, "unknown kind": badKind} {
		if err := tok.Validate(key); err == nil {
			t.Errorf("%s: Validate = nil, want an error", name)
		}
	}
}

func TestFingerprint(t *testing.T) {
	t.Parallel()
	a, b := token.Fingerprint("bearer-a"), token.Fingerprint("bearer-b")
	if a == b || !strings.HasPrefix(a, "sha256:") || len(a) != len("sha256:")+16 {
		t.Errorf("fingerprints %q and %q: want distinct sha256:<16 hex>", a, b)
	}
	if strings.Contains(a, "bearer") {
		t.Errorf("fingerprint %q contains the token", a)
	}
}

// TestMemoryStorePurgesExpiredRequestTokens: the memory store drops an
// expired request token at the next write, so that turning the clock back
// does not bring it back (abandoned dances do not pile up).
func TestMemoryStorePurgesExpiredRequestTokens(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := token.NewMemoryStore(token.WithClock(func() time.Time { return now }))
	ctx := t.Context()
	old := token.NewRequestToken("old", "s")
	old.ExpiresAt = now.Add(10 * time.Minute)
	if err := s.PutRequestToken(ctx, old); err != nil {
		t.Fatal(err)
	}
	now = now.Add(10 * time.Minute)
	if err := s.PutRequestToken(ctx, token.NewRequestToken("new", "s")); err != nil {
		t.Fatal(err)
	}
	now = now.Add(-time.Minute)
	if _, err := s.RequestToken(ctx, "old"); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("RequestToken of a purged token: error = %v, want ErrNotFound", err)
	}
}

func TestMemoryStoreString(t *testing.T) {
	t.Parallel()
	s := token.NewMemoryStore()
	if err := s.PutAccessToken(t.Context(), token.Key{LinkID: "l", User: "u"}, token.NewAccessToken("t", "s")); err != nil {
		t.Fatal(err)
	}
	if got, want := s.String(), "MemoryStore(1 access tokens, 0 request tokens)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// TestTokensPrintWithoutSecrets: tokens print their non-secret fields and
// REDACTED for each secret that is set.
func TestTokensPrintWithoutSecrets(t *testing.T) {
	t.Parallel()
	at := token.NewAccessToken("access-token-value", "ACCESS-SECRET-7f3a")
	at.SessionHandle = token.NewSecret("SESSION-HANDLE-9b2c")
	for _, tc := range []struct {
		format string
		v      any
		want   string
	}{
		{"%+v", *at, "AccessToken(acce…, no expiry, secret redacted)"},
		{"%+v", struct{ T []*token.AccessToken }{}, "{T:[]}"},
		{"%d", struct{ S token.Secret }{at.Secret}, "{REDACTED}"},
		{"%v", token.NewOAuth2AccessToken("b", "r"), "AccessToken(oauth2 " + token.Fingerprint("b") + ", no expiry, bearer and refresh tokens redacted)"},
		{"%v", token.NewRequestToken("rt", "REQUEST-SECRET").Secret, "REDACTED"},
	} {
		if got := fmt.Sprintf(tc.format, tc.v); got != tc.want {
			t.Errorf("Sprintf(%q) = %q, want %q", tc.format, got, tc.want)
		}
	}
}
