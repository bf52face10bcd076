package engine

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestSeraphReason(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]string{
		"":                                    "",
		"AUTHENTICATED_FAILED":                "AUTHENTICATED_FAILED",
		"AUTHENTICATION_DENIED,OUT":           "AUTHENTICATION_DENIED,OUT",
		"authenticated_failed":                "",
		"FAILED <script>":                     "",
		strings.Repeat("A", 41):               "",
		"AUTHORISATION_FAILED_TOO_MANY_TIMES": "AUTHORISATION_FAILED_TOO_MANY_TIMES",
	} {
		if got := SeraphReason(http.Header{"X-Seraph-Loginreason": {v}}); got != want {
			t.Errorf("SeraphReason(%q) = %q, want %q", v, got, want)
		}
	}
}

func TestDefaultTransportIsACopy(t *testing.T) {
	t.Parallel()
	if DefaultTransport() == http.DefaultTransport {
		t.Error("DefaultTransport returned http.DefaultTransport itself")
	}
}

func TestOAuth1Endpoints(t *testing.T) {
	t.Parallel()
	rt, au, at := OAuth1Endpoints("", "/custom/authorize", "", true)
	if rt != "/bitbucket/oauth/request-token" || au != "/custom/authorize" || at != "/bitbucket/oauth/access-token" {
		t.Errorf("OAuth1Endpoints (jenkins, one given) = %s, %s, %s", rt, au, at)
	}
	rt, au, at = OAuth1Endpoints("", "", "", false)
	if rt != "/plugins/servlet/oauth/request-token" || au != "/plugins/servlet/oauth/authorize" || at != "/plugins/servlet/oauth/access-token" {
		t.Errorf("OAuth1Endpoints (Atlassian) = %s, %s, %s", rt, au, at)
	}
}

// TestRetryFillDefaults: zero fields take the defaults, a negative Max and
// given fields are kept, and WaitMax is at least WaitMin.
func TestRetryFillDefaults(t *testing.T) {
	t.Parallel()
	var r Retry
	r.FillDefaults()
	if r.Max != 3 || r.WaitMin.String() != "250ms" || r.WaitMax.String() != "5s" || r.MaxRetryAfter.String() != "30s" || r.MaxElapsed.String() != "2m0s" {
		t.Errorf("defaults = %+v", r)
	}
	r = Retry{Max: -1, WaitMin: 10e9}
	r.FillDefaults()
	if r.Max != -1 || r.WaitMax != r.WaitMin {
		t.Errorf("Max -1, WaitMin 10s: %+v", r)
	}
}

func TestRedirectNote(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ from, to, want string }{
		{"https://jira.example/t", "http://jira.example/t", " (from https to plain http)"},
		{"https://jira.example/t", "https://jira.example:8443/t", " (another origin)"},
		{"https://jira.example/t", "https://JIRA.example:443/other", ""},
		{"https://jira.example/t", "%zz", ""},
	} {
		if got := RedirectNote(tt.from, tt.to); got != tt.want {
			t.Errorf("RedirectNote(%s, %s) = %q, want %q", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestCauseText(t *testing.T) {
	t.Parallel()
	cause := errors.New(`applink: link "jira": GET /x: 401 (applink: link "jira": again; applink: link "wiki": other)`)
	if got, want := CauseText("jira", cause), `GET /x: 401 (again; applink: link "wiki": other)`; got != want {
		t.Errorf("CauseText = %q, want %q", got, want)
	}
}
