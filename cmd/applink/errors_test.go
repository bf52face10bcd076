package main

import (
	"strings"
	"testing"

	"github.com/go-applinks/applinks/signer"
)

// TestProblemAdviceSignatureInvalid checks that signature_invalid advice is
// two-way, like the doctor's: fix our URL, or make the remote see it.
func TestProblemAdviceSignatureInvalid(t *testing.T) {
	t.Parallel()
	got := problemAdvice(signer.ProblemSignatureInvalid)
	for _, want := range []string{
		"make the two URLs agree",
		"the URL the remote believes it is at",
		"X-Forwarded-Proto/Host/Port",
		"separate connector",
		"applink doctor",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("advice %q does not say %q", got, want)
		}
	}
	if strings.Contains(got, "past the proxy") {
		t.Errorf("advice %q is still one-way", got)
	}
}
