package main

import (
	"fmt"
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

// TestMessageEchoedBaseString checks that a problem's echoed base string is
// masked (the session handle too), shown once, and kept to a readable length.
func TestMessageEchoedBaseString(t *testing.T) {
	t.Parallel()
	echo := "POST&http%3A%2F%2Fproxy%2Fplugins%2Fservlet%2Foauth%2Faccess-token&a%3D" + strings.Repeat("x", 60<<10) +
		"%26oauth_session_handle%3DHANDLE-SECRET%26oauth_verifier%3DVERIFIER-SECRET"
	pe := &signer.ProblemError{Problem: signer.ProblemSignatureInvalid, Status: 401, SignatureBaseString: echo}
	msg := message(fmt.Errorf("applink: link %q: renewing the access token: %w", "jira", pe))
	if len(msg) > 4<<10 {
		t.Errorf("message is %d bytes long, want at most 4 KiB", len(msg))
	}
	if strings.Count(msg, "the remote signed") != 1 || !strings.Contains(msg, "more bytes") {
		t.Errorf("message does not show the base string once, cut: %.300s", msg)
	}
	short := message(&signer.ProblemError{Problem: signer.ProblemSignatureInvalid, SignatureBaseString: "POST&u&oauth_session_handle%3DHANDLE-SECRET%26oauth_token%3Dt"})
	for _, m := range []string{msg, short} {
		if strings.Contains(m, "SECRET") {
			t.Errorf("message shows a secret: %.300s", m)
		}
	}
	if !strings.Contains(short, "oauth_session_handle%3DREDACTED%26oauth_token%3Dt") {
		t.Errorf("message lost the masked base string: %s", short)
	}
}
