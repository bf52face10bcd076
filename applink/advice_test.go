package applink_test

import (
	"crypto/rsa"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/config"
	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
	"github.com/go-applinks/applinks/applink/authorize"
	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/internal/advice"
	"github.com/go-applinks/applinks/signer"
)

// prefixRE is the prefix an error of a link starts with.
var prefixRE = regexp.MustCompile(`applink: link "(?:[^"\\]|\\.)*":`)

// repeatedPrefix returns a link's prefix (applink: link "x":) that one
// line of msg says twice, as a wrapped cause does when the error around it
// adds the prefix again, or "".
func repeatedPrefix(msg string) string {
	for _, line := range strings.Split(msg, "\n") {
		seen := map[string]bool{}
		for _, p := range prefixRE.FindAllString(line, -1) {
			if seen[p] {
				return p
			}
			seen[p] = true
		}
	}
	return ""
}

// chain returns err and every error it wraps, through Unwrap() error and
// Unwrap() []error.
func chain(err error) []error {
	var out []error
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		out = append(out, e)
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, inner := range u.Unwrap() {
				walk(inner)
			}
		}
	}
	walk(err)
	return out
}

func TestRepeatedPrefix(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ msg, want string }{
		{`applink: link "jira2": credentials required: user "alice" has a token the remote rejected (applink: link "jira2": GET http://x/: the remote answered 401)`, `applink: link "jira2":`},
		{`applink: link "a": renewing: applink: link "a": refreshing`, `applink: link "a":`},
		{`applink: link "a": x` + "\n" + `applink: link "a": y`, ""},
		{`applink: link "a": x (applink: link "b": y)`, ""},
	} {
		if got := repeatedPrefix(tc.msg); got != tc.want {
			t.Errorf("repeatedPrefix(%q) = %q, want %q", tc.msg, got, tc.want)
		}
	}
}

