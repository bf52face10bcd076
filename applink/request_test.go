package applink

import (
	"errors"
	"net/http"
	"testing"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/handler"
	"github.com/google/go-cmp/cmp"
)

func TestRequestAsUser(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{})
	fx.authorize(t, "alice")
	tests := []struct {
		name     string
		user     string
		opts     []Option
		wantUser string
		wantAuth Auth
		wantFlow string
	}{
		{"3LO with a stored token", "alice", nil, "alice", Auth3LO, applinktest.FlowThreeLO},
		{"2LOi without a token", "bob", nil, "bob", Auth2LOi, applinktest.FlowTwoLOi},
		{"2LO", "alice", []Option{WithAuth(Auth2LO)}, "bot", Auth2LO, applinktest.FlowTwoLO},
		{"2LOi forced", "alice", []Option{WithAuth(Auth2LOi)}, "alice", Auth2LOi, applinktest.FlowTwoLOi},
		{"non-impersonating", "alice", []Option{WithNonImpersonatingOnly()}, "bot", Auth2LO, applinktest.FlowTwoLO},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user, auth, err := whoami(t, fx.factory(t, tt.user, tt.opts...))
			if err != nil {
				t.Fatalf("request: %v", err)
			}
			if user != tt.wantUser || auth != tt.wantAuth {
				t.Errorf("got user %q with %s, want %q with %s", user, auth, tt.wantUser, tt.wantAuth)
			}
		})
	}
	for _, tt := range tests {
		found := false
		for _, r := range recordsFor(fx.srv, "/rest/api/2/myself") {
			if r.Flow == tt.wantFlow && r.User == tt.wantUser && r.Status == http.StatusOK {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: the provider recorded no %s request as %q", tt.name, tt.wantFlow, tt.wantUser)
		}
	}
}

func TestAnonymous(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{})
	f := fx.factory(t, "")
	req, err := f.NewRequest(http.MethodGet, "/rest/api/2/myself")
	if err != nil {
		t.Fatal(err)
	}
	if req.Auth() != "" {
		t.Errorf("Auth() before sending = %s, want \"\"", req.Auth())
	}
	_, err = Execute(t.Context(), req, handler.JSON[myself]())
	var re *handler.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous myself: got %v, want a 401 *handler.ResponseError", err)
	}
	if req.Auth() != AuthAnonymous {
		t.Errorf("Auth() after sending = %s, want anonymous", req.Auth())
	}
	if r := lastRecord(t, fx.srv); r.Flow != applinktest.FlowAnonymous {
		t.Errorf("flow = %q, want anonymous", r.Flow)
	}
}

func TestAutomaticChoice(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{})
	fx.authorize(t, "alice")
	type want struct {
		auth          Auth
		creds         bool // *CredentialsRequiredError
		notConfigured bool
	}
	tests := []struct {
		name string
		auth []Auth
		user string
		opts []Option
		want want
	}{
		{"no user", []Auth{Auth3LO, Auth2LOi, Auth2LO}, "", nil, want{auth: AuthAnonymous}},
		{"3LO with token", []Auth{Auth3LO, Auth2LOi, Auth2LO}, "alice", nil, want{auth: Auth3LO}},
		{"3LO without token falls to 2LOi", []Auth{Auth3LO, Auth2LOi, Auth2LO}, "bob", nil, want{auth: Auth2LOi}},
		{"the user's own 3LO token before 2LOi, whatever the list order", []Auth{Auth2LOi, Auth3LO}, "alice", nil, want{auth: Auth3LO}},
		{"2LOi listed first, the user without a token", []Auth{Auth2LOi, Auth3LO}, "bob", nil, want{auth: Auth2LOi}},
		{"3LO only without token", []Auth{Auth3LO}, "bob", nil, want{creds: true}},
		{"3LO and 2LO without token", []Auth{Auth3LO, Auth2LO}, "bob", nil, want{creds: true}},
		{"3LO and 2LO with token", []Auth{Auth3LO, Auth2LO}, "alice", nil, want{auth: Auth3LO}},
		{"2LO only", []Auth{Auth2LO}, "bob", nil, want{auth: Auth2LO}},
		{"anonymous only", []Auth{AuthAnonymous}, "bob", nil, want{auth: AuthAnonymous}},
		{"impersonating only, 2LO link", []Auth{Auth2LO}, "bob", []Option{WithImpersonatingOnly()}, want{notConfigured: true}},
		{"impersonating only, 3LO without token", []Auth{Auth3LO, Auth2LO}, "bob", []Option{WithImpersonatingOnly()}, want{creds: true}},
		{"non-impersonating, 3LO only", []Auth{Auth3LO}, "alice", []Option{WithNonImpersonatingOnly()}, want{notConfigured: true}},
		{"non-impersonating, 3LO and 2LOi", []Auth{Auth3LO, Auth2LOi}, "alice", []Option{WithNonImpersonatingOnly()}, want{notConfigured: true}},
		{"non-impersonating, anonymous listed", []Auth{Auth3LO, AuthAnonymous}, "alice", []Option{WithNonImpersonatingOnly()}, want{auth: AuthAnonymous}},
		{"non-impersonating, 2LO", []Auth{Auth3LO, Auth2LO}, "alice", []Option{WithNonImpersonatingOnly()}, want{auth: Auth2LO}},
		{"using 2LOi, absent", []Auth{Auth3LO, Auth2LO}, "alice", []Option{WithAuth(Auth2LOi)}, want{notConfigured: true}},
		{"using 3LO without token", []Auth{Auth3LO, Auth2LOi}, "bob", []Option{WithAuth(Auth3LO)}, want{creds: true}},
		{"using anonymous", []Auth{Auth3LO}, "alice", []Option{WithAuth(AuthAnonymous)}, want{auth: AuthAnonymous}},
		{"using 2LO spelt upper case", []Auth{Auth3LO, Auth2LO}, "alice", []Option{WithAuth("2LO")}, want{auth: Auth2LO}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := Link{ID: fx.link.ID, Name: "Jira", Type: TypeJira, RPCURL: fx.srv.URL, ConsumerKey: coreConsumer, Auth: tt.auth, PrivateKey: testKey(t)}
			svc, err := NewService([]Link{l}, WithTokenStore(fx.store))
			if err != nil {
				t.Fatal(err)
			}
			bound, _ := svc.Link(l.ID)
			f, err := bound.RequestFactory(tt.user, tt.opts...)
			var got want
			if err == nil {
				got.auth, err = f.Auth(t.Context())
			}
			var cre *CredentialsRequiredError
			var nce *AuthNotConfiguredError
			got.creds = errors.As(err, &cre)
			got.notConfigured = errors.As(err, &nce)
			if err != nil && !got.creds && !got.notConfigured {
				t.Fatalf("unexpected error: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("choice (-want +got):\n%s", diff)
			}
			if got.creds && (cre.User != tt.user || cre.LinkID != l.ID) {
				t.Errorf("CredentialsRequiredError names %q/%q, want %q/%q", cre.LinkID, cre.User, l.ID, tt.user)
			}
		})
	}
}
