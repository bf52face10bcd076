package authorize

import (
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/token"
)

// webApp is an application mounting the dance handler, whose session is a
// "session" cookie holding the user name.
type webApp struct {
	*danceFixture
	app *httptest.Server
	// skew shifts the service clock the handler reads (state expiry).
	skew *atomic.Int64
}

func newWebApp(t *testing.T, shape applinktest.Shape, opts ...Option) *webApp {
	t.Helper()
	fx := newDanceFixture(t, shape)
	h, err := NewHandler(fx.svc, sessionUser, opts...)
	if err != nil {
		t.Fatal(err)
	}
	app, mount := newAppServer(t)
	mount(h)
	return &webApp{danceFixture: fx, app: app, skew: fx.skew}
}

// newAppServer starts a web app that serves the dance handler given to
// mount under DefaultPrefix, and "back in the app" at /done. The handler
// comes after the server because the links' redirect URLs, which
// NewHandler reads, need the app's URL.
func newAppServer(t *testing.T) (app *httptest.Server, mount func(http.Handler)) {
	t.Helper()
	var dance atomic.Pointer[http.Handler]
	mux := http.NewServeMux()
	mux.HandleFunc(DefaultPrefix+"/", func(w http.ResponseWriter, r *http.Request) {
		h := dance.Load()
		if h == nil {
			http.Error(w, "the test mounted no dance handler", http.StatusInternalServerError)
			return
		}
		(*h).ServeHTTP(w, r)
	})
	mux.HandleFunc("/done", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "back in the app") })
	app = httptest.NewServer(mux)
	t.Cleanup(app.Close)
	return app, func(h http.Handler) { dance.Store(&h) }
}

// browser is a user's browser: a cookie jar with the app's session, which
// follows redirects one by one and, at the provider's authorize page,
// approves (or denies) as its user.
type browser struct {
	t       *testing.T
	client  *http.Client
	user    string
	deny    bool
	visited []*url.URL
}

func (a *webApp) browser(t *testing.T, user string) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		u, _ := url.Parse(a.app.URL)
		jar.SetCookies(u, []*http.Cookie{{Name: "session", Value: user, Path: "/"}})
	}
	client := &http.Client{Timeout: time.Minute, Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &browser{t: t, client: client, user: user}
}

