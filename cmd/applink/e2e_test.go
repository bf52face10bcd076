package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
	"github.com/google/go-cmp/cmp"
)

// setupJiraLink runs keygen and link add against an Atlassian-shaped
// provider that knows the generated public key, and returns the config path.
func setupJiraLink(t *testing.T, srv *applinktest.Server, consumer applinktest.Consumer, auth string) string {
	t.Helper()
	dir := t.TempDir()
	config := filepath.Join(dir, "config.json")

	r := runCLITest(t, config, nil, "", "keygen", "--bits", "1024")
	if r.code != 0 {
		t.Fatalf("keygen: exit %d: %s", r.code, r.stderr)
	}
	first, _, _ := strings.Cut(r.stdout, "\n")
	pub, err := signer.ParsePublicKey([]byte(first))
	if err != nil {
		t.Fatalf("keygen's first line is not a public key: %v", err)
	}
	keyFile := filepath.Join(dir, "applink.pem")
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key file: %v, mode %v; want mode 0600", err, fi.Mode())
	}
	consumer.PublicKey = pub
	if err := srv.AddConsumer(consumer); err != nil {
		t.Fatal(err)
	}

	r = runCLITest(t, config, nil, "", "link", "add", "jira", "--url", srv.URL, "--type", "jira",
		"--consumer-key", consumer.Key, "--private-key", keyFile, "--auth", auth)
	if r.code != 0 {
		t.Fatalf("link add: exit %d: %s", r.code, r.stderr)
	}
	return config
}

