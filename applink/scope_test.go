package applink

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/signer"
)

func TestNewRequestURL(t *testing.T) {
	t.Parallel()
	l := Link{ID: newLinkID(), Name: "Jira", Type: TypeJira, RPCURL: "https://jira.example.com/jira", ConsumerKey: "k", Auth: []Auth{Auth2LO}, PrivateKey: testKey(t)}
	svc, err := NewService([]Link{l})
	if err != nil {
		t.Fatal(err)
	}
	bound, _ := svc.Link(l.ID)
	f, _ := bound.RequestFactory("")
	tests := []struct {
		in      string
		want    string // "" means refused with ErrForeignURL
		wantErr bool   // another error
	}{
		{"rest/api/2/myself", "https://jira.example.com/jira/rest/api/2/myself", false},
		{"/rest/api/2/myself?a=b%20c", "https://jira.example.com/jira/rest/api/2/myself?a=b%20c", false},
		{"/rest/a/../b/", "https://jira.example.com/jira/rest/b/", false},
		{"", "https://jira.example.com/jira/", false},
		{"/rest/x#frag", "https://jira.example.com/jira/rest/x", false},
		{"/rest/a%2Fb", "https://jira.example.com/jira/rest/a%2Fb", false},
		{"https://jira.example.com/jira/rest/x", "https://jira.example.com/jira/rest/x", false},
		{"https://JIRA.example.com:443/jira/rest/x", "https://JIRA.example.com:443/jira/rest/x", false},
		{"https://jira.example.com/jira", "https://jira.example.com/jira", false},
		{"../x", "", false},
		{"/../../etc/passwd", "", false},
		{"%2e%2e/x", "", false},
		{"https://jira.example.com/other", "", false},
		{"https://jira.example.com/jiraX/rest", "", false},
		{"https://jira.example.com/jira/../admin", "", false},
		{"http://jira.example.com/jira/rest", "", false},
		{"https://jira.example.com:8443/jira/rest", "", false},
		{"https://evil.example.com/jira/rest", "", false},
		{"//evil.example.com/jira/rest", "", false},
		{"https://user:pw@jira.example.com/jira/rest", "", false},
		{"mailto:x@example.com", "", false},
		{"http://[::1", "", true},
	}
	for _, tt := range tests {
		req, err := f.NewRequest(http.MethodGet, tt.in)
		switch {
		case tt.wantErr:
			if err == nil || errors.Is(err, ErrForeignURL) {
				t.Errorf("%q: got %v, want a parse error", tt.in, err)
			}
		case tt.want == "":
			if !errors.Is(err, ErrForeignURL) {
				t.Errorf("%q: got %v, want ErrForeignURL", tt.in, err)
			} else if strings.Contains(err.Error(), "pw") {
				t.Errorf("%q: the error shows the password: %v", tt.in, err)
			}
		case err != nil:
			t.Errorf("%q: %v", tt.in, err)
		default:
			if got := req.URL().String(); got != tt.want {
				t.Errorf("%q: URL %s, want %s", tt.in, got, tt.want)
			}
		}
	}
}

func TestNewRequestMethods(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth2LO}})
	f := fx.factory(t, "alice")
	for _, m := range []string{"GET", "post", "PUT", "DELETE", "HEAD", "OPTIONS", "TRACE", "PATCH"} {
		req, err := f.NewRequest(m, "/x")
		if err != nil || req.method != strings.ToUpper(m) {
			t.Errorf("%s: %v", m, err)
		}
	}
	for _, m := range []string{"CONNECT", "PROPFIND", "", "GET "} {
		if _, err := f.NewRequest(m, "/x"); err == nil {
			t.Errorf("%q accepted", m)
		}
	}
}

func TestRedirects(t *testing.T) {
	t.Parallel()
	var foreignHits atomic.Int32
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		foreignHits.Add(1)
		if r.Header.Get("Authorization") != "" {
			t.Error("the Authorization header reached another host")
		}
	}))
	t.Cleanup(foreign.Close)
	fx := newCoreFixture(t, coreConfig{})
	fx.srv.Handle("GET /hop", http.RedirectHandler("/rest/api/2/myself", http.StatusFound))
	fx.srv.Handle("GET /away", http.RedirectHandler(foreign.URL+"/steal", http.StatusFound))

	t.Run("same origin, re-signed", func(t *testing.T) {
		req, _ := fx.factory(t, "bob").NewRequest(http.MethodGet, "/hop")
		me, err := Execute(t.Context(), req, handler.JSON[myself]())
		if err != nil || me.Name != "bob" {
			t.Fatalf("Execute = %+v, %v", me, err)
		}
		hops := append(recordsFor(fx.srv, "/hop"), recordsFor(fx.srv, "/rest/api/2/myself")...)
		for _, r := range hops {
			if r.Flow != applinktest.FlowTwoLOi || r.User != "bob" {
				t.Errorf("hop %s: flow %q user %q, want 2loi as bob", r.Path, r.Flow, r.User)
			}
		}
		if len(hops) != 2 {
			t.Errorf("%d hops recorded, want 2", len(hops))
		}
	})
	t.Run("307 keeps the signed form body", func(t *testing.T) {
		fx.srv.Handle("POST /post-hop", http.RedirectHandler("/post-target", http.StatusTemporaryRedirect))
		got := make(chan string, 1)
		fx.srv.Handle("POST /post-target", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got <- r.PostFormValue("summary") + " as " + applinktest.User(r)
		}))
		req, _ := fx.factory(t, "bob").NewRequest(http.MethodPost, "/post-hop")
		resp, err := req.AddForm("summary", "a b+c").Do(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if s := <-got; s != "a b+c as bob" {
			t.Errorf("the target saw %q", s)
		}
	})
	t.Run("not followed", func(t *testing.T) {
		req, _ := fx.factory(t, "bob").NewRequest(http.MethodGet, "/hop")
		resp, err := req.FollowRedirects(false).Do(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Errorf("status %d, want 302", resp.StatusCode)
		}
	})
	t.Run("to another host", func(t *testing.T) {
		req, _ := fx.factory(t, "bob").NewRequest(http.MethodGet, "/away")
		_, err := req.Do(t.Context())
		if !errors.Is(err, ErrForeignURL) {
			t.Fatalf("Do: got %v, want ErrForeignURL", err)
		}
		if n := foreignHits.Load(); n != 0 {
			t.Errorf("the other host got %d requests", n)
		}
	})
}

