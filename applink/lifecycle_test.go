package applink

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/internal/oauth2link"
)

// bearerProvider is a resource and an OAuth 2.0 token endpoint whose
// answers a test sets: the resource accepts only the bearer "fresh-bearer"
// and answers any other with 401 and challenge; the token endpoint answers
// tokenAnswer ("ok", "invalid_client", "invalid_grant" or "503").
type bearerProvider struct {
	srv         *httptest.Server
	challenge   string
	tokenAnswer string
	tokenCalls  atomic.Int32
}

func newBearerProvider(t *testing.T, challenge, tokenAnswer string) *bearerProvider {
	t.Helper()
	p := &bearerProvider{challenge: challenge, tokenAnswer: tokenAnswer}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /rest/api/2/myself", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer fresh-bearer" {
			_ = json.NewEncoder(w).Encode(map[string]string{"name": "alice"})
			return
		}
		if p.challenge != "" {
			w.Header().Set("WWW-Authenticate", p.challenge)
		}
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	})
	mux.HandleFunc("POST /rest/oauth2/latest/token", func(w http.ResponseWriter, r *http.Request) {
		p.tokenCalls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		switch p.tokenAnswer {
		case "ok":
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "fresh-bearer", "refresh_token": "fresh-refresh",
				"token_type": "bearer", "expires_in": 3600})
		case "503":
			w.WriteHeader(http.StatusServiceUnavailable)
		case "invalid_client":
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"client authentication failed"}`))
		case "invalid_grant":
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"the refresh token was revoked"}`))
		}
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

// factory returns alice's factory on an OAuth 2.0 link to the provider,
// with stored holding her token.
func (p *bearerProvider) factory(t *testing.T, stored *token.AccessToken, now time.Time) (*RequestFactory, token.Store) {
	t.Helper()
	store := token.NewMemoryStore(token.WithClock(func() time.Time { return now }))
	if stored != nil {
		if err := store.PutAccessToken(t.Context(), token.Key{LinkID: testLinkID, User: "alice"}, stored); err != nil {
			t.Fatal(err)
		}
	}
	l := Link{ID: testLinkID, Name: "Jira OAuth2", Type: TypeJira, RPCURL: p.srv.URL, Auth: []Auth{AuthOAuth2},
		OAuth2: &OAuth2Client{ClientID: "client", RedirectURL: "http://127.0.0.1:8765/callback", ClientSecret: token.NewSecret("client-secret-TEST-ONLY")}}
	svc, err := NewService([]Link{l}, WithTokenStore(store), WithHTTPClient(p.srv.Client()),
		WithClock(func() time.Time { return now }), withBackoff(func(time.Duration) {}))
	if err != nil {
		t.Fatal(err)
	}
	return factoryFor(t, svc, "alice"), store
}

// TestBearerRefusalFollowsTheRule checks the reliability issue's rule on the
// path after a resource's 401: the token is deleted only when the remote
// refused it (invalid_grant from the refresh, or a 401 with no refresh
// token); a misconfigured client or a failing token endpoint keeps it and
// surfaces the real error; any 401 to a bearer request leads to one
// refresh, with an RFC 6750 challenge or not.
func TestBearerRefusalFollowsTheRule(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	const bearer = `Bearer realm="jira", error="invalid_token"`
	tests := []struct {
		name        string
		challenge   string
		tokenAnswer string
		noRefresh   bool
		wantName    string // "" when an error is wanted
		wantCode    string // the *OAuth2Error's code, for a kept token
		wantAdvice  string
		credentials bool // want *CredentialsRequiredError, the token deleted
		tokenCalls  int32
	}{
		{name: "wrong client secret keeps the token", challenge: bearer, tokenAnswer: "invalid_client",
			wantCode: oauth2link.CodeInvalidClient, wantAdvice: "check the client id and secret", tokenCalls: 1},
		{name: "a token endpoint answering 503 is retried, then reported, the token kept", challenge: bearer, tokenAnswer: "503",
			tokenCalls: 4},
		{name: "a revoked grant deletes the token", challenge: bearer, tokenAnswer: "invalid_grant",
			credentials: true, wantCode: oauth2link.CodeInvalidGrant, tokenCalls: 1},
		{name: "a Bearer challenge leads to a refresh", challenge: bearer, tokenAnswer: "ok", wantName: "alice", tokenCalls: 1},
		{name: "an OAuth 1.0a challenge leads to a refresh", challenge: `OAuth realm="http%3A%2F%2Fjira"`, tokenAnswer: "ok",
			wantName: "alice", tokenCalls: 1},
		{name: "a 401 without a challenge leads to a refresh", tokenAnswer: "ok", wantName: "alice", tokenCalls: 1},
		{name: "a 401 with no refresh token deletes the token", challenge: bearer, tokenAnswer: "ok", noRefresh: true,
			credentials: true, wantCode: oauth2link.CodeInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newBearerProvider(t, tt.challenge, tt.tokenAnswer)
			refresh := "stale-refresh"
			if tt.noRefresh {
				refresh = ""
			}
			stored := token.NewOAuth2AccessToken("stale-bearer", refresh)
			stored.ExpiresAt = now.Add(time.Hour) // alive by our clock: the remote's 401 decides
			f, store := p.factory(t, stored, now)
			name, err := whoAmI(t, f)
			if n := p.tokenCalls.Load(); n != tt.tokenCalls {
				t.Errorf("%d token endpoint calls, want %d", n, tt.tokenCalls)
			}
			cur, serr := store.AccessToken(t.Context(), token.Key{LinkID: testLinkID, User: "alice"})
			if tt.wantName != "" {
				if err != nil || name != tt.wantName {
					t.Fatalf("whoami = %q, %v; want %q", name, err, tt.wantName)
				}
				if serr != nil || cur.Secret.Reveal() != "fresh-bearer" || cur.RefreshToken.Reveal() != "fresh-refresh" {
					t.Errorf("stored token %v, %v; want the refreshed one", cur, serr)
				}
				return
			}
			if err == nil {
				t.Fatalf("whoami = %q, want an error", name)
			}
			var cre *CredentialsRequiredError
			if errors.As(err, &cre) != tt.credentials {
				t.Fatalf("err = %v: credentials required %v, want %v", err, !tt.credentials, tt.credentials)
			}
			if tt.credentials {
				if !errors.Is(serr, token.ErrNotFound) {
					t.Errorf("the refused token is still stored: %v", serr)
				}
				if !strings.Contains(err.Error(), "has a token the remote rejected") || !strings.Contains(err.Error(), tt.wantCode) {
					t.Errorf("message %q, want the remote's rejection (%s) named", err, tt.wantCode)
				}
			} else if serr != nil || cur.Secret.Reveal() != "stale-bearer" {
				t.Errorf("the token was not kept: %v, %v", cur, serr)
			}
			if tt.wantCode != "" {
				var oe *OAuth2Error
				if !errors.As(err, &oe) || oe.Code != tt.wantCode {
					t.Errorf("err = %v, want an *OAuth2Error %s inside", err, tt.wantCode)
				}
			}
			if !strings.Contains(err.Error(), tt.wantAdvice) {
				t.Errorf("message %q lacks %q", err, tt.wantAdvice)
			}
		})
	}
}

