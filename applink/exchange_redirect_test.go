package applink

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/token"
)

// foreignOrigin is a server that must never be reached: it counts the
// requests it gets and answers like a token endpoint, with tokens that must
// never be stored.
type foreignOrigin struct {
	*httptest.Server
	hits, withAuth atomic.Int32
}

func newForeignOrigin(t *testing.T) *foreignOrigin {
	t.Helper()
	f := &foreignOrigin{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		if r.Header.Get("Authorization") != "" {
			f.withAuth.Add(1)
		}
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "oauth_token=EVILTOKEN&oauth_token_secret=EVILSECRET&oauth_callback_confirmed=true&oauth_session_handle=EVILHANDLE&oauth_expires_in=3600")
	}))
	t.Cleanup(f.Close)
	return f
}

// TestTokenEndpointRedirectRefused checks that the request-token,
// access-token and renewal calls never follow a redirect: not to another
// port of the same host, not from https to http, not even to another path
// of the same origin. The error names both URLs and nothing the target
// would answer is stored.
func TestTokenEndpointRedirectRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		tls    bool
		status int
		target func(foreign *foreignOrigin, self string) string
		want   []string
	}{
		{"another port of the same host", false, http.StatusTemporaryRedirect,
			func(f *foreignOrigin, _ string) string { return f.URL }, []string{"answered HTTP 307, a redirect to http://127.0.0.1:", "(another origin)"}},
		{"https to http", true, http.StatusPermanentRedirect,
			func(f *foreignOrigin, _ string) string { return f.URL }, []string{"answered HTTP 308", "(from https to plain http)"}},
		{"same origin, other path", false, http.StatusFound,
			func(_ *foreignOrigin, self string) string { return self + "/elsewhere" }, []string{"answered HTTP 302, a redirect to"}},
	} {
		for _, step := range []string{"request token", "access token", "renewal"} {
			t.Run(tc.name+"/"+step, func(t *testing.T) {
				t.Parallel()
				foreign := newForeignOrigin(t)
				var self string
				var selfHits atomic.Int32
				h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if strings.HasPrefix(r.URL.Path, "/elsewhere") {
						foreign.hits.Add(1)
						fmt.Fprint(w, "oauth_token=EVILTOKEN&oauth_token_secret=EVILSECRET&oauth_callback_confirmed=true")
						return
					}
					selfHits.Add(1)
					http.Redirect(w, r, tc.target(foreign, self)+r.URL.Path, tc.status)
				})
				var ts *httptest.Server
				if tc.tls {
					ts = httptest.NewTLSServer(h)
				} else {
					ts = httptest.NewServer(h)
				}
				t.Cleanup(ts.Close)
				self = ts.URL
				l := Link{ID: testLinkID, Name: "Jira", Type: TypeJira, RPCURL: ts.URL, ConsumerKey: testConsumerKey, Auth: []Auth{Auth3LO}, Secret: token.NewSecret("s")}
				store := token.NewMemoryStore()
				now := time.Now()
				svc := newTestService(t, []Link{l}, WithHTTPClient(ts.Client()), WithTokenStore(store), WithRetry(RetryPolicy{Max: -1}))
				st := svc.stateByID(testLinkID)
				key := token.Key{LinkID: testLinkID, User: "alice"}

				var err error
				switch step {
				case "request token":
					_, err = st.factory("alice").AuthorizationURL(t.Context(), "")
				case "access token":
					rt := token.NewRequestToken("RT", "rts")
					rt.LinkID, rt.User, rt.Callback, rt.CreatedAt, rt.ExpiresAt = testLinkID, "alice", "oob", now, now.Add(time.Hour)
					if err := store.PutRequestToken(t.Context(), rt); err != nil {
						t.Fatal(err)
					}
					_, err = svc.completeAuthorization(t.Context(), "RT", "VERIFIER")
				case "renewal":
					old := token.NewAccessToken("OLD", "olds")
					old.SessionHandle, old.CreatedAt = token.NewSecret("HANDLE"), now.Add(-2*time.Hour)
					old.ExpiresAt, old.AuthorizationExpiresAt = now.Add(-time.Hour), now.Add(time.Hour)
					if err := store.PutAccessToken(t.Context(), key, old); err != nil {
						t.Fatal(err)
					}
					_, err = st.renewOAuth1(t.Context(), old)
				}
				var re *TokenRedirectError
				if !errors.As(err, &re) {
					t.Fatalf("err = %v (%T), want a *TokenRedirectError", err, err)
				}
				if re.Status != tc.status || !strings.HasPrefix(re.From, ts.URL+"/") || !strings.Contains(re.To, "/plugins/servlet/oauth/") {
					t.Errorf("error fields = %+v", *re)
				}
				msg := err.Error()
				for _, w := range append([]string{re.From, re.To, "RPC URL"}, tc.want...) {
					if !strings.Contains(msg, w) {
						t.Errorf("message %q does not say %q", msg, w)
					}
				}
				for _, secret := range []string{"VERIFIER", "HANDLE", "rts", "olds", "EVIL"} {
					if strings.Contains(msg, secret) {
						t.Errorf("message shows %s: %s", secret, msg)
					}
				}
				if n := foreign.hits.Load(); n != 0 {
					t.Errorf("the redirect target got %d requests (%d with Authorization), want none", n, foreign.withAuth.Load())
				}
				if n := selfHits.Load(); n != 1 {
					t.Errorf("the token endpoint got %d requests, want 1", n)
				}
				// Nothing the redirect target might have said is stored.
				if _, err := store.RequestToken(t.Context(), "EVILTOKEN"); !errors.Is(err, token.ErrNotFound) {
					t.Errorf("a request token from the redirect was stored (err %v)", err)
				}
				got, err := store.AccessToken(t.Context(), key)
				switch step {
				case "renewal":
					if err != nil || got.Token != "OLD" {
						t.Errorf("stored token = %v, %v; want the old one kept", got, err)
					}
				default:
					if !errors.Is(err, token.ErrNotFound) {
						t.Errorf("stored token = %v, %v; want none", got, err)
					}
				}
				if step == "access token" {
					if _, err := store.RequestToken(t.Context(), "RT"); err != nil {
						t.Errorf("the pending request token was dropped: %v", err)
					}
				}
			})
		}
	}
}

// TestTokenEndpointRedirectKeepsCallerClient checks that refusing
// redirects on token endpoints does not change the client the caller gave.
func TestTokenEndpointRedirectKeepsCallerClient(t *testing.T) {
	t.Parallel()
	called := false
	c := &http.Client{Timeout: 42 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { called = true; return nil }}
	l := Link{ID: testLinkID, Name: "Jira", Type: TypeJira, RPCURL: "https://jira.example.com", ConsumerKey: testConsumerKey, Auth: []Auth{Auth3LO}, Secret: token.NewSecret("s")}
	svc := newTestService(t, []Link{l}, WithHTTPClient(c))
	tc := svc.stateByID(testLinkID).tokenClient("obtaining a request token")
	if tc == c || tc == svc.client {
		t.Fatal("tokenClient returned a shared client")
	}
	if err := c.CheckRedirect(nil, nil); err != nil || !called {
		t.Error("the caller's CheckRedirect was changed")
	}
	if tc.Timeout != c.Timeout {
		t.Errorf("token client timeout = %v, want the caller's %v", tc.Timeout, c.Timeout)
	}
}
