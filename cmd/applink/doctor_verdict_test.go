package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/applinktest"
)

// bob has no 3LO token but 2LOi acts as him: exit 0, a warning with the
// command to authorize.
func TestDoctorNotAuthorizedYet(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("bob"))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-doctor-2loi", ThreeLO: true, Impersonation: true}, "3lo,2loi")
	srvKey(t, srv)
	r := runCLITest(t, config, nil, "", "doctor", "--link", "jira", "--as", "bob", "--timeout", testTimeout)
	if r.code != exitOK {
		t.Errorf("exit %d, want 0; stdout:\n%s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		`! probe-3lo`, `user "bob" has not authorized 3LO yet (no token): requests as them use 2LOi, which works`,
		"    fix: To act as the user with 3LO instead, authorize the link as them: applink authorize --link jira --user bob.",
		"✓ probe-2loi", "no check failed, 1 warning",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
}

// Jira under /jira behind a proxy, the link pointing at /: one failure,
// the path.
func TestDoctorWrongContextPath(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("bob"), applinktest.WithContextPath("/jira"))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-doctor-path", ThreeLO: true, Impersonation: true}, "3lo,2loi")
	root := strings.TrimSuffix(srv.URL, "/jira")
	// Point the link at the root, as a wrong rpcUrl does.
	if r := runCLITest(t, config, nil, "", "link", "show", "jira", "--json"); r.code != 0 || !strings.Contains(r.stdout, `"rpcUrl": "`+srv.URL+`"`) {
		t.Fatalf("link show --json: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	rewriteConfig(t, config, srv.URL, root)
	srvKey(t, srv)
	r := runCLITest(t, config, nil, "", "doctor", "--link", "jira", "--as", "bob", "--timeout", testTimeout)
	if r.code != exitFailure {
		t.Errorf("exit %d, want 1; stdout:\n%s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"✗ manifest", "the RPC URL's path is wrong: nothing at " + root + " answers as a jira",
		"    GET /rest/applinks/1.0/manifest: HTTP 404", "    GET /jira/rest/applinks/1.0/manifest: HTTP 200",
		"set the link's rpcUrl to " + srv.URL + ".", "- probe-2loi", "- probe-3lo", "1 check failed",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}

	// --json: the same report, for jq.
	r = runCLITest(t, config, nil, "", "doctor", "--link", "jira", "--as", "bob", "--json", "--timeout", testTimeout)
	if r.code != exitFailure || !strings.Contains(r.stdout, `"summary": "the RPC URL's path is wrong`) || r.stderr != "" {
		t.Errorf("doctor --json: exit %d, stdout %s, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// rewriteConfig replaces old with new in the config file.
func rewriteConfig(t *testing.T, config, old, new string) {
	t.Helper()
	b, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"`+old+`"`) {
		t.Fatalf("%s does not hold %q", config, old)
	}
	writeFile(t, filepath.Dir(config), filepath.Base(config), strings.ReplaceAll(string(b), `"`+old+`"`, `"`+new+`"`))
}
