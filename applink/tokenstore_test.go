package applink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
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

// newStoreFunc makes an empty store under test that uses clock.
type newStoreFunc func(t *testing.T, clock *testClock) TokenStore

// testTokenStore runs the TokenStore contract against stores from newStore.
func testTokenStore(t *testing.T, newStore newStoreFunc) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, s TokenStore, clock *testClock)
	}{
		{"AccessTokenRoundTrip", testAccessTokenRoundTrip},
		{"OAuth2TokenRoundTrip", testOAuth2TokenRoundTrip},
		{"AccessTokenReplace", testAccessTokenReplace},
		{"AccessTokenCopies", testAccessTokenCopies},
		{"AccessTokenExpiry", testAccessTokenExpiry},
		{"AccessTokenRenewable", testAccessTokenRenewable},
		{"AccessTokensSorted", testAccessTokensSorted},
		{"AccessTokenInvalid", testAccessTokenInvalid},
		{"RequestTokenRoundTrip", testRequestTokenRoundTrip},
		{"RequestTokenCopies", testRequestTokenCopies},
		{"RequestTokenExpiryPurged", testRequestTokenExpiryPurged},
		{"RequestTokenInvalid", testRequestTokenInvalid},
		{"ContextCanceled", testStoreContextCanceled},
		{"Concurrent", testStoreConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newTestClock()
			tt.run(t, newStore(t, clock), clock)
		})
	}
}

// fullAccessToken returns a token with every field set, relative to now.
func fullAccessToken(now time.Time, value string) *AccessToken {
	tok := NewAccessToken(value, "secret-of-"+value)
	tok.ExpiresAt = now.Add(time.Hour)
	tok.SessionHandle = "handle-of-" + value
	tok.AuthorizationExpiresAt = now.Add(48 * time.Hour)
	tok.CreatedAt = now.Add(-time.Minute)
	return tok
}

func testAccessTokenRoundTrip(t *testing.T, s TokenStore, clock *testClock) {
	ctx := t.Context()
	key := TokenKey{LinkID: "link-1", User: "alice"}
	want := fullAccessToken(clock.Now(), "tok-a")
	if err := s.PutAccessToken(ctx, key, want); err != nil {
		t.Fatalf("PutAccessToken: %v", err)
	}
	got, err := s.AccessToken(ctx, key)
	if err != nil {
		t.Fatalf("AccessToken: %v", err)
	}
	if diff := cmp.Diff(want, got, tokenCmp); diff != "" {
		t.Errorf("AccessToken (-want +got):\n%s", diff)
	}
	if got.Secret() != "secret-of-tok-a" {
		t.Errorf("Secret() = %q, want %q", got.Secret(), "secret-of-tok-a")
	}
	other := TokenKey{LinkID: "link-1", User: "bob"}
	if _, err := s.AccessToken(ctx, other); !errors.Is(err, ErrTokenNotFound) {
		t.Errorf("AccessToken(other user) error = %v, want ErrTokenNotFound", err)
	}
	if err := s.DeleteAccessToken(ctx, key); err != nil {
		t.Fatalf("DeleteAccessToken: %v", err)
	}
	if _, err := s.AccessToken(ctx, key); !errors.Is(err, ErrTokenNotFound) {
		t.Errorf("AccessToken after delete: error = %v, want ErrTokenNotFound", err)
	}
	if err := s.DeleteAccessToken(ctx, key); err != nil {
		t.Errorf("DeleteAccessToken of an absent token: %v, want nil", err)
	}
}

