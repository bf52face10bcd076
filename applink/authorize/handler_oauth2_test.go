package authorize

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/filestore"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/internal/testclock"
	"github.com/go-applinks/applinks/signer"
)

const (
	cloudTestClient = "cloud-client-TEST-ONLY"
	cloudTestSecret = "cloud-s3cret-TEST-ONLY"
)

// cloudMe is what Cloud's /rest/api/3/myself answers.
type cloudMe struct {
	AccountID string `json:"accountId"`
}

// TestOAuth2WebDance: the web dance handler runs an OAuth 2.0 consent, Data
// Center's on the handler's shared callback and Atlassian Cloud's on the
// link's own, and brings alice back to the app with a token her requests
// act as; a denial is a 403.
func TestOAuth2WebDance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// service returns a service with the link testLinkID to a new
		// remote, calling back to the app at appURL.
		service func(t *testing.T, appURL string) *applink.Service
		// actsAsAlice fails t unless a request on svc for alice acts as her.
		actsAsAlice func(t *testing.T, svc *applink.Service)
	}{
		{
			name: "Data Center",
			service: func(t *testing.T, appURL string) *applink.Service {
				return newO2Fixture(t, appURL+DefaultPrefix+"/callback").service(t)
			},
			actsAsAlice: func(t *testing.T, svc *applink.Service) {
				if name, err := whoAmI(t, factoryFor(t, svc, "alice")); err != nil || name != "alice" {
					t.Fatalf("after the web dance: %q, %v", name, err)
				}
			},
		},
		{
			name: "Cloud",
			service: func(t *testing.T, appURL string) *applink.Service {
				clock := testclock.New(testclock.Start)
				redirect := CallbackURL(appURL, "", testLinkID)
				srv := applinktest.NewServer(t, applinktest.WithShape(applinktest.Cloud), applinktest.WithUsers("alice", "bob"), applinktest.WithClock(clock.Now),
					applinktest.WithCloudClient(applinktest.CloudClient{ID: cloudTestClient, Secret: signer.NewSecret(cloudTestSecret), RedirectURL: redirect}))
				l := applink.Link{ID: testLinkID, Name: "acme", Type: applink.TypeJira, RPCURL: applinktest.DefaultCloudSite.URL, Auth: []applink.Auth{applink.AuthOAuth2},
					Cloud:  &applink.CloudSite{AuthBase: srv.URL, APIBase: srv.URL},
					OAuth2: &applink.OAuth2Client{ClientID: cloudTestClient, RedirectURL: redirect, Scopes: []string{"read:jira-user", "offline_access"}, ClientSecret: token.NewSecret(cloudTestSecret)}}
				return newTestService(t, []applink.Link{l}, applink.WithHTTPClient(srv.Client()), applink.WithClock(clock.Now))
			},
			actsAsAlice: func(t *testing.T, svc *applink.Service) {
				req, err := factoryFor(t, svc, "alice").NewRequest(http.MethodGet, "/rest/api/3/myself")
				if err != nil {
					t.Fatal(err)
				}
				me, err := applink.Execute(t.Context(), req, handler.JSON[cloudMe]())
				if err != nil || me.AccountID != applinktest.CloudAccountID("alice") {
					t.Fatalf("after the web dance: %+v, %v", me, err)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			app, mount := newAppServer(t)
			svc := tc.service(t, app.URL)
			h, err := NewHandler(svc, sessionUser)
			if err != nil {
				t.Fatal(err)
			}
			mount(h)
			alice := (&webApp{app: app}).browser(t, "alice")
			status, body, last := alice.start(app.URL+StartURL("", testLinkID, "/done"), nil)
			if status != http.StatusOK || body != "back in the app" || last.Path != "/done" {
				t.Fatalf("the browser ended at %s with %d %q", last, status, body)
			}
			tc.actsAsAlice(t, svc)
			// Denied at the consent page.
			bob := (&webApp{app: app}).browser(t, "bob")
			bob.deny = true
			if status, _, _ := bob.start(app.URL+StartURL("", testLinkID, "/done"), nil); status != http.StatusForbidden {
				t.Errorf("denied web dance: %d, want 403", status)
			}
		})
	}
}

