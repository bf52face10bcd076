package applink

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/testclock"
	"github.com/go-applinks/applinks/signer"
)

// TestExpiredTokenRenewed checks that an expired token with a session
// handle is renewed before the request, and that a failed renewal deletes
// the token and asks for credentials with the cause.
func TestExpiredTokenRenewed(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		handle  string // "" keeps the real one
		renewed bool
	}{
		{"renewed", "", true},
		{"renewal refused", "not-a-session-handle", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth3LO}})
			fx.authorize(t, "alice")
			key := token.Key{LinkID: fx.link.ID, User: "alice"}
			tok, err := fx.store.AccessToken(t.Context(), key)
			if err != nil {
				t.Fatal(err)
			}
			if tok.SessionHandle.IsZero() {
				t.Fatal("the provider gave no session handle")
			}
			old := tok.Token
			tok.ExpiresAt = time.Now().Add(-time.Minute)
			if tt.handle != "" {
				tok.SessionHandle = token.NewSecret(tt.handle)
			}
			if err := fx.store.PutAccessToken(t.Context(), key, tok); err != nil {
				t.Fatal(err)
			}
			user, auth, err := whoami(t, fx.factory(t, "alice"))
			if !tt.renewed {
				var cre *CredentialsRequiredError
				if !errors.As(err, &cre) || cre.Cause == nil {
					t.Fatalf("got %v, want *CredentialsRequiredError with a cause", err)
				}
				if _, err := fx.store.AccessToken(t.Context(), key); !errors.Is(err, token.ErrNotFound) {
					t.Errorf("the unrenewable token is still stored (%v)", err)
				}
				if n := len(recordsFor(fx.srv, "/rest/api/2/myself")); n != 0 {
					t.Errorf("%d requests sent with an expired token", n)
				}
				return
			}
			if err != nil || user != "alice" || auth != Auth3LO {
				t.Fatalf("whoami = %q over %s, %v", user, auth, err)
			}
			now, err := fx.store.AccessToken(t.Context(), key)
			if err != nil || now.Token == old || now.Expired(time.Now()) {
				t.Errorf("stored token after renewal: %v, %v", now, err)
			}
			var renewals int
			for _, r := range fx.srv.Requests() {
				if r.Flow == applinktest.FlowAccessToken && r.Status == http.StatusOK {
					renewals++
				}
			}
			if renewals != 2 { // the exchange, then the renewal
				t.Errorf("%d successful access-token calls, want 2", renewals)
			}
		})
	}
}

// TestConcurrentRenewal: many requests find the same expired token at
// once (expired in our store, or only at the remote, which answers
// token_expired); it is renewed once and every request succeeds.
func TestConcurrentRenewal(t *testing.T) {
	t.Parallel()
	for _, remote := range []bool{false, true} {
		t.Run(fmt.Sprintf("remote=%v", remote), func(t *testing.T) {
			t.Parallel()
			fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth3LO}})
			fx.authorize(t, "alice")
			key := token.Key{LinkID: fx.link.ID, User: "alice"}
			tok, err := fx.store.AccessToken(t.Context(), key)
			if err != nil {
				t.Fatal(err)
			}
			if remote {
				err = fx.srv.Expire(tok.Token)
			} else {
				tok.ExpiresAt = time.Now().Add(-time.Minute)
				err = fx.store.PutAccessToken(t.Context(), key, tok)
			}
			if err != nil {
				t.Fatal(err)
			}
			f := fx.factory(t, "alice")
			var wg sync.WaitGroup
			for range 16 {
				wg.Go(func() {
					if user, _, err := whoami(t, f); err != nil || user != "alice" {
						t.Errorf("whoami = %q, %v", user, err)
					}
				})
			}
			wg.Wait()
			var calls int
			for _, r := range fx.srv.Requests() {
				if r.Flow == applinktest.FlowAccessToken {
					calls++
				}
			}
			if calls != 2 { // the exchange, then one renewal
				t.Errorf("%d access-token calls, want 2", calls)
			}
		})
	}
}

// TestRejectedTokenKeepsNewer: a token rejected by the remote is deleted,
// unless another has been stored since (by a renewal or a new dance while
// the request was in flight).
func TestRejectedTokenKeepsNewer(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth3LO}})
	f := fx.factory(t, "alice")
	key := token.Key{LinkID: fx.link.ID, User: "alice"}
	if err := fx.store.PutAccessToken(t.Context(), key, token.NewAccessToken("newer", "secret")); err != nil {
		t.Fatal(err)
	}
	slot := f.source().Store
	if err := slot.Delete(t.Context(), "older"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if cur, err := fx.store.AccessToken(t.Context(), key); err != nil || cur.Token != "newer" {
		t.Fatalf("the newer token was deleted: %v, %v", cur, err)
	}
	if err := slot.Delete(t.Context(), "newer"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := fx.store.AccessToken(t.Context(), key); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("the rejected token is still stored: %v", err)
	}
}