func testOAuth2TokenRoundTrip(t *testing.T, s TokenStore, clock *testClock) {
	ctx := t.Context()
	key := TokenKey{LinkID: "link-2", User: "alice"}
	want := NewOAuth2AccessToken("bearer-of-alice", "refresh-of-alice")
	want.ExpiresAt = clock.Now().Add(time.Hour)
	want.Scopes = []string{"READ", "WRITE"}
	want.CreatedAt = clock.Now()
	if err := s.PutAccessToken(ctx, key, want); err != nil {
		t.Fatalf("PutAccessToken: %v", err)
	}
	want.Scopes[0] = "ADMIN" // the store kept its own copy
	got, err := s.AccessToken(ctx, key)
	if err != nil {
		t.Fatalf("AccessToken: %v", err)
	}
	want.Scopes[0] = "READ"
	if diff := cmp.Diff(want, got, tokenCmp); diff != "" {
		t.Errorf("AccessToken (-want +got):\n%s", diff)
	}
	if !got.IsOAuth2() || got.Secret() != "bearer-of-alice" || got.RefreshToken() != "refresh-of-alice" {
		t.Errorf("got kind %q, bearer %q, refresh %q; want oauth2, bearer-of-alice, refresh-of-alice",
			got.Kind, got.Secret(), got.RefreshToken())
	}
	got.Scopes[0] = "SYSTEM_ADMIN" // a caller changing its copy changes nothing stored
	again, err := s.AccessToken(ctx, key)
	if err != nil {
		t.Fatalf("AccessToken: %v", err)
	}
	if diff := cmp.Diff([]string{"READ", "WRITE"}, again.Scopes); diff != "" {
		t.Errorf("Scopes after changing a returned copy (-want +got):\n%s", diff)
	}

	// Expired, refreshable: still present (the core refreshes it).
	clock.Advance(2 * time.Hour)
	if _, err := s.AccessToken(ctx, key); err != nil {
		t.Errorf("AccessToken of an expired OAuth 2.0 token with a refresh token: %v, want it (renewable)", err)
	}
	// Expired without a refresh token: absent.
	noRefresh := NewOAuth2AccessToken("bearer-2", "")
	noRefresh.ExpiresAt = clock.Now().Add(-time.Minute)
	key2 := TokenKey{LinkID: "link-2", User: "bob"}
	if err := s.PutAccessToken(ctx, key2, noRefresh); err != nil {
		t.Fatalf("PutAccessToken: %v", err)
	}
	if _, err := s.AccessToken(ctx, key2); !errors.Is(err, ErrTokenNotFound) {
		t.Errorf("AccessToken of an expired OAuth 2.0 token without refresh: %v, want ErrTokenNotFound", err)
	}
}

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

func testAccessTokenReplace(t *testing.T, s TokenStore, clock *testClock) {
	ctx := t.Context()
	key := TokenKey{LinkID: "link-1", User: "alice"}
	for _, v := range []string{"first", "second"} {
		if err := s.PutAccessToken(ctx, key, NewAccessToken(v, "s-"+v)); err != nil {
			t.Fatalf("PutAccessToken(%s): %v", v, err)
		}
	}
	got, err := s.AccessToken(ctx, key)
	if err != nil {
		t.Fatalf("AccessToken: %v", err)
	}
	if diff := cmp.Diff(NewAccessToken("second", "s-second"), got, tokenCmp); diff != "" {
		t.Errorf("AccessToken after replace (-want +got):\n%s", diff)
	}
	keys, err := s.AccessTokens(ctx)
	if err != nil {
		t.Fatalf("AccessTokens: %v", err)
	}
	if diff := cmp.Diff([]TokenKey{key}, keys); diff != "" {
		t.Errorf("AccessTokens (-want +got):\n%s", diff)
	}
}

func testAccessTokenCopies(t *testing.T, s TokenStore, clock *testClock) {
	ctx := t.Context()
	key := TokenKey{LinkID: "link-1", User: "alice"}
	tok := fullAccessToken(clock.Now(), "tok-a")
	want := *tok
	if err := s.PutAccessToken(ctx, key, tok); err != nil {
		t.Fatalf("PutAccessToken: %v", err)
	}
	tok.Token = "changed after put"
	tok.ExpiresAt = time.Time{}
	got, err := s.AccessToken(ctx, key)
	if err != nil {
		t.Fatalf("AccessToken: %v", err)
	}
	got.Token = "changed after get"
	got.SessionHandle = ""
	again, err := s.AccessToken(ctx, key)
	if err != nil {
		t.Fatalf("AccessToken: %v", err)
	}
	if diff := cmp.Diff(&want, again, tokenCmp); diff != "" {
		t.Errorf("store changed through a caller's pointer (-want +got):\n%s", diff)
	}
}

func testAccessTokenExpiry(t *testing.T, s TokenStore, clock *testClock) {
	ctx := t.Context()
	key := TokenKey{LinkID: "link-1", User: "alice"}
	tok := NewAccessToken("tok-a", "s")
	tok.ExpiresAt = clock.Now().Add(time.Hour)
	tok.SessionHandle = "" // cannot be renewed
	if err := s.PutAccessToken(ctx, key, tok); err != nil {
		t.Fatalf("PutAccessToken: %v", err)
	}
	clock.Advance(time.Hour - time.Nanosecond)
	if _, err := s.AccessToken(ctx, key); err != nil {
		t.Fatalf("AccessToken just before expiry: %v", err)
	}
	clock.Advance(time.Nanosecond)
	if _, err := s.AccessToken(ctx, key); !errors.Is(err, ErrTokenNotFound) {
		t.Errorf("AccessToken at expiry: error = %v, want ErrTokenNotFound", err)
	}
	keys, err := s.AccessTokens(ctx)
	if err != nil {
		t.Fatalf("AccessTokens: %v", err)
	}
	if len(keys) != 0 {
		t.Errorf("AccessTokens = %v, want none (the only token expired)", keys)
	}
}

