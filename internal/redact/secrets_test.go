package redact

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSecrets(t *testing.T) {
	t.Parallel()
	const secret = "r3fresh/to+ken value"
	tests := []struct {
		name, in, want string
		secrets        []string
	}{
		{"as sent", "token " + secret + " is spent", "token " + Mask + " is spent", []string{secret}},
		{"query encoded", "refresh_token=r3fresh%2Fto%2Bken+value&x=1", "refresh_token=" + Mask + "&x=1", []string{secret}},
		{"path encoded", "/r3fresh%2Fto+ken%20value/", "/" + Mask + "/", []string{secret}},
		{"several", "a=abcd1234 b=wxyz9876", "a=" + Mask + " b=" + Mask, []string{"abcd1234", "wxyz9876"}},
		{"longest first", "abcdef", Mask, []string{"abc", "abcdef"}},
		{"empty secrets ignored", "nothing here", "nothing here", []string{"", ""}},
		{"none", "plain", "plain", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Secrets(tt.in, tt.secrets...); got != tt.want {
				t.Errorf("Secrets(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	basic := BasicCredentials("client id", secret)
	if got := Secrets("Basic "+basic, basic); strings.Contains(got, basic) {
		t.Errorf("the Basic credentials survive: %q", got)
	}
}

func TestSecretsIn(t *testing.T) {
	t.Parallel()
	const secret = "s3cret-TEST-ONLY"
	problem, realm := "token_rejected "+secret, "jira"
	list := []string{"oauth_token", "oauth_verifier=" + secret}
	values := map[string][]string{"a": {secret}, "k-" + secret: {"v"}, "k-" + Mask: {"w"}}
	SecretsIn([]string{secret}, []*string{&problem, &realm}, [][]string{list}, values)
	if problem != "token_rejected "+Mask || realm != "jira" {
		t.Errorf("strings: %q, %q", problem, realm)
	}
	if diff := cmp.Diff([]string{"oauth_token", "oauth_verifier=" + Mask}, list); diff != "" {
		t.Errorf("list (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string][]string{"a": {Mask}, "k-" + Mask: {"w", "v"}}, values); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
}