// TestRemoteExpiryRenewed checks issue #6's renewal on the request path: the
// provider ends an access token our store still thinks valid; a 401
// token_expired is answered by renewing with the session handle and sending
// once more (a form body replayed), through Request.Do and the Client view.
// With the session over too, the token is deleted and credentials required.
func TestRemoteExpiryRenewed(t *testing.T) {
	t.Parallel()
	send := map[string]func(t *testing.T, f *RequestFactory) (string, error){
		"Do": func(t *testing.T, f *RequestFactory) (string, error) {
			name, _, err := whoami(t, f)
			return name, err
		},
		"Do with a form body": func(t *testing.T, f *RequestFactory) (string, error) {
			req, err := f.NewRequest(http.MethodPut, "/rest/echo")
			if err != nil {
				return "", err
			}
			req.AddForm("name", "form-body")
			resp, err := req.Do(t.Context())
			if err != nil {
				return "", err
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				return "", err
			}
			if string(b) != "alice:form-body" {
				return "", fmt.Errorf("echo = %q (status %d), want alice:form-body: the form body was not replayed", b, resp.StatusCode)
			}
			return "alice", nil
		},
		"Client": func(t *testing.T, f *RequestFactory) (string, error) {
			resp, err := f.Client().Get(f.link.RPCURL + "/rest/api/2/myself")
			if err != nil {
				return "", err
			}
			defer resp.Body.Close()
			var me myself
			if err := json.NewDecoder(resp.Body).Decode(&me); err != nil {
				return "", fmt.Errorf("status %d: %w", resp.StatusCode, err)
			}
			return me.Name, nil
		},
	}
	// echo answers the user and the form's name parameter.
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s:%s", applinktest.User(r), r.PostFormValue("name"))
	})
	for name, do := range send {
		t.Run(name+"/renewed", func(t *testing.T) {
			t.Parallel()
			fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth3LO}})
			fx.srv.Handle("PUT /rest/echo", echo)
			fx.authorize(t, "alice")
			key := token.Key{LinkID: fx.link.ID, User: "alice"}
			old, err := fx.store.AccessToken(t.Context(), key)
			if err != nil {
				t.Fatal(err)
			}
			if err := fx.srv.Expire(old.Token); err != nil {
				t.Fatal(err)
			}
			if old.Expired(time.Now()) {
				t.Fatal("the store already thinks the token expired")
			}
			got, err := do(t, fx.factory(t, "alice"))
			if err != nil || got != "alice" {
				t.Fatalf("request after the remote expired the token = %q, %v; want alice, nil", got, err)
			}
			cur, err := fx.store.AccessToken(t.Context(), key)
			if err != nil {
				t.Fatalf("the store lost the token: %v", err)
			}
			if cur.Token == old.Token {
				t.Error("the store still holds the expired token, want the renewed one")
			}
			var expired int
			for _, r := range fx.srv.Requests() {
				if r.Problem == string(signer.ProblemTokenExpired) {
					expired++
				}
			}
			if expired != 1 {
				t.Errorf("provider answered token_expired %d times, want 1", expired)
			}
		})
		t.Run(name+"/session over", func(t *testing.T) {
			t.Parallel()
			clock := testclock.New(time.Now())
			fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth3LO}, srvOpts: []applinktest.Option{
				applinktest.WithClock(clock.Now), applinktest.WithAccessTokenTTL(time.Minute)}})
			fx.srv.Handle("PUT /rest/echo", echo)
			fx.authorize(t, "alice")
			key := token.Key{LinkID: fx.link.ID, User: "alice"}
			// The provider's clock passes the token's and the session's end
			// (still inside its timestamp window); ours does not.
			clock.Advance(2 * time.Minute)
			_, err := do(t, fx.factory(t, "alice"))
			var need *CredentialsRequiredError
			if !errors.As(err, &need) || need.User != "alice" {
				t.Fatalf("err = %v, want *CredentialsRequiredError for alice", err)
			}
			if _, err := fx.store.AccessToken(t.Context(), key); !errors.Is(err, token.ErrNotFound) {
				t.Errorf("stored token after a refused renewal: err = %v, want token.ErrNotFound", err)
			}
		})
	}
}