func testAccessTokenRenewable(t *testing.T, s TokenStore, clock *testClock) {
	ctx := t.Context()
	key := TokenKey{LinkID: "link-1", User: "alice"}
	tok := NewAccessToken("tok-a", "s")
	tok.ExpiresAt = clock.Now().Add(time.Hour)
	tok.SessionHandle = "handle"
	tok.AuthorizationExpiresAt = clock.Now().Add(2 * time.Hour)
	if err := s.PutAccessToken(ctx, key, tok); err != nil {
		t.Fatalf("PutAccessToken: %v", err)
	}
	clock.Advance(90 * time.Minute) // expired, still renewable
	got, err := s.AccessToken(ctx, key)
	if err != nil {
		t.Fatalf("AccessToken of an expired renewable token: %v, want the token", err)
	}
	if !got.Expired(clock.Now()) || !got.Renewable(clock.Now()) {
		t.Errorf("got Expired=%v Renewable=%v, want both true", got.Expired(clock.Now()), got.Renewable(clock.Now()))
	}
	keys, err := s.AccessTokens(ctx)
	if err != nil {
		t.Fatalf("AccessTokens: %v", err)
	}
	if diff := cmp.Diff([]TokenKey{key}, keys); diff != "" {
		t.Errorf("AccessTokens (-want +got):\n%s", diff)
	}
	clock.Advance(30 * time.Minute) // renewal window closed
	if _, err := s.AccessToken(ctx, key); !errors.Is(err, ErrTokenNotFound) {
		t.Errorf("AccessToken after the authorization expired: error = %v, want ErrTokenNotFound", err)
	}
}

func testAccessTokensSorted(t *testing.T, s TokenStore, clock *testClock) {
	ctx := t.Context()
	want := []TokenKey{
		{"a-link", "alice"}, {"a-link", "bob"}, {"a-link", "zed"},
		{"b-link", "alice"}, {"b-link", "carol"},
		{"c-link", "Alice"}, {"c-link", "alice"},
	}
	shuffled := append([]TokenKey(nil), want...)
	rand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for _, k := range shuffled {
		if err := s.PutAccessToken(ctx, k, NewAccessToken("t-"+k.LinkID+"-"+k.User, "s")); err != nil {
			t.Fatalf("PutAccessToken(%v): %v", k, err)
		}
	}
	got, err := s.AccessTokens(ctx)
	if err != nil {
		t.Fatalf("AccessTokens: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AccessTokens (-want +got):\n%s", diff)
	}
}

func testAccessTokenInvalid(t *testing.T, s TokenStore, clock *testClock) {
	ctx := t.Context()
	key := TokenKey{LinkID: "link-1", User: "alice"}
	farFuture := NewAccessToken("tok", "s")
	farFuture.ExpiresAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		key  TokenKey
		tok  *AccessToken
	}{
		{"nil token", key, nil},
		{"no link id", TokenKey{User: "alice"}, NewAccessToken("tok", "s")},
		{"no user", TokenKey{LinkID: "link-1"}, NewAccessToken("tok", "s")},
		{"empty token", key, NewAccessToken("", "s")},
		{"year 10000", key, farFuture},
	}
	for _, tt := range tests {
		if err := s.PutAccessToken(ctx, tt.key, tt.tok); err == nil {
			t.Errorf("PutAccessToken(%s) = nil, want an error", tt.name)
		}
	}
	keys, err := s.AccessTokens(ctx)
	if err != nil {
		t.Fatalf("AccessTokens: %v", err)
	}
	if len(keys) != 0 {
		t.Errorf("AccessTokens = %v after invalid puts, want none", keys)
	}
}

// fullRequestToken returns a request token with every field set.
func fullRequestToken(now time.Time, value string) *RequestToken {
	rt := NewRequestToken(value, "secret-of-"+value)
	rt.LinkID = "link-1"
	rt.User = "alice"
	rt.Callback = "http://127.0.0.1:8080/callback"
	rt.ExpiresAt = now.Add(10 * time.Minute)
	rt.CreatedAt = now
	return rt
}

func testRequestTokenRoundTrip(t *testing.T, s TokenStore, clock *testClock) {
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
	if _, err := s.RequestToken(ctx, "req-2"); !errors.Is(err, ErrTokenNotFound) {
		t.Errorf("RequestToken(unknown) error = %v, want ErrTokenNotFound", err)
	}
	if err := s.DeleteRequestToken(ctx, "req-1"); err != nil {
		t.Fatalf("DeleteRequestToken: %v", err)
	}
	if _, err := s.RequestToken(ctx, "req-1"); !errors.Is(err, ErrTokenNotFound) {
		t.Errorf("RequestToken after delete: error = %v, want ErrTokenNotFound", err)
	}
	if err := s.DeleteRequestToken(ctx, "req-1"); err != nil {
		t.Errorf("DeleteRequestToken of an absent token: %v, want nil", err)
	}
}