func TestEndToEnd3LO(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice", "bob"))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-e2e", ThreeLO: true}, "3lo")

	// No token yet: exit 3 with the authorization URL on its own line.
	r := runCLITest(t, config, nil, "", "request", "--link", "jira", "--as", "alice", "GET", "/rest/api/2/myself")
	checkCredentialsRequired(t, r, srv)

	r = authorizeInBackground(t, config, "jira", "alice")
	if r.code != 0 || !strings.Contains(r.stdout, "alice is now authorized") {
		t.Fatalf("authorize: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if fi, err := os.Stat(filepath.Join(filepath.Dir(config), "tokens.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("tokens.json beside the config: %v; want mode 0600", err)
	}

	// Flags after the positional arguments work too.
	r = runCLITest(t, config, nil, "", "request", "GET", "/rest/api/2/myself", "--link", "jira", "--as", "alice")
	if r.code != 0 {
		t.Fatalf("request: exit %d: %s", r.code, r.stderr)
	}
	checkUser(t, r.stdout, "name", "alice")

	r = runCLITest(t, config, nil, "", "tokens", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "alice") {
		t.Errorf("tokens list: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	// Revoked at the provider: credentials required again, then a new dance.
	if n := srv.RevokeUser("cli-e2e", "alice"); n != 1 {
		t.Fatalf("revoked %d tokens, want 1", n)
	}
	r = runCLITest(t, config, nil, "", "request", "--link", "jira", "--as", "alice", "GET", "/rest/api/2/myself")
	checkCredentialsRequired(t, r, srv)

	if r = authorizeInBackground(t, config, "jira", "alice"); r.code != 0 {
		t.Fatalf("authorize again: exit %d: %s", r.code, r.stderr)
	}
	r = runCLITest(t, config, nil, "", "request", "--link", "jira", "--as", "alice", "-i", "GET", "/rest/api/2/myself")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "HTTP/1.1 200 OK\r\n") {
		t.Fatalf("request -i after authorizing again: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	// Local revocation deletes the token and says where the remote's page is.
	r = runCLITest(t, config, nil, "", "tokens", "revoke", "--link", "jira", "--user", "alice")
	if r.code != 0 || !strings.Contains(r.stdout, srv.URL+"/plugins/servlet/oauth/users/access-tokens") {
		t.Errorf("tokens revoke: exit %d, stdout %q", r.code, r.stdout)
	}
	r = runCLITest(t, config, nil, "", "request", "--link", "jira", "--as", "alice", "GET", "/rest/api/2/myself")
	checkCredentialsRequired(t, r, srv)
}

// checkCredentialsRequired asserts exit 3 with the provider's authorization
// URL on a line of its own.
func checkCredentialsRequired(t *testing.T, r result, srv *applinktest.Server) {
	t.Helper()
	if r.code != exitCredentials {
		t.Fatalf("exit %d, want %d; stderr %q", r.code, exitCredentials, r.stderr)
	}
	for _, line := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(line, srv.URL+"/plugins/servlet/oauth/authorize?oauth_token=") {
			return
		}
	}
	t.Errorf("stderr has no authorization URL line: %q", r.stderr)
}

// checkUser asserts that a JSON body names the user in field.
func checkUser(t *testing.T, body, field, want string) {
	t.Helper()
	var got map[string]any
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("body is not JSON: %v: %q", err, body)
	}
	if diff := cmp.Diff(want, got[field]); diff != "" {
		t.Errorf("%s (-want +got):\n%s", field, diff)
	}
}

func TestRequest2LOi(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice", "bob"))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-2loi", ThreeLO: true, Impersonation: true}, "3lo,2loi")

	// bob has no 3LO token: the automatic choice impersonates him.
	r := runCLITest(t, config, nil, "", "request", "--link", "jira", "--as", "bob", "GET", "/rest/api/2/myself", "-v", "-H", "X-Trace: cli-test")
	if r.code != 0 {
		t.Fatalf("request: exit %d: %s", r.code, r.stderr)
	}
	checkUser(t, r.stdout, "name", "bob")
	for _, want := range []string{
		"> GET /rest/api/2/myself?xoauth_requestor_id=bob HTTP/1.1",
		"> Authorization: OAuth oauth_consumer_key=cli-2loi, oauth_nonce=",
		"oauth_signature_method=RSA-SHA1, oauth_timestamp=", `oauth_token="", oauth_version=1.0`,
		"> X-Trace: cli-test", "< HTTP/1.1 200 OK", "2loi",
		// The fallback from 3LO is said without -v too (see TestRequestFallbackNote).
		`applink: bob has no 3LO token for link "jira": using 2LOi`,
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("-v output lacks %q:\n%s", want, r.stderr)
		}
	}
	if m := regexp.MustCompile(`oauth_signature=([^,\s]*)`).FindStringSubmatch(r.stderr); m == nil || !strings.HasSuffix(m[1], "…") || len(m[1]) > 10 {
		t.Errorf("-v output does not show the signature abbreviated:\n%s", r.stderr)
	}

	// POST with a JSON body as bob.
	r = runCLITest(t, config, nil, "", "request", "--link", "jira", "--as", "bob", "--auth", "2loi", "--json",
		"-d", `{"fields":{"project":{"key":"DEMO"},"summary":"from the CLI","issuetype":{"name":"Task"}}}`,
		"POST", "/rest/api/2/issue")
	if r.code != 0 {
		t.Fatalf("POST issue: exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, `"key"`) {
		t.Errorf("POST issue: body %q has no key", r.stdout)
	}
}

