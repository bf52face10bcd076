package applink_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/authorize"
	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/signer"
)

// search is the search result of docs/api.md (moved from the README).
type search struct {
	Issues []struct {
		Key    string `json:"key"`
		Fields struct {
			Summary string `json:"summary"`
		} `json:"fields"`
	} `json:"issues"`
}

// app is the web application of docs/api.md.
type app struct {
	link *applink.Link
}

func currentUser(r *http.Request) string { return r.Header.Get("X-User") }

func (a *app) render(w http.ResponseWriter, res search) {
	for _, issue := range res.Issues {
		fmt.Fprintln(w, issue.Key, issue.Fields.Summary)
	}
}

// myIssues is the handler of docs/api.md, as written there.
func (a *app) myIssues(w http.ResponseWriter, r *http.Request) {
	f, err := a.link.RequestFactory(currentUser(r))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	req, err := f.NewRequest(http.MethodGet, "/rest/api/2/search")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	req.AddQuery("jql", "assignee = currentUser() ORDER BY updated DESC")
	res, err := applink.Execute(r.Context(), req, handler.JSON[search]())
	var cre *applink.CredentialsRequiredError
	switch {
	case errors.As(err, &cre): // authorize (again), then come back here
		http.Redirect(w, r, authorize.StartURL("", a.link.ID, r.URL.Path), http.StatusSeeOther)
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadGateway)
	default:
		a.render(w, res)
	}
}

// TestREADMEWebHandler: the web handler of docs/api.md sends a user who has no
// token yet and a user whose token was revoked through the same path, to
// the dance, and shows the search once authorized.
func TestREADMEWebHandler(t *testing.T) {
	t.Parallel()
	key, err := signer.GenerateKey(2048)
	if err != nil {
		t.Fatal(err)
	}
	jira := applinktest.NewServer(t, applinktest.WithUsers("alice"),
		applinktest.WithConsumer(applinktest.Consumer{Key: "webapp", PublicKey: &key.PublicKey, ThreeLO: true}))
	jira.Handle("GET /rest/api/2/search", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if jql := r.URL.Query().Get("jql"); jql != "assignee = currentUser() ORDER BY updated DESC" {
			http.Error(w, "bad jql "+jql, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"issues": []any{
			map[string]any{"key": "OPS-1", "fields": map[string]string{"summary": "for " + applinktest.User(r)}}}})
	}))
	l := applink.Link{ID: applink.DefaultLinkID("Jira", jira.URL), Name: "Jira", Type: applink.TypeJira, RPCURL: jira.URL, ConsumerKey: "webapp"}
	store := token.NewMemoryStore()
	l.PrivateKey = key
	svc, err := applink.NewService([]applink.Link{l}, applink.WithHTTPClient(jira.Client()), applink.WithTokenStore(store))
	if err != nil {
		t.Fatal(err)
	}
	link, err := svc.Primary(applink.TypeJira)
	if err != nil {
		t.Fatal(err)
	}
	a := &app{link: link}
	get := func() *httptest.ResponseRecorder {
		t.Helper()
		r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/issues", nil)
		r.Header.Set("X-User", "alice")
		w := httptest.NewRecorder()
		a.myIssues(w, r)
		return w
	}
	wantDance := authorize.StartURL("", link.ID, "/issues")
	checkDance := func(when string) {
		t.Helper()
		if w := get(); w.Code != http.StatusSeeOther || w.Header().Get("Location") != wantDance {
			t.Fatalf("%s: %d to %q, want 303 to %q: %s", when, w.Code, w.Header().Get("Location"), wantDance, w.Body)
		}
	}

	checkDance("no token yet")

	f, _ := link.RequestFactory("alice")
	u, err := f.AuthorizationURL(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := jira.Approve(u.Query().Get("oauth_token"), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.CompleteAuthorization(t.Context(), u.Query().Get("oauth_token"), verifier); err != nil {
		t.Fatal(err)
	}
	if w := get(); w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != "OPS-1 for alice" {
		t.Fatalf("authorized: %d %q", w.Code, w.Body)
	}

	if n := jira.RevokeUser("webapp", "alice"); n != 1 {
		t.Fatalf("RevokeUser revoked %d tokens", n)
	}
	checkDance("token revoked")
	if _, err := store.AccessToken(t.Context(), token.Key{LinkID: link.ID, User: "alice"}); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("the revoked token is still stored: %v", err)
	}
	checkDance("after the revoked token was deleted")
}