// start posts the start form of the page at u (a StartURL), as the
// page's button does, and follows redirects as get does.
func (b *browser) start(u string, stop func(*url.URL) bool) (int, string, *url.URL) {
	b.t.Helper()
	page, err := url.Parse(u)
	if err != nil {
		b.t.Fatal(err)
	}
	action := *page
	action.RawQuery = ""
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodPost, action.String(), strings.NewReader(page.Query().Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", page.Scheme+"://"+page.Host)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	b.visited = append(b.visited, &action)
	status, body, next := b.do(req)
	if next == nil {
		return status, body, &action
	}
	return b.get(next.String(), stop)
}

// do sends req and returns the status and body, and the URL the answer
// redirects to (nil when it is no redirect).
func (b *browser) do(req *http.Request) (int, string, *url.URL) {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode < 300 || resp.StatusCode > 399 || loc == "" {
		return resp.StatusCode, string(body), nil
	}
	next, err := req.URL.Parse(loc)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp.StatusCode, string(body), next
}

// get fetches u and follows redirects until stop (if set) says to stop
// before a URL; it returns the last status, body and URL.
func (b *browser) get(u string, stop func(*url.URL) bool) (int, string, *url.URL) {
	b.t.Helper()
	next, err := url.Parse(u)
	if err != nil {
		b.t.Fatal(err)
	}
	for range 10 {
		if stop != nil && stop(next) {
			return 0, "", next
		}
		if strings.HasSuffix(next.Path, applinktest.AtlassianAuthorizePath) || strings.HasSuffix(next.Path, applinktest.JenkinsAuthorizePath) ||
			strings.HasSuffix(next.Path, applinktest.OAuth2AuthorizePath) || next.Path == applinktest.CloudAuthorizePath {
			q := next.Query()
			if b.deny {
				q.Set("approve", "0")
			} else {
				q.Set("user", b.user)
				q.Set("approve", "1")
			}
			next.RawQuery = q.Encode()
		}
		b.visited = append(b.visited, next)
		req, err := http.NewRequestWithContext(b.t.Context(), http.MethodGet, next.String(), nil)
		if err != nil {
			b.t.Fatal(err)
		}
		status, body, loc := b.do(req)
		if loc == nil {
			return status, body, next
		}
		next = loc
	}
	b.t.Fatal("too many redirects")
	return 0, "", nil
}

// atCallback stops before the app's callback.
func atCallback(u *url.URL) bool { return strings.Contains(u.Path, DefaultPrefix+"/callback") }

func (a *webApp) startURL(link, redirect string) string {
	return a.app.URL + StartURL("", link, redirect)
}

func TestDanceHandler(t *testing.T) {
	t.Parallel()
	for _, shape := range shapes {
		t.Run(string(shape), func(t *testing.T) {
			t.Parallel()
			a := newWebApp(t, shape)
			b := a.browser(t, "alice")
			status, body, last := b.start(a.startURL(testLinkID, "/done?tab=1"), nil)
			if status != http.StatusOK || body != "back in the app" || last.RequestURI() != "/done?tab=1" {
				t.Fatalf("the browser ended at %s with %d %q, want /done?tab=1", last, status, body)
			}
			if _, err := a.store.AccessToken(t.Context(), token.Key{LinkID: testLinkID, User: "alice"}); err != nil {
				t.Fatalf("no token stored for alice: %v", err)
			}
			// The callback cannot be replayed.
			var callback *url.URL
			for _, u := range b.visited {
				if atCallback(u) {
					callback = u
				}
			}
			if callback == nil {
				t.Fatal("the browser never reached the callback")
			}
			if status, body, _ := b.get(callback.String(), nil); status != http.StatusBadRequest || !strings.Contains(body, "already") {
				t.Errorf("replayed callback: %d %q, want 400 saying it was already used", status, body)
			}
		})
	}
}

func TestDanceHandlerLinkByName(t *testing.T) {
	t.Parallel()
	a := newWebApp(t, applinktest.Jenkins)
	if status, _, last := a.browser(t, "bob").start(a.startURL("Jenkins", ""), nil); status != http.StatusNotFound || last.Path != "/" {
		// The app has no "/" page: reaching it is the default redirect.
		t.Errorf("ended at %s with %d, want the default redirect /", last, status)
	}
	if _, err := a.store.AccessToken(t.Context(), token.Key{LinkID: testLinkID, User: "bob"}); err != nil {
		t.Errorf("no token stored for bob: %v", err)
	}
}

func TestDanceHandlerCallbackOfAnotherUser(t *testing.T) {
	t.Parallel()
	a := newWebApp(t, applinktest.Atlassian)
	alice := a.browser(t, "alice")
	_, _, callback := alice.start(a.startURL(testLinkID, "/done"), atCallback)
	status, body, _ := a.browser(t, "bob").get(callback.String(), nil)
	if status != http.StatusForbidden || !strings.Contains(body, "another user") {
		t.Errorf("bob at alice's callback: %d %q, want 403", status, body)
	}
	if _, err := a.store.AccessToken(t.Context(), token.Key{LinkID: testLinkID, User: "bob"}); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("bob got a token: %v", err)
	}
	if status, _, last := alice.get(callback.String(), nil); status != http.StatusOK || last.Path != "/done" {
		t.Errorf("alice after bob's attempt: ended at %s with %d, want /done", last, status)
	}
}

func TestDanceHandlerDenied(t *testing.T) {
	t.Parallel()
	a := newWebApp(t, applinktest.Jenkins)
	b := a.browser(t, "alice")
	b.deny = true
	status, body, _ := b.start(a.startURL(testLinkID, "/done"), nil)
	if status != http.StatusForbidden || !strings.Contains(body, "denied") {
		t.Errorf("denied: %d %q, want 403 saying access was denied", status, body)
	}
}

func TestDanceHandlerExpiredState(t *testing.T) {
	t.Parallel()
	a := newWebApp(t, applinktest.Atlassian)
	b := a.browser(t, "alice")
	_, _, callback := b.start(a.startURL(testLinkID, "/done"), atCallback)
	a.skew.Store(int64(11 * time.Minute))
	if status, body, _ := b.get(callback.String(), nil); status != http.StatusBadRequest || !strings.Contains(body, "expired") {
		t.Errorf("expired state: %d %q, want 400 saying it expired", status, body)
	}
}

func TestDanceHandlerRefuses(t *testing.T) {
	t.Parallel()
	a := newWebApp(t, applinktest.Atlassian)
	t.Run("group", func(t *testing.T) { refuseCases(t, a) })
	// None of the refused starts obtained a request token.
	for _, r := range a.srv.Requests() {
		if r.Flow == applinktest.FlowRequestToken {
			t.Errorf("a refused start reached the provider: %v", r)
		}
	}
}