func TestRequestErrors(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-errors", ThreeLO: true, Impersonation: true}, "2loi")

	t.Run("unknown link", func(t *testing.T) {
		t.Parallel()
		r := runCLITest(t, config, nil, "", "request", "--link", "confluence", "--as", "alice", "GET", "/x")
		checkOneLineError(t, r, exitFailure)
		if !strings.Contains(r.stderr, `no link "confluence"`) || !strings.Contains(r.stderr, "applink link list") {
			t.Errorf("stderr %q does not name the link and what to do", r.stderr)
		}
	})
	t.Run("missing config", func(t *testing.T) {
		t.Parallel()
		r := runCLITest(t, filepath.Join(t.TempDir(), "none.json"), nil, "", "request", "--link", "jira", "GET", "/x")
		checkOneLineError(t, r, exitFailure)
		if !strings.Contains(r.stderr, "applink link add") {
			t.Errorf("stderr %q does not say how to add a link", r.stderr)
		}
	})
	t.Run("404", func(t *testing.T) {
		t.Parallel()
		r := runCLITest(t, config, nil, "", "request", "--link", "jira", "--as", "alice", "GET", "/rest/api/2/nothing-here")
		if r.code != exitFailure || !strings.Contains(r.stderr, "404") {
			t.Errorf("exit %d, stderr %q; want 1 and the status", r.code, r.stderr)
		}
	})
	t.Run("foreign host", func(t *testing.T) {
		t.Parallel()
		r := runCLITest(t, config, nil, "", "request", "--link", "jira", "--as", "alice", "GET", "https://evil.example/x")
		checkOneLineError(t, r, exitFailure)
	})
	t.Run("unknown user", func(t *testing.T) {
		t.Parallel()
		r := runCLITest(t, config, nil, "", "request", "--link", "jira", "--as", "mallory", "GET", "/rest/api/2/myself")
		if r.code != exitFailure {
			t.Errorf("exit %d, want 1; stderr %q", r.code, r.stderr)
		}
	})
}

