package redact

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestSensitive(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want bool
	}{
		{"oauth_token", true},
		{"oauth_verifier", true},
		{"oauth_signature", true},
		{"oauth_token_secret", true},
		{"oauth_session_handle", true},
		{"oauth_nonce", true},
		{"api_key", true},
		{"apiKey", true},
		{"X-Api-Key", true},
		{"access_token", true},
		{"accessToken", true},
		{"password", true},
		{"os_password", true},
		{"client_secret", true},
		{"code", true},
		{"auth", true},
		{"Authorization", true},
		{"Jenkins-Crumb", true},
		{"issueKey", true},
		{"JSESSIONID", true},
		{"sig", true},
		{"passcode", true},
		{"AWSAccessKeyId", true},
		{"authcode", true},
		{"xoauth_requestor_id", false},
		{"expand", false},
		{"jql", false},
		{"monkey", false},
		{"author", false},
		{"oauth_problem", false},
		{"oauth_callback", false},
		{"startAt", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := Sensitive(tt.name); got != tt.want {
			t.Errorf("Sensitive(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestURLString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain", "https://jira.example.com/rest/api/2/myself", "https://jira.example.com/rest/api/2/myself"},
		{
			"oauth query",
			"https://jira/plugins/servlet/oauth/authorize?oauth_token=abc&oauth_verifier=v1&oauth_signature=s%3D",
			"https://jira/plugins/servlet/oauth/authorize?oauth_token=REDACTED&oauth_verifier=REDACTED&oauth_signature=REDACTED",
		},
		{
			"kept params keep order and encoding",
			"https://jira/rest/api/2/search?jql=project%20%3D%20ABC&api_key=k&expand=names&access_token=t&xoauth_requestor_id=bob",
			"https://jira/rest/api/2/search?jql=project%20%3D%20ABC&api_key=REDACTED&expand=names&access_token=REDACTED&xoauth_requestor_id=bob",
		},
		{"password in user info", "https://bob:hunter2@jira/x", "https://bob:REDACTED@jira/x"},
		{"user name alone kept", "https://bob@jira/x", "https://bob@jira/x"},
		{"fragment dropped", "https://jira/x?a=1#token=abc", "https://jira/x?a=1"},
		{"semicolon separator", "https://jira/x?a=1;token=abc", "https://jira/x?a=1;token=REDACTED"},
		{"bare key kept", "https://jira/x?expand&token=t", "https://jira/x?expand&token=REDACTED"},
		{"encoded key", "https://jira/x?oauth%5Ftoken=t", "https://jira/x?oauth%5Ftoken=REDACTED"},
		{"relative", "/rest/api/2/myself?oauth_token=t", "/rest/api/2/myself?oauth_token=REDACTED"},
		{
			"nested URL",
			"https://jira/plugins/servlet/applinks/oauth/login-dance/authorize?applicationLinkID=1&redirectUrl=" +
				url.QueryEscape("https://app/cb?oauth_verifier=v&x=1"),
			"https://jira/plugins/servlet/applinks/oauth/login-dance/authorize?applicationLinkID=1&redirectUrl=" +
				url.QueryEscape("https://app/cb?oauth_verifier=REDACTED&x=1"),
		},
		{"unparseable", "https://bob:pw@jira:notaport/x\x7f?token=t&a=b#f", "https://bob:REDACTED@jira:notaport/x\x7f?token=REDACTED&a=b"},
		{"unparseable no query", "https://jira/%zz#frag", "https://jira/%zz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := URLString(tt.in); got != tt.want {
				t.Errorf("URLString(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestURL(t *testing.T) {
	t.Parallel()
	if got := URL(nil); got != "" {
		t.Errorf("URL(nil) = %q, want empty", got)
	}
	u, err := url.Parse("https://bob:pw@jira/x?oauth_token=t#frag")
	if err != nil {
		t.Fatal(err)
	}
	before := u.String()
	if got, want := URL(u), "https://bob:REDACTED@jira/x?oauth_token=REDACTED"; got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
	if u.String() != before {
		t.Errorf("URL modified its argument: %q, was %q", u.String(), before)
	}
}

// FuzzURLString checks that no input panics, that the result never carries
// the value of a sensitive parameter or a password, nor a fragment.
func FuzzURLString(f *testing.F) {
	for _, s := range []string{
		"https://jira/x?oauth_token=abc&expand=names",
		"https://bob:pw@jira/x#frag",
		"http://[::1]:8080/a;b?c=d;token=e",
		"https://jira/%zz?secret=1",
		"?redirectUrl=https%3A%2F%2Fa%2F%3Fcode%3Dxyz",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := URLString(s)
		if strings.Contains(got, "#") && !strings.Contains(s, "#") {
			t.Errorf("URLString(%q) = %q: a fragment appeared", s, got)
		}
		if u, err := url.Parse(got); err == nil {
			for _, seg := range strings.FieldsFunc(u.RawQuery, func(r rune) bool { return r == '&' || r == ';' }) {
				k, v, ok := strings.Cut(seg, "=")
				if !ok {
					continue
				}
				name, err := url.QueryUnescape(k)
				if err != nil {
					name = k
				}
				if Sensitive(name) && v != Mask {
					t.Errorf("URLString(%q) = %q: %q kept its value %q", s, got, name, v)
				}
			}
			if p, ok := u.User.Password(); ok && p != Mask {
				t.Errorf("URLString(%q) = %q: password kept", s, got)
			}
		}
	})
}

func TestURLError(t *testing.T) {
	t.Parallel()
	inner := errors.New("invalid URL escape")
	err := error(&url.Error{Op: "parse", URL: "https://user:pa55word@jira.example.com/", Err: inner})
	if got := URLError(fmt.Errorf("wrapped: %w", err)); got != inner {
		t.Errorf("URLError(%v) = %v, want %v without the URL", err, got, inner)
	}
	other := errors.New("other")
	if got := URLError(other); got != other {
		t.Errorf("URLError(other) = %v, want it unchanged", got)
	}
}