func refuseCases(t *testing.T, a *webApp) {
	for _, tc := range []struct {
		name, user, url string
		want            int
		wantIn          string
	}{
		{"not signed in (start)", "", a.startURL(testLinkID, "/done"), http.StatusUnauthorized, "sign in"},
		{"not signed in (callback)", "", a.app.URL + DefaultPrefix + "/callback?state=x", http.StatusUnauthorized, "sign in"},
		{"unknown state", "alice", a.app.URL + DefaultPrefix + "/callback?state=nope&oauth_token=t&oauth_verifier=v", http.StatusBadRequest, "unknown"},
		{"no link", "alice", a.app.URL + DefaultPrefix + "/start", http.StatusBadRequest, "link parameter"},
		{"unknown link, escaped", "alice", a.startURL("<script>x</script>", "/"), http.StatusNotFound, "&lt;script&gt;"},
		{"open redirect //", "alice", a.startURL(testLinkID, "//evil.example/x"), http.StatusBadRequest, "not a local path"},
		{"open redirect absolute", "alice", a.startURL(testLinkID, "https://evil.example/"), http.StatusBadRequest, "not a local path"},
		{"open redirect backslash", "alice", a.startURL(testLinkID, `/\evil.example`), http.StatusBadRequest, "not a local path"},
		{"other path", "alice", a.app.URL + DefaultPrefix + "/other", http.StatusNotFound, "no such page"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := a.browser(t, tc.user)
			ways := map[string]func(string, func(*url.URL) bool) (int, string, *url.URL){"GET": b.get}
			if strings.Contains(tc.url, DefaultPrefix+"/start") {
				ways["POST"] = b.start // the start form says the same
			}
			for how, do := range ways {
				status, body, _ := do(tc.url, nil)
				if status != tc.want || !strings.Contains(body, tc.wantIn) {
					t.Errorf("%s: %d %q, want %d containing %q", how, status, body, tc.want, tc.wantIn)
				}
				if strings.Contains(body, "<script>") {
					t.Errorf("%s: the page is not escaped: %s", how, body)
				}
			}
		})
	}
	t.Run("GET start only shows a button", func(t *testing.T) {
		t.Parallel()
		status, body, _ := a.browser(t, "alice").get(a.startURL(testLinkID, "/done?x=1&y=<2>"), nil)
		for _, w := range []string{`<form method="post" action="start">`, `name="link" value="` + testLinkID + `"`,
			`name="redirect" value="/done?x=1&amp;y=&lt;2&gt;"`, "Authorize Jira"} {
			if status != http.StatusOK || !strings.Contains(body, w) {
				t.Errorf("GET start: %d, page does not hold %q:\n%s", status, w, body)
			}
		}
	})
	for _, tc := range []struct {
		name    string
		headers map[string]string
	}{
		{"cross-site POST (Sec-Fetch-Site)", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}},
		{"cross-site POST (Origin only)", map[string]string{"Origin": "https://evil.example"}},
		{"same-site POST from another subdomain", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://evil.app.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			form := url.Values{"link": {testLinkID}, "redirect": {"/done"}}
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, a.app.URL+DefaultPrefix+"/start", strings.NewReader(form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			resp, err := a.browser(t, "alice").client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "own pages") {
				t.Errorf("%s: %d %s, want 403", tc.name, resp.StatusCode, body)
			}
		})
	}
	t.Run("PUT", func(t *testing.T) {
		t.Parallel()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, a.startURL(testLinkID, "/"), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := a.browser(t, "alice").client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, POST" {
			t.Errorf("PUT start: %s (Allow %q), want 405 allowing GET, POST", resp.Status, resp.Header.Get("Allow"))
		}
	})
}

func TestDanceHandlerBaseURLAndBound(t *testing.T) {
	t.Parallel()
	a := newWebApp(t, applinktest.Atlassian, WithBaseURL("https://app.example.com/"), WithMaxPending(1))
	b := a.browser(t, "alice")
	_, _, authorize := b.start(a.startURL(testLinkID, "/done"), func(u *url.URL) bool { return u.Host != strings.TrimPrefix(a.app.URL, "http://") })
	rt, err := a.store.RequestToken(t.Context(), authorize.Query().Get("oauth_token"))
	if err != nil {
		t.Fatal(err)
	}
	if want := CallbackURL("https://app.example.com", "", testLinkID) + "?state="; !strings.HasPrefix(rt.Callback, want) {
		t.Errorf("callback = %q, want it to start with %q", rt.Callback, want)
	}
	if status, _, _ := b.start(a.startURL(testLinkID, "/done"), nil); status != http.StatusServiceUnavailable {
		t.Errorf("second dance beyond WithMaxPending(1): %d, want 503", status)
	}
}

