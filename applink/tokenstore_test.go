package applink

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testClock is an injectable clock that tests move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// tokenCmp compares tokens including their secrets.
var tokenCmp = cmp.AllowUnexported(AccessToken{}, RequestToken{})

func TestOAuth2TokenInvalid(t *testing.T) {
	t.Parallel()
	key := TokenKey{LinkID: "l", User: "u"}
	noBearer := NewOAuth2AccessToken("", "r")
	noBearer.Token = "sha256:0000"
	badKind := NewAccessToken("t", "s")
	badKind.Kind = "saml"
	for name, tok := range map[string]*AccessToken{"no bearer": noBearer, "unknown kind": badKind} {
		if err := validateAccessToken(key, tok); err == nil {
			t.Errorf("%s: validateAccessToken = nil, want an error", name)
		}
	}
}

func TestOAuth2Fingerprint(t *testing.T) {
	t.Parallel()
	a, b := OAuth2Fingerprint("bearer-a"), OAuth2Fingerprint("bearer-b")
	if a == b || !strings.HasPrefix(a, "sha256:") || len(a) != len("sha256:")+16 {
		t.Errorf("fingerprints %q and %q: want distinct sha256:<16 hex>", a, b)
	}
	if strings.Contains(a, "bearer") {
		t.Errorf("fingerprint %q contains the token", a)
	}
}

// TestStoresPurgeExpiredRequestTokens: the memory and file stores drop an
// expired request token at the next write, so that turning the clock back
// does not bring it back (abandoned dances do not pile up).
func TestStoresPurgeExpiredRequestTokens(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(t *testing.T, clock *testClock) TokenStore{
		"memory": func(_ *testing.T, clock *testClock) TokenStore { return NewMemoryTokenStore(WithStoreClock(clock.Now)) },
		"file":   newFileStore,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clock := newTestClock()
			s := open(t, clock)
			ctx := t.Context()
			old := NewRequestToken("old", "s")
			old.ExpiresAt = clock.Now().Add(10 * time.Minute)
			if err := s.PutRequestToken(ctx, old); err != nil {
				t.Fatal(err)
			}
			clock.Advance(10 * time.Minute)
			if err := s.PutRequestToken(ctx, NewRequestToken("new", "s")); err != nil {
				t.Fatal(err)
			}
			clock.Advance(-time.Minute)
			if _, err := s.RequestToken(ctx, "old"); !errors.Is(err, ErrTokenNotFound) {
				t.Errorf("RequestToken of a purged token: error = %v, want ErrTokenNotFound", err)
			}
		})
	}
}

// Secrets used by TestTokenRedaction; none may appear in any output.
const (
	redactAccessSecret  = "ACCESS-SECRET-7f3a"
	redactSessionHandle = "SESSION-HANDLE-9b2c"
	redactRequestSecret = "REQUEST-SECRET-4d1e"
)

func TestTokenRedaction(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	at := NewAccessToken("access-token-value", redactAccessSecret)
	at.SessionHandle = redactSessionHandle
	at.ExpiresAt = now.Add(time.Hour)
	rt := NewRequestToken("request-token-value", redactRequestSecret)
	rt.LinkID, rt.User = "link-1", "alice"
	o2 := NewOAuth2AccessToken(redactAccessSecret, redactSessionHandle)
	o2.Scopes = []string{"WRITE"}

	ctx := t.Context()
	mem := NewMemoryTokenStore()
	file, err := OpenFileTokenStore(t.TempDir() + "/tokens.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []TokenStore{mem, file} {
		if err := s.PutAccessToken(ctx, TokenKey{"link-1", "alice"}, at); err != nil {
			t.Fatal(err)
		}
		if err := s.PutRequestToken(ctx, rt); err != nil {
			t.Fatal(err)
		}
		if err := s.PutAccessToken(ctx, TokenKey{"link-2", "alice"}, o2); err != nil {
			t.Fatal(err)
		}
	}
	type holder struct {
		Access  AccessToken
		Request RequestToken
		Ptr     *AccessToken
	}
	values := map[string]any{
		"*AccessToken":      at,
		"AccessToken":       *at,
		"*RequestToken":     rt,
		"RequestToken":      *rt,
		"struct of tokens":  holder{*at, *rt, at},
		"*struct of tokens": &holder{*at, *rt, at},
		"slice of tokens":   []*AccessToken{at},
		"OAuth 2.0 token":   o2,
		"OAuth 2.0 value":   *o2,
		"*MemoryTokenStore": mem,
		"*FileTokenStore":   file,
		"tokenResponse": tokenResponse{token: "access-token-value", secret: redactAccessSecret,
			sessionHandle: redactSessionHandle},
	}
	for name, v := range values {
		for _, verb := range redactionVerbs {
			assertNoSecret(t, name+" "+verb, fmt.Sprintf(verb, v))
		}
		var text, js bytes.Buffer
		slog.New(slog.NewTextHandler(&text, nil)).Info("msg", "v", v)
		slog.New(slog.NewJSONHandler(&js, nil)).Info("msg", "v", v)
		assertNoSecret(t, name+" slog text", text.String())
		assertNoSecret(t, name+" slog json", js.String())
		if b, err := json.Marshal(v); err == nil {
			assertNoSecret(t, name+" json.Marshal", string(b))
		}
	}
	if got := at.String(); !strings.Contains(got, "redacted") {
		t.Errorf("AccessToken.String() = %q, want it to say the secret is redacted", got)
	}
}

// redactionVerbs are the fmt directives the redaction tests print every
// secret-holding value with: those fmt sends to String (%v %s %x %X %q) and
// those that would print raw fields but for a Format method (%d %t %10v …).
var redactionVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%X", "%10v", "%-8s", "%t", "%o", "%e", "%+d"}

// assertNoSecret fails if out holds any of the redaction test's secrets,
// plain or hex-encoded.
func assertNoSecret(t *testing.T, what, out string) {
	t.Helper()
	for _, s := range []string{redactAccessSecret, redactSessionHandle, redactRequestSecret} {
		for _, secret := range []string{s, fmt.Sprintf("%x", s), fmt.Sprintf("%X", s)} {
			if !strings.Contains(out, secret) {
				continue
			}
			t.Errorf("%s leaks %s: %s", what, secret, out)
		}
	}
}
