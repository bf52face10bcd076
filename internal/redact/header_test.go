package redact

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHeader(t *testing.T) {
	t.Parallel()
	in := http.Header{
		"Authorization":       {`OAuth oauth_consumer_key="k", oauth_token="t", oauth_signature="s"`},
		"Proxy-Authorization": {"Basic Ym9iOnB3"},
		"Cookie":              {"JSESSIONID=abc; seraph.rememberme.cookie=xyz"},
		"Set-Cookie":          {"JSESSIONID=abc; Path=/; HttpOnly", "atlassian.xsrf.token=def; Secure"},
		"X-Auth-Token":        {"tok"},
		"Jenkins-Crumb":       {"crumb123"},
		"X-Api-Key":           {"k1"},
		"X-Atlassian-Token":   {"no-check"},
		"Location":            {"https://jira/cb?oauth_verifier=v&x=1"},
		"Www-Authenticate": {`OAuth realm="https%3A%2F%2Fjira", oauth_problem="signature_invalid", ` +
			`oauth_signature="sig=", oauth_signature_method="RSA-SHA1", ` +
			`oauth_signature_base_string="POST%26https%253A%252F%252Fjira%252Fplugins%252Fservlet%252Foauth%252Faccess-token%26oauth_session_handle%253Dh77%2526oauth_token%253Dt%2526oauth_verifier%253Dv123", oauth_session_handle="h77"`},
		"Content-Type": {"application/json"},
		"X-Trace":      {"1", "2"},
	}
	want := http.Header{
		"Authorization":       {"OAuth REDACTED"},
		"Proxy-Authorization": {"Basic REDACTED"},
		"Cookie":              {"JSESSIONID=REDACTED; seraph.rememberme.cookie=REDACTED"},
		"Set-Cookie":          {"JSESSIONID=REDACTED; Path=/; HttpOnly", "atlassian.xsrf.token=REDACTED; Secure"},
		"X-Auth-Token":        {"REDACTED"},
		"Jenkins-Crumb":       {"REDACTED"},
		"X-Api-Key":           {"REDACTED"},
		"X-Atlassian-Token":   {"no-check"},
		"Location":            {"https://jira/cb?oauth_verifier=REDACTED&x=1"},
		"Www-Authenticate": {`OAuth realm="https%3A%2F%2Fjira", oauth_problem="signature_invalid", ` +
			`oauth_signature="REDACTED", oauth_signature_method="RSA-SHA1", ` +
			`oauth_signature_base_string="POST%26https%253A%252F%252Fjira%252Fplugins%252Fservlet%252Foauth%252Faccess-token%26oauth_session_handle%253DREDACTED%2526oauth_token%253Dt%2526oauth_verifier%253DREDACTED", oauth_session_handle="REDACTED"`},
		"Content-Type": {"application/json"},
		"X-Trace":      {"1", "2"},
	}
	orig := in.Clone()
	got := Header(in)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Header mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(orig, in); diff != "" {
		t.Errorf("Header modified its argument (-before +after):\n%s", diff)
	}
	if Header(nil) != nil {
		t.Error("Header(nil) != nil")
	}
}

func TestHeaderValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, header, in, want string
	}{
		{"authorization without scheme", "Authorization", "secretvalue", "REDACTED"},
		{"authorization empty", "Authorization", "", ""},
		{"authorization odd scheme", "Authorization", `"x y`, "REDACTED"},
		{"cookie bare value", "Cookie", "abc", " REDACTED"},
		{"set-cookie no equals", "Set-Cookie", "abc; Path=/", "=REDACTED; Path=/"},
		{"challenge unquoted", "WWW-Authenticate", "OAuth oauth_problem=token_expired, oauth_token=t", "OAuth oauth_problem=token_expired, oauth_token=REDACTED"},
		{"challenge unterminated quote", "WWW-Authenticate", `OAuth oauth_token="t`, "OAuth oauth_token=REDACTED"},
		{"challenge garbage", "WWW-Authenticate", "OAuth ??? oauth_token=t", "OAuth REDACTED"},
		{"challenge escaped quote", "WWW-Authenticate", `Basic realm="a\"b", oauth_token="x\"y"`, `Basic realm="a\"b", oauth_token="REDACTED"`},
		{"sensitive lower-case name", "x-session-id", "s1", "REDACTED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Header(http.Header{tt.header: {tt.in}})[tt.header][0]
			if got != tt.want {
				t.Errorf("Header(%s: %q) = %q, want %q", tt.header, tt.in, got, tt.want)
			}
		})
	}
}

// FuzzHeader checks that no input panics and that a sensitive header's
// value, or a credential after an Authorization scheme, never survives.
func FuzzHeader(f *testing.F) {
	f.Add("X-Auth-Token", "secret-value-123")
	f.Add("Authorization", "OAuth oauth_signature=\"abcdefgh\"")
	f.Add("WWW-Authenticate", `OAuth oauth_problem="x", oauth_token="abcdefgh"`)
	f.Add("Cookie", "a=abcdefgh; b=c")
	f.Add("Set-Cookie", "a=abcdefgh; Path=/")
	f.Fuzz(func(t *testing.T, name, value string) {
		got := Header(http.Header{name: {value}})[name][0]
		secret := len(value) >= 8 && !strings.Contains(Mask, value) && !strings.EqualFold(strings.TrimSpace(value), "no-check")
		switch http.CanonicalHeaderKey(name) {
		case "Authorization", "Proxy-Authorization":
			if _, cred, ok := strings.Cut(strings.TrimSpace(value), " "); ok && len(cred) >= 8 && strings.Contains(got, cred) {
				t.Errorf("Header(%s: %q) = %q: credential kept", name, value, got)
			}
		case "Www-Authenticate", "Proxy-Authenticate", "Authentication-Info", "Cookie", "Set-Cookie",
			"Location", "Content-Location", "Referer":
		default:
			if Sensitive(name) && secret && strings.Contains(got, value) {
				t.Errorf("Header(%s: %q) = %q: value kept", name, value, got)
			}
		}
	})
}
