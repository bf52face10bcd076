package oauth2link

import (
	"strings"
	"testing"
)

func TestOAuth2CodeFromInput(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, code, state string }{
		{"abc", "abc", ""},
		{"  abc \n", "abc", ""},
		{"http://127.0.0.1:8765/callback?code=abc&state=st", "abc", "st"},
		{"code=abc&state=st", "abc", "st"},
		{"http://127.0.0.1:8765/callback?error=access_denied&state=st", Denied, "st"},
		{"http://x/cb?error=invalid_scope&state=st", "error:invalid_scope", "st"},
		{"http://x/cb?state=st", "http://x/cb?state=st", ""},
	}
	for _, tt := range tests {
		code, state := CodeFromInput(tt.in)
		if code != tt.code || state != tt.state {
			t.Errorf("CodeFromInput(%q) = %q, %q; want %q, %q", tt.in, code, state, tt.code, tt.state)
		}
	}
}

func TestState(t *testing.T) {
	t.Parallel()
	const redirect = "http://127.0.0.1:8765/callback?app=1"
	for _, tt := range []struct {
		callback, want, err string
	}{
		{"", "", ""},
		{"oob", "", ""},
		{"http://127.0.0.1:8765/callback?app=1&state=abc", "abc", ""},
		{"HTTP://127.0.0.1:8765/callback?state=abc&app=1", "abc", ""},
		{"http://127.0.0.1:8765/callback?app=1", "", ""},
		{"http://127.0.0.1:8765/other?app=1&state=abc", "", "not the link's registered redirect URL"},
		{"http://127.0.0.1:9999/callback?app=1", "", "not the link's registered redirect URL"},
		{"http://u:pa55word@[::1/", "", "not a URL"},
	} {
		got, err := State(tt.callback, redirect)
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), "pa55word") {
				t.Errorf("State(%q) = %q, %v; want an error saying %q", tt.callback, got, err, tt.err)
			}
		case err != nil:
			t.Errorf("State(%q): %v", tt.callback, err)
		case tt.want != "" && got != tt.want, tt.want == "" && len(got) < 16:
			t.Errorf("State(%q) = %q, want %q (or a random one)", tt.callback, got, tt.want)
		}
	}
	if a, _ := State("", redirect); a == func() string { b, _ := State("", redirect); return b }() {
		t.Error("two random states are equal")
	}
}

func TestIssuer(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"http://x/cb?code=c&state=s&iss=https%3A%2F%2Fjira.example.com": "https://jira.example.com",
		"code=c&iss=https://a.example#iss=https://b.example":            "https://a.example",
		"http://x/cb?code=c&state=s":                                    "",
		"abc":                                                           "",
	} {
		if got := Issuer(in); got != want {
			t.Errorf("Issuer(%q) = %q, want %q", in, got, want)
		}
	}
	for _, tt := range []struct {
		iss     string
		servers []string
		want    bool
	}{
		{"https://jira.example.com", []string{"https://JIRA.example.com/"}, true},
		{"HTTPS://jira.example.com/", []string{"https://x.example", "https://jira.example.com"}, true},
		{"https://jira.example.com/jira", []string{"https://jira.example.com"}, false},
		{"https://evil.example", []string{"https://jira.example.com"}, false},
	} {
		if got := IsIssuer(tt.iss, tt.servers...); got != tt.want {
			t.Errorf("IsIssuer(%q, %q) = %v, want %v", tt.iss, tt.servers, got, tt.want)
		}
	}
}
