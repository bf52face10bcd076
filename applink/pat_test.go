package applink

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/token"
)

// patFixture is a Data Center server that issues personal access tokens, and
// a service with a link to it that uses them.
type patFixture struct {
	srv   *applinktest.Server
	svc   *Service
	link  *Link
	store token.Store
}

func newPATFixture(t *testing.T, auth []Auth, bot *LinkPAT) *patFixture {
	t.Helper()
	srv := applinktest.NewServer(t)
	for _, u := range []string{"alice", "bob", "robot"} {
		srv.AddUser(u)
	}
	l := Link{ID: newLinkID(), Name: "jira", Type: TypeJira, RPCURL: srv.URL, Auth: auth, PAT: bot}
	if (&l).allows(Auth3LO) || (&l).allows(Auth2LOi) {
		key := testKey(t)
		if err := srv.AddConsumer(applinktest.Consumer{Key: "c", PublicKey: &key.PublicKey, ThreeLO: true, Impersonation: true}); err != nil {
			t.Fatal(err)
		}
		l.ConsumerKey = "c"
		l.PrivateKey = key
	}
	store := token.NewMemoryStore()
	svc, err := NewService([]Link{l}, WithTokenStore(store), WithHTTPClient(srv.Client()), WithRetry(RetryPolicy{Max: -1}))
	if err != nil {
		t.Fatal(err)
	}
	link, err := svc.Link("jira")
	if err != nil {
		t.Fatal(err)
	}
	return &patFixture{srv: srv, svc: svc, link: link, store: store}
}

// setPAT stores a PAT the server issued for user, and returns it.
func (fx *patFixture) setPAT(t *testing.T, user string) string {
	t.Helper()
	pat := fx.srv.IssuePAT(user)
	if err := fx.store.PutAccessToken(t.Context(), token.Key{LinkID: fx.link.ID, User: user}, token.NewPATAccessToken(pat)); err != nil {
		t.Fatal(err)
	}
	return pat
}

func (fx *patFixture) factory(t *testing.T, user string, opts ...Option) *RequestFactory {
	t.Helper()
	f, err := fx.link.RequestFactory(user, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestPATRequestsAsTwoUsers: each user's own PAT is sent as a bearer token
// and the request runs as that user.
func TestPATRequestsAsTwoUsers(t *testing.T) {
	t.Parallel()
	fx := newPATFixture(t, []Auth{AuthPAT}, nil)
	pats := map[string]string{"alice": fx.setPAT(t, "alice"), "bob": fx.setPAT(t, "bob")}
	for _, user := range []string{"alice", "bob"} {
		got, auth, err := whoami(t, fx.factory(t, user))
		if err != nil || got != user || auth != AuthPAT {
			t.Errorf("as %s: got %q over %s, %v; want %s over pat", user, got, auth, err, user)
		}
		if rec := lastRecord(t, fx.srv); rec.Flow != applinktest.FlowPAT {
			t.Errorf("as %s: the server saw flow %q, want %q", user, rec.Flow, applinktest.FlowPAT)
		}
	}
	// No user without a token: credentials required, saying there is no dance.
	_, _, err := whoami(t, fx.factory(t, "carol"))
	var cr *CredentialsRequiredError
	if !errors.As(err, &cr) || cr.Method != AuthPAT {
		t.Fatalf("carol without a PAT: got %v, want *CredentialsRequiredError for pat", err)
	}
	for _, want := range []string{"no personal access token", "Profile → Personal Access Tokens", "no authorization dance"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if _, err := fx.factory(t, "carol").AuthorizationURL(t.Context(), ""); err == nil || strings.Contains(err.Error(), "http") {
		t.Errorf("AuthorizationURL on a PAT link: got %v, want an error offering no URL", err)
	}
	for _, pat := range pats {
		if strings.Contains(fmt.Sprintf("%v %+v %#v", err, cr, fx.svc), pat) {
			t.Error("a PAT is in an error")
		}
	}
}

// TestPATRefused: the rule of the package doc for PATs: a 401 deletes the
// user's token (credentials required, no dance); a 403 keeps it (valid
// token, no permission); a server error keeps it.
func TestPATRefused(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		setup   func(fx *patFixture, pat string)
		path    string
		deleted bool
		status  int
	}{
		{"revoked", func(fx *patFixture, pat string) { fx.srv.RevokePAT(pat) }, "/rest/api/2/myself", true, 0},
		{"owner removed", func(fx *patFixture, _ string) { fx.srv.RemoveUser("alice") }, "/rest/api/2/myself", true, 0},
		{"no permission (403)", nil, "/rest/api/2/forbidden", false, http.StatusForbidden},
		{"server error", nil, "/rest/api/2/broken", false, http.StatusInternalServerError},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fx := newPATFixture(t, []Auth{AuthPAT}, nil)
			fx.srv.Handle("GET /rest/api/2/forbidden", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, `{"errorMessages":["You do not have the permission to see the specified issue."]}`, http.StatusForbidden)
			}))
			fx.srv.Handle("GET /rest/api/2/broken", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "boom", http.StatusInternalServerError)
			}))
			pat := fx.setPAT(t, "alice")
			if tt.setup != nil {
				tt.setup(fx, pat)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			req, err := fx.factory(t, "alice").NewRequest("GET", tt.path)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := req.Do(ctx)
			if resp != nil {
				resp.Body.Close()
			}
			_, serr := fx.store.AccessToken(t.Context(), token.Key{LinkID: fx.link.ID, User: "alice"})
			if tt.deleted {
				var cr *CredentialsRequiredError
				var pe *PATRefusedError
				if !errors.As(err, &cr) || cr.Method != AuthPAT || !errors.As(err, &pe) || pe.Reason != "AUTHENTICATED_FAILED" {
					t.Fatalf("got %v, want *CredentialsRequiredError for pat caused by *PATRefusedError", err)
				}
				if !strings.Contains(err.Error(), "Profile → Personal Access Tokens") || strings.Contains(err.Error(), pat) {
					t.Errorf("error %q: want the profile advice and no token", err)
				}
				if !errors.Is(serr, token.ErrNotFound) {
					t.Errorf("the refused PAT is still stored (%v)", serr)
				}
				return
			}
			if resp == nil || resp.StatusCode != tt.status {
				t.Errorf("got %v, %v; want the %d response", resp, err, tt.status)
			}
			if serr != nil {
				t.Errorf("the PAT was deleted after a %d: %v", tt.status, serr)
			}
		})
	}
}

