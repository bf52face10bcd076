package applink

import (
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/applinktest"
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
			fx.authorise(t, "alice")
			key := TokenKey{LinkID: fx.link.ID, User: "alice"}
			tok, err := fx.store.AccessToken(t.Context(), key)
			if err != nil {
				t.Fatal(err)
			}
			if tok.SessionHandle == "" {
				t.Fatal("the provider gave no session handle")
			}
			old := tok.Token
			tok.ExpiresAt = time.Now().Add(-time.Minute)
			if tt.handle != "" {
				tok.SessionHandle = tt.handle
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
				if _, err := fx.store.AccessToken(t.Context(), key); !errors.Is(err, ErrTokenNotFound) {
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
// once; it is renewed once and every request succeeds.
func TestConcurrentRenewal(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth3LO}})
	fx.authorise(t, "alice")
	key := TokenKey{LinkID: fx.link.ID, User: "alice"}
	tok, err := fx.store.AccessToken(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	tok.ExpiresAt = time.Now().Add(-time.Minute)
	if err := fx.store.PutAccessToken(t.Context(), key, tok); err != nil {
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
}

// TestRejectedTokenKeepsNewer: a token rejected by the remote is deleted,
// unless another has been stored since (by a renewal or a new dance while
// the request was in flight).
func TestRejectedTokenKeepsNewer(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth3LO}})
	f := fx.factory(t, "alice")
	key := TokenKey{LinkID: fx.link.ID, User: "alice"}
	if err := fx.store.PutAccessToken(t.Context(), key, NewAccessToken("newer", "secret")); err != nil {
		t.Fatal(err)
	}
	var cre *CredentialsRequiredError
	if err := f.dropToken(t.Context(), errors.New("rejected"), "older"); !errors.As(err, &cre) {
		t.Fatalf("dropToken: %v", err)
	}
	if cur, err := fx.store.AccessToken(t.Context(), key); err != nil || cur.Token != "newer" {
		t.Fatalf("the newer token was deleted: %v, %v", cur, err)
	}
	if err := f.dropToken(t.Context(), errors.New("rejected"), "newer"); !errors.As(err, &cre) {
		t.Fatalf("dropToken: %v", err)
	}
	if _, err := fx.store.AccessToken(t.Context(), key); !errors.Is(err, ErrTokenNotFound) {
		t.Errorf("the rejected token is still stored: %v", err)
	}
}
