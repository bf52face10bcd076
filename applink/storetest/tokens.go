package storetest

import (
	"context"
	"errors"
	"fmt"
	"github.com/go-applinks/applinks/applink/token"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// tokenChecks are the checks of the TokenStore contract.
func tokenChecks() []check {
	return []check{
		{"AccessTokenRoundTrip", testAccessTokenRoundTrip},
		{"OAuth2TokenRoundTrip", testOAuth2TokenRoundTrip},
		{"PATRoundTrip", testPATRoundTrip},
		{"AccessTokenReplace", testAccessTokenReplace},
		{"AccessTokenCopies", testAccessTokenCopies},
		{"AccessTokenExpiry", testAccessTokenExpiry},
		{"AccessTokenRenewable", testAccessTokenRenewable},
		{"AccessTokensSorted", testAccessTokensSorted},
		{"AccessTokenInvalid", testAccessTokenInvalid},
		{"RequestTokenRoundTrip", testRequestTokenRoundTrip},
		{"RequestTokenCopies", testRequestTokenCopies},
		{"RequestTokenExpiry", testRequestTokenExpiry},
		{"RequestTokenInvalid", testRequestTokenInvalid},
		{"ContextCanceled", testStoreContextCanceled},
		{"Concurrent", testStoreConcurrent},
	}
}

// fullAccessToken returns a token with every field set, relative to now.
func fullAccessToken(now time.Time, value string) *token.AccessToken {
	tok := token.NewAccessToken(value, "secret-of-"+value)
	tok.ExpiresAt = now.Add(time.Hour)
	tok.SessionHandle = token.NewSecret("handle-of-" + value)
	tok.AuthorizationExpiresAt = now.Add(48 * time.Hour)
	tok.CreatedAt = now.Add(-time.Minute)
	return tok
}

func testAccessTokenRoundTrip(t *testing.T, s token.Store, clock *clock) {
	ctx := t.Context()
	key := token.Key{LinkID: "link-1", User: "alice"}
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
	if got.Secret.Reveal() != "secret-of-tok-a" {
		t.Errorf("Secret() = %q, want %q", got.Secret.Reveal(), "secret-of-tok-a")
	}
	other := token.Key{LinkID: "link-1", User: "bob"}
	if _, err := s.AccessToken(ctx, other); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("AccessToken(other user) error = %v, want token.ErrNotFound", err)
	}
	if err := s.DeleteAccessToken(ctx, key); err != nil {
		t.Fatalf("DeleteAccessToken: %v", err)
	}
	if _, err := s.AccessToken(ctx, key); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("AccessToken after delete: error = %v, want token.ErrNotFound", err)
	}
	if err := s.DeleteAccessToken(ctx, key); err != nil {
		t.Errorf("DeleteAccessToken of an absent token: %v, want nil", err)
	}
}

// testPATRoundTrip: a personal access token comes back as one (its kind
// kept, so that it is never signed with as an OAuth 1.0a token).
func testPATRoundTrip(t *testing.T, s token.Store, clock *clock) {
	ctx := t.Context()
	key := token.Key{LinkID: "link-pat", User: "alice"}
	want := token.NewPATAccessToken("pat-of-alice")
	want.CreatedAt = clock.Now()
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
	if !got.IsPAT() || got.Secret.Reveal() != "pat-of-alice" || got.Renewable(clock.Now()) {
		t.Errorf("got kind %q, token %q, renewable %v; want pat, pat-of-alice, not renewable", got.Kind, got.Secret.Reveal(), got.Renewable(clock.Now()))
	}
}

func testOAuth2TokenRoundTrip(t *testing.T, s token.Store, clock *clock) {
	ctx := t.Context()
	key := token.Key{LinkID: "link-2", User: "alice"}
	want := token.NewOAuth2AccessToken("bearer-of-alice", "refresh-of-alice")
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
	if !got.IsOAuth2() || got.Secret.Reveal() != "bearer-of-alice" || got.RefreshToken.Reveal() != "refresh-of-alice" {
		t.Errorf("got kind %q, bearer %q, refresh %q; want oauth2, bearer-of-alice, refresh-of-alice",
			got.Kind, got.Secret.Reveal(), got.RefreshToken.Reveal())
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
	noRefresh := token.NewOAuth2AccessToken("bearer-2", "")
	noRefresh.ExpiresAt = clock.Now().Add(-time.Minute)
	key2 := token.Key{LinkID: "link-2", User: "bob"}
	if err := s.PutAccessToken(ctx, key2, noRefresh); err != nil {
		t.Fatalf("PutAccessToken: %v", err)
	}
	if _, err := s.AccessToken(ctx, key2); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("AccessToken of an expired OAuth 2.0 token without refresh: %v, want token.ErrNotFound", err)
	}
}

