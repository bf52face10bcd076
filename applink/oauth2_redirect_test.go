package applink

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-applinks/applinks/applink/token"
)

// TestOAuth2TokenEndpointRedirectRefused: the OAuth 2.0 token endpoint is
// held to the OAuth 1.0a token endpoints' rule (#15 item 1): a redirect to
// another origin is a *TokenRedirectError, the foreign origin never sees the
// client secret and nothing it answers is stored.
func TestOAuth2TokenEndpointRedirectRefused(t *testing.T) {
	t.Parallel()
	foreign := newForeignOrigin(t)
	var tokenHits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/token") {
			tokenHits.Add(1)
			http.Redirect(w, r, foreign.URL+"/token", http.StatusTemporaryRedirect)
			return
		}
		http.Error(w, "unexpected", http.StatusTeapot)
	}))
	t.Cleanup(srv.Close)
	link := Link{ID: testLinkID, Name: "Jira OAuth2", Type: TypeJira, RPCURL: srv.URL, Auth: []Auth{AuthClientCredentials},
		OAuth2: &OAuth2Client{ClientID: o2TestClientID, RedirectURL: "http://127.0.0.1:1/callback", Scopes: []string{"READ"}, ClientSecret: token.NewSecret(o2TestSecret)},
	}
	store := token.NewMemoryStore()
	svc, err := NewService([]Link{link}, WithTokenStore(store))
	if err != nil {
		t.Fatal(err)
	}
	req, err := factoryFor(t, svc, "alice").NewRequest(http.MethodGet, "/rest/api/2/myself")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := req.Do(t.Context())
	if err == nil {
		resp.Body.Close()
		t.Fatal("a redirecting token endpoint was followed")
	}
	var re *TokenRedirectError
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T) is not a *TokenRedirectError", err, err)
	}
	if re.Status != http.StatusTemporaryRedirect || !strings.HasPrefix(re.To, foreign.URL) {
		t.Errorf("TokenRedirectError = %+v, want a 307 to %s", re, foreign.URL)
	}
	if got := foreign.hits.Load(); got != 0 {
		t.Errorf("the foreign origin got %d requests, want 0", got)
	}
	if tokenHits.Load() == 0 {
		t.Error("the token endpoint was never called")
	}
	if strings.Contains(err.Error(), o2TestSecret) {
		t.Errorf("the error shows the client secret: %v", err)
	}
}
