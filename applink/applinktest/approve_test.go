package applinktest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
)

func TestApproveURL(t *testing.T) {
	t.Parallel()
	srv, s := atlassian(t)
	other := applinktest.NewServer(t)
	rt := requestToken(t, srv, s, "oob")
	for _, tc := range []struct {
		name, url, user, wantErr string
	}{
		{"another server", other.AuthorizationURL(rt.Key()), "alice", "not this server's authorization page"},
		{"another page", srv.URL + "/plugins/servlet/oauth/elsewhere?oauth_token=" + rt.Key(), "alice", "not this server's authorization page"},
		{"no token", srv.AuthorizationURL(""), "alice", "has no oauth_token"},
		{"not a URL", "http://[::1", "alice", "not an authorization URL"},
		{"unknown user", srv.AuthorizationURL(rt.Key()), "mallory", "no such user"},
	} {
		if _, err := srv.ApproveURL(tc.url, tc.user); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: err = %v, want one saying %q", tc.name, err, tc.wantErr)
		}
	}
	// On the OAuth2 shape a consent URL is approved as ApproveOAuth2 does:
	// an unknown client is refused.
	o2 := applinktest.NewServer(t, applinktest.WithShape(applinktest.OAuth2))
	if _, err := o2.ApproveURL(o2.OAuth2AuthorizationURL()+"?client_id=x", "alice"); err == nil || !strings.Contains(err.Error(), "unknown client_id") {
		t.Errorf("ApproveURL of an unknown OAuth 2.0 client: %v, want an error saying unknown client_id", err)
	}
	verifier, err := srv.Approver("alice")(t.Context(), srv.AuthorizationURL(rt.Key()))
	if err != nil {
		t.Fatal(err)
	}
	r := do(t, srv, s, http.MethodPost, srv.AccessTokenURL(), nil, signer.Params{Token: rt, Verifier: signer.NewSecret(verifier)})
	if r.status != http.StatusOK {
		t.Fatalf("exchange with the Approver's verifier: %d %s", r.status, r.body)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := srv.Approver("alice")(ctx, srv.AuthorizationURL(rt.Key())); err != context.Canceled {
		t.Errorf("Approver with a canceled context: %v, want context.Canceled", err)
	}
}

func TestBrowser(t *testing.T) {
	t.Parallel()
	srv, s := atlassian(t)
	got := make(chan string, 1)
	callback := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.URL.Query().Get("oauth_verifier")
		http.Error(w, "the client's page", http.StatusForbidden) // the client's to report, not the browser's
	}))
	t.Cleanup(callback.Close)
	rt := requestToken(t, srv, s, callback.URL+"/callback")
	if err := srv.Browser("alice")(t.Context(), srv.AuthorizationURL(rt.Key())); err != nil {
		t.Fatalf("Browser: %v", err)
	}
	verifier := <-got
	r := do(t, srv, s, http.MethodPost, srv.AccessTokenURL(), nil, signer.Params{Token: rt, Verifier: signer.NewSecret(verifier)})
	if r.status != http.StatusOK {
		t.Fatalf("exchange with the callback's verifier: %d %s", r.status, r.body)
	}

	// The page refuses: an unknown user, a used token.
	rt = requestToken(t, srv, s, callback.URL+"/callback")
	if err := srv.Browser("mallory")(t.Context(), srv.AuthorizationURL(rt.Key())); err == nil || !strings.Contains(err.Error(), "400") {
		t.Errorf("Browser as an unknown user: %v, want the page's 400", err)
	}
	if err := srv.Browser("alice")(t.Context(), "https://elsewhere.example/authorize?oauth_token=x"); err == nil {
		t.Error("Browser went to another server")
	}
}
