package doctor

import (
	"net/http"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/token"
)

// TestDiagnosePAT: the doctor tells a refused personal access token (401)
// from a valid one whose owner lacks permission (403), and from none at
// all; it deletes nothing.
func TestDiagnosePAT(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		setup   func(srv *applinktest.Server, pat string) // nil: the token works
		store   bool
		status  Status
		summary string
		fix     string
	}{
		{"works", nil, true, StatusPass, "running as alice", ""},
		{"revoked", func(srv *applinktest.Server, pat string) { srv.RevokePAT(pat) }, true, StatusFail, "HTTP 401: the remote refused the token", "Profile → Personal Access Tokens"},
		{"no permission", func(srv *applinktest.Server, _ string) {
			srv.Handle("GET /rest/api/2/myself", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "forbidden", http.StatusForbidden)
			}))
		}, true, StatusWarn, "HTTP 403: the token is valid", "Keep the token"},
		{"none stored", nil, false, StatusFail, "has no personal access token stored", "tokens set"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := applinktest.NewServer(t, applinktest.WithUsers("alice"))
			pat := srv.IssuePAT("alice")
			store := token.NewMemoryStore()
			key := token.Key{LinkID: testLinkID, User: "alice"}
			if tt.store {
				if err := store.PutAccessToken(t.Context(), key, token.NewPATAccessToken(pat)); err != nil {
					t.Fatal(err)
				}
			}
			if tt.setup != nil {
				tt.setup(srv, pat)
			}
			svc, err := applink.NewService([]applink.Link{{ID: testLinkID, Name: "dc", Type: applink.TypeJira, RPCURL: srv.URL, Auth: []applink.Auth{applink.AuthPAT}}},
				applink.WithTokenStore(store), applink.WithHTTPClient(srv.Client()))
			if err != nil {
				t.Fatal(err)
			}
			link, _ := svc.Link("dc")
			rep, err := Diagnose(t.Context(), link, "alice")
			if err != nil {
				t.Fatal(err)
			}
			c := rep.Check(checkProbePAT)
			if c == nil {
				t.Fatalf("no %s check in %+v", checkProbePAT, rep.Checks)
			}
			if c.Status != tt.status || !strings.Contains(c.Summary, tt.summary) || !strings.Contains(c.Fix, tt.fix) {
				t.Errorf("got %s %q (fix %q); want %s %q (fix with %q)", c.Status, c.Summary, c.Fix, tt.status, tt.summary, tt.fix)
			}
			if _, err := store.AccessToken(t.Context(), key); tt.store && err != nil {
				t.Errorf("the doctor deleted the token: %v", err)
			}
			for _, c := range rep.Checks {
				if strings.Contains(c.Summary+c.Fix+strings.Join(c.Evidence, " "), pat) {
					t.Errorf("check %s shows the token", c.Name)
				}
			}
		})
	}
}
