package linkconf

import (
	"strings"
	"testing"
)

func TestCheckBaseURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"https://jira.example.com", ""},
		{"http://127.0.0.1:8080/jira/", ""},
		{"https://jira.example.com:65535", ""},
		{"", "missing"},
		{"ftp://jira.example.com", "must start with http"},
		{"https://", "has no host"},
		{"https://:8080", "has no host"},
		{"https://u:pa55word@jira.example.com", "must not carry a user name"},
		{"https://jira.example.com/?a=1", "must not have a query"},
		{"https://jira.example.com/?", "must not have a query"},
		{"https://jira.example.com/#f", "must not have a fragment"},
		{"https://jira.example.com:", "empty port"},
		{"https://jira.example.com:0", "invalid port"},
		{"https://jira.example.com:65536", "invalid port"},
		{"https://u:pa55word@jira.example.com:x/", "give a port number"},
		{"https://u:pa55word@[::1/", "not a URL"},
	} {
		err := CheckBaseURL(tt.in)
		if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CheckBaseURL(%q) = %v, want %q", tt.in, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "pa55word") {
			t.Errorf("CheckBaseURL(%q) = %v: the password is in it", tt.in, err)
		}
	}
}

func TestIsUUID(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"f01d5376-c1ef-55e9-8c14-5980f8afe503": true,
		"F01D5376-C1EF-55E9-8C14-5980F8AFE503": true,
		"f01d5376c1ef55e98c145980f8afe503":     false,
		"f01d5376-c1ef-55e9-8c14-5980f8afe50":  false,
		"g01d5376-c1ef-55e9-8c14-5980f8afe503": false,
		"f01d5376-c1ef-55e9-8c14+5980f8afe503": false,
		"":                                     false,
	} {
		if got := IsUUID(in); got != want {
			t.Errorf("IsUUID(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestDefaultID: the derivation is fixed (a changed one orphans every
// stored token), a version 5 UUID, and ignores the case of the scheme and
// host, a trailing slash and surrounding space.
func TestDefaultID(t *testing.T) {
	t.Parallel()
	const known = "f01d5376-c1ef-55e9-8c14-5980f8afe503"
	for _, in := range [][2]string{
		{"jira", "https://jira.example.com"},
		{" jira ", "HTTPS://Jira.Example.com/"},
	} {
		if got := DefaultID(in[0], in[1]); got != known {
			t.Errorf("DefaultID(%q, %q) = %q, want %q", in[0], in[1], got, known)
		}
	}
	if id := DefaultID("jira", "https://jira.example.com/jira"); id == known || !IsUUID(id) || id[14] != '5' {
		t.Errorf("DefaultID with a context path = %q", id)
	}
}

func TestJoinBase(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ base, path, want string }{
		{"https://jira.example.com", "/plugins/servlet/oauth/authorize", "https://jira.example.com/plugins/servlet/oauth/authorize"},
		{"https://jira.example.com/", "/a", "https://jira.example.com/a"},
		{"https://example.com/jira/", "/a", "https://example.com/jira/a"},
		{"http://127.0.0.1:8080/jenkins", "bbs-oauth/authorize", "http://127.0.0.1:8080/jenkins/bbs-oauth/authorize"},
		{"https://u:p@example.com/x?q=1#f", "/a", "https://example.com/x/a"},
	} {
		u, err := JoinBase(tc.base, tc.path)
		if err != nil {
			t.Errorf("JoinBase(%q, %q): %v", tc.base, tc.path, err)
			continue
		}
		if u.String() != tc.want {
			t.Errorf("JoinBase(%q, %q) = %s, want %s", tc.base, tc.path, u, tc.want)
		}
	}
	for _, base := range []string{"", "/relative", "ftp://x", "http://", "::"} {
		if u, err := JoinBase(base, "/a"); err == nil {
			t.Errorf("JoinBase(%q) = %s, want an error", base, u)
		}
	}
}

func TestCredentialsCheck(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name           string
		c              Credentials
		signs, jenkins bool
		field          string
	}{
		{"key file", Credentials{PrivateKeyFile: "k.pem"}, true, false, ""},
		{"anonymous", Credentials{}, false, false, ""},
		{"none", Credentials{}, true, false, "privateKeyFile"},
		{"none, jenkins", Credentials{}, true, true, "secretEnv"},
		{"two sources", Credentials{PrivateKeyEnv: "K", SecretFile: "s"}, true, false, "secretFile"},
		{"both in code", Credentials{KeyInCode: true, SecretInCode: true}, true, false, "privateKeyFile"},
		{"key in code beside a key file", Credentials{PrivateKeyFile: "k.pem", KeyInCode: true}, true, false, ""},
		{"key in code beside a secret", Credentials{SecretEnv: "S", KeyInCode: true}, true, false, "secretEnv"},
		{"secret in code beside a key", Credentials{PrivateKeyEnv: "K", SecretInCode: true}, true, false, "privateKeyEnv"},
		{"jenkins secret", Credentials{SecretEnv: "S"}, true, true, ""},
		{"jenkins key", Credentials{PrivateKeyEnv: "K"}, true, true, "privateKeyEnv"},
		{"jenkins key in code", Credentials{KeyInCode: true}, true, true, "privateKeyFile"},
	} {
		field, err := tt.c.Check(tt.signs, tt.jenkins)
		if field != tt.field || (err == nil) != (tt.field == "") {
			t.Errorf("%s: got %q, %v; want field %q", tt.name, field, err, tt.field)
		}
	}
}
