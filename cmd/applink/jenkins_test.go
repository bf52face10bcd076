package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
	"github.com/google/go-cmp/cmp"
)

// setupJenkinsLink adds a link to a Jenkins-shaped provider with a shared
// secret in a file, and returns the config path.
func setupJenkinsLink(t *testing.T, srv *applinktest.Server) string {
	t.Helper()
	const secret = "not-a-real-secret"
	if err := srv.AddConsumer(applinktest.Consumer{Key: "jira", Secret: signer.NewSecret(secret), ThreeLO: true}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	config := filepath.Join(dir, "config.json")
	secretFile := writeFile(t, dir, "ci.secret", secret+"\n")
	r := runCLITest(t, config, nil, "", "link", "add", "ci", "--url", srv.URL, "--type", "jenkins",
		"--consumer-key", "jira", "--secret-file", secretFile)
	if r.code != 0 {
		t.Fatalf("link add: exit %d: %s", r.code, r.stderr)
	}
	return config
}

func TestJenkinsBuildWithCrumb(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithShape(applinktest.Jenkins), applinktest.WithUsers("alice"))
	config := setupJenkinsLink(t, srv)

	r := runCLITest(t, config, nil, "", "request", "--link", "ci", "--as", "alice", "GET", "/me/api/json")
	if r.code != exitCredentials || !strings.Contains(r.stderr, srv.URL+"/bbs-oauth/authorize?") {
		t.Fatalf("before authorizing: exit %d, stderr %q; want 3 and the authorization URL", r.code, r.stderr)
	}
	if r = authorizeInBackground(t, config, "ci", "alice"); r.code != 0 {
		t.Fatalf("authorize: exit %d: %s", r.code, r.stderr)
	}
	r = runCLITest(t, config, nil, "", "request", "--link", "ci", "--as", "alice", "GET", "/me/api/json")
	if r.code != 0 {
		t.Fatalf("GET /me/api/json: exit %d: %s", r.code, r.stderr)
	}
	checkUser(t, r.stdout, "id", "alice")

	// buildWithParameters needs a crumb, fetched for alice automatically;
	// -v shows it went out, redacted.
	r = runCLITest(t, config, nil, "", "request", "--link", "ci", "--as", "alice", "-v",
		"POST", "/job/deploy/buildWithParameters", "--form", "ENV=staging", "--form", "DRY=1")
	if r.code != 0 {
		t.Fatalf("POST buildWithParameters: exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "> "+applinktest.CrumbField+": REDACTED") || strings.Contains(r.stderr, srv.Crumb("alice")) {
		t.Errorf("-v does not show the crumb header redacted:\n%s", r.stderr)
	}
	var got []string
	for _, b := range srv.Builds() {
		got = append(got, b.Job+" by "+b.User+" "+b.Params.Encode())
	}
	if diff := cmp.Diff([]string{"deploy by alice DRY=1&ENV=staging"}, got); diff != "" {
		t.Errorf("builds (-want +got):\n%s", diff)
	}

	r = runCLITest(t, config, nil, "", "tokens", "revoke", "--link", "ci", "--user", "alice")
	if r.code != 0 || !strings.Contains(r.stdout, srv.URL+"/user/alice/tokens") {
		t.Errorf("tokens revoke: exit %d, stdout %q", r.code, r.stdout)
	}
}

func TestAuthorizeOutOfBand(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-oob", ThreeLO: true}, "3lo")

	// The URL printed with exit 3 can be finished with --request-token; a
	// script approves over HTTP and pipes the provider's answer (the form
	// body "oauth_token=T&oauth_verifier=V") in whole.
	r := runCLITest(t, config, nil, "", "request", "--link", "jira", "--as", "alice", "GET", "/rest/api/2/myself")
	token := requestToken(t, r.stderr)
	body, verifier := approveOOBOverHTTP(t, srv.URL+"/plugins/servlet/oauth/authorize?oauth_token="+token, "alice")
	r = runCLITest(t, config, nil, body, "authorize", "--link", "jira", "--user", "alice", "--oob", "--request-token", token)
	if r.code != 0 {
		t.Fatalf("authorize --oob --request-token: exit %d: %s", r.code, r.stderr)
	}
	r = runCLITest(t, config, nil, "", "request", "--link", "jira", "--as", "alice", "GET", "/rest/api/2/myself")
	if r.code != 0 {
		t.Fatalf("request after the out-of-band dance: exit %d: %s", r.code, r.stderr)
	}
	checkUser(t, r.stdout, "name", "alice")

	// A token used once cannot be used again.
	r = runCLITest(t, config, nil, verifier+"\n", "authorize", "--link", "jira", "--user", "alice", "--oob", "--request-token", token)
	checkOneLineError(t, r, exitFailure)

	// No code on stdin.
	r = runCLITest(t, config, nil, "", "authorize", "--link", "jira", "--user", "alice", "--oob", "--no-browser")
	if r.code != exitFailure || !strings.Contains(r.stderr, "no verification code") {
		t.Errorf("authorize --oob without a code: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestAuthorizeOutOfBandJenkins: Jenkins shows no code after an oob
// approval (the browser lands on ".../oob?oauth_token=T&oauth_verifier=V");
// pasting that address finishes the dance the exit-3 hint started.
func TestAuthorizeOutOfBandJenkins(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithShape(applinktest.Jenkins), applinktest.WithUsers("alice"))
	config := setupJenkinsLink(t, srv)
	r := runCLITest(t, config, nil, "", "request", "--link", "ci", "--as", "alice", "GET", "/me/api/json")
	if r.code != exitCredentials || !strings.Contains(r.stderr, "the address your browser lands on") {
		t.Fatalf("exit %d, stderr %q; want 3 and how to paste the landing address", r.code, r.stderr)
	}
	var authURL string
	for _, line := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(line, srv.URL+"/bbs-oauth/authorize?") {
			authURL = line
		}
	}
	u, err := url.Parse(authURL)
	if err != nil || u.Query().Get("oauth_token") == "" {
		t.Fatalf("no authorization URL in %q", r.stderr)
	}
	token := u.Query().Get("oauth_token")
	_, verifier := approveOOBOverHTTP(t, authURL, "alice")
	landed := srv.URL + "/bbs-oauth/oob?oauth_token=" + url.QueryEscape(token) + "&oauth_verifier=" + url.QueryEscape(verifier)
	r = runCLITest(t, config, nil, landed+"\n", "authorize", "--link", "ci", "--user", "alice", "--oob", "--request-token", token)
	if r.code != 0 {
		t.Fatalf("authorize --oob with the landing address: exit %d: %s", r.code, r.stderr)
	}
	r = runCLITest(t, config, nil, "", "request", "--link", "ci", "--as", "alice", "GET", "/me/api/json")
	if r.code != 0 {
		t.Fatalf("request after the dance: exit %d: %s", r.code, r.stderr)
	}
	checkUser(t, r.stdout, "id", "alice")
}

func TestAuthorizeDenied(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-deny", ThreeLO: true}, "3lo")
	r := runCLITest(t, config, nil, "", "request", "--link", "jira", "--as", "alice", "GET", "/rest/api/2/myself")
	token := requestToken(t, r.stderr)
	if err := srv.Deny(token); err != nil {
		t.Fatal(err)
	}
	r = runCLITest(t, config, nil, "denied\n", "authorize", "--link", "jira", "--user", "alice", "--oob", "--request-token", token)
	checkOneLineError(t, r, exitFailure)
	if !strings.Contains(r.stderr, "denied") {
		t.Errorf("stderr %q does not say the user denied access", r.stderr)
	}
}

// approveOOBOverHTTP approves an out-of-band request token at the
// provider's authorize page as user, as a script would with curl, and
// returns the answer's body and its X-OAuth-Verifier header.
func approveOOBOverHTTP(t *testing.T, authURL, user string) (body, verifier string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, authURL+"&user="+url.QueryEscape(user)+"&approve=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("X-OAuth-Verifier") == "" {
		t.Fatalf("oob approval: %s, %v, X-OAuth-Verifier %q", resp.Status, err, resp.Header.Get("X-OAuth-Verifier"))
	}
	return string(b), resp.Header.Get("X-OAuth-Verifier")
}

// requestToken finds the oauth_token of the authorization URL in stderr.
func requestToken(t *testing.T, stderr string) string {
	t.Helper()
	for _, line := range strings.Split(stderr, "\n") {
		if _, tok, ok := strings.Cut(line, "/plugins/servlet/oauth/authorize?oauth_token="); ok && strings.HasPrefix(line, "http") {
			return tok
		}
	}
	t.Fatalf("no authorization URL in %q", stderr)
	return ""
}

func TestRequestBodyFromFile(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("bob"))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-body", Impersonation: true}, "2loi")
	issue := `{"fields":{"project":{"key":"DEMO"},"summary":"from a file"}}`
	file := writeFile(t, t.TempDir(), "issue.json", issue)
	for _, tt := range []struct {
		name, data, stdin string
	}{
		{"file", "@" + file, ""},
		{"stdin", "@-", issue},
	} {
		r := runCLITest(t, config, nil, tt.stdin, "request", "--link", "jira", "--as", "bob", "--json", "-d", tt.data, "POST", "/rest/api/2/issue")
		if r.code != 0 || !strings.Contains(r.stdout, `"summary":"from a file"`) || !strings.Contains(r.stdout, `"reporter":{"name":"bob"}`) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", tt.name, r.code, r.stdout, r.stderr)
		}
	}
	r := runCLITest(t, config, nil, "", "request", "--link", "jira", "--as", "bob", "-d", "@"+filepath.Join(t.TempDir(), "none.json"), "POST", "/rest/api/2/issue")
	checkOneLineError(t, r, exitFailure)
}

