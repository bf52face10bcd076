package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/internal/testnet"
	"github.com/go-applinks/applinks/signer"
	"github.com/google/go-cmp/cmp"
)

// TestRequestOutputJSON: with --output json standard output carries JSON or
// nothing, so that "| jq" never reads a raw body; a failure is one JSON
// object on standard error.
func TestRequestOutputJSON(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"),
		applinktest.WithResource("GET /plain", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = w.Write([]byte("hello " + applinktest.User(r)))
		})),
		applinktest.WithResource("POST /echo-type", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]string{"contentType": r.Header.Get("Content-Type"), "accept": r.Header.Get("Accept")})
		})))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-output", Impersonation: true}, "2loi")
	req := func(args ...string) result {
		return runCLITest(t, config, nil, "", append([]string{"request", "--link", "jira", "--as", "alice"}, args...)...)
	}
	for _, tt := range []struct {
		name       string
		args       []string
		code       int
		stdoutJSON bool   // stdout is one JSON value; else empty
		kind       string // of the JSON error, on failure
		status     int
	}{
		{"success", []string{"--output", "json", "GET", "/rest/api/2/myself"}, 0, true, "", 0},
		{"--output=json", []string{"--output=json", "GET", "/rest/api/2/search", "--query", "maxResults=1"}, 0, true, "", 0},
		{"--json is both", []string{"--json", "GET", "/rest/api/2/myself"}, 0, true, "", 0},
		{"404 with a text body", []string{"--output", "json", "GET", "/rest/applinks/1.0/nothing"}, exitFailure, false, kindHTTPStatus, http.StatusNotFound},
		{"400 with a JSON body", []string{"--output", "json", "GET", "/rest/api/2/search", "--query", "maxResults=many"}, exitFailure, true, kindHTTPStatus, http.StatusBadRequest},
		{"success that is not JSON", []string{"--output", "json", "GET", "/plain"}, exitFailure, false, kindOther, 0},
		{"-i is not JSON", []string{"--output", "json", "-i", "GET", "/rest/api/2/myself"}, exitUsage, false, kindUsage, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := req(tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d: stdout %q, stderr %q", r.code, tt.code, r.stdout, r.stderr)
			}
			if tt.stdoutJSON {
				var v any
				if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || !strings.HasSuffix(r.stdout, "\n") {
					t.Errorf("stdout is not one JSON value and a newline: %v: %q", err, r.stdout)
				}
			} else if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			if tt.code == 0 {
				if r.stderr != "" {
					t.Errorf("stderr %q, want nothing", r.stderr)
				}
				return
			}
			je := jsonErrorOf(t, r)
			if je.Kind != tt.kind || je.Status != tt.status {
				t.Errorf("JSON error kind %q status %d, want %q %d: %s", je.Kind, je.Status, tt.kind, tt.status, r.stderr)
			}
		})
	}
	// --json-body alone: the body is JSON, the output as is.
	issue := `{"fields":{"summary":"from --json-body"}}`
	r := req("--json-body", "-d", issue, "POST", "/rest/api/2/issue")
	if r.code != 0 || !strings.Contains(r.stdout, `"summary":"from --json-body"`) {
		t.Errorf("--json-body: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	// Each flag does its one job: --output json asks for JSON but sends -d
	// as is; --json-body sends JSON.
	for _, tt := range []struct {
		flag, contentType string
	}{
		{"--output=json", "application/x-www-form-urlencoded"},
		{"--json-body", "application/json"},
		{"--json", "application/json"},
	} {
		r := req(tt.flag, "-d", "a=1", "POST", "/echo-type")
		var got map[string]string
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 {
			t.Fatalf("%s: exit %d: %v: %q %q", tt.flag, r.code, err, r.stdout, r.stderr)
		}
		if got["contentType"] != tt.contentType || got["accept"] != "application/json" {
			t.Errorf("%s sent Content-Type %q, Accept %q; want %q and application/json", tt.flag, got["contentType"], got["accept"], tt.contentType)
		}
	}
	checkOneLineError(t, req("--output", "yaml", "GET", "/rest/api/2/myself"), exitUsage)
}

// TestJSONErrorInsufficientScope: an OAuth 2.0 403 insufficient_scope has its
// own kind, the status, the error code and the scope the remote says it
// needs.
func TestJSONErrorInsufficientScope(t *testing.T) {
	t.Parallel()
	redirect := testnet.LoopbackCallbackURL(t)
	srv := applinktest.NewServer(t, applinktest.WithShape(applinktest.OAuth2), applinktest.WithUsers("alice"),
		applinktest.WithOAuth2Client(applinktest.OAuth2Client{ID: cliO2Client, Secret: signer.NewSecret(cliO2Secret), RedirectURL: redirect, Scope: applinktest.ScopeRead}))
	dir := t.TempDir()
	config := filepath.Join(dir, "config.json")
	secretFile := filepath.Join(dir, "client-secret")
	if err := os.WriteFile(secretFile, []byte(cliO2Secret), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCLITest(t, config, nil, "", "link", "add", "jira2", "--url", srv.URL, "--type", "jira", "--auth", "oauth2",
		"--client-id", cliO2Client, "--client-secret-file", secretFile, "--scope", "READ", "--redirect-url", redirect)
	if r.code != 0 {
		t.Fatalf("link add: exit %d: %s", r.code, r.stderr)
	}
	if r := authorizeInBackground(t, config, "jira2", "alice"); r.code != 0 {
		t.Fatalf("authorize: exit %d: %s", r.code, r.stderr)
	}
	r = runCLITest(t, config, nil, "", "request", "--link", "jira2", "--as", "alice", "--output", "json",
		"--json-body", "-d", `{"fields":{}}`, "POST", "/rest/api/2/issue")
	if r.stdout != "" && !json.Valid([]byte(r.stdout)) {
		t.Errorf("stdout is not JSON: %q", r.stdout)
	}
	got := jsonErrorOf(t, r)
	want := jsonError{ExitCode: exitFailure, Kind: kindInsufficientScope, Problem: "insufficient_scope", Status: http.StatusForbidden, Scope: "WRITE"}
	if diff := cmp.Diff(want, got, ignoreProse); diff != "" {
		t.Errorf("JSON error (-want +got):\n%s\nstderr: %s", diff, r.stderr)
	}
	if !strings.Contains(got.Advice, "needs WRITE") {
		t.Errorf("advice %q does not name the scope needed", got.Advice)
	}
}
