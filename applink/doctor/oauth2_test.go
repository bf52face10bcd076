package doctor

import (
	"context"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/authorize"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/testnet"
	"github.com/go-applinks/applinks/signer"
	"github.com/google/go-cmp/cmp"
)

const (
	o2TestClientID = "client-TEST-ONLY"
	o2TestSecret   = "client-s3cret-TEST-ONLY"
	testLinkID     = "6f1c2a4e-0d8b-4c3e-9a57-2b1e8d0f4c11"
)

// o2Fixture is an OAuth 2.0-shaped server and a shared token store.
type o2Fixture struct {
	srv      *applinktest.Server
	store    token.Store
	redirect string
}

func newO2Fixture(t *testing.T, scope string) *o2Fixture {
	t.Helper()
	redirect := testnet.LoopbackCallbackURL(t)
	srv := applinktest.NewServer(t,
		applinktest.WithShape(applinktest.OAuth2),
		applinktest.WithUsers("alice", "bob", "robot"),
		applinktest.WithBearerTokenTTL(time.Hour),
		applinktest.WithOAuth2Client(applinktest.OAuth2Client{ID: o2TestClientID, Secret: signer.NewSecret(o2TestSecret),
			RedirectURL: redirect, Scope: scope, ServiceUser: "robot"}))
	return &o2Fixture{srv: srv, store: token.NewMemoryStore(), redirect: redirect}
}

// link returns an OAuth 2.0 link to the fixture's server.
func (fx *o2Fixture) link() applink.Link {
	return applink.Link{ID: testLinkID, Name: "Jira OAuth2", Type: applink.TypeJira, RPCURL: fx.srv.URL, Auth: []applink.Auth{applink.AuthOAuth2},
		OAuth2: &applink.OAuth2Client{ClientID: o2TestClientID, RedirectURL: fx.redirect, Scopes: []string{"WRITE"}, ClientSecret: token.NewSecret(o2TestSecret)},
	}
}

// service returns a new Service on the fixture's store.
func (fx *o2Fixture) service(t *testing.T, links ...applink.Link) *applink.Service {
	t.Helper()
	if len(links) == 0 {
		links = []applink.Link{fx.link()}
	}
	svc, err := applink.NewService(links, applink.WithTokenStore(fx.store), applink.WithHTTPClient(fx.srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// statuses returns "name=status" of every check after the network ones.
func oauth2Statuses(rep *Report) []string {
	var out []string
	for _, c := range rep.Checks {
		switch c.Name {
		case checkDNS, checkTCP, checkTLS:
			continue
		}
		out = append(out, c.Name+"="+string(c.Status))
	}
	return out
}

func TestDiagnoseOAuth2(t *testing.T) {
	t.Parallel()
	fx := newO2Fixture(t, applinktest.ScopeWrite)
	svc := fx.service(t)
	l, err := svc.Link(testLinkID)
	if err != nil {
		t.Fatal(err)
	}
	opts := []Option{WithProbeTimeout(30 * time.Second)}

	rep, err := Diagnose(t.Context(), l, "alice", opts...)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"oauth2-endpoints=pass", "oauth2-client=pass", "oauth2-token=fail", "oauth2-scopes=skip"}
	if diff := cmp.Diff(want, oauth2Statuses(rep)); diff != "" {
		t.Fatalf("before consent (-want +got):\n%s", diff)
	}
	if fix := rep.Check(checkOAuth2Token).Fix; fix == "" {
		t.Error("no fix for the missing token")
	}

	f, err := l.RequestFactory("alice")
	if err != nil {
		t.Fatal(err)
	}
	paste := func(_ context.Context, authURL string) (string, error) { return fx.srv.ApproveOAuth2(authURL, "alice") }
	if err := authorize.OutOfBand(t.Context(), f, paste); err != nil {
		t.Fatal(err)
	}
	rep, err = Diagnose(t.Context(), l, "alice", opts...)
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"oauth2-endpoints=pass", "oauth2-client=pass", "oauth2-token=pass", "oauth2-scopes=pass"}
	if diff := cmp.Diff(want, oauth2Statuses(rep)); diff != "" || !rep.OK() {
		t.Fatalf("after consent (-want +got):\n%s", diff)
	}

	// A wrong secret is named as such.
	badLink := fx.link()
	o2 := *badLink.OAuth2
	o2.ClientSecret = token.NewSecret("wrong-TEST-ONLY")
	badLink.OAuth2 = &o2
	bad := fx.service(t, badLink)
	bl, _ := bad.Link(testLinkID)
	rep, err = Diagnose(t.Context(), bl, "alice", opts...)
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"oauth2-endpoints=pass", "oauth2-client=fail", "oauth2-token=skip", "oauth2-scopes=skip"}
	if diff := cmp.Diff(want, oauth2Statuses(rep)); diff != "" {
		t.Fatalf("wrong secret (-want +got):\n%s", diff)
	}

	// A server without OAuth 2.0.
	plain := applinktest.NewServer(t)
	pl := fx.link()
	pl.RPCURL = plain.URL
	ps := fx.service(t, pl)
	pll, _ := ps.Link(testLinkID)
	rep, err = Diagnose(t.Context(), pll, "alice", opts...)
	if err != nil {
		t.Fatal(err)
	}
	if c := rep.Check(checkOAuth2Endpoints); c == nil || c.Status != StatusFail {
		t.Errorf("no OAuth 2.0 provider: %+v", c)
	}
}
