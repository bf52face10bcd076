package storetest

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/testclock"
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

func testAccessTokenRoundTrip(t *testing.T, s token.Store, clock *testclock.Clock) {
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
func testPATRoundTrip(t *testing.T, s token.Store, clock *testclock.Clock) {
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

func testOAuth2TokenRoundTrip(t *testing.T, s token.Store, clock *testclock.Clock) {
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

func testAccessTokenReplace(t *testing.T, s token.Store, clock *testclock.Clock) {
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

func testAccessTokenCopies(t *testing.T, s token.Store, clock *testclock.Clock) {
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

func testAccessTokenExpiry(t *testing.T, s token.Store, clock *testclock.Clock) {
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

func testAccessTokenRenewable(t *testing.T, s token.Store, clock *testclock.Clock) {
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

func testAccessTokensSorted(t *testing.T, s token.Store, clock *testclock.Clock) {
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

func testAccessTokenInvalid(t *testing.T, s token.Store, clock *testclock.Clock) {
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