func TestClientView(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth3LO, Auth2LOi}})
	c := fx.factory(t, "alice").Client()
	get := func(u string) (*http.Response, error) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		return c.Do(req)
	}
	resp, err := get(fx.srv.URL + "/rest/api/2/myself")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if r := lastRecord(t, fx.srv); r.Flow != applinktest.FlowTwoLOi || r.User != "alice" {
		t.Errorf("before authorizing: %s as %q, want 2loi as alice", r.Flow, r.User)
	}
	fx.authorize(t, "alice")
	resp, err = get(fx.srv.URL + "/rest/api/2/myself")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if r := lastRecord(t, fx.srv); r.Flow != applinktest.FlowThreeLO || r.User != "alice" {
		t.Errorf("after authorizing: %s as %q, want 3lo as alice", r.Flow, r.User)
	}
	if _, err := get("http://example.invalid/rest"); !errors.Is(err, ErrForeignURL) {
		t.Errorf("foreign URL: got %v, want ErrForeignURL", err)
	}

	// 3LO only, token revoked: the client surfaces CredentialsRequiredError.
	fx3 := newCoreFixture(t, coreConfig{auth: []Auth{Auth3LO}})
	fx3.authorize(t, "alice")
	fx3.srv.RevokeUser(coreConsumer, "alice")
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, fx3.srv.URL+"/rest/api/2/myself", nil)
	_, err = fx3.factory(t, "alice").Client().Do(req)
	var cre *CredentialsRequiredError
	if !errors.As(err, &cre) || cre.User != "alice" {
		t.Fatalf("revoked: got %v, want *CredentialsRequiredError", err)
	}
	if _, err := fx3.store.AccessToken(t.Context(), token.Key{LinkID: fx3.link.ID, User: "alice"}); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("the revoked token is still stored (%v)", err)
	}
}

// A request of the Client view whose Host header names another host than
// its URL's is not signed (a signature is for the link's origin only), and
// not sent.
func TestClientViewRefusesForeignHostHeader(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth2LO}})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, fx.srv.URL+"/rest/api/2/myself", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "evil.example.com"
	if _, err := fx.factory(t, "alice").Client().Do(req); !errors.Is(err, signer.ErrForeignHost) {
		t.Errorf("Do: got %v, want an error wrapping signer.ErrForeignHost", err)
	}
	if n := len(recordsFor(fx.srv, "/rest/api/2/myself")); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

func TestImpersonationParameterRefused(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth2LO}})
	req, err := fx.factory(t, "alice").NewRequest(http.MethodGet, "/rest/api/2/myself?xoauth_requestor_id=admin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := req.Do(t.Context()); err == nil || !strings.Contains(err.Error(), "xoauth_requestor_id") {
		t.Errorf("Do: got %v, want a refusal naming xoauth_requestor_id", err)
	}
	if len(recordsFor(fx.srv, "/rest/api/2/myself")) != 0 {
		t.Error("the request was sent")
	}
}

func TestClientViewRetries(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth2LOi}})
	fx.srv.InjectFault(applinktest.Fault{Status: http.StatusServiceUnavailable, AfterAuth: true, Path: "/rest/api/2/myself"})
	fx.srv.InjectFault(applinktest.Fault{Status: http.StatusServiceUnavailable, AfterAuth: true, Path: "/rest/api/2/issue"})
	fx.srv.Handle("GET /hop", http.RedirectHandler("/rest/api/2/myself", http.StatusFound))
	c := fx.factory(t, "bob").Client()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, fx.srv.URL+"/hop", nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET through a redirect and a 503: status %d", resp.StatusCode)
	}
	if got := statuses(fx.srv, "/rest/api/2/myself"); len(got) != 2 || got[0] != 503 || got[1] != 200 {
		t.Errorf("attempts %v, want [503 200]", got)
	}
	req, _ = http.NewRequestWithContext(t.Context(), http.MethodPost, fx.srv.URL+"/rest/api/2/issue", strings.NewReader(`{"fields":{}}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := statuses(fx.srv, "/rest/api/2/issue"); len(got) != 1 || got[0] != 503 {
		t.Errorf("POST attempts %v, want [503] (not retried)", got)
	}
	if _, err := c.Get("http://example.invalid/"); !errors.Is(err, ErrForeignURL) {
		t.Errorf("foreign URL: %v", err)
	}
}
