package authorize

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/signer"
)

// mixupFixture is a web app with the dance handler and two OAuth 2.0 links,
// A and B, to two remotes, each with its own redirect URL: the app's
// callback for that link.
type mixupFixture struct {
	app                  *httptest.Server
	srvA, srvB           *applinktest.Server
	idA, idB             string
	store                *token.MemoryStore
	redirectA, redirectB string // the links' redirect URLs
}

func newMixupFixture(t *testing.T) *mixupFixture {
	t.Helper()
	fx := &mixupFixture{idA: newLinkID(), idB: newLinkID(), store: token.NewMemoryStore()}
	app, mount := newAppServer(t)
	fx.app = app
	fx.redirectA, fx.redirectB = CallbackURL(app.URL, "", fx.idA), CallbackURL(app.URL, "", fx.idB)
	remote := func(client, redirect string) *applinktest.Server {
		return applinktest.NewServer(t, applinktest.WithShape(applinktest.OAuth2), applinktest.WithUsers("alice"),
			applinktest.WithOAuth2Client(applinktest.OAuth2Client{ID: client, Secret: signer.NewSecret(client + "-s3cret-TEST-ONLY"), RedirectURL: redirect}))
	}
	fx.srvA, fx.srvB = remote("client-a", fx.redirectA), remote("client-b", fx.redirectB)
	link := func(id, name, client, redirect string, srv *applinktest.Server) applink.Link {
		return applink.Link{ID: id, Name: name, Type: applink.TypeJira, RPCURL: srv.URL, Auth: []applink.Auth{applink.AuthOAuth2},
			OAuth2: &applink.OAuth2Client{ClientID: client, RedirectURL: redirect, Scopes: []string{"WRITE"}, ClientSecret: token.NewSecret(client + "-s3cret-TEST-ONLY")},
		}
	}
	svc := newTestService(t, []applink.Link{link(fx.idA, "jira-a", "client-a", fx.redirectA, fx.srvA), link(fx.idB, "jira-b", "client-b", fx.redirectB, fx.srvB)},
		applink.WithTokenStore(fx.store), applink.WithHTTPClient(&http.Client{Timeout: 30 * time.Second}), applink.WithRetry(applink.RetryPolicy{Max: -1}))
	h, err := NewHandler(svc, sessionUser)
	if err != nil {
		t.Fatal(err)
	}
	mount(h)
	return fx
}

// consent starts alice's dance for a link and returns the consent page URL
// the app sent her to (not visited).
func (fx *mixupFixture) consent(t *testing.T, b *browser, linkID string) *url.URL {
	t.Helper()
	_, _, at := b.start(fx.app.URL+StartURL("", linkID, "/done"), func(u *url.URL) bool {
		return strings.HasSuffix(u.Path, applinktest.OAuth2AuthorizePath)
	})
	if !strings.HasSuffix(at.Path, applinktest.OAuth2AuthorizePath) {
		t.Fatalf("the start of %s led to %s, not a consent page", linkID, at)
	}
	return at
}

