package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/internal/testnet"
	"github.com/go-applinks/applinks/signer"
)

const (
	cliCloudClient = "cli-cloud-client-TEST-ONLY"
	cliCloudSecret = "cli-cloud-s3cret-TEST-ONLY"
)

// TestCloudHelperProcess is the applink command when run by
// TestEndToEndCloud as a separate process (10 at once after expiry).
func TestCloudHelperProcess(t *testing.T) {
	if os.Getenv("APPLINK_TEST_CLOUD_HELPER") != "1" {
		t.Skip("run by TestEndToEndCloud")
	}
	args := strings.Split(os.Getenv("APPLINK_TEST_CLOUD_ARGS"), "\x1f")
	os.Exit(run(context.Background(), args, strings.NewReader(""), os.Stdout, os.Stderr))
}

// serverClock is the Cloud server's clock, moved by the test: the command's
// own clock is the real one.
type serverClock struct {
	mu sync.Mutex
	d  time.Duration
}

func (c *serverClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.d)
}

func (c *serverClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.d += d
}

// TestEndToEndCloud runs the story through the command against the
// Cloud-shaped provider: link add --cloud; the loopback consent as two
// users; requests written as on the site; expiry at the remote and a
// rotating refresh; 10 processes after expiry giving exactly one refresh; a
// site the user did not grant; a missing scope; revocation. No secret
// appears in any output.
func TestEndToEndCloud(t *testing.T) {
	redirect := testnet.LoopbackCallbackURL(t)
	clock := &serverClock{}
	srv := applinktest.NewServer(t, applinktest.WithShape(applinktest.Cloud), applinktest.WithUsers("alice", "bob", "carol"),
		applinktest.WithClock(clock.now), applinktest.WithCloudSite(applinktest.DefaultCloudSite),
		applinktest.WithCloudSite(applinktest.CloudSite{ID: "99999999-8888-4777-8666-555555555555", Name: "beta", URL: "https://beta.atlassian.net"}),
		applinktest.WithCloudClient(applinktest.CloudClient{ID: cliCloudClient, Secret: signer.NewSecret(cliCloudSecret), RedirectURL: redirect}))
	t.Setenv("APPLINK_TEST_CLOUD_SECRET", cliCloudSecret)
	dir := t.TempDir()
	config := filepath.Join(dir, "config.json")
	var all strings.Builder
	cli := func(args ...string) result {
		t.Helper()
		r := runCLITest(t, config, nil, "", args...)
		all.WriteString(r.stdout + r.stderr)
		return r
	}
	r := cli("link", "add", "acme", "--cloud", "--site", "https://acme.atlassian.net", "--type", "jira",
		"--client-id", cliCloudClient, "--client-secret-env", "APPLINK_TEST_CLOUD_SECRET",
		"--scope", "read:jira-work read:jira-user offline_access", "--redirect-url", redirect,
		"--auth-base", srv.URL, "--api-base", srv.URL)
	if r.code != 0 {
		t.Fatalf("link add: exit %d: %s", r.code, r.stderr)
	}
	r = cli("link", "show", "acme")
	for _, want := range []string{"cloud site", "https://acme.atlassian.net", srv.URL + "/authorize", "read:jira-user offline_access"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("link show lacks %q: %s", want, r.stdout)
		}
	}
	myself := func(user string) result {
		t.Helper()
		return cli("request", "--link", "acme", "--as", user, "GET", "/rest/api/3/myself")
	}
	// Before consent: exit 3 with Atlassian's consent URL.
	r = myself("alice")
	if r.code != exitCredentials || !strings.Contains(r.stderr, srv.URL+"/authorize?") || !strings.Contains(r.stderr, "audience=api.atlassian.com") {
		t.Fatalf("before consent: exit %d: %s", r.code, r.stderr)
	}
	for _, user := range []string{"alice", "bob"} {
		if r := authorizeInBackground(t, config, "acme", user); r.code != 0 {
			t.Fatalf("authorize %s: exit %d: %s %s", user, r.code, r.stdout, r.stderr)
		}
		r := myself(user)
		var me struct{ AccountID string }
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &me) != nil || me.AccountID != applinktest.CloudAccountID(user) {
			t.Fatalf("request as %s: exit %d: %s %s", user, r.code, r.stdout, r.stderr)
		}
	}

	// -v shows the request as sent (to the gateway), the bearer abbreviated.
	r = cli("request", "-v", "--link", "acme", "--as", "bob", "GET", "/rest/api/3/myself")
	if r.code != 0 || !strings.Contains(r.stderr, "/ex/jira/"+applinktest.DefaultCloudSite.ID+"/rest/api/3/myself") {
		t.Errorf("request -v: exit %d: %s", r.code, r.stderr)
	}
	r = cli("doctor", "--link", "acme", "--as", "alice", "--json")
	for _, want := range []string{"cloud-site", "cloud-scopes", "cloud-impersonation", applinktest.DefaultCloudSite.ID} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("doctor --json lacks %q (exit %d): %s %s", want, r.code, r.stdout, r.stderr)
		}
	}
	if r.code != 0 {
		t.Errorf("doctor: exit %d: %s", r.code, r.stdout)
	}

	refreshes := func() int {
		n := 0
		for _, rec := range srv.Requests() {
			if rec.Flow == applinktest.FlowOAuth2Token && rec.Grant == applinktest.GrantRefreshToken && rec.Status == http.StatusOK {
				n++
			}
		}
		return n
	}
	// Expired at the remote (an hour passed there): one rotating refresh.
	clock.advance(61 * time.Minute)
	if r := myself("alice"); r.code != 0 || refreshes() != 1 {
		t.Fatalf("after expiry: exit %d, %d refreshes: %s", r.code, refreshes(), r.stderr)
	}

	// 10 processes at once after expiry: exactly one refresh.
	clock.advance(61 * time.Minute)
	before := refreshes()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	outs := make([]string, 10)
	codes := make([]error, 10)
	for i := range 10 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, exe, "-test.run=^TestCloudHelperProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), "APPLINK_TEST_CLOUD_HELPER=1", configEnv+"="+config,
				"APPLINK_TEST_CLOUD_ARGS="+strings.Join([]string{"request", "--link", "acme", "--as", "bob", "GET", "/rest/api/3/myself"}, "\x1f"))
			out, err := cmd.CombinedOutput()
			outs[i], codes[i] = string(out), err
		})
	}
	wg.Wait()
	for i := range 10 {
		all.WriteString(outs[i])
		if codes[i] != nil || !strings.Contains(outs[i], applinktest.CloudAccountID("bob")) {
			t.Errorf("process %d: %v: %s", i, codes[i], outs[i])
		}
	}
	if n := refreshes() - before; n != 1 {
		t.Errorf("10 processes after expiry made %d refreshes, want exactly 1", n)
	}

	// A user who granted another site only.
	if _, err := srvConsent(t, config, "carol"); err != nil {
		t.Fatal(err)
	}
	r = myself("carol")
	if r.code == 0 || !strings.Contains(r.stderr, "did not grant") || !strings.Contains(r.stderr, "https://beta.atlassian.net") {
		t.Errorf("a site not granted: exit %d: %s", r.code, r.stderr)
	}

	// A missing scope (write:jira-work was not asked for): the gateway's
	// 401 "scope does not match" keeps the token.
	r = cli("request", "--link", "acme", "--as", "alice", "POST", "/rest/api/2/issue", "-d", `{"fields":{}}`)
	if r.code == 0 || r.code == exitCredentials || !strings.Contains(r.stderr, "scope does not match") {
		t.Errorf("missing scope: exit %d: %s", r.code, r.stderr)
	}
	if r := myself("alice"); r.code != 0 {
		t.Errorf("after a missing scope the token is gone: exit %d: %s", r.code, r.stderr)
	}

	// Revoked: the refresh is refused, the token deleted: exit 3.
	srv.RevokeCloud("alice")
	clock.advance(61 * time.Minute)
	r = myself("alice")
	if r.code != exitCredentials || !strings.Contains(r.stderr, "invalid_grant") {
		t.Errorf("revoked: exit %d: %s", r.code, r.stderr)
	}
	r = cli("tokens", "list", "--json")
	if strings.Contains(r.stdout, `"user": "alice"`) {
		t.Errorf("the revoked token is still stored: %s", r.stdout)
	}

	r = cli("tokens", "revoke", "--link", "acme", "--user", "bob")
	if r.code != 0 || !strings.Contains(r.stdout, "id.atlassian.com/manage-profile/apps") {
		t.Errorf("tokens revoke on a Cloud link: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(all.String(), cliCloudSecret) || strings.Contains(all.String(), "cloud-refresh-") || strings.Contains(all.String(), "cloud-access-") {
		t.Errorf("a secret appears in the command's output")
	}
	data, _ := os.ReadFile(config)
	if strings.Contains(string(data), cliCloudSecret) {
		t.Error("the client secret is in the config file")
	}
}

// srvConsent authorizes user through the command's out-of-band flow,
// granting the "beta" site only.
func srvConsent(t *testing.T, config, user string) (string, error) {
	t.Helper()
	r := runCLITest(t, config, nil, "", "request", "--link", "acme", "--as", user, "GET", "/rest/api/3/myself")
	var authURL string
	for line := range strings.Lines(r.stderr) {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, "http") && strings.Contains(line, "/authorize?") {
			authURL = line
		}
	}
	if authURL == "" {
		t.Fatalf("no consent URL: %s", r.stderr)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, authURL+"&user="+user+"&approve=1&sites=beta", nil)
	if err != nil {
		return "", err
	}
	noFollow := &http.Client{Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	redirect := resp.Header.Get("Location")
	state := ""
	for _, kv := range strings.Split(authURL[strings.Index(authURL, "?")+1:], "&") {
		if v, ok := strings.CutPrefix(kv, "state="); ok {
			state = v
		}
	}
	r = runCLITest(t, config, nil, redirect+"\n", "authorize", "--link", "acme", "--user", user, "--oob", "--request-token", state)
	if r.code != 0 {
		t.Fatalf("authorize --oob: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	return redirect, nil
}
