package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/internal/testnet"
	"github.com/go-applinks/applinks/signer"
	"github.com/google/go-cmp/cmp"
)

const (
	cliO2Client = "cli-client-TEST-ONLY"
	cliO2Secret = "cli-client-s3cret-TEST-ONLY"
)

// consentURL returns the consent page URL line of a "credentials
// required" answer.
func consentURL(t *testing.T, r result, srv *applinktest.Server) string {
	t.Helper()
	if r.code != exitCredentials {
		t.Fatalf("exit %d, want %d; stderr %q", r.code, exitCredentials, r.stderr)
	}
	for line := range strings.Lines(r.stderr) {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, srv.URL+applinktest.OAuth2AuthorizePath+"?") {
			return line
		}
	}
	t.Fatalf("stderr has no consent URL line: %q", r.stderr)
	return ""
}

// The whole story through the command, with the secret in an environment
// variable as the example has it (so not parallel).
func TestEndToEndOAuth2(t *testing.T) {
	redirect := testnet.LoopbackCallbackURL(t)
	srv := applinktest.NewServer(t, applinktest.WithShape(applinktest.OAuth2), applinktest.WithUsers("alice"),
		applinktest.WithOAuth2Client(applinktest.OAuth2Client{ID: cliO2Client, Secret: signer.NewSecret(cliO2Secret), RedirectURL: redirect}))
	t.Setenv("APPLINK_TEST_O2_SECRET", cliO2Secret)
	config := filepath.Join(t.TempDir(), "config.json")

	r := runCLITest(t, config, nil, "", "link", "add", "jira2", "--url", srv.URL, "--type", "jira", "--auth", "oauth2",
		"--client-id", cliO2Client, "--client-secret-env", "APPLINK_TEST_O2_SECRET", "--scope", "WRITE", "--redirect-url", redirect)
	if r.code != 0 {
		t.Fatalf("link add: exit %d: %s", r.code, r.stderr)
	}
	data, _ := os.ReadFile(config)
	if strings.Contains(string(data), cliO2Secret) || !strings.Contains(string(data), `"clientSecretEnv": "APPLINK_TEST_O2_SECRET"`) {
		t.Errorf("config file: %s", data)
	}
	r = runCLITest(t, config, nil, "", "link", "show", "jira2")
	for _, want := range []string{"oauth2 client id:", cliO2Client, "APPLINK_TEST_O2_SECRET", "WRITE", redirect, srv.URL + applinktest.OAuth2TokenPath} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("link show lacks %q: %s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, cliO2Secret) || strings.Contains(r.stdout, "request token") {
		t.Errorf("link show prints the secret or OAuth 1.0a endpoints: %s", r.stdout)
	}
	myself := func() result {
		return runCLITest(t, config, nil, "", "request", "--link", "jira2", "--as", "alice", "GET", "/rest/api/2/myself")
	}

	consentURL(t, myself(), srv)
	r = authorizeInBackground(t, config, "jira2", "alice")
	if r.code != 0 || !strings.Contains(r.stdout, "alice is now authorized") || !strings.Contains(r.stdout, "OAuth 2.0") {
		t.Fatalf("authorize: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = myself()
	if r.code != 0 {
		t.Fatalf("request: exit %d: %s", r.code, r.stderr)
	}
	checkUser(t, r.stdout, "name", "alice")

	r = runCLITest(t, config, nil, "", "tokens", "list", "--json")
	var list struct {
		Tokens []struct {
			User        string   `json:"user"`
			Kind        string   `json:"kind"`
			Scopes      []string `json:"scopes"`
			Refreshable bool     `json:"refreshable"`
		} `json:"tokens"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list.Tokens) != 1 {
		t.Fatalf("tokens list --json: %v %q", err, r.stdout)
	}
	if tok := list.Tokens[0]; tok.User != "alice" || tok.Kind != "oauth2" || !cmp.Equal(tok.Scopes, []string{"WRITE"}) || !tok.Refreshable {
		t.Errorf("tokens list: %+v", tok)
	}
	if r = runCLITest(t, config, nil, "", "tokens", "list"); !strings.Contains(r.stdout, "oauth2 WRITE +refresh") {
		t.Errorf("tokens list table: %q", r.stdout)
	}

	r = runCLITest(t, config, nil, "", "doctor", "--link", "jira2", "--as", "alice", "--json")
	if r.code != 0 {
		t.Fatalf("doctor: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	for _, check := range []string{"oauth2-endpoints", "oauth2-client", "oauth2-token", "oauth2-scopes"} {
		if !strings.Contains(r.stdout, `"name":"`+check+`","category":`) && !strings.Contains(r.stdout, `"name": "`+check+`"`) {
			t.Errorf("doctor --json lacks %s: %s", check, r.stdout)
		}
	}

	// sign has nothing to show for a bearer request, and never the token.
	r = runCLITest(t, config, nil, "", "sign", "--link", "jira2", "--as", "alice", "GET", "/rest/api/2/myself")
	if r.code == 0 || !strings.Contains(r.stderr, "OAuth 2.0 link") {
		t.Errorf("sign --link on an OAuth 2.0 link: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, tok := range srv.AccessTokens(cliO2Client, "alice") {
		if strings.Contains(r.stdout+r.stderr, tok) {
			t.Error("sign printed the bearer token")
		}
	}

	// Expired at the remote: refreshed once, the request goes through.
	for _, tok := range srv.AccessTokens(cliO2Client, "alice") {
		if err := srv.Expire(tok); err != nil {
			t.Fatal(err)
		}
	}
	if r = myself(); r.code != 0 {
		t.Fatalf("request after expiry: exit %d: %s", r.code, r.stderr)
	}

	// Revoked: credentials required; paste the address the consent led to.
	srv.RevokeUser(cliO2Client, "alice")
	u := consentURL(t, myself(), srv)
	landed, err := srv.ApproveOAuth2(u, "alice")
	if err != nil {
		t.Fatal(err)
	}
	state := ""
	if i := strings.Index(u, "state="); i >= 0 {
		state, _, _ = strings.Cut(u[i+len("state="):], "&")
	}
	r = runCLITest(t, config, nil, landed+"\n", "authorize", "--link", "jira2", "--user", "alice", "--oob", "--request-token", state)
	if r.code != 0 {
		t.Fatalf("authorize --oob --request-token: exit %d: %s", r.code, r.stderr)
	}
	if r = myself(); r.code != 0 {
		t.Fatalf("request after re-consent: exit %d: %s", r.code, r.stderr)
	}
}

func TestLinkAddOAuth2Usage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"oauth1 credentials", []string{"--client-id", "c", "--client-secret-env", "S", "--private-key", "k.pem", "--redirect-url", "http://127.0.0.1:1/cb"}, "not --consumer-key"},
		{"no client id", []string{"--auth", "oauth2", "--client-secret-env", "S"}, "--client-id is required"},
		{"no secret", []string{"--client-id", "c", "--redirect-url", "http://127.0.0.1:1/cb"}, "--client-secret-env"},
		{"http redirect", []string{"--client-id", "c", "--client-secret-file", "s.txt", "--redirect-url", "http://app.example.com/cb"}, "needs https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			config := filepath.Join(t.TempDir(), "config.json")
			args := append([]string{"link", "add", "j", "--url", "https://jira.example.com", "--type", "jira"}, tt.args...)
			r := runCLITest(t, config, nil, "", args...)
			if r.code == 0 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want a failure mentioning %q", r.code, r.stderr, tt.want)
			}
		})
	}
}
