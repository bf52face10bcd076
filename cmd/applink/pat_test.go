package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/applinktest"
)

// TestEndToEndPAT: link add --auth pat; tokens set from an environment
// variable, a file and standard input; requests as two users; tokens list
// shows the kind; a revoked PAT exits 3 with the profile advice and no
// authorization URL, and is deleted; the tokens never print.
func TestEndToEndPAT(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice", "bob", "carol"))
	alice, bob, carol := srv.IssuePAT("alice"), srv.IssuePAT("bob"), srv.IssuePAT("carol")
	dir := t.TempDir()
	config := filepath.Join(dir, "config.json")
	bobFile := filepath.Join(dir, "bob.pat")
	if err := os.WriteFile(bobFile, []byte(bob+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	loose := filepath.Join(dir, "loose.pat")
	if err := os.WriteFile(loose, []byte(bob), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"ALICE_PAT": alice}
	var all strings.Builder
	run := func(stdin string, args ...string) result {
		t.Helper()
		r := runCLITest(t, config, vars, stdin, args...)
		all.WriteString(r.stdout + r.stderr)
		return r
	}

	if r := run("", "link", "add", "dc", "--url", srv.URL, "--type", "jira", "--auth", "pat"); r.code != 0 {
		t.Fatalf("link add: exit %d: %s", r.code, r.stderr)
	}
	for _, step := range []struct {
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"", []string{"--user", "alice", "--pat-env", "ALICE_PAT"}, 0, "stored alice's personal access token"},
		{"", []string{"--user", "bob", "--pat-file", loose}, exitFailure, "chmod 600"},
		{"", []string{"--user", "bob", "--pat-file", bobFile}, 0, "stored bob's"},
		{carol + "\n", []string{"--user", "carol"}, 0, "stored carol's"},
		{"", []string{"--user", "dave", "--pat-env", "NO_SUCH_VAR"}, exitFailure, "is not set"},
		{"two words\n", []string{"--user", "dave"}, exitFailure, "white space"},
	} {
		r := run(step.stdin, append([]string{"tokens", "set", "--link", "dc"}, step.args...)...)
		if r.code != step.code || !strings.Contains(r.stdout+r.stderr, step.want) {
			t.Errorf("tokens set %v: exit %d, %q%q; want exit %d saying %q", step.args, r.code, r.stdout, r.stderr, step.code, step.want)
		}
	}
	for _, user := range []string{"alice", "bob", "carol"} {
		r := run("", "request", "--link", "dc", "--as", user, "GET", "/rest/api/2/myself")
		var me struct{ Name string }
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &me) != nil || me.Name != user {
			t.Errorf("request as %s: exit %d, %q %q", user, r.code, r.stdout, r.stderr)
		}
	}
	// -v prints the headers as sent: the bearer is abbreviated, never whole.
	if r := run("", "request", "-v", "--link", "dc", "--as", "bob", "GET", "/rest/api/2/myself"); r.code != 0 || !strings.Contains(r.stderr, "Authorization") {
		t.Errorf("request -v: exit %d: %s", r.code, r.stderr)
	}
	r := run("", "tokens", "list")
	if strings.Count(r.stdout, " pat") < 3 {
		t.Errorf("tokens list does not show the kind pat for three users: %s", r.stdout)
	}
	r = run("", "tokens", "list", "--json")
	if !strings.Contains(r.stdout, `"kind": "pat"`) {
		t.Errorf("tokens list --json: %s", r.stdout)
	}

	srv.RevokePAT(alice)
	r = run("", "request", "--link", "dc", "--as", "alice", "GET", "/rest/api/2/myself")
	if r.code != exitCredentials {
		t.Fatalf("request with a revoked PAT: exit %d, want %d: %s", r.code, exitCredentials, r.stderr)
	}
	for _, want := range []string{"refused", "Profile → Personal Access Tokens", "tokens set --link dc --user alice"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "http://") || strings.Contains(r.stderr, "applink authorize") {
		t.Errorf("a refused PAT offers a dance: %s", r.stderr)
	}
	r = run("", "tokens", "list", "--json")
	if strings.Contains(r.stdout, `"user": "alice"`) {
		t.Errorf("the refused PAT is still stored: %s", r.stdout)
	}
	// --json: no authorization URL, the tokens set command instead.
	r = run("", "request", "--json", "--link", "dc", "--as", "alice", "GET", "/rest/api/2/myself")
	if r.code != exitCredentials || strings.Contains(r.stdout+r.stderr, "authorizationUrl") || !strings.Contains(r.stdout+r.stderr, "tokens set --link dc --user alice") {
		t.Errorf("request --json without a PAT: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	// A user without a PAT: exit 3, same advice.
	r = run("", "request", "--link", "dc", "--as", "dave", "GET", "/rest/api/2/myself")
	if r.code != exitCredentials || !strings.Contains(r.stderr, "no personal access token") {
		t.Errorf("request as dave: exit %d: %s", r.code, r.stderr)
	}
	// Revoking here points at the user's PAT page at the remote.
	r = run("", "tokens", "revoke", "--link", "dc", "--user", "bob")
	if r.code != 0 || !strings.Contains(r.stdout, "jira-user-personal-access-tokens") {
		t.Errorf("tokens revoke of a PAT: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	for _, secret := range []string{alice, bob, carol} {
		if strings.Contains(all.String(), secret) {
			t.Error("a PAT appears in the command's output")
		}
	}
	data, _ := os.ReadFile(config)
	if strings.Contains(string(data), bob) || strings.Contains(string(data), alice) {
		t.Error("a PAT is in the config file")
	}
}

// TestLinkAddPATBot: the link's own PAT is named in the config (never the
// token) and serves requests without a user.
func TestLinkAddPATBot(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("robot"))
	bot := srv.IssuePAT("robot")
	config := filepath.Join(t.TempDir(), "config.json")
	vars := map[string]string{}
	r := runCLITest(t, config, vars, "", "link", "add", "dc", "--url", srv.URL, "--type", "jira", "--auth", "pat", "--pat-env", "APPLINK_TEST_BOT_PAT_CLI")
	// The library reads the variable from the process environment.
	if r.code == 0 {
		t.Fatalf("link add with an unset --pat-env succeeded: %s", r.stdout)
	}
	if !strings.Contains(r.stderr, "APPLINK_TEST_BOT_PAT_CLI is not set") {
		t.Errorf("stderr: %s", r.stderr)
	}
	file := filepath.Join(t.TempDir(), "bot.pat")
	if err := os.WriteFile(file, []byte(bot), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runCLITest(t, config, vars, "", "link", "add", "dc", "--url", srv.URL, "--type", "jira", "--auth", "pat", "--pat-file", file)
	if r.code != 0 {
		t.Fatalf("link add: exit %d: %s", r.code, r.stderr)
	}
	r = runCLITest(t, config, vars, "", "request", "--link", "dc", "GET", "/rest/api/2/myself")
	if r.code != 0 || !strings.Contains(r.stdout, `"robot"`) {
		t.Errorf("request without a user: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	data, _ := os.ReadFile(config)
	if strings.Contains(string(data)+r.stdout+r.stderr, bot) {
		t.Error("the bot's PAT is printed or in the config")
	}
	// The bot's token revoked: exit 1 (not credentials required: no user
	// can fix it), naming where the link reads it.
	srv.RevokePAT(bot)
	r = runCLITest(t, config, vars, "", "request", "--link", "dc", "GET", "/rest/api/2/myself")
	if r.code != exitFailure || !strings.Contains(r.stderr, "link's own personal access token") || strings.Contains(r.stderr, bot) {
		t.Errorf("request with the bot's PAT revoked: exit %d: %s", r.code, r.stderr)
	}
}