func testAccessTokenReplace(t *testing.T, s token.Store, clock *clock) {
	ctx := t.Context()
	key := token.Key{LinkID: "link-1", User: "alice"}
	for _, v := range []string{"first", "second"} {
		if err := s.PutAccessToken(ctx, key, token.NewAccessToken(v, "s-"+v)); err != nil {
			t.Fatalf("PutAccessToken(%s): %v", v, err)
		}
	}
	got, err := s.AccessToken(ctx, key)
	if err != nil {
		t.Fatalf("AccessToken: %v", err)
	}
	if diff := cmp.Diff(token.NewAccessToken("second", "s-second"), got, tokenCmp); diff != "" {
		t.Errorf("AccessToken after replace (-want +got):\n%s", diff)
	}
	keys, err := s.AccessTokens(ctx)
	if err != nil {
		t.Fatalf("AccessTokens: %v", err)
	}
	if diff := cmp.Diff([]token.Key{key}, keys); diff != "" {
		t.Errorf("AccessTokens (-want +got):\n%s", diff)
	}
}

func testAccessTokenCopies(t *testing.T, s token.Store, clock *clock) {
	ctx := t.Context()
	key := token.Key{LinkID: "link-1", User: "alice"}
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
	got.SessionHandle = token.NewSecret("")
	again, err := s.AccessToken(ctx, key)
	if err != nil {
		t.Fatalf("AccessToken: %v", err)
	}
	if diff := cmp.Diff(&want, again, tokenCmp); diff != "" {
		t.Errorf("store changed through a caller's pointer (-want +got):\n%s", diff)
	}
}

func testAccessTokenExpiry(t *testing.T, s token.Store, clock *clock) {
	ctx := t.Context()
	key := token.Key{LinkID: "link-1", User: "alice"}
	tok := token.NewAccessToken("tok-a", "s")
	tok.ExpiresAt = clock.Now().Add(time.Hour)
	tok.SessionHandle = token.Secret{} // cannot be renewed
	if err := s.PutAccessToken(ctx, key, tok); err != nil {
		t.Fatalf("PutAccessToken: %v", err)
	}
	clock.Advance(time.Hour - time.Microsecond)
	if _, err := s.AccessToken(ctx, key); err != nil {
		t.Fatalf("AccessToken just before expiry: %v", err)
	}
	clock.Advance(time.Microsecond)
	if _, err := s.AccessToken(ctx, key); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("AccessToken at expiry: error = %v, want token.ErrNotFound", err)
	}
	keys, err := s.AccessTokens(ctx)
	if err != nil {
		t.Fatalf("AccessTokens: %v", err)
	}
	if len(keys) != 0 {
		t.Errorf("AccessTokens = %v, want none (the only token expired)", keys)
	}
}

func testAccessTokenRenewable(t *testing.T, s token.Store, clock *clock) {
	ctx := t.Context()
	key := token.Key{LinkID: "link-1", User: "alice"}
	tok := token.NewAccessToken("tok-a", "s")
	tok.ExpiresAt = clock.Now().Add(time.Hour)
	tok.SessionHandle = token.NewSecret("handle")
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
	if diff := cmp.Diff([]token.Key{key}, keys); diff != "" {
		t.Errorf("AccessTokens (-want +got):\n%s", diff)
	}
	clock.Advance(30 * time.Minute) // renewal window closed
	if _, err := s.AccessToken(ctx, key); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("AccessToken after the authorization expired: error = %v, want token.ErrNotFound", err)
	}
}

