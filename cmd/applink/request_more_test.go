package main

import (
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/google/go-cmp/cmp"
)

func TestWithRawQuery(t *testing.T) {
	t.Parallel()
	tests := []struct{ target, raw, want string }{
		{"/x", "", "/x"},
		{"/x", "a=1&b=two words", "/x?a=1&b=two words"},
		{"/x?a=1", "b=2", "/x?a=1&b=2"},
		{"/x?", "b=2", "/x?b=2"},
		{"/x?a=1&", "b=2", "/x?a=1&b=2"},
	}
	for _, tt := range tests {
		if got := withRawQuery(tt.target, tt.raw); got != tt.want {
			t.Errorf("withRawQuery(%q, %q) = %q, want %q", tt.target, tt.raw, got, tt.want)
		}
	}
}

// echoQuery registers a search resource that answers the raw query it got
// and its parameters, decoded.
func echoQuery(srv *applinktest.Server) {
	srv.Handle("GET /rest/api/2/search", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"raw": r.URL.RawQuery, "params": r.URL.Query(), "user": applinktest.User(r)})
	}))
}

func TestRequestQuery(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("bob"))
	echoQuery(srv)
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-query", Impersonation: true}, "2loi")
	tests := []struct {
		name   string
		args   []string
		raw    string
		params map[string][]string
	}{
		{
			// The case: raw spaces went out and Tomcat said 400.
			name: "spaces in the path's query", args: []string{"GET", "/rest/api/2/search?jql=project = X"},
			raw: "jql=project%20=%20X&xoauth_requestor_id=bob", params: map[string][]string{"jql": {"project = X"}, "xoauth_requestor_id": {"bob"}},
		},
		{
			name: "--query, encoded once", args: []string{"GET", "/rest/api/2/search", "--query", "jql=project = X AND summary ~ \"a&b\"", "--query", "maxResults=5"},
			raw:    "jql=project%20%3D%20X%20AND%20summary%20~%20%22a%26b%22&maxResults=5&xoauth_requestor_id=bob",
			params: map[string][]string{"jql": {`project = X AND summary ~ "a&b"`}, "maxResults": {"5"}, "xoauth_requestor_id": {"bob"}},
		},
		{
			name: "-G with --form and -d", args: []string{"GET", "/rest/api/2/search?a=1", "-G", "--form", "fields=key,summary", "--form", "q=x y"},
			raw:    "a=1&fields=key%2Csummary&q=x%20y&xoauth_requestor_id=bob",
			params: map[string][]string{"a": {"1"}, "fields": {"key,summary"}, "q": {"x y"}, "xoauth_requestor_id": {"bob"}},
		},
		{
			name: "non-ASCII and quotes in the path", args: []string{"GET", `/rest/api/2/search?jql=summary ~ "Grüße"`},
			raw:    "jql=summary%20~%20%22Gr%C3%BC%C3%9Fe%22&xoauth_requestor_id=bob",
			params: map[string][]string{"jql": {`summary ~ "Grüße"`}, "xoauth_requestor_id": {"bob"}},
		},
		{
			name: "-G with -d", args: []string{"GET", "/rest/api/2/search", "-G", "-d", "jql=a b&n=1"},
			raw:    "jql=a%20b&n=1&xoauth_requestor_id=bob",
			params: map[string][]string{"jql": {"a b"}, "n": {"1"}, "xoauth_requestor_id": {"bob"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLITest(t, config, nil, "", append([]string{"request", "--link", "jira", "--as", "bob"}, tt.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			var got struct {
				Raw    string
				Params map[string][]string
				User   string
			}
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatalf("%v: %q", err, r.stdout)
			}
			if diff := cmp.Diff(tt.raw, got.Raw); diff != "" {
				t.Errorf("query as sent (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.params, got.Params); diff != "" {
				t.Errorf("query parameters (-want +got):\n%s", diff)
			}
			if got.User != "bob" {
				t.Errorf("ran as %q, want bob (the signature covered the query)", got.User)
			}
		})
	}
	checkOneLineError(t, runCLITest(t, config, nil, "", "request", "--link", "jira", "--as", "bob", "GET", "/x", "--query", "novalue"), exitUsage)
}

func TestRequestFallbackNote(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice", "bob", "bot"))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-fallback", ThreeLO: true, Impersonation: true, TwoLO: true, TwoLOUser: "bot"}, "3lo,2loi")
	dir := filepath.Dir(config)
	if r := runCLITest(t, config, nil, "", "link", "add", "jira2lo", "--url", srv.URL, "--type", "jira",
		"--consumer-key", "cli-fallback", "--private-key", filepath.Join(dir, "applink.pem"), "--auth", "2lo"); r.code != 0 {
		t.Fatalf("link add: %s", r.stderr)
	}
	if r := authorizeInBackground(t, config, "jira", "alice"); r.code != 0 {
		t.Fatalf("authorize: %s", r.stderr)
	}
	tests := []struct {
		name string
		args []string
		note string // "" for none
	}{
		{name: "2loi", args: []string{"--link", "jira", "--as", "bob"},
			note: `applink: bob has no 3LO token for link "jira": using 2LOi (impersonating bob, which the remote must allow); run 'applink authorize --link jira --user bob' to use 3LO, or pass --auth 3lo to refuse anything else` + "\n"},
		{name: "2lo", args: []string{"--link", "jira2lo", "--as", "bob"},
			note: `applink: link "jira2lo" cannot act as a user (its methods: 2lo): using 2LO, which acts as the remote's execute-as user, not as bob` + "\n"},
		{name: "quiet", args: []string{"--link", "jira", "--as", "bob", "-q"}},
		{name: "3lo token", args: []string{"--link", "jira", "--as", "alice"}},
		{name: "asked for 2loi", args: []string{"--link", "jira", "--as", "bob", "--auth", "2loi"}},
		{name: "anonymous", args: []string{"--link", "jira"}},
	}
	// --auth 3lo forbids the fallback: credentials required, exit 3.
	r := runCLITest(t, config, nil, "", "request", "--link", "jira", "--as", "bob", "--auth", "3lo", "GET", "/rest/api/2/myself")
	if r.code != exitCredentials || strings.Contains(r.stdout, "bob") {
		t.Errorf("--auth 3lo without a token: exit %d, stdout %q; want 3 and nothing", r.code, r.stdout)
	}
	// -v names the method used, and the library's log line says it fell back.
	r = runCLITest(t, config, nil, "", "request", "--link", "jira", "--as", "bob", "-v", "GET", "/rest/api/2/myself")
	for _, want := range []string{`* sent with 2loi as "bob"`, "falling back from 3LO to 2LOi"} {
		if r.code != 0 || !strings.Contains(r.stderr, want) {
			t.Errorf("-v: exit %d, stderr lacks %q:\n%s", r.code, want, r.stderr)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLITest(t, config, nil, "", append(append([]string{"request"}, tt.args...), "GET", "/rest/applinks/1.0/manifest")...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if diff := cmp.Diff(tt.note, r.stderr); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRequestVerboseRetries(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t)
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-retry"}, "3lo")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	if r := runCLITest(t, config, nil, "", "link", "add", "down", "--url", closed, "--type", "jira",
		"--consumer-key", "k", "--private-key", filepath.Join(filepath.Dir(config), "applink.pem"), "--auth", "anonymous"); r.code != 0 {
		t.Fatalf("link add: %s", r.stderr)
	}
	r := runCLITest(t, config, nil, "", "request", "--link", "down", "-v", "GET", "/rest/api/2/serverInfo")
	if r.code != exitFailure {
		t.Fatalf("exit %d, want 1: %s", r.code, r.stderr)
	}
	retries := regexp.MustCompile(`(?m)^\* retrying a request .*attempt=(\d) max_attempts=4 .*after="?[^\n]*connection refused`).FindAllStringSubmatch(r.stderr, -1)
	var attempts []string
	for _, m := range retries {
		attempts = append(attempts, m[1])
	}
	if diff := cmp.Diff([]string{"2", "3", "4"}, attempts); diff != "" {
		t.Errorf("retry lines (-want +got):\n%s\nstderr:\n%s", diff, r.stderr)
	}
	last := r.stderr[strings.LastIndex(strings.TrimSuffix(r.stderr, "\n"), "\n")+1:]
	if !strings.HasPrefix(last, "applink: ") || !strings.Contains(last, "after 4 attempts") {
		t.Errorf("the final error does not give the attempt count: %q", last)
	}
	// Without -v: no retry lines, the count still in the one-line error.
	r = runCLITest(t, config, nil, "", "request", "--link", "down", "GET", "/rest/api/2/serverInfo")
	checkOneLineError(t, r, exitFailure)
	if !strings.Contains(r.stderr, "after 4 attempts") {
		t.Errorf("error %q lacks the attempt count", r.stderr)
	}
}

func TestAuthorizationSummary(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, header, want string
		secrets            []string
	}{
		{
			name:    "3lo",
			header:  `OAuth oauth_consumer_key="jira-app", oauth_token="a1b2c3d4e5f6g7h8", oauth_signature_method="RSA-SHA1", oauth_timestamp="1700000000", oauth_nonce="abc", oauth_version="1.0", oauth_signature="c2lnbmF0dXJlc2lnbmF0dXJl"`,
			want:    `OAuth oauth_consumer_key=jira-app, oauth_nonce=abc, oauth_signature=c2ln…, oauth_signature_method=RSA-SHA1, oauth_timestamp=1700000000, oauth_token=a1b2…, oauth_version=1.0`,
			secrets: []string{"a1b2c3d4e5f6g7h8", "c2lnbmF0dXJlc2lnbmF0dXJl"},
		},
		{
			name:    "access-token exchange and renewal",
			header:  `OAuth oauth_consumer_key="k", oauth_token="rt", oauth_verifier="VERIFIER-SECRET", oauth_session_handle="HANDLE-SECRET", oauth_body_hash="x", xoauth_requestor_id="bob"`,
			want:    `OAuth oauth_body_hash=REDACTED, oauth_consumer_key=k, oauth_session_handle=REDACTED, oauth_token=rt, oauth_verifier=REDACTED, xoauth_requestor_id=bob`,
			secrets: []string{"VERIFIER-SECRET", "HANDLE-SECRET"},
		},
		{name: "2lo", header: `OAuth oauth_consumer_key="k", oauth_token=""`, want: `OAuth oauth_consumer_key=k, oauth_token=""`},
		{name: "bearer", header: "Bearer BEARER-SECRET", want: "Bearer REDACTED", secrets: []string{"BEARER-SECRET"}},
		{name: "basic", header: "Basic YWxpY2U6cGFzc3dvcmQ=", secrets: []string{"YWxpY2U6cGFzc3dvcmQ="}},
	}
	for _, tt := range tests {
		got := authorizationSummary(tt.header)
		if tt.want != "" && got != tt.want {
			t.Errorf("%s: authorizationSummary = %q, want %q", tt.name, got, tt.want)
		}
		for _, s := range tt.secrets {
			if strings.Contains(got, s) {
				t.Errorf("%s: %q shows %q", tt.name, got, s)
			}
		}
	}
}
