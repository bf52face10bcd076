package cloudsite

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/go-applinks/applinks/internal/oauth2link"
	"github.com/go-applinks/applinks/internal/redact"
)

const testBearer = "bearer-TEST-ONLY"

func TestRoute(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, site, apiBase string
		confluence          bool
		in, want            string
	}{
		{"jira", "https://acme.atlassian.net", "https://api.example.com", false,
			"https://acme.atlassian.net/rest/api/3/myself?x=1", "https://api.example.com/ex/jira/ID/rest/api/3/myself?x=1"},
		{"api base with a path", "https://acme.atlassian.net/", "https://gw.example.com/base/", false,
			"https://acme.atlassian.net/rest/api/3/search", "https://gw.example.com/base/ex/jira/ID/rest/api/3/search"},
		{"confluence adds /wiki", "https://acme.atlassian.net", "", true,
			"https://acme.atlassian.net/rest/api/user/current", DefaultAPIBase + "/ex/confluence/ID/wiki/rest/api/user/current"},
		{"confluence keeps /wiki", "https://acme.atlassian.net", "", true,
			"https://acme.atlassian.net/wiki/rest/api/user/current", DefaultAPIBase + "/ex/confluence/ID/wiki/rest/api/user/current"},
		{"confluence site with /wiki", "https://acme.atlassian.net/wiki", "", true,
			"https://acme.atlassian.net/wiki/rest/api/space", DefaultAPIBase + "/ex/confluence/ID/wiki/rest/api/space"},
		{"escaped path kept", "https://acme.atlassian.net", "", false,
			"https://acme.atlassian.net/rest/api/3/issue/A%2FB", DefaultAPIBase + "/ex/jira/ID/rest/api/3/issue/A%2FB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := New("acme", tt.site, "", tt.apiBase, tt.confluence, "test")
			in, err := url.Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := g.Route(in, "ID")
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tt.want {
				t.Errorf("Route(%s) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormSite(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://ACME.atlassian.net/":     "https://acme.atlassian.net",
		"HTTPS://acme.atlassian.net/wiki": "https://acme.atlassian.net",
		" https://acme.atlassian.net ":    "https://acme.atlassian.net",
		"acme.atlassian.net/":             "acme.atlassian.net",
	} {
		if got := normSite(in); got != want {
			t.Errorf("normSite(%q) = %q, want %q", in, got, want)
		}
	}
}

// gateway serves the accessible resources with status and body, counting
// the requests and checking the bearer.
func gateway(t *testing.T, status int, body string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.URL.Path != ResourcesPath || r.Header.Get("Authorization") != "Bearer "+testBearer || r.Header.Get("User-Agent") != "test-agent" {
			t.Errorf("unexpected request %s %s", r.URL.Path, r.Header)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func testToken(id string) Token {
	return Token{ID: id, Bearer: redact.NewSecret(testBearer), User: "alice"}
}

// TestCloudID: found once per token, carried over to a refreshed token,
// and a site not granted names the sites that are.
func TestCloudID(t *testing.T) {
	t.Parallel()
	srv, n := gateway(t, http.StatusOK, `[{"id":"beta-id","url":"https://beta.atlassian.net","name":"beta"},{"id":"acme-id","url":"https://ACME.atlassian.net/","name":"acme","scopes":["read:jira-work"]}]`)
	g := New("acme", "https://acme.atlassian.net/wiki", "", srv.URL, false, "test-agent")
	for range 2 {
		id, err := g.CloudID(t.Context(), srv.Client(), testToken("t1"))
		if err != nil || id != "acme-id" {
			t.Fatalf("CloudID = %q, %v; want acme-id", id, err)
		}
	}
	g.Carry("t1", "t2")
	if id, err := g.CloudID(t.Context(), srv.Client(), testToken("t2")); err != nil || id != "acme-id" {
		t.Fatalf("CloudID of the carried token = %q, %v", id, err)
	}
	if got := n.Load(); got != 1 {
		t.Errorf("%d requests for the accessible resources, want 1", got)
	}

	other := New("gamma", "https://gamma.atlassian.net", "", srv.URL, false, "test-agent")
	_, err := other.CloudID(t.Context(), srv.Client(), testToken("t1"))
	var ng *NotGrantedError
	if !errors.As(err, &ng) {
		t.Fatalf("got %v, want *NotGrantedError", err)
	}
	if diff := cmp.Diff([]string{"https://beta.atlassian.net", "https://ACME.atlassian.net/"}, ng.Granted); diff != "" {
		t.Errorf("granted (-want +got):\n%s", diff)
	}
}

// TestSitesErrors: the gateway's 401 is invalid_token, other statuses, an
// oversized or non-JSON answer are errors naming cloud.apiBase; none holds
// the bearer.
func TestSitesErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"refused", http.StatusUnauthorized, testBearer, ""},
		{"down", http.StatusBadGateway, "", "502 Bad Gateway"},
		{"too large", http.StatusOK, "[" + strings.Repeat(" ", maxResources) + "]", "more than"},
		{"not JSON", http.StatusOK, "<html>" + testBearer, "JSON list of sites"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := gateway(t, tt.status, tt.body)
			g := New("acme", "https://acme.atlassian.net", "", srv.URL, false, "test-agent")
			_, err := g.Sites(t.Context(), srv.Client(), testToken("t"))
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), testBearer) {
				t.Errorf("the bearer is in %v", err)
			}
			var oe *oauth2link.Error
			if tt.want == "" {
				if !errors.As(err, &oe) || oe.Code != oauth2link.CodeInvalidToken || oe.Status != http.StatusUnauthorized {
					t.Errorf("got %v, want *oauth2link.Error invalid_token", err)
				}
				return
			}
			if errors.As(err, &oe) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "acme") {
				t.Errorf("got %v, want an error of link acme saying %q", err, tt.want)
			}
		})
	}
}

func TestScopeMismatch(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]bool{
		`{"code":401,"message":"Unauthorized; scope does not match"}`: true,
		`{"code":401,"message":"Unauthorized"}`:                       false,
	} {
		resp := &http.Response{StatusCode: http.StatusUnauthorized, Body: io.NopCloser(strings.NewReader(body))}
		if got := ScopeMismatch(resp); got != want {
			t.Errorf("ScopeMismatch(%s) = %v, want %v", body, got, want)
		}
		if rest, _ := io.ReadAll(resp.Body); string(rest) != body {
			t.Errorf("the body reads %q after, want it whole", rest)
		}
	}
}

func TestOAuth2(t *testing.T) {
	t.Parallel()
	c := New("acme", "https://acme.atlassian.net", "https://auth.example.com/", "", false, "").
		OAuth2("id", "secret-TEST-ONLY", "https://app.example.com/cb", []string{"read:jira-work"})
	if c.AuthorizationURL != "https://auth.example.com/authorize" || c.TokenURL != "https://auth.example.com/oauth/token" || !c.JSONBody ||
		c.AuthParams["audience"] != Audience || c.AuthParams["prompt"] != "consent" || c.ClientSecret.Reveal() != "secret-TEST-ONLY" {
		t.Errorf("OAuth2 = %+v", c)
	}
}