func TestAuthorizeOpensBrowser(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-browser", ThreeLO: true}, "3lo")

	for _, tt := range []struct {
		name string
		fail bool // the opener fails: the URL is still printed, the person opens it
	}{
		{"browser opens", false},
		{"no browser", true},
	} {
		var out, errb strings.Builder
		c := &cli{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: getenvFor(config, nil)}
		c.openBrowser = func(ctx context.Context, u string) error {
			go func() { _ = approve(ctx, u, "alice") }() // the person, in the browser
			if tt.fail {
				return errors.New("no display")
			}
			return nil
		}
		if err := c.authorize(t.Context(), []string{"--link", "jira", "--user", "alice", "--timeout", "30s"}); err != nil {
			t.Fatalf("%s: %v; stderr %q", tt.name, err, errb.String())
		}
		if got := strings.Contains(errb.String(), "could not open a browser: no display"); got != tt.fail {
			t.Errorf("%s: stderr %q", tt.name, errb.String())
		}
		if !strings.Contains(out.String(), "alice is now authorized") {
			t.Errorf("%s: stdout %q", tt.name, out.String())
		}
	}
}

// TestAuthorizeOOBNeverOpensBrowser: --oob means the browser runs on another
// machine, so nothing is opened here, even without --no-browser.
func TestAuthorizeOOBNeverOpensBrowser(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-oob-browser", ThreeLO: true}, "3lo")
	var out, errb strings.Builder
	c := &cli{stdin: strings.NewReader("not-a-code\n"), stdout: &out, stderr: &errb, getenv: getenvFor(config, nil)}
	opened := false
	c.openBrowser = func(context.Context, string) error {
		opened = true
		return nil
	}
	_ = c.authorize(t.Context(), []string{"--link", "jira", "--user", "alice", "--oob", "--timeout", "30s"})
	if opened {
		t.Error("authorize --oob opened a browser")
	}
	if strings.Contains(errb.String(), "could not open a browser") || !strings.Contains(errb.String(), srv.URL) {
		t.Errorf("stderr %q: want the URL printed and no browser attempt", errb.String())
	}
}
