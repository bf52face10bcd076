package applink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/filestore"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/testclock"
	"github.com/go-applinks/applinks/internal/testnet"
	"github.com/go-applinks/applinks/signer"
	"github.com/google/go-cmp/cmp"
)

const (
	o2TestClientID = "client-TEST-ONLY"
	o2TestSecret   = "client-s3cret-TEST-ONLY"
)

// o2Fixture is an OAuth2-shaped server, a shared token store and a clock.
type o2Fixture struct {
	srv      *applinktest.Server
	clock    *testclock.Clock
	store    token.Store
	redirect string
}

func newO2Fixture(t *testing.T, redirect, scope string, opts ...applinktest.Option) *o2Fixture {
	t.Helper()
	clock := testclock.New(testclock.Start)
	if redirect == "" {
		redirect = testnet.LoopbackCallbackURL(t)
	}
	base := []applinktest.Option{
		applinktest.WithShape(applinktest.OAuth2),
		applinktest.WithClock(clock.Now),
		applinktest.WithUsers("alice", "bob", "robot"),
		applinktest.WithBearerTokenTTL(time.Hour),
		applinktest.WithOAuth2Client(applinktest.OAuth2Client{ID: o2TestClientID, Secret: signer.NewSecret(o2TestSecret),
			RedirectURL: redirect, Scope: scope, ServiceUser: "robot"}),
	}
	srv := applinktest.NewServer(t, append(base, opts...)...)
	return &o2Fixture{srv: srv, clock: clock, store: token.NewMemoryStore(token.WithClock(clock.Now)), redirect: redirect}
}

// link returns an OAuth 2.0 link to the fixture's server.
func (fx *o2Fixture) link(auth ...Auth) Link {
	if len(auth) == 0 {
		auth = []Auth{AuthOAuth2}
	}
	return Link{ID: testLinkID, Name: "Jira OAuth2", Type: TypeJira, RPCURL: fx.srv.URL, Auth: auth,
		OAuth2: &OAuth2Client{ClientID: o2TestClientID, RedirectURL: fx.redirect, Scopes: []string{"WRITE"}, ClientSecret: token.NewSecret(o2TestSecret)},
	}
}