func testAccessTokensSorted(t *testing.T, s token.Store, clock *clock) {
	ctx := t.Context()
	want := []token.Key{
		{LinkID: "a-link", User: "alice"}, {LinkID: "a-link", User: "bob"}, {LinkID: "a-link", User: "zed"},
		{LinkID: "b-link", User: "alice"}, {LinkID: "b-link", User: "carol"},
		{LinkID: "c-link", User: "Alice"}, {LinkID: "c-link", User: "alice"},
	}
	shuffled := append([]token.Key(nil), want...)
	rand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for _, k := range shuffled {
		if err := s.PutAccessToken(ctx, k, token.NewAccessToken("t-"+k.LinkID+"-"+k.User, "s")); err != nil {
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

func testAccessTokenInvalid(t *testing.T, s token.Store, clock *clock) {
	ctx := t.Context()
	key := token.Key{LinkID: "link-1", User: "alice"}
	farFuture := token.NewAccessToken("tok", "s")
	farFuture.ExpiresAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	noBearer := token.NewOAuth2AccessToken("", "refresh")
	noBearer.Token = "sha256:0000000000000000"
	badKind := token.NewAccessToken("tok", "s")
	badKind.Kind = "saml"
	tests := []struct {
		name string
		key  token.Key
		tok  *token.AccessToken
	}{
		{"nil token", key, nil},
		{"no link id", token.Key{User: "alice"}, token.NewAccessToken("tok", "s")},
		{"no user", token.Key{LinkID: "link-1"}, token.NewAccessToken("tok", "s")},
		{"empty token", key, token.NewAccessToken("", "s")},
		{"year 10000", key, farFuture},
		{"OAuth 2.0 without bearer", key, noBearer},
		{"unknown kind", key, badKind},
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
func fullRequestToken(now time.Time, value string) *token.RequestToken {
	rt := token.NewRequestToken(value, "secret-of-"+value)
	rt.LinkID = "link-1"
	rt.User = "alice"
	rt.Callback = "http://127.0.0.1:8080/callback"
	rt.ExpiresAt = now.Add(10 * time.Minute)
	rt.CreatedAt = now
	return rt
}

func testRequestTokenRoundTrip(t *testing.T, s token.Store, clock *clock) {
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

func testRequestTokenCopies(t *testing.T, s token.Store, clock *clock) {
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

func testRequestTokenExpiry(t *testing.T, s token.Store, clock *clock) {
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

func testRequestTokenInvalid(t *testing.T, s token.Store, clock *clock) {
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

func testStoreContextCanceled(t *testing.T, s token.Store, clock *clock) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	key := token.Key{LinkID: "l", User: "u"}
	calls := map[string]func() error{
		"AccessToken":        func() error { _, err := s.AccessToken(ctx, key); return err },
		"PutAccessToken":     func() error { return s.PutAccessToken(ctx, key, token.NewAccessToken("t", "s")) },
		"DeleteAccessToken":  func() error { return s.DeleteAccessToken(ctx, key) },
		"AccessTokens":       func() error { _, err := s.AccessTokens(ctx); return err },
		"RequestToken":       func() error { _, err := s.RequestToken(ctx, "r"); return err },
		"PutRequestToken":    func() error { return s.PutRequestToken(ctx, token.NewRequestToken("r", "s")) },
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

func testStoreConcurrent(t *testing.T, s token.Store, clock *clock) {
	ctx := t.Context()
	const workers, perWorker = 16, 4
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				key := token.Key{LinkID: fmt.Sprintf("link-%d", w), User: fmt.Sprintf("user-%02d", i)}
				if err := s.PutAccessToken(ctx, key, token.NewAccessToken(key.LinkID+key.User, "s")); err != nil {
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
				rt := token.NewRequestToken(fmt.Sprintf("req-%d-%d", w, i), "s")
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
	var want []token.Key
	for w := range workers {
		for i := 0; i < perWorker; i += 2 {
			want = append(want, token.Key{LinkID: fmt.Sprintf("link-%d", w), User: fmt.Sprintf("user-%02d", i)})
		}
	}
	slices.SortFunc(want, func(a, b token.Key) int {
		if c := strings.Compare(a.LinkID, b.LinkID); c != 0 {
			return c
		}
		return strings.Compare(a.User, b.User)
	})
	got, err := s.AccessTokens(ctx)
	if err != nil {
		t.Fatalf("AccessTokens: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AccessTokens after concurrent writers (-want +got):\n%s", diff)
	}
}