// TestErrorsSayThingsOnce builds many errors through the public API and
// checks that none repeats its advice or contradicts another part of
// itself.
func TestErrorsSayThingsOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var errs []error
	add := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error", what)
			return
		}
		errs = append(errs, err)
	}

	// Config files and links.
	dir := t.TempDir()
	for i, content := range []string{
		`{"links": [], "tokens": {}}`,
		`{"links": [{"name": "Jira", "rpcURL": "https://jira.example", "consumerSecret": "x"}]}`,
		`{"links": [{"name": "Jira",}]}`,
		`{"links": [{"id": "nope", "name": "", "type": "jra", "rpcUrl": "ftp://jira", "auth": ["3lo", "3lo", "4lo"]}]}`,
		`{"links": [{"id": "c5a4c4a5-3f5c-4f4e-9d49-3c4a7b6d0e10", "name": "J", "type": "jenkins", "rpcUrl": "https://ci:99999", "consumerKey": "k", "privateKeyFile": "k.pem", "auth": ["2lo"]}]}`,
		`{"links": 3}`,
		``,
	} {
		p := filepath.Join(dir, "c"+string(rune('0'+i))+".json")
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := config.Load(p)
		add(content, err)
	}
	_, err := config.Open(ctx, filepath.Join(dir, "missing.json"))
	add("missing config", err)
	_, err = applink.NewService([]applink.Link{{ID: applink.DefaultLinkID("J", "https://j.example"), Name: "J", Type: applink.TypeJira, RPCURL: "https://j.example",
		ConsumerKey: "k", PrivateKeyFile: filepath.Join(dir, "none.pem")}})
	add("missing key file", err)
	_, err = applink.NewService([]applink.Link{{ID: applink.DefaultLinkID("J", "https://j.example"), Name: "J", Type: applink.TypeJenkins, RPCURL: "https://j.example",
		ConsumerKey: "k", SecretEnv: "APPLINK_TEST_UNSET_3c1e"}})
	add("unset secret variable", err)

	// Factories.
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"))
	jira := testlink.Bound(t, srv, "Jira", testlink.WithPrivateKey(key(t)))
	_, err = jira.RequestFactory("alice", applink.WithNonImpersonatingOnly())
	add("non-impersonating on 3LO", err)
	_, err = jira.RequestFactory("alice", applink.WithAuth(applink.Auth2LOi))
	add("2LOi absent", err)
	_, err = jira.RequestFactory("", applink.WithImpersonatingOnly())
	add("impersonating without user", err)
	_, err = (&applink.Link{Name: "x"}).RequestFactory("alice")
	add("unbound link", err)

	// Requests: no token, a 404, a foreign URL, a refused connection.
	f, err := jira.RequestFactory("alice")
	if err != nil {
		t.Fatal(err)
	}
	get := func(what, path string) {
		req, err := f.NewRequest(http.MethodGet, path)
		if err == nil {
			_, err = applink.Execute(ctx, req, handler.Discard())
		}
		add(what, err)
	}
	get("no token", "/rest/api/2/myself")
	if err := authorize.OutOfBand(ctx, f, srv.Approver("alice")); err != nil {
		t.Fatal(err)
	}
	get("not found", "/rest/api/2/nothing-here")
	get("foreign host", "https://elsewhere.example/x")
	add("unknown request token", f.CompleteAuthorization(ctx, "nope", "123456"))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	down := applinktest.NewServer(t)
	downLink, err := testlink.New(down, "Down", testlink.WithPrivateKey(key(t)), testlink.WithAuth(applink.Auth3LO, applink.Auth2LOi))
	if err != nil {
		t.Fatal(err)
	}
	downLink.RPCURL = "http://" + closed
	svc, err := applink.NewService([]applink.Link{downLink}, applink.WithRetry(applink.RetryPolicy{Max: 1, WaitMin: time.Millisecond, WaitMax: time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	df, err := svc.Links()[0].RequestFactory("alice", applink.WithAuth(applink.Auth3LO))
	if err != nil {
		t.Fatal(err)
	}
	_, err = df.AuthorizationURL(ctx, "")
	add("token endpoint refused", err)
	df2, err := svc.Links()[0].RequestFactory("alice", applink.WithAuth(applink.Auth2LOi))
	if err != nil {
		t.Fatal(err)
	}
	req, err := df2.NewRequest(http.MethodGet, "/rest/api/2/myself")
	if err != nil {
		t.Fatal(err)
	}
	_, err = req.Do(ctx)
	add("resource refused", err)

	// OAuth problems: a proxy the link does not know of; a consumer the
	// remote does not know.
	proxied := applinktest.NewServer(t, applinktest.WithUsers("alice"), applinktest.WithBaseURL("https://jira.example.com/jira"))
	stranger := applinktest.NewServer(t, applinktest.WithUsers("alice"))
	for _, l := range []*applink.Link{
		testlink.Bound(t, proxied, "Proxied", testlink.WithPrivateKey(key(t)), testlink.WithAuth(applink.Auth2LOi)),
		testlink.Bound(t, stranger, "Stranger", testlink.WithPrivateKey(key(t)), testlink.WithAuth(applink.Auth2LOi)),
	} {
		ul := *l
		if l.Name == "Stranger" {
			ul.RPCURL = proxied.URL // a link the proxied server has no consumer for
		}
		ul.PrivateKey = key(t)
		usvc, err := applink.NewService([]applink.Link{ul})
		if err != nil {
			t.Fatal(err)
		}
		pf, err := usvc.Links()[0].RequestFactory("alice")
		if err != nil {
			t.Fatal(err)
		}
		req, err := pf.NewRequest(http.MethodGet, "/rest/api/2/myself")
		if err != nil {
			t.Fatal(err)
		}
		_, err = req.Do(ctx)
		add("oauth problem "+l.Name, err)
	}

	// OAuth 2.0: a bearer refused with 401 and a refresh refused with
	// invalid_grant (the token is deleted, the cause wrapped); a refresh
	// refused at once for an expired token.
	for _, stored := range []string{"valid", "expired"} {
		add("OAuth 2.0 "+stored+" token refused", oauth2Refused(t, stored))
	}

	for _, err := range errs {
		msg := err.Error()
		if os.Getenv("APPLINK_TEST_SHOW_ERRORS") != "" {
			t.Log(msg)
		}
		if strings.Contains(msg, "case-sensitive") {
			t.Errorf("the error says names are case-sensitive, but LoadConfig matches them in any case:\n%s", msg)
		}
		// The error and every cause it wraps: a cause that carries the
		// link's prefix must not have it said again around it.
		for _, e := range chain(err) {
			m := e.Error()
			if r := advice.Repeated(m); r != "" {
				t.Errorf("the error says %q twice:\n%s", r, m)
			}
			if r := repeatedPrefix(m); r != "" {
				t.Errorf("the error says %s twice:\n%s", r, m)
			}
		}
	}
}

// oauth2Refused returns the error of a request on an OAuth 2.0 link whose
// user's token ("valid" or "expired" by the local clock) the remote
// refuses: the resource with 401 invalid_token, the token endpoint with
// invalid_grant.
func oauth2Refused(t *testing.T, stored string) error {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/rest/oauth2/latest/token" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error":"invalid_grant","error_description":"the refresh token is revoked"}`)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="jira", error="invalid_token"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(ts.Close)
	store := token.NewMemoryStore()
	l := applink.Link{ID: applink.DefaultLinkID("jira2", ts.URL), Name: "jira2", Type: applink.TypeJira, RPCURL: ts.URL, Auth: []applink.Auth{applink.AuthOAuth2},
		OAuth2: &applink.OAuth2Client{ClientID: "c", RedirectURL: "http://127.0.0.1:9/callback", ClientSecret: token.NewSecret("s3cret-TEST-ONLY")}}
	svc, err := applink.NewService([]applink.Link{l}, applink.WithTokenStore(store), applink.WithRetry(applink.RetryPolicy{Max: -1}),
		applink.WithHTTPClient(&http.Client{Timeout: time.Minute}))
	if err != nil {
		t.Fatal(err)
	}
	tok := token.NewOAuth2AccessToken("bearer-TEST-ONLY", "refresh-TEST-ONLY")
	tok.ExpiresAt = time.Now().Add(time.Hour)
	if stored == "expired" {
		tok.ExpiresAt = time.Now().Add(-time.Hour)
	}
	if err := store.PutAccessToken(t.Context(), token.Key{LinkID: l.ID, User: "alice"}, tok); err != nil {
		t.Fatal(err)
	}
	f, err := svc.Links()[0].RequestFactory("alice")
	if err != nil {
		t.Fatal(err)
	}
	req, err := f.NewRequest(http.MethodGet, "/rest/api/2/myself")
	if err != nil {
		t.Fatal(err)
	}
	_, err = req.Do(t.Context())
	return err
}

// key returns the RSA test key.
func key(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	data, err := os.ReadFile("../signer/testdata/sign-rsa2048-TEST-ONLY.pem")
	if err != nil {
		t.Fatal(err)
	}
	k, err := signer.ParsePrivateKey(data)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
