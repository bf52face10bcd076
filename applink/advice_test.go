package applink_test

import (
	"crypto/rsa"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/signer"
)

var (
	quotedRE = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|(?:^|\s)'[^'\n]+'|\b[a-z][a-z0-9+.-]*://\S+|/\S*|\S*%[0-9A-Fa-f]{2}\S*`)
	clauseRE = regexp.MustCompile(`[:;]\s+|\.\s+|\n`)
	wordRE   = regexp.MustCompile(`[a-z0-9']+`)
)

// repeatedAdvice returns the first clause or five-word run that msg says
// twice, or "". Quoted names, URLs and paths are left out: a message may
// name a link or a file twice, but it must not say a thing twice
// ("check the link's RPC URL ...: check the link's RPC URL ...").
func repeatedAdvice(msg string) string {
	msg = strings.ToLower(quotedRE.ReplaceAllString(msg, "\x00"))
	seen := map[string]bool{}
	for _, c := range clauseRE.Split(msg, -1) {
		words := wordRE.FindAllString(c, -1)
		if len(words) < 3 {
			continue
		}
		k := strings.Join(words, " ")
		if seen[k] {
			return k
		}
		seen[k] = true
	}
	words := wordRE.FindAllString(strings.ReplaceAll(msg, "\x00", " | "), -1)
	runs := map[string]bool{}
	for i := 0; i+5 <= len(words); i++ {
		k := strings.Join(words[i:i+5], " ")
		if runs[k] {
			return k
		}
		runs[k] = true
	}
	return ""
}

func TestRepeatedAdvice(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ msg, want string }{
		{`applink: link "x": POST /t: dial tcp: connection refused: check the link's RPC URL and that the remote is up: check the link's RPC URL (applink link show) and that the remote is up`, "check the link's rpc url"},
		{`applink: link "Jira": obtaining a request token: give a path: give a path`, "give a path"},
		{`applink: link "Jira": rpcUrl: "https://jira" has no host; link "Jira" again at https://jira`, ""},
		{`applink: /etc/applink/config.json: link "a": id: missing: give the link a UUID`, ""},
	} {
		if got := repeatedAdvice(tc.msg); !strings.HasPrefix(got, tc.want) || (tc.want == "") != (got == "") {
			t.Errorf("repeatedAdvice(%q) = %q, want %q", tc.msg, got, tc.want)
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
		_, err := applink.LoadConfig(p)
		add(content, err)
	}
	_, err := applink.Open(ctx, filepath.Join(dir, "missing.json"))
	add("missing config", err)
	_, err = applink.NewService([]applink.Link{{ID: applink.NewLinkID(), Name: "J", Type: applink.TypeJira, RPCURL: "https://j.example",
		ConsumerKey: "k", PrivateKeyFile: filepath.Join(dir, "none.pem")}})
	add("missing key file", err)
	_, err = applink.NewService([]applink.Link{{ID: applink.NewLinkID(), Name: "J", Type: applink.TypeJenkins, RPCURL: "https://j.example",
		ConsumerKey: "k", SecretEnv: "APPLINK_TEST_UNSET_3c1e"}})
	add("unset secret variable", err)

	// Factories.
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"))
	jira := testlink.Bound(t, srv, "Jira", testlink.WithPrivateKey(key(t)))
	_, err = jira.RequestFactory("alice", applink.NonImpersonatingOnly())
	add("non-impersonating on 3LO", err)
	_, err = jira.RequestFactory("alice", applink.Using(applink.Auth2LOi))
	add("2LOi absent", err)
	_, err = jira.RequestFactory("", applink.ImpersonatingOnly())
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
	if err := f.AuthorizeOutOfBand(ctx, srv.Approver("alice")); err != nil {
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
	df, err := svc.Links()[0].RequestFactory("alice", applink.Using(applink.Auth3LO))
	if err != nil {
		t.Fatal(err)
	}
	_, err = df.AuthorizationURI(ctx, "")
	add("token endpoint refused", err)
	df2, err := svc.Links()[0].RequestFactory("alice", applink.Using(applink.Auth2LOi))
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
		usvc, err := applink.NewService([]applink.Link{ul.WithPrivateKey(key(t))})
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

	for _, err := range errs {
		msg := err.Error()
		if os.Getenv("APPLINK_TEST_SHOW_ERRORS") != "" {
			t.Log(msg)
		}
		if r := repeatedAdvice(msg); r != "" {
			t.Errorf("the error says %q twice:\n%s", r, msg)
		}
		if strings.Contains(msg, "case-sensitive") {
			t.Errorf("the error says names are case-sensitive, but LoadConfig matches them in any case:\n%s", msg)
		}
		var e interface{ Unwrap() []error }
		if errors.As(err, &e) {
			for _, inner := range e.Unwrap() {
				if r := repeatedAdvice(inner.Error()); r != "" {
					t.Errorf("the error says %q twice:\n%s", r, inner)
				}
			}
		}
	}
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