// TestPATAutoOrder: the user's own credentials first (3LO, then the user's
// PAT), then 2LOi.
func TestPATAutoOrder(t *testing.T) {
	t.Parallel()
	fx := newPATFixture(t, []Auth{Auth3LO, AuthPAT, Auth2LOi}, nil)
	fx.setPAT(t, "alice")
	if got, auth, err := whoami(t, fx.factory(t, "alice")); err != nil || got != "alice" || auth != AuthPAT {
		t.Errorf("alice with a PAT: got %q over %s, %v; want alice over pat", got, auth, err)
	}
	if got, auth, err := whoami(t, fx.factory(t, "bob")); err != nil || got != "bob" || auth != Auth2LOi {
		t.Errorf("bob without a token: got %q over %s, %v; want bob over 2loi", got, auth, err)
	}
	// WithAuth(Auth3LO) with a PAT stored: the token is kept, 3LO needs a dance.
	_, _, err := whoami(t, fx.factory(t, "alice", WithAuth(Auth3LO)))
	var cr *CredentialsRequiredError
	if !errors.As(err, &cr) || !cr.Kept {
		t.Errorf("WithAuth(3lo) with a PAT stored: got %v, want credentials required, token kept", err)
	}
}

// TestLinkPAT: the link's own (bot) PAT from an environment variable or a
// 0600 file serves requests without a user; a refused one is an error that
// says to replace it, not credentials required; a world-readable file is
// refused.
func TestLinkPAT(t *testing.T) {
	srv := applinktest.NewServer(t)
	srv.AddUser("robot")
	pat := srv.IssuePAT("robot")
	dir := t.TempDir()
	file := filepath.Join(dir, "pat")
	if err := os.WriteFile(file, []byte(pat+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	loose := filepath.Join(dir, "loose")
	if err := os.WriteFile(loose, []byte(pat), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("APPLINK_TEST_BOT_PAT", pat)
	for _, tt := range []struct {
		name string
		bot  LinkPAT
		err  string
	}{
		{"env", LinkPAT{TokenEnv: "APPLINK_TEST_BOT_PAT"}, ""},
		{"file", LinkPAT{TokenFile: file}, ""},
		{"world-readable file", LinkPAT{TokenFile: loose}, "chmod 600"},
		{"unset env", LinkPAT{TokenEnv: "APPLINK_TEST_NO_SUCH_VAR"}, "is not set"},
		{"both", LinkPAT{TokenEnv: "APPLINK_TEST_BOT_PAT", TokenFile: file}, "exactly one"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := Link{ID: newLinkID(), Name: "jira", Type: TypeJira, RPCURL: srv.URL, Auth: []Auth{AuthPAT}, PAT: &tt.bot}
			svc, err := NewService([]Link{l}, WithHTTPClient(srv.Client()), WithRetry(RetryPolicy{Max: -1}))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), pat) {
					t.Fatalf("got %v, want an error saying %q without the token", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			link, _ := svc.Link("jira")
			f, err := link.RequestFactory("")
			if err != nil {
				t.Fatal(err)
			}
			if got, auth, err := whoami(t, f); err != nil || got != "robot" || auth != AuthPAT {
				t.Errorf("got %q over %s, %v; want robot over pat", got, auth, err)
			}
		})
	}
	t.Run("refused", func(t *testing.T) {
		other := srv.IssuePAT("robot")
		srv.RevokePAT(other)
		t.Setenv("APPLINK_TEST_BOT_PAT2", other)
		l := Link{ID: newLinkID(), Name: "jira", Type: TypeJira, RPCURL: srv.URL, Auth: []Auth{AuthPAT}, PAT: &LinkPAT{TokenEnv: "APPLINK_TEST_BOT_PAT2"}}
		svc, err := NewService([]Link{l}, WithHTTPClient(srv.Client()), WithRetry(RetryPolicy{Max: -1}))
		if err != nil {
			t.Fatal(err)
		}
		link, _ := svc.Link("jira")
		f, _ := link.RequestFactory("")
		_, _, err = whoami(t, f)
		var pe *PATRefusedError
		var cr *CredentialsRequiredError
		if !errors.As(err, &pe) || pe.User != "" || errors.As(err, &cr) {
			t.Fatalf("got %v, want *PATRefusedError of the link's token", err)
		}
		if !strings.Contains(err.Error(), "pat.tokenEnv") || strings.Contains(err.Error(), other) {
			t.Errorf("error %q: want where the token is read from, and not the token", err)
		}
	})
}

// TestPATString: a PAT token never prints.
func TestPATString(t *testing.T) {
	t.Parallel()
	tok := token.NewPATAccessToken("pat-very-secret-value")
	for _, s := range []string{tok.String(), fmt.Sprintf("%v %+v %#v %s", tok, tok, tok, *tok)} {
		if strings.Contains(s, "pat-very-secret-value") {
			t.Errorf("the PAT prints: %s", s)
		}
	}
}
