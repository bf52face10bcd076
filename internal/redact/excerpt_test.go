package redact

import (
	"strings"
	"testing"
)

func TestExcerpt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain text", "Not Found", "Not Found"},
		{"html", "<html><body>token=abc</body></html>", "<html><body>token=abc</body></html>"},
		{
			"token endpoint form",
			"oauth_token=t1&oauth_token_secret=s1&oauth_expires_in=157680000&oauth_session_handle=h1",
			"oauth_token=REDACTED&oauth_token_secret=REDACTED&oauth_expires_in=157680000&oauth_session_handle=REDACTED",
		},
		{
			"problem form with base string",
			"oauth_problem=signature_invalid&oauth_signature_method=RSA-SHA1&oauth_signature_base_string=GET%26u%26oauth_verifier%253Dv1",
			"oauth_problem=signature_invalid&oauth_signature_method=RSA-SHA1&oauth_signature_base_string=GET%26u%26oauth_verifier%253DREDACTED",
		},
		{
			"json",
			`{"access_token": "a1", "expires_in": 3600, "refresh_token":"r1", "name":"bob", "nested": {"client_secret": "c"}, "apiKey": 12345}`,
			`{"access_token": "REDACTED", "expires_in": 3600, "refresh_token":"REDACTED", "name":"bob", "nested": {"client_secret": "REDACTED"}, "apiKey": REDACTED}`,
		},
		{"json cut off", `{"password": "hunt`, `{"password": "REDACTED"`},
		{"json escaped quote", `{"token": "a\"b", "x": "y"}`, `{"token": "REDACTED", "x": "y"}`},
		{"json errors kept", `{"errorMessages":["Issue does not exist"],"errors":{}}`, `{"errorMessages":["Issue does not exist"],"errors":{}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Excerpt(tt.in); got != tt.want {
				t.Errorf("Excerpt(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzExcerpt checks that no input panics and that a secret placed as a JSON
// member or a form value never survives.
func FuzzExcerpt(f *testing.F) {
	f.Add("prefix", "s3cr3t-value")
	f.Add(`{"a":1,`, "xyzxyzxyz")
	f.Fuzz(func(t *testing.T, prefix, secret string) {
		_ = Excerpt(prefix + secret)
		if len(secret) < 6 || strings.ContainsAny(secret, "\"\\&;=,}] \t\r\n{[<%+") || strings.Contains(prefix, secret) ||
			strings.Contains(Mask, secret) {
			return
		}
		for _, in := range []string{
			`{"oauth_token_secret": "` + secret + `"}`,
			"oauth_token_secret=" + secret + "&x=1",
		} {
			if got := Excerpt(in); strings.Contains(got, secret) {
				t.Errorf("Excerpt(%q) = %q: secret kept", in, got)
			}
		}
	})
}