// TestLinkCommands is not parallel: the applink core reads a link's secret
// variable from the process environment.
func TestLinkCommands(t *testing.T) {
	t.Setenv("APPLINK_TEST_CI_SECRET", "s3cret")
	srv := applinktest.NewServer(t)
	dir := t.TempDir()
	config := filepath.Join(dir, "config.json")
	if r := runCLITest(t, config, nil, "", "keygen", "--bits", "1024"); r.code != 0 {
		t.Fatalf("keygen: %s", r.stderr)
	}
	// A second keygen refuses to overwrite the key.
	r := runCLITest(t, config, nil, "", "keygen", "--bits", "1024")
	checkOneLineError(t, r, exitFailure)

	r = runCLITest(t, config, nil, "", "link", "add", "--discover", "--url", srv.URL, "--consumer-key", "k",
		"--private-key", filepath.Join(dir, "applink.pem"), "--auth", "3lo,2lo", "--primary")
	if r.code != 0 {
		t.Fatalf("link add --discover: exit %d: %s", r.code, r.stderr)
	}
	r = runCLITest(t, config, map[string]string{"APPLINK_TEST_CI_SECRET": "s3cret"}, "", "link", "add", "ci", "--url", "http://127.0.0.1:1/jenkins",
		"--type", "jenkins", "--consumer-key", "jira", "--secret-env", "APPLINK_TEST_CI_SECRET")
	if r.code != 0 {
		t.Fatalf("link add ci: exit %d: %s", r.code, r.stderr)
	}
	if fi, err := os.Stat(config); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("config file: %v; want mode 0600", err)
	}

	r = runCLITest(t, config, nil, "", "link", "list", "--json")
	if r.code != 0 {
		t.Fatalf("link list --json: %s", r.stderr)
	}
	var got struct {
		Links []struct {
			Name, Type, RPCURL, SecretEnv string
			Primary                       bool
		} `json:"links"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("link list --json: %v: %q", err, r.stdout)
	}
	// ci is not marked primary but is the only Jenkins link: primary, as
	// applink.Service reports it.
	if len(got.Links) != 2 || got.Links[0].Type != "jira" || got.Links[0].Name == "" || !got.Links[0].Primary ||
		got.Links[1].Name != "ci" || got.Links[1].SecretEnv != "APPLINK_TEST_CI_SECRET" || !got.Links[1].Primary {
		t.Errorf("links %+v", got.Links)
	}
	if strings.Contains(r.stdout, "s3cret") {
		t.Error("link list shows the secret")
	}
	raw, err := os.ReadFile(config)
	if err != nil || strings.Contains(string(raw), "s3cret") || strings.Contains(string(raw), "PRIVATE KEY") {
		t.Errorf("the config file holds a credential (or cannot be read: %v)", err)
	}

	r = runCLITest(t, config, nil, "", "link", "show", "ci")
	if r.code != 0 || !strings.Contains(r.stdout, "/bbs-oauth/authorize") || !strings.Contains(r.stdout, "/user/USER/tokens") {
		t.Errorf("link show ci: exit %d, stdout %q", r.code, r.stdout)
	}
	// ci is not marked primary but is the only Jenkins link: primary, as
	// applink.Service reports it.
	if !regexp.MustCompile(`(?m)^primary:\s+true$`).MatchString(r.stdout) {
		t.Errorf("link show ci does not say primary: true (the first link of its type):\n%s", r.stdout)
	}
	r = runCLITest(t, config, nil, "", "link", "add", "CI", "--url", "http://127.0.0.1:1", "--type", "jenkins",
		"--consumer-key", "jira", "--secret-env", "APPLINK_TEST_CI_SECRET")
	checkOneLineError(t, r, exitFailure) // the name is taken

	if r = runCLITest(t, config, nil, "", "link", "remove", "ci"); r.code != 0 {
		t.Fatalf("link remove: %s", r.stderr)
	}
	r = runCLITest(t, config, nil, "", "link", "show", "ci")
	checkOneLineError(t, r, exitFailure)

	r = runCLITest(t, config, nil, "", "link", "add", "bad", "--url", srv.URL, "--type", "jira",
		"--consumer-key", "k", "--private-key", filepath.Join(dir, "missing.pem"))
	checkOneLineError(t, r, exitFailure)
}

func TestRequestBehindProxy(t *testing.T) {
	t.Parallel()
	// The provider believes it is https://jira.example.com/jira: what we
	// sign for its loopback address does not match (signature_invalid).
	srv := applinktest.NewServer(t, applinktest.WithUsers("bob"), applinktest.WithBaseURL("https://jira.example.com/jira"))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-proxy", Impersonation: true}, "2loi")
	r := runCLITest(t, config, nil, "", "request", "--link", "jira", "--as", "bob", "GET", "/rest/api/2/myself")
	checkOneLineError(t, r, exitFailure)
	for _, want := range []string{"signature_invalid", "GET&https%3A%2F%2Fjira.example.com%2Fjira%2Frest", "rpcUrl"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, r.stderr)
		}
	}
}

// TestRequestIgnoresOtherLinksProblems: a link whose secret file has gone
// does not stop requests through another link, named in any case.
func TestRequestIgnoresOtherLinksProblems(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("bob"))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-other", Impersonation: true}, "2loi")
	secretFile := writeFile(t, filepath.Dir(config), "ci.secret", "not-a-real-secret")
	r := runCLITest(t, config, nil, "", "link", "add", "ci", "--url", "http://127.0.0.1:1", "--type", "jenkins",
		"--consumer-key", "jira", "--secret-file", secretFile)
	if r.code != 0 {
		t.Fatalf("link add ci: exit %d: %s", r.code, r.stderr)
	}
	if err := os.Remove(secretFile); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"jira", "JIRA"} {
		r = runCLITest(t, config, nil, "", "request", "--link", name, "--as", "bob", "GET", "/rest/api/2/myself")
		if r.code != 0 {
			t.Fatalf("request --link %s with a broken ci link beside it: exit %d: %s", name, r.code, r.stderr)
		}
		checkUser(t, r.stdout, "name", "bob")
	}
	// The broken link itself says what is wrong, on one line.
	r = runCLITest(t, config, nil, "", "request", "--link", "ci", "--as", "bob", "GET", "/me/api/json")
	checkOneLineError(t, r, exitFailure)
	if !strings.Contains(r.stderr, "ci.secret") {
		t.Errorf("stderr %q does not name the missing secret file", r.stderr)
	}
}
