package redact

import (
	"strings"
	"testing"
)

func TestBaseString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{
			"access token request",
			"POST&https%3A%2F%2Fjira%2Fplugins%2Fservlet%2Foauth%2Faccess-token&oauth_consumer_key%3Dk%26oauth_nonce%3Dn%26oauth_signature_method%3DRSA-SHA1%26oauth_timestamp%3D1%26oauth_token%3Dt%26oauth_verifier%3Dv123%26oauth_version%3D1.0",
			"POST&https%3A%2F%2Fjira%2Fplugins%2Fservlet%2Foauth%2Faccess-token&oauth_consumer_key%3Dk%26oauth_nonce%3Dn%26oauth_signature_method%3DRSA-SHA1%26oauth_timestamp%3D1%26oauth_token%3Dt%26oauth_verifier%3DREDACTED%26oauth_version%3D1.0",
		},
		{
			"nothing secret is unchanged byte for byte",
			"GET&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26oauth_token%3Dkkk9d7dh3k39sjv7%26xoauth_requestor_id%3Dbob",
			"GET&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26oauth_token%3Dkkk9d7dh3k39sjv7%26xoauth_requestor_id%3Dbob",
		},
		{
			"signature, token secret and a non-oauth key",
			"GET&http%3A%2F%2Fh%2F&api_key%3Dk1%26oauth_signature%3Dabc%253D%26oauth_token_secret%3Dts",
			"GET&http%3A%2F%2Fh%2F&api_key%3DREDACTED%26oauth_signature%3DREDACTED%26oauth_token_secret%3DREDACTED",
		},
		{
			"password in URL part",
			"GET&https%3A%2F%2Fbob%3Apw%40h%2F&a%3Db",
			"GET&https%3A%2F%2Fbob%3AREDACTED%40h%2F&a%3Db",
		},
		{
			"renewal: session handle",
			"POST&https%3A%2F%2Fjira%2Fplugins%2Fservlet%2Foauth%2Faccess-token&oauth_consumer_key%3Dk%26oauth_session_handle%3DH123%26oauth_token%3Dt",
			"POST&https%3A%2F%2Fjira%2Fplugins%2Fservlet%2Foauth%2Faccess-token&oauth_consumer_key%3Dk%26oauth_session_handle%3DREDACTED%26oauth_token%3Dt",
		},
		{"wrong shape, session handle", "x&oauth_session_handle%253DH1%2526a", "x&oauth_session_handle%253DREDACTED%2526a"},
		{"empty", "", ""},
		{"wrong shape, plain", "oauth_verifier=v123&oauth_token=t", "oauth_verifier=REDACTED&oauth_token=t"},
		{"wrong shape, encoded twice", "a&b&c&oauth_verifier%253Dv1%2526x%253Dy", "a&b&c&oauth_verifier%253DREDACTED%2526x%253Dy"},
		{"malformed escape", "GET&u&oauth_verifier%3Dv%zz", "GET&u&oauth_verifier%3DREDACTED"},
		{"method is not a secret", "GET&oauth_signature_method%3DRSA&x", "GET&oauth_signature_method%3DRSA&x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := BaseString(tt.in); got != tt.want {
				t.Errorf("BaseString(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzBaseString builds a well-formed base string around a fuzzed verifier
// and extra parameter, and checks that the verifier never survives, that the
// shape (three parts) is kept, and that arbitrary input never panics.
func FuzzBaseString(f *testing.F) {
	f.Add("POST", "https://jira/plugins/servlet/oauth/access-token", "abcdef", "x", "y")
	f.Add("GET", "http://h/", "v e r", "api_key", "secret!")
	f.Fuzz(func(t *testing.T, method, rawURL, verifier, k, v string) {
		_ = BaseString(method + rawURL + verifier + k + v) // any input: no panic
		if strings.Contains(method, "&") || len(verifier) < 4 {
			return
		}
		params := percentEncode(k) + "=" + percentEncode(v) + "&oauth_verifier=" + percentEncode(verifier)
		in := method + "&" + percentEncode(rawURL) + "&" + percentEncode(params)
		got := BaseString(in)
		if n := strings.Count(got, "&"); n != 2 {
			t.Fatalf("BaseString(%q) = %q: %d '&', want 2", in, got, n)
		}
		third := strings.SplitN(got, "&", 3)[2]
		decoded, ok := percentDecode(third)
		if !ok {
			t.Fatalf("BaseString(%q) = %q: parameters part no longer decodes", in, got)
		}
		if !strings.HasSuffix(decoded, "oauth_verifier="+Mask) {
			t.Errorf("BaseString(%q) = %q: verifier not masked", in, got)
		}
	})
}

// BenchmarkBaseStringScan measures the fallback scan on a 64 KiB adversarial
// input: many secrets and a separator that never occurs. It must stay
// linear.
func BenchmarkBaseStringScan(b *testing.B) {
	s := strings.Repeat("oauth_verifier=x&", 64<<10/17)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = BaseString(s)
	}
}

// TestBaseStringMasksEverySecretParameter checks that BaseString masks
// exactly the oauth_* parameters of SecretParameters.
func TestBaseStringMasksEverySecretParameter(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"oauth_verifier", "oauth_session_handle", "oauth_token_secret", "oauth_signature",
		"oauth_token", "oauth_consumer_key", "oauth_nonce", "oauth_timestamp", "oauth_callback", "oauth_version",
		"oauth_signature_method", "oauth_expires_in", "oauth_authorization_expires_in", "oauth_problem"} {
		in := "POST&https%3A%2F%2Fh%2F&a%3D1%26" + name + "%3DVALUE%26z%3D2"
		masked := !strings.Contains(BaseString(in), "VALUE")
		if masked != SecretParameter(name) {
			t.Errorf("%s: BaseString masks it: %t, SecretParameter: %t", name, masked, SecretParameter(name))
		}
	}
}

// TestPercentEncoding holds the base string's own percent-encoding to RFC
// 5849 §3.6 and its decoding to refusing malformed escapes.
func TestPercentEncoding(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ plain, encoded string }{
		{"", ""},
		{"abcABC123-._~", "abcABC123-._~"},
		{"a b+c", "a%20b%2Bc"},
		{"=&%", "%3D%26%25"},
		{"\x00\xff", "%00%FF"},
		{"\u00e9", "%C3%A9"},
	} {
		if got := percentEncode(tc.plain); got != tc.encoded {
			t.Errorf("percentEncode(%q) = %q, want %q", tc.plain, got, tc.encoded)
		}
		if got, ok := percentDecode(tc.encoded); !ok || got != tc.plain {
			t.Errorf("percentDecode(%q) = %q, %t, want %q, true", tc.encoded, got, ok, tc.plain)
		}
	}
	if got, ok := percentDecode("a%c3%a9+"); !ok || got != "a\u00e9+" {
		t.Errorf("percentDecode of lower-case hex and a plus = %q, %t", got, ok)
	}
	for _, bad := range []string{"%", "%2", "%zz", "a%2g"} {
		if _, ok := percentDecode(bad); ok {
			t.Errorf("percentDecode(%q) accepted a malformed escape", bad)
		}
	}
}
