package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/applinktest"
)

func TestShellName(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"applinktest Jira", "applinktest-jira"},
		{"Jira Staging (EU)", "jira-staging-eu"},
		{"  Confluence  ", "confluence"},
		{"jira", "jira"},
		{"Jira 9.12", "jira-9-12"},
		{"Жира", "jira"}, // nothing usable: the type
		{"", "jira"},
	} {
		if got := shellName(tt.in, "jira"); got != tt.want {
			t.Errorf("shellName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestLinkDiscoverNameAndRename: --discover without NAME names the link so
// that no shell needs quotes; with NAME it takes NAME; rename keeps the id,
// so a user's token stays usable.
func TestLinkDiscoverNameAndRename(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"))
	dir := t.TempDir()
	config := filepath.Join(dir, "config.json")
	if r := runCLITest(t, config, nil, "", "keygen", "--bits", "1024"); r.code != 0 {
		t.Fatalf("keygen: %s", r.stderr)
	}
	key := filepath.Join(dir, "applink.pem")
	add := func(args ...string) result {
		return runCLITest(t, config, nil, "", append([]string{"link", "add"}, append(args, "--discover", "--url", srv.URL,
			"--consumer-key", "k", "--private-key", key, "--json")...)...)
	}
	r := add()
	if r.code != 0 {
		t.Fatalf("link add --discover: exit %d: %s", r.code, r.stderr)
	}
	var l struct{ ID, Name string }
	if err := json.Unmarshal([]byte(r.stdout), &l); err != nil || l.Name != "applinktest-jira" {
		t.Fatalf("link add --discover named the link %q (%v), want applinktest-jira", l.Name, err)
	}

	// A token for alice, then rename: the token is still hers on the new name.
	created := time.Now().Add(-time.Hour)
	id := putToken(t, config, "applinktest-jira", "alice", "S", created)
	r = runCLITest(t, config, nil, "", "link", "rename", "applinktest-jira", "jira")
	if r.code != 0 || !strings.Contains(r.stdout, `renamed link "applinktest-jira" to "jira"`) {
		t.Fatalf("link rename: exit %d: %q %q", r.code, r.stdout, r.stderr)
	}
	r = runCLITest(t, config, nil, "", "tokens", "list", "--json")
	var tl tokenList
	if err := json.Unmarshal([]byte(r.stdout), &tl); err != nil || len(tl.Tokens) != 1 || tl.Tokens[0].Link != "jira" || tl.Tokens[0].LinkID != id || tl.Tokens[0].User != "alice" {
		t.Errorf("after rename, tokens list: %v %q", err, r.stdout)
	}

	// With NAME, --discover takes it; the id (the remote's application id)
	// is taken, so the second link is refused until the first is removed.
	r = add("other")
	if r.code != exitFailure || !strings.Contains(r.stderr, "already in") {
		t.Errorf("second discover of the same remote: %q", r.stderr)
	}

	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown", []string{"nope", "x"}, exitFailure, `no link "nope"`},
		{"one argument", []string{"jira"}, exitUsage, "want OLD NEW"},
		{"empty name", []string{"jira", " "}, exitUsage, "NEW is empty"},
	} {
		r := runCLITest(t, config, nil, "", append([]string{"link", "rename"}, tt.args...)...)
		checkOneLineError(t, r, tt.code)
		if !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%s: stderr %q lacks %q", tt.name, r.stderr, tt.want)
		}
	}
}
