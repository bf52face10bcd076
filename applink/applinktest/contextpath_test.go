package applinktest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
)

func TestWithContextPath(t *testing.T) {
	t.Parallel()
	srv, s := atlassian(t, applinktest.WithContextPath("/jira"))
	if !strings.HasSuffix(srv.URL, "/jira") {
		t.Fatalf("URL %q does not end in the context path /jira", srv.URL)
	}
	root := strings.TrimSuffix(srv.URL, "/jira")

	// Under the context path: signed (the base string has /jira in it, as
	// the client signs it) and served.
	r := do(t, srv, s, http.MethodGet, srv.URL+"/rest/api/2/myself?xoauth_requestor_id=alice", nil, signer.Params{})
	if r.status != http.StatusOK {
		t.Fatalf("2LOi under /jira: HTTP %d: %s", r.status, r.body)
	}
	var me struct{ Name string }
	if err := json.Unmarshal([]byte(r.body), &me); err != nil || me.Name != "alice" {
		t.Errorf("2LOi under /jira ran as %q (%v), want alice", me.Name, err)
	}
	if got := srv.AuthorizationURL("t"); !strings.HasPrefix(got, srv.URL+"/plugins/servlet/oauth/authorize?") {
		t.Errorf("AuthorizationURL = %q, want it under %s", got, srv.URL)
	}

	// Outside it: 404, signed or not, for resources and the manifest alike.
	for _, path := range []string{"/rest/api/2/myself?xoauth_requestor_id=alice", "/rest/applinks/1.0/manifest", "/jiraX/rest/api/2/myself"} {
		if r := do(t, srv, s, http.MethodGet, root+path, nil, signer.Params{}); r.status != http.StatusNotFound {
			t.Errorf("GET %s outside /jira: HTTP %d, want 404", path, r.status)
		}
	}
	if r := do(t, srv, nil, http.MethodGet, srv.URL+"/rest/applinks/1.0/manifest", nil, signer.Params{}); r.status != http.StatusOK {
		t.Errorf("manifest under /jira: HTTP %d, want 200", r.status)
	}
}

func TestWithContextPathInvalid(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"jira", "/jira/", "/", "/ji ra", "/jira?x"} {
		srv, err := applinktest.Start(applinktest.WithContextPath(p))
		if err == nil {
			srv.Close()
			t.Errorf("WithContextPath(%q): no error", p)
		}
	}
}
