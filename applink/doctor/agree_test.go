package doctor

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
)

// TestWrongKeyDoctorAndRequestAgree is issue 20 item 3: the doctor's
// probe and an ordinary request meet the same signature_invalid (the same
// base string on both sides) and both say "wrong key", from the one
// diagnosis in internal/sigbase.
func TestWrongKeyDoctorAndRequestAgree(t *testing.T) {
	t.Parallel()
	other := diagKeyFile(t, "sign-rsa1024-TEST-ONLY.pem")
	fx := newDiagFixture(t, diagSetup{consumer: applinktest.Consumer{TwoLO: true, TwoLOUser: "bot"},
		remoteKey: &other.PublicKey, auth: []applink.Auth{applink.Auth2LO}})

	rep := diagnose(t, fx.link, "")
	c := rep.Check(checkProbe2LO)
	if c == nil || c.Status != StatusFail || !strings.Contains(c.Summary, "wrong key") {
		t.Fatalf("the doctor's probe-2lo: %+v, want a wrong-key failure", c)
	}

	f, err := fx.link.RequestFactory("", applink.WithAuth(applink.Auth2LO))
	if err != nil {
		t.Fatal(err)
	}
	req, err := f.NewRequest(http.MethodGet, probePath(applink.TypeJira))
	if err != nil {
		t.Fatal(err)
	}
	_, err = req.Do(t.Context())
	var oe *applink.OAuthError
	if !errors.As(err, &oe) || oe.Problem.Problem != signer.ProblemSignatureInvalid {
		t.Fatalf("Do = %v, want an *OAuthError for signature_invalid", err)
	}
	if advice := oe.Advice(); !strings.Contains(advice, "same signature base string on both sides") || !strings.Contains(advice, "another key") {
		t.Errorf("the request's advice %q is not the doctor's wrong-key diagnosis", advice)
	}
}
