package applink

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-applinks/applinks/applink/applinktest"
)

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
	fx := newO2Fixture(t, "", applinktest.ScopeWrite)
	svc := fx.service(t)
	l, err := svc.Link(testLinkID)
	if err != nil {
		t.Fatal(err)
	}
	opts := []DiagnoseOption{WithProbeTimeout(30 * time.Second)}

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

	if err := factoryFor(t, svc, "alice").AuthorizeOutOfBand(t.Context(), fx.pasteApproval("alice")); err != nil {
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
	bad := fx.service(t, fx.link().WithClientSecret("wrong-TEST-ONLY"))
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
