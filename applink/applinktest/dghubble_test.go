package applinktest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/dghubble/oauth1"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
)

// callbackServer captures the query of the consumer's callback.
func callbackServer(t *testing.T) (*httptest.Server, <-chan url.Values) {
	t.Helper()
	got := make(chan url.Values, 1)
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case got <- r.URL.Query():
		default:
		}
		_, _ = io.WriteString(w, "thanks")
	}))
	t.Cleanup(cb.Close)
	return cb, got
}

// thirdPartyDance runs dghubble/oauth1's 3-legged dance, approving as user
// over HTTP and following the redirect to the callback, then GETs path as
// the user and returns the decoded JSON.
func thirdPartyDance(t *testing.T, srv *applinktest.Server, cfg *oauth1.Config, user, path string) map[string]any {
	t.Helper()
	cb, got := callbackServer(t)
	cfg.CallbackURL = cb.URL + "/callback"
	cfg.Endpoint = oauth1.Endpoint{
		RequestTokenURL: srv.RequestTokenURL(),
		AuthorizeURL:    srv.AuthorizationURL(""),
		AccessTokenURL:  srv.AccessTokenURL(),
	}
	cfg.HTTPClient = srv.Client()

	requestToken, requestSecret, err := cfg.RequestToken()
	if err != nil {
		t.Fatalf("RequestToken: %v", err)
	}
	authURL, err := cfg.AuthorizationURL(requestToken)
	if err != nil {
		t.Fatal(err)
	}
	q := authURL.Query()
	q.Set("user", user)
	q.Set("approve", "1")
	authURL.RawQuery = q.Encode()
	resp, err := srv.Client().Get(authURL.String())
	if err != nil {
		t.Fatalf("approving: %v", err)
	}
	resp.Body.Close()
	var cbq url.Values
	select {
	case cbq = <-got:
	default:
		t.Fatalf("the approval (%d) did not reach the callback", resp.StatusCode)
	}
	if cbq.Get("oauth_token") != requestToken {
		t.Fatalf("callback oauth_token = %q, want %q", cbq.Get("oauth_token"), requestToken)
	}
	accessToken, accessSecret, err := cfg.AccessToken(requestToken, requestSecret, cbq.Get("oauth_verifier"))
	if err != nil {
		t.Fatalf("AccessToken: %v", err)
	}
	ctx := context.WithValue(t.Context(), oauth1.HTTPClient, srv.Client())
	client := cfg.Client(ctx, oauth1.NewToken(accessToken, accessSecret))
	resp, err = client.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDghubbleRSASHA1Atlassian(t *testing.T) {
	t.Parallel()
	srv, _ := atlassian(t)
	cfg := &oauth1.Config{ConsumerKey: "app", Signer: &oauth1.RSASigner{PrivateKey: testKeys()[0]}}
	me := thirdPartyDance(t, srv, cfg, "alice", "/rest/api/2/myself")
	if me["name"] != "alice" || me["emailAddress"] != "alice@example.com" {
		t.Errorf("myself = %v", me)
	}
}

func TestDghubbleHMACSHA1Jenkins(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t,
		applinktest.WithShape(applinktest.Jenkins),
		applinktest.WithUsers("alice"),
		applinktest.WithConsumer(applinktest.Consumer{Key: "ci", Secret: signer.NewSecret(hmacSecret), ThreeLO: true}))
	cfg := &oauth1.Config{ConsumerKey: "ci", ConsumerSecret: hmacSecret, Signer: &oauth1.HMACSigner{ConsumerSecret: hmacSecret}}
	me := thirdPartyDance(t, srv, cfg, "alice", "/me/api/json")
	if me["_class"] != "hudson.model.User" || me["id"] != "alice" {
		t.Errorf("/me/api/json = %v", me)
	}
}

func TestDghubbleOverTLS(t *testing.T) {
	t.Parallel()
	srv, _ := atlassian(t, applinktest.WithTLS())
	if srv.Certificate() == nil || srv.URL[:8] != "https://" {
		t.Fatalf("URL %s, certificate %v", srv.URL, srv.Certificate())
	}
	if _, err := http.Get(srv.URL + "/rest/applinks/1.0/manifest"); err == nil {
		t.Error("a client that does not trust the certificate got through")
	}
	cfg := &oauth1.Config{ConsumerKey: "app", Signer: &oauth1.RSASigner{PrivateKey: testKeys()[0]}}
	me := thirdPartyDance(t, srv, cfg, "bob", "/rest/api/2/myself")
	if me["name"] != "bob" {
		t.Errorf("myself = %v", me)
	}
}
