package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// jsonErrorOf asserts that stderr is exactly one JSON object on one line and
// returns it.
func jsonErrorOf(t *testing.T, r result) jsonError {
	t.Helper()
	if strings.Count(r.stderr, "\n") != 1 || !strings.HasSuffix(r.stderr, "\n") {
		t.Fatalf("stderr is not one line: %q", r.stderr)
	}
	var je jsonError
	dec := json.NewDecoder(strings.NewReader(r.stderr))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&je); err != nil {
		t.Fatalf("stderr is not the JSON error object: %v: %q", err, r.stderr)
	}
	if je.ExitCode != r.code {
		t.Errorf("exitCode %d, but the exit code is %d", je.ExitCode, r.code)
	}
	if je.Message == "" {
		t.Error("no message")
	}
	return je
}

// ignoreProse leaves out what is prose or varies (URLs, tokens, commands).
var ignoreProse = cmpopts.IgnoreFields(jsonError{}, "Message", "Advice", "AuthorizationURL", "RequestToken", "AuthorizeCommand")

func TestJSONErrors(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice", "bob"))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-json", ThreeLO: true}, "3lo")

	// A link whose remote does not know its consumer key, and one nobody
	// listens at.
	dir := filepath.Dir(config)
	if r := runCLITest(t, config, nil, "", "link", "add", "stranger", "--url", srv.URL, "--type", "jira",
		"--consumer-key", "nobody-knows-me", "--private-key", filepath.Join(dir, "applink.pem"), "--auth", "2lo"); r.code != 0 {
		t.Fatalf("link add: %s", r.stderr)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	if r := runCLITest(t, config, nil, "", "link", "add", "down", "--url", closed, "--type", "jira",
		"--consumer-key", "k", "--private-key", filepath.Join(dir, "applink.pem"), "--auth", "2lo"); r.code != 0 {
		t.Fatalf("link add: %s", r.stderr)
	}

	tests := []struct {
		name   string
		args   []string
		want   jsonError
		advice string // a phrase the advice contains
	}{
		{name: "usage", args: []string{"request", "--json", "--link", "jira", "GET"},
			want: jsonError{ExitCode: exitUsage, Kind: kindUsage}},
		{name: "usage before --json is parsed", args: []string{"tokens", "list", "--bogus", "--json"},
			want: jsonError{ExitCode: exitUsage, Kind: kindUsage}},
		{name: "http status", args: []string{"request", "--json", "--link", "jira", "GET", "/rest/applinks/1.0/nothing"},
			want: jsonError{ExitCode: exitFailure, Kind: kindHTTPStatus, Status: http.StatusNotFound}},
		{name: "oauth problem", args: []string{"request", "--json", "--link", "stranger", "--auth", "2lo", "GET", "/rest/api/2/myself"},
			want:   jsonError{ExitCode: exitFailure, Kind: kindOAuthProblem, Problem: "consumer_key_unknown", Status: http.StatusUnauthorized},
			advice: "add one (Jira: Application Links → Incoming Authentication"},
		// Anonymous (no --as): a 401 says so, and to give --as.
		{name: "anonymous 401", args: []string{"request", "--json", "--link", "jira", "GET", "/rest/api/2/myself"},
			want:   jsonError{ExitCode: exitFailure, Kind: kindHTTPStatus, Status: http.StatusUnauthorized},
			advice: "the request was anonymous (no --as): the remote wants a user: give --as USER"},
		{name: "network", args: []string{"request", "--json", "--link", "down", "GET", "/rest/api/2/myself"},
			want: jsonError{ExitCode: exitFailure, Kind: kindNetwork, Attempts: 4}},
		{name: "other", args: []string{"tokens", "revoke", "--json", "--link", "nowhere", "--user", "alice"},
			want: jsonError{ExitCode: exitFailure, Kind: kindOther}},
		{name: "doctor", args: []string{"doctor", "--json", "--link", "nowhere"},
			want: jsonError{ExitCode: exitFailure, Kind: kindOther}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLITest(t, config, nil, "", tt.args...)
			got := jsonErrorOf(t, r)
			if diff := cmp.Diff(tt.want, got, ignoreProse); diff != "" {
				t.Errorf("JSON error (-want +got):\n%s\nstderr: %s", diff, r.stderr)
			}
			if !strings.Contains(got.Advice, tt.advice) {
				t.Errorf("advice %q lacks %q", got.Advice, tt.advice)
			}
		})
	}
}

// The out-of-band recipe of docs/setup.md (Jenkins), as a script runs it: the exit-3 JSON
// gives the URL and request token, an approval over HTTP gives the code,
// and authorize --oob --request-token finishes, answering JSON.
func TestJSONCredentialsRequiredRecipe(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithShape(applinktest.Jenkins), applinktest.WithUsers("alice"))
	config := setupJenkinsLink(t, srv)

	r := runCLITest(t, config, nil, "", "request", "--link", "ci", "--as", "alice", "--json", "GET", "/me/api/json")
	je := jsonErrorOf(t, r)
	want := jsonError{ExitCode: exitCredentials, Kind: kindCredentialsRequired, Link: "ci", User: "alice"}
	if diff := cmp.Diff(want, je, ignoreProse); diff != "" {
		t.Fatalf("JSON error (-want +got):\n%s", diff)
	}
	if strings.Contains(r.stderr, `\u0026`) {
		t.Errorf("the JSON escapes & in URLs: %s", r.stderr)
	}
	u, err := url.Parse(je.AuthorizationURL)
	if err != nil || !strings.HasPrefix(je.AuthorizationURL, srv.URL+"/bbs-oauth/authorize?") || u.Query().Get("oauth_token") != je.RequestToken || je.RequestToken == "" {
		t.Fatalf("authorizationUrl %q and requestToken %q do not go together", je.AuthorizationURL, je.RequestToken)
	}
	if wantCmd := "applink authorize --link ci --user alice --oob --request-token " + shellQuote(je.RequestToken); je.AuthorizeCommand != wantCmd {
		t.Errorf("authorizeCommand %q, want %q", je.AuthorizeCommand, wantCmd)
	}

	body, _ := approveOOBOverHTTP(t, je.AuthorizationURL, "alice")
	r = runCLITest(t, config, nil, body+"\n", "authorize", "--link", "ci", "--user", "alice", "--oob", "--request-token", je.RequestToken, "--json")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("authorize --json: exit %d, stderr %q", r.code, r.stderr)
	}
	var got authorized
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("authorize --json stdout: %v: %q", err, r.stdout)
	}
	if got.Link != "ci" || got.User != "alice" || got.Auth != "3lo" || got.LinkID == "" {
		t.Errorf("authorize --json = %+v", got)
	}
	r = runCLITest(t, config, nil, "", "request", "--link", "ci", "--as", "alice", "--json", "GET", "/me/api/json")
	if r.code != 0 {
		t.Fatalf("request after the dance: exit %d: %s", r.code, r.stderr)
	}
	checkUser(t, r.stdout, "id", "alice")
}