// TestRevokedAtRefreshIsReportedAsRejected: a token the user revoked at the
// provider, which has also expired by our clock, is refreshed once when a
// request is sent; invalid_grant deletes it and the error says the remote
// rejected it. Asking which method a request would use (Auth) beforehand
// calls nobody and changes nothing.
func TestRevokedAtRefreshIsReportedAsRejected(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	p := newBearerProvider(t, `Bearer error="invalid_token"`, "invalid_grant")
	stored := token.NewOAuth2AccessToken("stale-bearer", "revoked-refresh")
	stored.ExpiresAt = now.Add(-time.Minute)
	f, store := p.factory(t, stored, now)
	for range 2 {
		if a, err := f.Auth(t.Context()); err != nil || a != AuthOAuth2 {
			t.Fatalf("Auth = %q, %v; want oauth2 (the expired token would be refreshed)", a, err)
		}
	}
	if n := p.tokenCalls.Load(); n != 0 {
		t.Fatalf("Auth called the token endpoint %d times, want none", n)
	}
	_, err := whoAmI(t, f)
	var cre *CredentialsRequiredError
	if !errors.As(err, &cre) || !strings.Contains(err.Error(), "has a token the remote rejected") ||
		!strings.Contains(err.Error(), "invalid_grant") || !strings.Contains(err.Error(), "it was deleted") {
		t.Fatalf("err = %v, want credentials required naming the remote's invalid_grant", err)
	}
	if n := p.tokenCalls.Load(); n != 1 {
		t.Errorf("%d token endpoint calls, want 1", n)
	}
	if _, err := store.AccessToken(t.Context(), token.Key{LinkID: testLinkID, User: "alice"}); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("the revoked token is still stored: %v", err)
	}
}

// TestExpiryStormKeepsToken: 200 goroutines send requests as alice while the
// provider ends her current token 20 times. Every expiry is answered by a
// renewal (single-flight) or by the token another request renewed; a
// request that runs out of its renewal budget fails, but nothing deletes
// the user's renewable token: no request asks her to authorize again.
func TestExpiryStormKeepsToken(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth3LO}, svcOpts: []Option{WithRetry(RetryPolicy{Max: -1})}})
	fx.authorize(t, "alice")
	f := fx.factory(t, "alice")
	key := token.Key{LinkID: fx.link.ID, User: "alice"}
	const workers, perWorker, expiries = 200, 5, 20
	done := make(chan struct{}, workers*perWorker)
	var credentials, failed atomic.Int32
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range perWorker {
				_, _, err := whoami(t, f)
				var cre *CredentialsRequiredError
				switch {
				case errors.As(err, &cre):
					credentials.Add(1)
				case err != nil:
					failed.Add(1)
				}
				done <- struct{}{}
			}
		})
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	expired := 0
	for expired < expiries {
		// Let some requests through between expiries.
		for range 10 {
			select {
			case <-done:
			case <-finished:
				expired = expiries
			}
		}
		if cur, err := fx.store.AccessToken(t.Context(), key); err == nil {
			if fx.srv.Expire(cur.Token) == nil {
				expired++
			}
		}
	}
	<-finished
	if n := credentials.Load(); n != 0 {
		t.Errorf("%d requests of %d asked alice to authorize again; want none (her token is renewable)", n, workers*perWorker)
	}
	if _, err := fx.store.AccessToken(t.Context(), key); err != nil {
		t.Errorf("alice's token is gone after the storm: %v", err)
	}
	t.Logf("%d of %d requests failed with the token kept (out of their renewal budget)", failed.Load(), workers*perWorker)
}