func TestNewHandlerOptions(t *testing.T) {
	t.Parallel()
	svc := &applink.Service{}
	user := func(*http.Request) (string, error) { return "alice", nil }
	for _, tc := range []struct {
		name string
		svc  *applink.Service
		user func(*http.Request) (string, error)
		opts []Option
	}{
		{"nil service", nil, user, nil},
		{"nil user func", svc, nil, nil},
		{"prefix without slash", svc, user, []Option{WithPrefix("oauth")}},
		{"prefix with trailing slash", svc, user, []Option{WithPrefix("/oauth/")}},
		{"relative base", svc, user, []Option{WithBaseURL("app.example.com")}},
		{"base with query", svc, user, []Option{WithBaseURL("https://app.example.com/?x=1")}},
	} {
		if _, err := NewHandler(tc.svc, tc.user, tc.opts...); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	if _, err := NewHandler(svc, user, WithPrefix("/x/oauth"), WithBaseURL("https://app.example.com/base"), WithStateTTL(time.Minute)); err != nil {
		t.Errorf("valid options refused: %v", err)
	}
}

func TestLocalRedirect(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"", "/", true},
		{"/", "/", true},
		{"/projects/X?tab=1#top", "/projects/X?tab=1#top", true},
		{"/a/../b", "/a/../b", true},
		{"//evil.example", "", false},
		{"///evil.example", "", false},
		{`/\evil.example`, "", false},
		{`\\evil.example`, "", false},
		{"https://evil.example/", "", false},
		{"javascript:alert(1)", "", false},
		{"evil.example", "", false},
		{"/\t/evil.example", "", false},
		{"/ok\r\nSet-Cookie: x", "", false},
		{"/a b", "", false},
		{"/" + strings.Repeat("a", maxRedirectLen), "", false},
	} {
		got, err := localRedirect(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("localRedirect(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func FuzzLocalRedirect(f *testing.F) {
	for _, s := range []string{"/", "//x", `/\x`, "/a?b#c", "http://x", "/%2F%2Fx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := localRedirect(s)
		if err != nil {
			return
		}
		// Whatever passes resolves to this application's origin.
		base, _ := url.Parse("https://app.example.com/x/y")
		u, perr := base.Parse(got)
		if perr != nil || u.Host != "app.example.com" || u.Scheme != "https" {
			t.Errorf("localRedirect(%q) = %q leaves the origin (%v, %v)", s, got, u, perr)
		}
	})
}

func TestDanceHandlerConcurrentUsers(t *testing.T) {
	t.Parallel()
	a := newWebApp(t, applinktest.Atlassian)
	users := []string{"u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7"}
	for _, u := range users {
		a.srv.AddUser(u)
	}
	t.Run("group", func(t *testing.T) {
		for _, u := range users {
			t.Run(u, func(t *testing.T) {
				t.Parallel()
				if status, _, last := a.browser(t, u).start(a.startURL(testLinkID, "/done"), nil); status != http.StatusOK || last.Path != "/done" {
					t.Errorf("%s ended at %s with %d", u, last, status)
				}
			})
		}
	})
	keys, err := a.store.AccessTokens(t.Context())
	if err != nil || len(keys) != len(users) {
		t.Errorf("stored %v (err %v), want one token per user", keys, err)
	}
	for _, k := range keys {
		if live := a.srv.AccessTokens(testConsumerKey, k.User); len(live) != 1 {
			t.Errorf("%s has %d tokens at the provider, want 1", k.User, len(live))
		}
	}
}

func TestDanceHandlerRemoteErrorsHideTheRPCURL(t *testing.T) {
	t.Parallel()
	fx := newDanceFixture(t, applinktest.Jenkins)
	unknown := fx.link
	unknown.ID, unknown.Name, unknown.ConsumerKey = "0b8f8d0e-3f0a-4b7e-8a77-4d5c9e1f2a3b", "Unknown consumer", "nobody"
	down := fx.link
	down.ID, down.Name, down.RPCURL = "1c9e9e1f-4a1b-4c8f-9b88-5e6d0f2a3b4c", "Down", "http://127.0.0.1:1"
	svc := newTestService(t, []applink.Link{unknown, down}, applink.WithHTTPClient(fx.srv.Client()), applink.WithTokenStore(fx.store), applink.WithRetry(applink.RetryPolicy{Max: -1}))
	h, err := NewHandler(svc, func(*http.Request) (string, error) { return "alice", nil })
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		link, wantIn string
	}{
		{unknown.ID, "consumer_key_unknown"},
		{down.ID, "log has the details"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, newStartRequest(t, "http://app.example.com", tc.link, "/"))
		body := rec.Body.String()
		if rec.Code != http.StatusBadGateway || !strings.Contains(body, tc.wantIn) {
			t.Errorf("link %s: %d %q, want 502 saying %q", tc.link, rec.Code, body, tc.wantIn)
		}
		if strings.Contains(body, fx.srv.URL) || strings.Contains(body, "127.0.0.1:1") {
			t.Errorf("link %s: the page shows the RPC URL: %s", tc.link, body)
		}
	}
}
