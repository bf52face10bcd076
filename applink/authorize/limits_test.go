package authorize

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/applink/applinktest"
)

// TestDanceHandlerPerUserLimit: one user starting dance after dance keeps
// only their newest ones pending and never fills the global cap, so others
// can still start; the global cap still holds.
func TestDanceHandlerPerUserLimit(t *testing.T) {
	t.Parallel()
	a := newWebApp(t, applinktest.Atlassian, WithMaxPending(3), WithMaxPendingPerUser(2))
	a.srv.AddUser("carol")
	alice := a.browser(t, "alice")
	var callbacks []*url.URL
	for i := range 5 {
		status, body, cb := alice.start(a.startURL(testLinkID, "/done"), atCallback)
		if !atCallback(cb) {
			t.Fatalf("alice's start %d: %d %q, want to reach the callback", i+1, status, body)
		}
		callbacks = append(callbacks, cb)
	}
	if _, _, cb := a.browser(t, "bob").start(a.startURL(testLinkID, "/done"), atCallback); !atCallback(cb) {
		t.Fatal("bob could not start a dance after alice started five")
	}
	if status, body, _ := a.browser(t, "carol").start(a.startURL(testLinkID, "/done"), atCallback); status != http.StatusServiceUnavailable {
		t.Errorf("carol beyond the global cap of 3: %d %q, want 503", status, body)
	}
	// alice's oldest dances were forgotten; her newest completes.
	if status, body, _ := alice.get(callbacks[0].String(), nil); status != http.StatusBadRequest || !strings.Contains(body, "unknown") {
		t.Errorf("alice's first callback: %d %q, want 400 unknown", status, body)
	}
	if status, _, last := alice.get(callbacks[4].String(), nil); status != http.StatusOK || last.Path != "/done" {
		t.Errorf("alice's newest callback ended at %s with %d, want /done", last, status)
	}
}

// TestDanceHandlerRetryAfterFailedExchange: when the token exchange at the
// callback fails because the remote did (5xx, dropped connection), the page
// says so and the dance is kept: reloading the callback completes it.
func TestDanceHandlerRetryAfterFailedExchange(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		fault  applinktest.Fault
		status int
		wantIn string
	}{
		{"remote 503", applinktest.Fault{Status: http.StatusServiceUnavailable}, http.StatusBadGateway, "answered HTTP 503"},
		{"remote 500 twice", applinktest.Fault{Status: http.StatusInternalServerError, Count: 2}, http.StatusBadGateway, "answered HTTP 500"},
		{"connection dropped", applinktest.Fault{Drop: true}, http.StatusBadGateway, "could not be reached"},
	} {
		for _, shape := range shapes {
			t.Run(tc.name+"/"+string(shape), func(t *testing.T) {
				t.Parallel()
				a := newWebApp(t, shape)
				b := a.browser(t, "alice")
				_, _, cb := b.start(a.startURL(testLinkID, "/done"), atCallback)
				if !atCallback(cb) {
					t.Fatal("the browser never reached the callback")
				}
				f := tc.fault
				f.Path = applinktest.AtlassianAccessTokenPath
				if shape == applinktest.Jenkins {
					f.Path = applinktest.JenkinsAccessTokenPath
				}
				a.srv.InjectFault(f)
				count := max(f.Count, 1)
				for i := range count {
					status, body, _ := b.get(cb.String(), nil)
					if status != tc.status || !strings.Contains(body, tc.wantIn) || !strings.Contains(body, "reload this page") {
						t.Errorf("attempt %d: %d %q, want %d saying %q and to reload", i+1, status, body, tc.status, tc.wantIn)
					}
					if strings.Contains(body, a.srv.URL) {
						t.Errorf("the page shows the RPC URL: %s", body)
					}
				}
				if status, body, last := b.get(cb.String(), nil); status != http.StatusOK || last.Path != "/done" {
					t.Fatalf("reload after the remote recovered: ended at %s with %d %q, want /done", last, status, body)
				}
				if _, err := a.store.AccessToken(t.Context(), token.Key{LinkID: testLinkID, User: "alice"}); err != nil {
					t.Errorf("no token stored for alice: %v", err)
				}
				// Completed now: the callback is single use again.
				if status, _, _ := b.get(cb.String(), nil); status != http.StatusBadRequest {
					t.Errorf("callback after completion: %d, want 400", status)
				}
			})
		}
	}
}

// TestDanceCrossOriginProtectionOption: the application's own
// http.CrossOriginProtection decides, trusted origins included.
func TestDanceCrossOriginProtectionOption(t *testing.T) {
	t.Parallel()
	p := http.NewCrossOriginProtection()
	if err := p.AddTrustedOrigin("https://portal.example.com"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, origin string
		opts         []Option
		want         int
	}{
		{"default refuses another origin", "https://portal.example.com", nil, http.StatusForbidden},
		{"trusted origin", "https://portal.example.com", []Option{WithCrossOriginProtection(p)}, http.StatusSeeOther},
		{"untrusted origin", "https://evil.example", []Option{WithCrossOriginProtection(p)}, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fx := newDanceFixture(t, applinktest.Atlassian)
			h, err := NewHandler(fx.svc, func(*http.Request) (string, error) { return "alice", nil }, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			r := newStartRequest(t, "http://app.example.com", testLinkID, "/done")
			r.Header.Set("Origin", tc.origin)
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tc.want {
				t.Errorf("status = %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
		})
	}
}