// service returns a new Service (one replica) on the fixture's store.
func (fx *o2Fixture) service(t *testing.T, links ...Link) *Service {
	t.Helper()
	if len(links) == 0 {
		links = []Link{fx.link()}
	}
	svc, err := NewService(links, WithTokenStore(fx.store), WithClock(fx.clock.Now), WithHTTPClient(fx.srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func factoryFor(t *testing.T, svc *Service, user string, opts ...Option) *RequestFactory {
	t.Helper()
	l, err := svc.Link(testLinkID)
	if err != nil {
		t.Fatal(err)
	}
	f, err := l.RequestFactory(user, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// whoAmI gets /rest/api/2/myself and returns the user name, or the error.
func whoAmI(t *testing.T, f *RequestFactory) (string, error) {
	t.Helper()
	req, err := f.NewRequest(http.MethodGet, "/rest/api/2/myself")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := req.Do(t.Context())
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var me struct{ Name string }
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return "", fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(&me); err != nil {
		return "", err
	}
	return me.Name, nil
}

// pasteApproval approves the consent URL as user in code and returns the
// address the browser would land on, as a user pastes it.
func (fx *o2Fixture) pasteApproval(user string) func(context.Context, string) (string, error) {
	return func(_ context.Context, authURL string) (string, error) {
		return fx.srv.ApproveOAuth2(authURL, user)
	}
}

func (fx *o2Fixture) refreshes() int {
	n := 0
	for _, r := range fx.srv.Requests() {
		if r.Grant == applinktest.GrantRefreshToken && r.Status == http.StatusOK {
			n++
		}
	}
	return n
}

func wantCredentialsRequired(t *testing.T, err error) *CredentialsRequiredError {
	t.Helper()
	var cre *CredentialsRequiredError
	if !errors.As(err, &cre) {
		t.Fatalf("error %v, want *CredentialsRequiredError", err)
	}
	return cre
}

func TestOAuth2Story(t *testing.T) {
	t.Parallel()
	fx := newO2Fixture(t, "", applinktest.ScopeWrite)
	svc := fx.service(t)
	alice := factoryFor(t, svc, "alice")
	ctx := t.Context()

	// No token: credentials required, and the error leads to the consent
	// page with PKCE and a state bound to alice.
	_, err := whoAmI(t, alice)
	cre := wantCredentialsRequired(t, err)
	if !strings.Contains(cre.Error(), "the OAuth 2.0 consent") {
		t.Errorf("the error does not say what to do for an OAuth 2.0 link: %v", cre)
	}
	authURL, err := alice.AuthorizationURL(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	q := authURL.Query()
	if !strings.HasSuffix(authURL.Path, applinktest.OAuth2AuthorizePath) || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("redirect_uri") != fx.redirect || q.Get("scope") != "WRITE" {
		t.Fatalf("consent URL %s lacks PKCE, state, redirect_uri or scope", authURL.Redacted())
	}
	pending, err := fx.store.RequestToken(ctx, q.Get("state"))
	if err != nil || pending.User != "alice" || pending.LinkID != testLinkID || pending.Secret.Reveal() == "" {
		t.Fatalf("the pending authorization is not kept for alice: %v", err)
	}
	// Completing it as bob is refused.
	if err := factoryFor(t, svc, "bob").CompleteAuthorization(ctx, q.Get("state"), "code"); !errors.Is(err, ErrDanceWrongUser) {
		t.Errorf("bob completing alice's authorization: %v, want ErrDanceWrongUser", err)
	}

	// Paste the code: the out-of-band flow.
	if err := authorizeOutOfBand(ctx, alice, fx.pasteApproval("alice")); err != nil {
		t.Fatal(err)
	}
	if name, err := whoAmI(t, alice); err != nil || name != "alice" {
		t.Fatalf("myself = %q, %v; want alice", name, err)
	}
	stored, err := fx.store.AccessToken(ctx, token.Key{LinkID: testLinkID, User: "alice"})
	if err != nil || !stored.IsOAuth2() || stored.RefreshToken.Reveal() == "" || !cmp.Equal(stored.Scopes, []string{"WRITE"}) {
		t.Fatalf("stored token %v, %v: want OAuth 2.0 with a refresh token and scope WRITE", stored, err)
	}

	// Expiry by our clock: refreshed once, the rotated refresh token stored.
	fx.clock.Advance(2 * time.Hour)
	if name, err := whoAmI(t, alice); err != nil || name != "alice" {
		t.Fatalf("after expiry: %q, %v", name, err)
	}
	if got := fx.refreshes(); got != 1 {
		t.Errorf("%d refreshes, want 1", got)
	}
	renewed, _ := fx.store.AccessToken(ctx, token.Key{LinkID: testLinkID, User: "alice"})
	if renewed.Token == stored.Token || renewed.RefreshToken.Reveal() == stored.RefreshToken.Reveal() {
		t.Error("the refreshed token (and its rotated refresh token) was not stored")
	}

	// Expiry by the remote's clock only: 401 invalid_token, refreshed, sent again.
	if err := fx.srv.Expire(renewed.Secret.Reveal()); err != nil {
		t.Fatal(err)
	}
	if name, err := whoAmI(t, alice); err != nil || name != "alice" {
		t.Fatalf("after the remote expired the token: %q, %v", name, err)
	}
	if got := fx.refreshes(); got != 2 {
		t.Errorf("%d refreshes, want 2", got)
	}

	// Revocation: the refresh fails with invalid_grant, the token is
	// deleted, credentials are required.
	if n := fx.srv.RevokeUser(o2TestClientID, "alice"); n != 1 {
		t.Fatalf("revoked %d consents, want 1", n)
	}
	_, err = whoAmI(t, alice)
	cre = wantCredentialsRequired(t, err)
	if _, err := fx.store.AccessToken(ctx, token.Key{LinkID: testLinkID, User: "alice"}); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("the revoked token is still stored: %v", err)
	}
	var oe *OAuth2Error
	if !errors.As(cre, &oe) || oe.Code != "invalid_grant" {
		t.Errorf("cause %v, want the refresh grant's invalid_grant", cre.Cause)
	}

	// Re-consent (applink/authorize tests its loopback flow, which listens
	// on the registered redirect URL).
	if err := authorizeOutOfBand(ctx, alice, fx.pasteApproval("alice")); err != nil {
		t.Fatal(err)
	}
	if name, err := whoAmI(t, alice); err != nil || name != "alice" {
		t.Fatalf("after re-consent: %q, %v", name, err)
	}
}

func TestOAuth2RefreshInvalidGrantDeletesToken(t *testing.T) {
	t.Parallel()
	fx := newO2Fixture(t, "", "")
	svc := fx.service(t)
	alice := factoryFor(t, svc, "alice")
	if err := authorizeOutOfBand(t.Context(), alice, fx.pasteApproval("alice")); err != nil {
		t.Fatal(err)
	}
	fx.srv.RevokeUser(o2TestClientID, "alice")
	fx.clock.Advance(2 * time.Hour) // expired locally: the refresh is what fails
	_, err := whoAmI(t, alice)
	cre := wantCredentialsRequired(t, err)
	if !isInvalidGrant(cre) {
		t.Errorf("cause %v, want invalid_grant", cre.Cause)
	}
	if _, err := fx.store.AccessToken(t.Context(), token.Key{LinkID: testLinkID, User: "alice"}); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("token still stored: %v", err)
	}
}

func TestOAuth2RefreshNetworkFailureKeepsToken(t *testing.T) {
	t.Parallel()
	fx := newO2Fixture(t, "", "")
	svc, err := NewService([]Link{fx.link()}, WithTokenStore(fx.store), WithClock(fx.clock.Now), WithHTTPClient(fx.srv.Client()),
		withBackoff(func(time.Duration) {}))
	if err != nil {
		t.Fatal(err)
	}
	alice := factoryFor(t, svc, "alice")
	if err := authorizeOutOfBand(t.Context(), alice, fx.pasteApproval("alice")); err != nil {
		t.Fatal(err)
	}
	fx.clock.Advance(2 * time.Hour)
	// One 503 is retried like any transient failure; four (more than the
	// retry policy's 3 retries) are reported, and the token is kept.
	fx.srv.InjectFault(applinktest.Fault{Path: applinktest.OAuth2TokenPath, Status: http.StatusServiceUnavailable, Count: 4})
	if _, err := whoAmI(t, alice); err == nil || errors.As(err, new(*CredentialsRequiredError)) {
		t.Fatalf("a failing token endpoint: %v, want an error that is not credentials required", err)
	}
	if n := fx.tokenCalls(); n != 4+1 { // the consent's exchange, then 4 refresh attempts
		t.Errorf("%d token endpoint calls, want 5 (the exchange and 4 refresh attempts)", n)
	}
	if _, err := fx.store.AccessToken(t.Context(), token.Key{LinkID: testLinkID, User: "alice"}); err != nil {
		t.Fatalf("the token was lost: %v", err)
	}
	if name, err := whoAmI(t, alice); err != nil || name != "alice" {
		t.Fatalf("once the endpoint is back: %q, %v", name, err)
	}
}

// tokenCalls counts the requests that reached the token endpoint.
func (fx *o2Fixture) tokenCalls() int {
	n := 0
	for _, r := range fx.srv.Requests() {
		if r.Path == applinktest.OAuth2TokenPath {
			n++
		}
	}
	return n
}

// TestOAuth2ConcurrentRefresh: 100 goroutines on each of 2 services
// sharing one store find the access token expired; the provider sees one
// refresh. With the file store each service has its own store value on the
// one file, as two processes would.
func TestOAuth2ConcurrentRefresh(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"memory", "file"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			fx := newO2Fixture(t, "", "")
			stores := []token.Store{fx.store, fx.store}
			if kind == "file" {
				path := t.TempDir() + "/tokens.json"
				for i := range stores {
					fs, err := filestore.Open(path, filestore.WithClock(fx.clock.Now))
					if err != nil {
						t.Fatal(err)
					}
					stores[i] = fs
				}
			}
			var replicas []*Service
			for _, st := range stores {
				svc, err := NewService([]Link{fx.link()}, WithTokenStore(st), WithClock(fx.clock.Now), WithHTTPClient(fx.srv.Client()))
				if err != nil {
					t.Fatal(err)
				}
				replicas = append(replicas, svc)
			}
			if err := authorizeOutOfBand(t.Context(), factoryFor(t, replicas[0], "alice"), fx.pasteApproval("alice")); err != nil {
				t.Fatal(err)
			}
			fx.clock.Advance(2 * time.Hour)
			var wg sync.WaitGroup
			errs := make(chan error, 200)
			for _, svc := range replicas {
				f := factoryFor(t, svc, "alice")
				for range 100 {
					wg.Go(func() {
						if name, err := whoAmI(t, f); err != nil || name != "alice" {
							errs <- fmt.Errorf("%q, %w", name, err)
						}
					})
				}
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if got := fx.refreshes(); got != 1 {
				t.Errorf("%d refreshes at the provider, want exactly 1", got)
			}
		})
	}
}

func TestOAuth2ClientCredentials(t *testing.T) {
	t.Parallel()
	fx := newO2Fixture(t, "", "")
	svc := fx.service(t, fx.link(AuthOAuth2, AuthClientCredentials))
	f := factoryFor(t, svc, "", WithNonImpersonatingOnly())
	for range 2 {
		if name, err := whoAmI(t, f); err != nil || name != "robot" {
			t.Fatalf("client credentials request: %q, %v; want robot", name, err)
		}
	}
	n := 0
	for _, r := range fx.srv.Requests() {
		if r.Grant == applinktest.GrantClientCredentials {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d client credentials grants, want 1 (the token is reused)", n)
	}
	// A user without a consent still needs one: no silent fallback.
	if _, err := whoAmI(t, factoryFor(t, svc, "alice")); !errors.As(err, new(*CredentialsRequiredError)) {
		t.Errorf("alice without consent: %v", err)
	}
	// A revoked service token is replaced once.
	for _, tok := range fx.srv.AccessTokens(o2TestClientID, "robot") {
		_ = fx.srv.Revoke(tok)
	}
	if name, err := whoAmI(t, f); err != nil || name != "robot" {
		t.Fatalf("after revocation: %q, %v", name, err)
	}
	a, err := factoryFor(t, svc, "", WithAuth(AuthClientCredentials)).Auth(t.Context())
	if err != nil || a != AuthClientCredentials {
		t.Errorf("WithAuth(client-credentials): %s, %v", a, err)
	}
}

func TestOAuth2InsufficientScope(t *testing.T) {
	t.Parallel()
	fx := newO2Fixture(t, "", applinktest.ScopeRead)
	l := fx.link()
	l.OAuth2.Scopes = []string{"READ"}
	svc := fx.service(t, l)
	alice := factoryFor(t, svc, "alice")
	if err := authorizeOutOfBand(t.Context(), alice, fx.pasteApproval("alice")); err != nil {
		t.Fatal(err)
	}
	req, err := alice.NewRequest(http.MethodPost, "/rest/api/2/issue")
	if err != nil {
		t.Fatal(err)
	}
	_, err = req.SetJSON(map[string]any{"fields": map[string]any{}}).Do(t.Context())
	var oe *OAuth2Error
	if !errors.As(err, &oe) || oe.Code != "insufficient_scope" || oe.Status != http.StatusForbidden || oe.Scope != "WRITE" {
		t.Fatalf("POST with READ: %v, want *OAuth2Error insufficient_scope needing WRITE", err)
	}
	if _, err := fx.store.AccessToken(t.Context(), token.Key{LinkID: testLinkID, User: "alice"}); err != nil {
		t.Errorf("a scope refusal deleted the token: %v", err)
	}
}

func TestOAuth2DanceErrors(t *testing.T) {
	t.Parallel()
	fx := newO2Fixture(t, "", "")
	svc := fx.service(t)
	alice := factoryFor(t, svc, "alice")
	ctx := t.Context()
	t.Run("denied", func(t *testing.T) {
		err := authorizeOutOfBand(ctx, alice, func(_ context.Context, u string) (string, error) { return fx.srv.DenyOAuth2(u) })
		if !errors.Is(err, ErrDanceDenied) {
			t.Errorf("denied consent: %v", err)
		}
	})
	t.Run("expired code", func(t *testing.T) {
		err := authorizeOutOfBand(ctx, alice, func(c context.Context, u string) (string, error) {
			to, err := fx.srv.ApproveOAuth2(u, "alice")
			fx.clock.Advance(time.Minute)
			return to, err
		})
		if !errors.Is(err, ErrDanceExpired) {
			t.Errorf("an expired code: %v, want ErrDanceExpired", err)
		}
	})
	t.Run("another authorization's address", func(t *testing.T) {
		err := authorizeOutOfBand(ctx, alice, func(context.Context, string) (string, error) {
			return fx.redirect + "?code=abc&state=not-this-one", nil
		})
		if err == nil || !strings.Contains(err.Error(), "another authorization") {
			t.Errorf("a pasted address of another authorization: %v", err)
		}
	})
	t.Run("callback other than the redirect URL", func(t *testing.T) {
		if _, err := alice.AuthorizationURL(ctx, "http://127.0.0.1:1/elsewhere"); err == nil || !strings.Contains(err.Error(), "registered redirect URL") {
			t.Errorf("a foreign callback: %v", err)
		}
	})
	t.Run("bare code", func(t *testing.T) {
		err := authorizeOutOfBand(ctx, alice, func(_ context.Context, u string) (string, error) {
			to, err := fx.srv.ApproveOAuth2(u, "alice")
			if err != nil {
				return "", err
			}
			p, _ := url.Parse(to)
			return "  " + p.Query().Get("code") + "\n", nil
		})
		if err != nil {
			t.Errorf("pasting the bare code: %v", err)
		}
	})
}

func TestOAuth2LinkValidation(t *testing.T) {
	t.Parallel()
	good := func() Link {
		return Link{ID: testLinkID, Name: "j", Type: TypeJira, RPCURL: "https://jira.example.com", Auth: []Auth{AuthOAuth2},
			OAuth2: &OAuth2Client{ClientID: "id", ClientSecretEnv: "SECRET", RedirectURL: "https://app.example.com/cb", Scopes: []string{"WRITE"}}}
	}
	if err := good().Validate(); err != nil {
		t.Fatalf("a good link: %v", err)
	}
	tests := []struct {
		name  string
		mod   func(*Link)
		field string
	}{
		{"no oauth2", func(l *Link) { l.OAuth2 = nil }, "oauth2"},
		{"no client id", func(l *Link) { l.OAuth2.ClientID = "" }, "oauth2.clientId"},
		{"no secret", func(l *Link) { l.OAuth2.ClientSecretEnv = "" }, "oauth2.clientSecretEnv"},
		{"two secrets", func(l *Link) { l.OAuth2.ClientSecretFile = "s.txt" }, "oauth2.clientSecretFile"},
		{"lower-case scope", func(l *Link) { l.OAuth2.Scopes = []string{"write"} }, "oauth2.scopes"},
		{"no redirect", func(l *Link) { l.OAuth2.RedirectURL = "" }, "oauth2.redirectUrl"},
		{"http redirect", func(l *Link) { l.OAuth2.RedirectURL = "http://app.example.com/cb" }, "oauth2.redirectUrl"},
		{"http rpc", func(l *Link) { l.RPCURL = "http://jira.example.com" }, "rpcUrl"},
		{"mixed with 3lo", func(l *Link) { l.Auth = []Auth{AuthOAuth2, Auth3LO}; l.ConsumerKey = "k"; l.PrivateKeyFile = "k.pem" }, "auth"},
		{"jenkins", func(l *Link) { l.Type = TypeJenkins }, "auth"},
		{"bad client auth", func(l *Link) { l.OAuth2.ClientAuth = "jwt" }, "oauth2.clientAuth"},
		{"oauth2 without the method", func(l *Link) { l.Auth = []Auth{Auth3LO}; l.ConsumerKey = "k"; l.PrivateKeyFile = "k.pem" }, "oauth2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := good()
			tt.mod(&l)
			err := l.Validate()
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Errorf("Validate() = %v, want a *FieldError on %s", err, tt.field)
			}
		})
	}
	// Loopback over http is fine; so is anything with AllowInsecureHTTP.
	l := good()
	l.RPCURL, l.OAuth2.RedirectURL = "http://127.0.0.1:8080", "http://localhost:8765/callback"
	if err := l.Validate(); err != nil {
		t.Errorf("loopback over http: %v", err)
	}
	l.RPCURL, l.OAuth2.AllowInsecureHTTP = "http://jira.internal", true
	if err := l.Validate(); err != nil {
		t.Errorf("http with allowInsecureHttp: %v", err)
	}
	// Client credentials alone need no redirect URL.
	l = good()
	l.Auth, l.OAuth2.RedirectURL = []Auth{AuthClientCredentials}, ""
	if err := l.Validate(); err != nil {
		t.Errorf("client-credentials without a redirect URL: %v", err)
	}
}

func TestOAuth2SecretNeverPrinted(t *testing.T) {
	t.Parallel()
	fx := newO2Fixture(t, "", "")
	l := fx.link()
	svc := fx.service(t, l)
	alice := factoryFor(t, svc, "alice")
	if err := authorizeOutOfBand(t.Context(), alice, fx.pasteApproval("alice")); err != nil {
		t.Fatal(err)
	}
	tok, _ := fx.store.AccessToken(t.Context(), token.Key{LinkID: testLinkID, User: "alice"})
	out := fmt.Sprintf("%v %+v %#v %+v %v %+v", l, l, l, l.OAuth2, *tok, tok)
	for _, secret := range []string{o2TestSecret, tok.Secret.Reveal(), tok.RefreshToken.Reveal()} {
		if strings.Contains(out, secret) {
			t.Errorf("a secret printed: %s", out)
		}
	}
	// A wrong secret: the error names the fields to check, not the secret.
	bad := fx.link(AuthClientCredentials)
	o2 := *bad.OAuth2
	o2.ClientSecret = token.NewSecret("wrong-s3cret")
	bad.OAuth2 = &o2
	svc2 := fx.service(t, bad)
	_, err := whoAmI(t, factoryFor(t, svc2, "", WithNonImpersonatingOnly()))
	var oe *OAuth2Error
	if !errors.As(err, &oe) || oe.Code != "invalid_client" || strings.Contains(err.Error(), "wrong-s3cret") || !strings.Contains(err.Error(), "oauth2.clientId") {
		t.Errorf("wrong client secret: %v", err)
	}
}

func TestOAuth2ClientView(t *testing.T) {
	t.Parallel()
	fx := newO2Fixture(t, "", "")
	svc := fx.service(t)
	alice := factoryFor(t, svc, "alice")
	if err := authorizeOutOfBand(t.Context(), alice, fx.pasteApproval("alice")); err != nil {
		t.Fatal(err)
	}
	get := func() (*http.Response, error) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, fx.srv.URL+"/rest/api/2/myself", nil)
		if err != nil {
			t.Fatal(err)
		}
		return alice.Client().Do(req)
	}
	resp, err := get()
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("through the Client view: %d", resp.StatusCode)
	}
	fx.srv.RevokeUser(o2TestClientID, "alice")
	if _, err := get(); !errors.As(err, new(*CredentialsRequiredError)) {
		t.Errorf("a revoked token through the Client view: %v, want *CredentialsRequiredError", err)
	}
}
