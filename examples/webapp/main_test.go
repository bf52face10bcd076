package main

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
)

func TestWebappDance(t *testing.T) {
	t.Parallel()
	jenkins := applinktest.NewServer(t, applinktest.WithShape(applinktest.Jenkins), applinktest.WithUsers("alice"))
	l := testlink.Bound(t, jenkins, "ci")
	h, err := newApp(l.Service(), l)
	if err != nil {
		t.Fatal(err)
	}
	app := httptest.NewServer(h)
	t.Cleanup(app.Close)

	// A browser with cookies, in which alice clicks "Allow" at Jenkins.
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Timeout: time.Minute, Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), jenkins.URL+"/bbs-oauth/authorize?") {
			req.URL.RawQuery += "&user=alice&approve=1"
		}
		return nil
	}}
	get := func(method, u string, form url.Values) string {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequestWithContext(t.Context(), method, u, body)
		if err != nil {
			t.Fatal(err)
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if method == http.MethodPost {
			// What a browser sends with a form posted from the app's page.
			req.Header.Set("Origin", app.URL)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
		}
		resp, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %s, %v: %s", method, u, resp.Status, err, b)
		}
		return string(b)
	}

	if p := get(http.MethodGet, app.URL+"/", nil); !strings.Contains(p, "Sign in as") {
		t.Fatalf("the first page is not the sign-in form:\n%s", p)
	}
	p := get(http.MethodPost, app.URL+"/login", url.Values{"user": {"alice"}})
	m := regexp.MustCompile(`<form method="post" action="([^"]+)"><button>Authorize it</button></form>`).FindStringSubmatch(p)
	if m == nil {
		t.Fatalf("no link to authorize:\n%s", p)
	}
	p = get(http.MethodPost, app.URL+html.UnescapeString(m[1]), nil)
	if !strings.Contains(p, "You are <b>alice</b> (Alice) in Jenkins ci") {
		t.Errorf("after the dance the page says:\n%s", p)
	}

	// alice revokes the token at Jenkins: the page takes the same path as
	// before she had one, and the dance works again.
	if n := jenkins.RevokeUser(l.ConsumerKey, "alice"); n != 1 {
		t.Fatalf("RevokeUser revoked %d tokens, want 1", n)
	}
	p = get(http.MethodGet, app.URL+"/", nil)
	m = regexp.MustCompile(`<form method="post" action="([^"]+)"><button>Authorize it</button></form>`).FindStringSubmatch(p)
	if m == nil {
		t.Fatalf("no link to authorize again after the token was revoked:\n%s", p)
	}
	p = get(http.MethodPost, app.URL+html.UnescapeString(m[1]), nil)
	if !strings.Contains(p, "You are <b>alice</b> (Alice) in Jenkins ci") {
		t.Errorf("after the second dance the page says:\n%s", p)
	}
}
