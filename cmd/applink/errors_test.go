package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/signer"
)

// TestProblemAdviceSignatureInvalid checks that the library's
// signature_invalid advice, which the command prints, is two-way, like the
// doctor's: fix our URL, or make the remote see it.
func TestProblemAdviceSignatureInvalid(t *testing.T) {
	t.Parallel()
	got := adviceFor(signer.ProblemSignatureInvalid)
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
	pe := &signer.ProblemError{Problem: signer.ProblemSignatureInvalid, Status: 401, SignatureBaseString: signer.NewSecret(echo)}
	msg := message(fmt.Errorf("applink: link %q: renewing the access token: %w", "jira", pe))
	if len(msg) > 4<<10 {
		t.Errorf("message is %d bytes long, want at most 4 KiB", len(msg))
	}
	if strings.Count(msg, "the remote signed") != 1 || !strings.Contains(msg, "more bytes") {
		t.Errorf("message does not show the base string once, cut: %.300s", msg)
	}
	short := message(&signer.ProblemError{Problem: signer.ProblemSignatureInvalid, SignatureBaseString: signer.NewSecret("POST&u&oauth_session_handle%3DHANDLE-SECRET%26oauth_token%3Dt")})
	for _, m := range []string{msg, short} {
		if strings.Contains(m, "SECRET") {
			t.Errorf("message shows a secret: %.300s", m)
		}
	}
	if !strings.Contains(short, "oauth_session_handle%3DREDACTED%26oauth_token%3Dt") {
		t.Errorf("message lost the masked base string: %s", short)
	}
}

// TestMessagePrintsLibraryAdvice: a bare problem (from the dance) gets the
// library's advice, from its one table, for every problem it advises on.
func TestMessagePrintsLibraryAdvice(t *testing.T) {
	t.Parallel()
	for _, code := range []string{signer.ProblemTimestampRefused, signer.ProblemConsumerKeyUnknown, signer.ProblemPermissionDenied,
		signer.ProblemUserRefused, signer.ProblemNonceUsed, signer.ProblemSignatureMethodRejected, signer.ProblemVersionRejected} {
		msg := message(fmt.Errorf("applink: link %q: obtaining a request token: %w", "jira", &signer.ProblemError{Problem: code, Status: 401}))
		if want := adviceFor(code); want == "" || !strings.Contains(msg, want) {
			t.Errorf("message for %s = %q, want the library's advice %q", code, msg, want)
		}
	}
}

// adviceFor is the library's advice for an OAuth 1.0a problem.
func adviceFor(problem string) string {
	return (&applink.OAuthError{Problem: &signer.ProblemError{Problem: problem}}).Advice()
}
