package main

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/filestore"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
	"github.com/google/go-cmp/cmp"
)

// signedLines runs sign --link and returns the base string and the
// Authorization header value it printed.
func signedLines(t *testing.T, config string, args ...string) (base, authorization string) {
	t.Helper()
	r := runCLITest(t, config, nil, "", append([]string{"sign"}, args...)...)
	if r.code != 0 {
		t.Fatalf("sign %q: exit %d: %s", args, r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "Authorization: OAuth ") {
		t.Fatalf("sign %q printed %q; want the base string and the Authorization header", args, r.stdout)
	}
	return lines[0], strings.TrimPrefix(lines[1], "Authorization: ")
}

// replay sends method url with the Authorization header (and a form body)
// to the provider, as a remote would receive what the link sends.
func replay(t *testing.T, srv *applinktest.Server, method, url, authorization, form string) (int, []byte, http.Header) {
	t.Helper()
	var body io.Reader
	if form != "" {
		body = strings.NewReader(form)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", authorization)
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// TestSignAsLink: what "sign --link --as" prints is what the link sends as
// the user. Known answer against the provider's verification: its header
// is accepted as is, and with the signature spoiled the provider's own
// base string, echoed with signature_invalid, equals ours.
func TestSignAsLink(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice", "bob", "bot"))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-sign-link", ThreeLO: true, Impersonation: true, TwoLO: true, TwoLOUser: "bot"}, "3lo,2loi,2lo")
	if r := authorizeInBackground(t, config, "jira", "alice"); r.code != 0 {
		t.Fatalf("authorize: %s", r.stderr)
	}
	tests := []struct {
		name   string
		args   []string
		method string
		url    string // as the link sends it, relative to srv.URL
		form   string
		as     string // who the provider ran it as ("" when not replayed whole)
		auth   string
	}{
		{name: "3lo with the stored token", args: []string{"--as", "alice", "GET", "/rest/api/2/myself"},
			method: "GET", url: "/rest/api/2/myself", as: "alice", auth: "3lo"},
		{name: "2loi fallback", args: []string{"--as", "bob", "GET", "/rest/api/2/myself"},
			method: "GET", url: "/rest/api/2/myself?xoauth_requestor_id=bob", as: "bob", auth: "2loi"},
		{name: "2lo asked for", args: []string{"--auth", "2lo", "GET", "/rest/api/2/myself?x=a b"},
			method: "GET", url: "/rest/api/2/myself?x=a%20b", as: "bot", auth: "2lo"},
		{name: "3lo form post", args: []string{"--as", "alice", "POST", "/rest/api/2/issue", "--form", "summary=a&b c"},
			method: "POST", url: "/rest/api/2/issue", form: "summary=a%26b+c", auth: "3lo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"--link", "jira"}, tt.args...)
			r := runCLITest(t, config, nil, "", append([]string{"sign"}, args...)...)
			if want := "with " + tt.auth + "\n"; !strings.HasSuffix(r.stderr, want) {
				t.Errorf("stderr %q does not say it signed with %s", r.stderr, tt.auth)
			}
			if tt.as != "" {
				_, authz := signedLines(t, config, args...)
				status, body, _ := replay(t, srv, tt.method, srv.URL+tt.url, authz, tt.form)
				if status != http.StatusOK {
					t.Fatalf("the printed header replayed: HTTP %d: %s", status, body)
				}
				checkUser(t, string(body), "name", tt.as)
			}

			base, authz := signedLines(t, config, args...)
			params, err := signer.ParseAuthorization(authz)
			if err != nil {
				t.Fatal(err)
			}
			params.Set("oauth_signature", "c3BvaWx0")
			var spoilt []string
			for k, vs := range params {
				for _, v := range vs {
					spoilt = append(spoilt, k+`="`+signer.Encode(v)+`"`)
				}
			}
			status, body, header := replay(t, srv, tt.method, srv.URL+tt.url, "OAuth "+strings.Join(spoilt, ", "), tt.form)
			p := signer.ParseProblem(status, header, body)
			if p == nil || p.Problem != signer.ProblemSignatureInvalid {
				t.Fatalf("spoilt signature: HTTP %d %s: want signature_invalid", status, body)
			}
			if p.SignatureBaseString.Reveal() != base {
				t.Errorf("base strings differ:\nours:   %s\nremote: %s", base, p.SignatureBaseString.Reveal())
			}
		})
	}

	// The token secret never shows.
	store, err := filestore.Open(filepath.Join(filepath.Dir(config), "tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := store.AccessTokens(t.Context())
	if err != nil || len(keys) != 1 {
		t.Fatalf("tokens: %v %v", keys, err)
	}
	tok, err := store.AccessToken(t.Context(), keys[0])
	if err != nil {
		t.Fatal(err)
	}
	r := runCLITest(t, config, nil, "", "sign", "--link", "jira", "--as", "alice", "GET", "/rest/api/2/myself")
	if tok.Secret.Reveal() == "" || strings.Contains(r.stdout+r.stderr, tok.Secret.Reveal()) {
		t.Errorf("sign --link shows the token secret (or there is none): %q", r.stdout+r.stderr)
	}
	r = runCLITest(t, config, nil, "", "sign", "--link", "jira", "--as", "alice", "--json", "GET", "/rest/api/2/myself")
	var got signed
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || got.Auth != applink.Auth3LO ||
		!strings.HasPrefix(got.BaseString, "GET&") || !strings.HasPrefix(got.Authorization, "OAuth ") {
		t.Errorf("sign --link --json: %v: %q", err, r.stdout)
	}
}

func TestSignAsLinkErrors(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-sign-errors", ThreeLO: true}, "3lo")
	for _, args := range [][]string{
		{"sign", "--link", "jira", "--consumer-key", "k", "GET", "/x"},
		{"sign", "--as", "alice", "--consumer-key", "k", "--secret-env", "S", "GET", "https://example.com/x"},
		{"sign", "--link", "jira", "--auth", "2loi", "GET", "/x"},
		{"sign", "--link", "jira", "--auth", "anonymous", "GET", "/x"},
	} {
		checkOneLineError(t, runCLITest(t, config, nil, "", args...), exitUsage)
	}
	// alice has no token: credentials required, as a request says.
	r := runCLITest(t, config, nil, "", "sign", "--link", "jira", "--as", "alice", "GET", "/rest/api/2/myself")
	if r.code != exitCredentials {
		t.Errorf("sign as a user without a token: exit %d, want %d: %s", r.code, exitCredentials, r.stderr)
	}
}

func TestSignJSON(t *testing.T) {
	t.Parallel()
	r := runCLITest(t, "", map[string]string{"CS": "j49sk3j29djd"}, "", "sign", "GET", "http://EXAMPLE.com:80/x", "--consumer-key", "k", "--secret-env", "CS",
		"--callback", "oob", "--nonce", "n", "--timestamp", "1700000000", "--json")
	var got signed
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 {
		t.Fatalf("sign --json: exit %d, %v: %q %q", r.code, err, r.stdout, r.stderr)
	}
	want := signed{
		BaseString:    "GET&http%3A%2F%2Fexample.com%2Fx&oauth_callback%3Doob%26oauth_consumer_key%3Dk%26oauth_nonce%3Dn%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1700000000%26oauth_version%3D1.0",
		Authorization: `OAuth oauth_callback="oob", oauth_consumer_key="k", oauth_nonce="n", oauth_signature="jyQ8%2Fb7Ml5f%2FKeXQosK%2BXJgeGro%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1700000000", oauth_version="1.0"`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sign --json (-want +got):\n%s", diff)
	}
}

// TestSignAsLinkDeterministic: sign --link takes --nonce and --timestamp, as
// docs/command.md says, and then prints the same lines every time.
func TestSignAsLinkDeterministic(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-sign-nonce", TwoLO: true}, "2lo")
	args := []string{"--link", "jira", "--auth", "2lo", "--nonce", "abc", "--timestamp", "1700000000", "GET", "/rest/api/2/myself"}
	base1, auth1 := signedLines(t, config, args...)
	base2, auth2 := signedLines(t, config, args...)
	if base1 != base2 || auth1 != auth2 {
		t.Errorf("two runs differ:\n%s\n%s\n%s\n%s", base1, auth1, base2, auth2)
	}
	for _, want := range []string{"oauth_nonce%3Dabc", "oauth_timestamp%3D1700000000"} {
		if !strings.Contains(base1, want) {
			t.Errorf("base string %q lacks %s", base1, want)
		}
	}
	if !strings.Contains(auth1, `oauth_nonce="abc"`) {
		t.Errorf("Authorization %q lacks the nonce", auth1)
	}
}
