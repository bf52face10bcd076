package applink

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/signer"
)

// TestUnauthorizedBodyCountsOnlyAsProblemForm: a 401 whose body merely
// contains "&oauth_problem=token_revoked&" (an application page echoing
// what a user typed) is the application's answer, not an OAuth problem:
// the token stays. A body that is a problem form, or the WWW-Authenticate
// header, still deletes it.
func TestUnauthorizedBodyCountsOnlyAsProblemForm(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		contentType string
		header      string
		body        string
		wantDeleted bool
	}{
		{"page echoing the problem", "text/plain; charset=utf-8", "", "Comment saved: see &oauth_problem=token_revoked& above", false},
		{"form echoing the problem after user text", "application/x-www-form-urlencoded", "", "comment=hi&oauth_problem=token_revoked&x=1", false},
		{"html page", "text/plain", "", "<html><body>&oauth_problem=token_revoked&</body></html>", false},
		{"problem form body", "text/plain", "", "oauth_problem=token_revoked&oauth_problem_advice=revoked+by+the+user", true},
		{"header", "text/html", `OAuth realm="x", oauth_problem="token_revoked"`, "<html>revoked</html>", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fx := newCoreFixture(t, coreConfig{})
			fx.authorize(t, "alice")
			fx.srv.Handle("/rest/app/comment", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.header != "" {
					w.Header().Set("WWW-Authenticate", tc.header)
				}
				w.Header().Set("Content-Type", tc.contentType)
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprint(w, tc.body)
			}))
			req, err := fx.factory(t, "alice").NewRequest(http.MethodGet, "/rest/app/comment")
			if err != nil {
				t.Fatal(err)
			}
			_, err = Execute(t.Context(), req, handler.String())
			_, stored := fx.store.AccessToken(t.Context(), token.Key{LinkID: fx.link.ID, User: "alice"})
			var cre *CredentialsRequiredError
			var pe *signer.ProblemError
			if tc.wantDeleted {
				if !errors.As(err, &cre) || stored == nil {
					t.Errorf("err = %v, stored token error = %v: want credentials required and the token deleted", err, stored)
				}
				return
			}
			if stored != nil {
				t.Errorf("the token was deleted (%v)", stored)
			}
			if errors.As(err, &cre) || errors.As(err, &pe) {
				t.Errorf("err = %v: want the application's 401, not an OAuth problem", err)
			}
			var re *handler.ResponseError
			if !errors.As(err, &re) || re.StatusCode != http.StatusUnauthorized {
				t.Errorf("err = %v (%T), want a *handler.ResponseError with the 401", err, err)
			}
		})
	}
}