func testRequestTokenCopies(t *testing.T, s TokenStore, clock *testClock) {
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

func testRequestTokenExpiryPurged(t *testing.T, s TokenStore, clock *testClock) {
	ctx := t.Context()
	if err := s.PutRequestToken(ctx, fullRequestToken(clock.Now(), "old")); err != nil {
		t.Fatalf("PutRequestToken: %v", err)
	}
	clock.Advance(10 * time.Minute)
	if _, err := s.RequestToken(ctx, "old"); !errors.Is(err, ErrTokenNotFound) {
		t.Errorf("RequestToken at expiry: error = %v, want ErrTokenNotFound", err)
	}
	// A write after expiry purges it: turning the clock back must not
	// bring it back.
	if err := s.PutRequestToken(ctx, fullRequestToken(clock.Now(), "new")); err != nil {
		t.Fatalf("PutRequestToken: %v", err)
	}
	clock.Advance(-time.Minute)
	if _, err := s.RequestToken(ctx, "old"); !errors.Is(err, ErrTokenNotFound) {
		t.Errorf("RequestToken of a purged token: error = %v, want ErrTokenNotFound", err)
	}
	if _, err := s.RequestToken(ctx, "new"); err != nil {
		t.Errorf("RequestToken(new): %v", err)
	}
}

func testRequestTokenInvalid(t *testing.T, s TokenStore, clock *testClock) {
	ctx := t.Context()
	bad := NewRequestToken("req", "s")
	bad.CreatedAt = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)
	for name, rt := range map[string]*RequestToken{"nil": nil, "empty token": NewRequestToken("", "s"), "year -1": bad} {
		if err := s.PutRequestToken(ctx, rt); err == nil {
			t.Errorf("PutRequestToken(%s) = nil, want an error", name)
		}
	}
	if _, err := s.RequestToken(ctx, "req"); !errors.Is(err, ErrTokenNotFound) {
		t.Errorf("RequestToken after an invalid put: error = %v, want ErrTokenNotFound", err)
	}
}

func testStoreContextCanceled(t *testing.T, s TokenStore, clock *testClock) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	key := TokenKey{LinkID: "l", User: "u"}
	calls := map[string]func() error{
		"AccessToken":        func() error { _, err := s.AccessToken(ctx, key); return err },
		"PutAccessToken":     func() error { return s.PutAccessToken(ctx, key, NewAccessToken("t", "s")) },
		"DeleteAccessToken":  func() error { return s.DeleteAccessToken(ctx, key) },
		"AccessTokens":       func() error { _, err := s.AccessTokens(ctx); return err },
		"RequestToken":       func() error { _, err := s.RequestToken(ctx, "r"); return err },
		"PutRequestToken":    func() error { return s.PutRequestToken(ctx, NewRequestToken("r", "s")) },
		"DeleteRequestToken": func() error { return s.DeleteRequestToken(ctx, "r") },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a canceled context: error = %v, want context.Canceled", name, err)
		}
	}
	keys, err := s.AccessTokens(t.Context())
	if err != nil || len(keys) != 0 {
		t.Errorf("AccessTokens = %v, %v; want nothing stored by canceled calls", keys, err)
	}
}

func testStoreConcurrent(t *testing.T, s TokenStore, clock *testClock) {
	ctx := t.Context()
	const workers, perWorker = 8, 10
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				key := TokenKey{LinkID: fmt.Sprintf("link-%d", w), User: fmt.Sprintf("user-%02d", i)}
				if err := s.PutAccessToken(ctx, key, NewAccessToken(key.LinkID+key.User, "s")); err != nil {
					t.Errorf("PutAccessToken(%v): %v", key, err)
					return
				}
				got, err := s.AccessToken(ctx, key)
				if err != nil || got.Token != key.LinkID+key.User {
					t.Errorf("AccessToken(%v) = %v, %v", key, got, err)
				}
				if _, err := s.AccessTokens(ctx); err != nil {
					t.Errorf("AccessTokens: %v", err)
				}
				rt := NewRequestToken(fmt.Sprintf("req-%d-%d", w, i), "s")
				if err := s.PutRequestToken(ctx, rt); err != nil {
					t.Errorf("PutRequestToken: %v", err)
				}
				if i%2 == 1 {
					if err := s.DeleteAccessToken(ctx, key); err != nil {
						t.Errorf("DeleteAccessToken(%v): %v", key, err)
					}
				}
			}
		})
	}
	wg.Wait()
	var want []TokenKey
	for w := range workers {
		for i := 0; i < perWorker; i += 2 {
			want = append(want, TokenKey{LinkID: fmt.Sprintf("link-%d", w), User: fmt.Sprintf("user-%02d", i)})
		}
	}
	got, err := s.AccessTokens(ctx)
	if err != nil {
		t.Fatalf("AccessTokens: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AccessTokens after concurrent writers (-want +got):\n%s", diff)
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