// approve starts alice's dance for linkID, has srv (that link's remote)
// approve it, and returns the redirect URL srv sends her back to (not
// visited).
func (fx *mixupFixture) approve(t *testing.T, b *browser, srv *applinktest.Server, linkID string) string {
	t.Helper()
	back, err := srv.ApproveOAuth2(fx.consent(t, b, linkID).String(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	return back
}

// codeGrants counts the authorization code grants a remote received.
func codeGrants(srv *applinktest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Grant == applinktest.GrantAuthorizationCode {
			n++
		}
	}
	return n
}

// withQueryOf returns base with the query of u.
func withQueryOf(t *testing.T, base, u string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return base + "?" + p.RawQuery
}

// TestWebDanceOAuth2MixUp: with two OAuth 2.0 links, each has its own
// callback, and a callback completes only its own link's dances. A remote
// that sends a user back with another link's state, or to the wrong
// link's callback, or with an iss (RFC 9207) that is not the link's
// issuer, gets nothing exchanged: no code and no PKCE verifier reaches any
// token endpoint (RFC 9700 §4.4).
func TestWebDanceOAuth2MixUp(t *testing.T) {
	t.Parallel()
	refusals := []struct {
		name string
		// callback runs alice's dance up to the remote's answer and
		// returns the callback URL her browser is sent to.
		callback func(t *testing.T, fx *mixupFixture, b *browser) string
		// want is what the refusal page must say.
		want []string
	}{
		{
			// The classic mix-up: B, a malicious or compromised remote, sends
			// alice on to A's consent page with A's client id and redirect URL
			// but B's state and PKCE challenge. A sends her back to A's
			// callback with a code for A and B's state.
			name: "A's code with B's state at A's callback",
			callback: func(t *testing.T, fx *mixupFixture, b *browser) string {
				q := fx.consent(t, b, fx.idB).Query()
				q.Set("client_id", "client-a")
				q.Set("redirect_uri", fx.redirectA)
				back, err := fx.srvA.ApproveOAuth2(fx.srvA.URL+applinktest.OAuth2AuthorizePath+"?"+q.Encode(), "alice")
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(back, fx.redirectA+"?") {
					t.Fatalf("A sent alice to %s, want its redirect URL", back)
				}
				return back
			},
			want: []string{"jira-b", "another link", "mix-up"},
		},
		{
			name: "A's code and state at B's callback",
			callback: func(t *testing.T, fx *mixupFixture, b *browser) string {
				return withQueryOf(t, fx.redirectB, fx.approve(t, b, fx.srvA, fx.idA))
			},
			want: []string{"jira-a", "another link"},
		},
		{
			name: "a link's state at the shared callback",
			callback: func(t *testing.T, fx *mixupFixture, b *browser) string {
				return withQueryOf(t, fx.app.URL+DefaultPrefix+"/callback", fx.approve(t, b, fx.srvA, fx.idA))
			},
			want: []string{"jira-a", "another link"},
		},
		{
			name: "iss of another remote",
			callback: func(t *testing.T, fx *mixupFixture, b *browser) string {
				return fx.approve(t, b, fx.srvB, fx.idB) + "&" + url.Values{"iss": {fx.srvA.URL}}.Encode()
			},
			want: []string{"issuer", "mix-up", "start the authorization again"},
		},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fx := newMixupFixture(t)
			b := (&webApp{app: fx.app}).browser(t, "alice")
			status, body, _ := b.get(tc.callback(t, fx, b), nil)
			if status != http.StatusBadRequest {
				t.Errorf("the callback answered %d, want 400: %s", status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("the page does not say %q:\n%s", w, body)
				}
			}
			if n, m := codeGrants(fx.srvA), codeGrants(fx.srvB); n+m != 0 {
				t.Errorf("code grants: %d at A, %d at B; want none", n, m)
			}
			for _, id := range []string{fx.idA, fx.idB} {
				if tok, _ := fx.store.AccessToken(t.Context(), token.Key{LinkID: id, User: "alice"}); tok != nil {
					t.Errorf("alice has a token for %s", id)
				}
			}
		})
	}
	t.Run("the link's own iss and callback", func(t *testing.T) {
		t.Parallel()
		fx := newMixupFixture(t)
		b := (&webApp{app: fx.app}).browser(t, "alice")
		back := fx.approve(t, b, fx.srvB, fx.idB)
		status, body, last := b.get(back+"&"+url.Values{"iss": {fx.srvB.URL + "/"}}.Encode(), nil)
		if status != http.StatusOK || last.Path != "/done" {
			t.Fatalf("the dance ended at %s with %d: %s", last, status, body)
		}
		if codeGrants(fx.srvB) != 1 || codeGrants(fx.srvA) != 0 {
			t.Errorf("code grants: %d at A, %d at B; want 0 and 1", codeGrants(fx.srvA), codeGrants(fx.srvB))
		}
		if tok, _ := fx.store.AccessToken(t.Context(), token.Key{LinkID: fx.idB, User: "alice"}); tok == nil {
			t.Error("alice has no token for B")
		}
	})
}

// TestDanceHandlerRefusesSharedRedirectURL: two OAuth 2.0 links with one
// redirect URL cannot be told apart at the callback: NewHandler
// refuses them, naming both and the URL to use.
func TestDanceHandlerRefusesSharedRedirectURL(t *testing.T) {
	t.Parallel()
	shared := "https://app.example.com" + DefaultPrefix + "/callback"
	link := func(name string) applink.Link {
		return applink.Link{ID: newLinkID(), Name: name, Type: applink.TypeJira, RPCURL: "https://" + name + ".example.com", Auth: []applink.Auth{applink.AuthOAuth2},
			OAuth2: &applink.OAuth2Client{ClientID: "c", RedirectURL: shared, ClientSecret: token.NewSecret("s3cret-TEST-ONLY")}}
	}
	svc := newTestService(t, []applink.Link{link("jira"), link("confluence")})
	_, err := NewHandler(svc, func(*http.Request) (string, error) { return "alice", nil })
	if err == nil {
		t.Fatal("NewHandler accepted two OAuth 2.0 links with one redirect URL")
	}
	for _, want := range []string{`"jira"`, `"confluence"`, shared, "/callback/{link id}"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// TestOAuth2IssuerMismatchOutOfBand: a pasted redirect with another
// issuer's iss is refused before the code is exchanged, with
// ErrDanceIssuerMismatch.
func TestOAuth2IssuerMismatchOutOfBand(t *testing.T) {
	t.Parallel()
	fx := newO2Fixture(t, "")
	svc := fx.service(t)
	err := OutOfBand(t.Context(), factoryFor(t, svc, "alice"), func(_ context.Context, authURL string) (string, error) {
		back, err := fx.srv.ApproveOAuth2(authURL, "alice")
		return back + "&iss=" + url.QueryEscape("https://evil.example"), err
	})
	var im *applink.DanceError
	if !errors.As(err, &im) || !errors.Is(err, applink.ErrDanceIssuerMismatch) || im.Issuer != "https://evil.example" {
		t.Fatalf("err = %v, want ErrDanceIssuerMismatch for https://evil.example", err)
	}
	for _, r := range fx.srv.Requests() {
		if r.Grant == applinktest.GrantAuthorizationCode {
			t.Errorf("the code was exchanged")
		}
	}
}