// hiddenStore is a token.Store that hides the optional interfaces
// (token.Locker, token.DanceStore) of the store it holds.
type hiddenStore struct{ token.Store }

// replicas is one provider and replicas of one application, each with
// its own store, and one link to the provider.
type replicas struct {
	link     applink.Link
	replicas []*applink.Service
}

// newReplicas starts a provider and a service on each store.
func newReplicas(t *testing.T, stores []token.Store) *replicas {
	t.Helper()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice", "bob"))
	l := newTestLink(t, srv, "Jira")
	fl := &replicas{link: l}
	for _, store := range stores {
		svc := newTestService(t, []applink.Link{l}, applink.WithHTTPClient(srv.Client()), applink.WithTokenStore(store),
			applink.WithRetry(applink.RetryPolicy{Max: -1}))
		fl.replicas = append(fl.replicas, svc)
	}
	return fl
}

// TestDanceAcrossReplicas: a dance started on replica A's handler completes
// on replica B's, the two sharing a token file (as processes would); a
// replayed callback is refused on either. With a token store that is not
// a token.DanceStore the handler keeps dances in memory, and B refuses.
func TestDanceAcrossReplicas(t *testing.T) {
	t.Parallel()
	for _, shared := range []bool{true, false} {
		t.Run(fmt.Sprintf("shared=%v", shared), func(t *testing.T) {
			t.Parallel()
			a, err := filestore.Open(filepath.Join(t.TempDir(), "tokens.json"))
			if err != nil {
				t.Fatal(err)
			}
			b, err := filestore.Open(a.Path())
			if err != nil {
				t.Fatal(err)
			}
			stores := []token.Store{a, b}
			if !shared {
				stores = []token.Store{hiddenStore{a}, hiddenStore{b}}
			}
			fl := newReplicas(t, stores)
			var apps []*httptest.Server
			for _, svc := range fl.replicas {
				h, err := NewHandler(svc, sessionUser)
				if err != nil {
					t.Fatal(err)
				}
				app, mount := newAppServer(t)
				mount(h)
				apps = append(apps, app)
			}
			br := (&webApp{app: apps[0]}).browser(t, "alice")
			_, _, callback := br.start(apps[0].URL+StartURL("", fl.link.ID, "/done"), atCallback)
			if !atCallback(callback) {
				t.Fatalf("the browser ended at %s, not at the callback", callback)
			}
			// The load balancer sends the callback to replica B.
			onB, err := url.Parse(apps[1].URL)
			if err != nil {
				t.Fatal(err)
			}
			callback.Host = onB.Host
			status, body, _ := br.get(callback.String(), nil)
			key := token.Key{LinkID: fl.link.ID, User: "alice"}
			if !shared {
				if status != http.StatusBadRequest || !strings.Contains(body, "unknown") {
					t.Errorf("callback on B without a shared dance store: %d %q, want 400 unknown", status, body)
				}
				if _, err := a.AccessToken(t.Context(), key); !errors.Is(err, token.ErrNotFound) {
					t.Errorf("a token was stored: %v", err)
				}
				return
			}
			if status != http.StatusOK || body != "back in the app" {
				t.Fatalf("callback on B: %d %q, want 200 back in the app", status, body)
			}
			if _, err := a.AccessToken(t.Context(), key); err != nil {
				t.Errorf("replica A sees no token for alice: %v", err)
			}
			for i, app := range apps {
				u, _ := url.Parse(app.URL)
				callback.Host = u.Host
				if status, body, _ := br.get(callback.String(), nil); status != http.StatusBadRequest || !strings.Contains(body, "already") {
					t.Errorf("replayed callback on replica %d: %d %q, want 400 already used", i, status, body)
				}
			}
		})
	}
}
