package advice

import (
	"strings"
	"testing"
)

func TestRepeated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ msg, want string }{
		{`applink: link "x": POST /t: dial tcp: connection refused: check the link's RPC URL and that the remote is up: check the link's RPC URL (applink link show) and that the remote is up`, "check the link's rpc url"},
		{`applink: link "Jira": obtaining a request token: give a path: give a path`, "give a path"},
		{`applink: link "Jira": rpcUrl: "https://jira" has no host; link "Jira" again at https://jira`, ""},
		{`applink: /etc/applink/config.json: link "a": id: missing: give the link a UUID`, ""},
	} {
		if got := Repeated(tc.msg); !strings.HasPrefix(got, tc.want) || (tc.want == "") != (got == "") {
			t.Errorf("Repeated(%q) = %q, want %q", tc.msg, got, tc.want)
		}
	}
}

func TestAndList(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		words []string
		want  string
	}{
		{nil, ""},
		{[]string{"scheme"}, "scheme"},
		{[]string{"scheme", "host"}, "scheme and host"},
		{[]string{"scheme", "host", "port"}, "scheme, host and port"},
	} {
		if got := andList(tc.words); got != tc.want {
			t.Errorf("andList(%q) = %q, want %q", tc.words, got, tc.want)
		}
	}
}

// TestSignature: the advice for signature_invalid follows from the two
// base strings; none when the remote echoed none.
func TestSignature(t *testing.T) {
	t.Parallel()
	const ours = "GET&https%3A%2F%2Fjira.example%2Frest%2Fapi%2F2%2Fmyself&oauth_consumer_key%3Dk%26oauth_token%3D"
	for _, tc := range []struct{ name, theirs, want string }{
		{"same: wrong key", ours, "another key"},
		{"proxy", "GET&http%3A%2F%2Fjira.internal%3A8080%2Frest%2Fapi%2F2%2Fmyself&oauth_consumer_key%3Dk%26oauth_token%3D", "scheme, host and port than the link's rpcUrl"},
		{"method", "HEAD&https%3A%2F%2Fjira.example%2Frest%2Fapi%2F2%2Fmyself&oauth_consumer_key%3Dk%26oauth_token%3D", "GET → HEAD"},
		{"parameters", "GET&https%3A%2F%2Fjira.example%2Frest%2Fapi%2F2%2Fmyself&a%3D1%26oauth_consumer_key%3Dk%26oauth_token%3D", "a (only the remote's)"},
	} {
		if got := Signature(ours, tc.theirs); !strings.Contains(got, tc.want) {
			t.Errorf("%s: Signature = %q, want it to say %q", tc.name, got, tc.want)
		}
	}
	if got := Signature(ours, ""); got != "" {
		t.Errorf("Signature without the remote's = %q, want \"\"", got)
	}
}

// TestPermissionDenied: 2LO and 2LOi name the box to tick; other methods
// have no advice of their own.
func TestPermissionDenied(t *testing.T) {
	t.Parallel()
	if got := PermissionDenied("2loi"); !strings.Contains(got, "Allow user impersonation through 2-Legged OAuth") {
		t.Errorf("PermissionDenied(2loi) = %q", got)
	}
	if got := PermissionDenied("2lo"); !strings.Contains(got, `"Allow 2-Legged OAuth"`) {
		t.Errorf("PermissionDenied(2lo) = %q", got)
	}
	if got := PermissionDenied("3lo"); got != "" {
		t.Errorf("PermissionDenied(3lo) = %q, want \"\"", got)
	}
}

// TestOAuth1: every piece of advice is a clause (lower case, no final
// period); an unknown problem has none.
func TestOAuth1(t *testing.T) {
	t.Parallel()
	for problem, a := range oauth1 {
		if a == "" || strings.HasSuffix(a, ".") || strings.ToLower(a[:1]) != a[:1] {
			t.Errorf("advice for %s = %q: want a clause, lower case, without a final period", problem, a)
		}
	}
	if OAuth1("no_such_problem") != "" {
		t.Error("advice for an unknown problem")
	}
}

// TestTimestampRefused: the advice names the range the remote accepts, in
// UTC.
func TestTimestampRefused(t *testing.T) {
	t.Parallel()
	got := TimestampRefused(1796630400, 1796631000)
	if !strings.Contains(got, "(2026-12-07T08:00:00Z to 2026-12-07T08:10:00Z)") || !strings.Contains(got, "NTP") {
		t.Errorf("TimestampRefused = %q", got)
	}
}

// TestOAuth2: each OAuth 2.0 code with advice gets its own, refined by the
// step and the scope; a code without advice gets none.
func TestOAuth2(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, code, step, description, scope string
		want                                 string // a part of the advice; "" for none
	}{
		{"invalid client", "invalid_client", "exchanging the code", "", "", "check the client id and secret"},
		{"refresh spent", "invalid_grant", "refreshing the access token", "", "", "the refresh token is spent"},
		{"grant described", "invalid_grant", "refreshing the access token", "expired", "", "the grant is no longer valid"},
		{"invalid scope", "invalid_scope", "exchanging the code", "", "", "oauth2.scopes"},
		{"scope named", "insufficient_scope", "", "", "WRITE", "it needs WRITE"},
		{"scope unnamed", "insufficient_scope", "", "", "", "it needs a wider scope"},
		{"no client credentials", "unsupported_grant_type", "getting a client credentials token", "", "", "does not offer client_credentials"},
		{"unsupported elsewhere", "unsupported_grant_type", "exchanging the code", "", "", ""},
		{"unknown", "temporarily_unavailable", "", "", "", ""},
	} {
		got := OAuth2(tc.code, tc.step, tc.description, tc.scope)
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%s: OAuth2(%q, %q, %q, %q) = %q, want it to say %q", tc.name, tc.code, tc.step, tc.description, tc.scope, got, tc.want)
		}
	}
}
