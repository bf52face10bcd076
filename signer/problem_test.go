package signer

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
)

// TestProblemError checks the message: what went wrong, never a secret.
func TestProblemErrorMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    ProblemError
		want string
	}{
		{ProblemError{Problem: ProblemTimestampRefused, Status: 400, MinTimestamp: 1, MaxTimestamp: 2},
			`oauth problem "timestamp_refused" (HTTP 400); acceptable timestamps 1-2`},
		{ProblemError{Problem: ProblemParameterAbsent, ParametersAbsent: []string{"oauth_nonce", "oauth_token"}},
			`oauth problem "parameter_absent"; parameters absent: oauth_nonce, oauth_token`},
		{ProblemError{Problem: "No user associated with the token", Advice: "log in again"},
			`oauth problem "No user associated with the token": log in again`},
	}
	for _, tt := range tests {
		if got := tt.p.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestProblemErrorAs(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("applink: link %q: %w", "jira", &ProblemError{Problem: ProblemTokenExpired})
	var pe *ProblemError
	if !errors.As(err, &pe) || !pe.IsToken() || pe.StatusCode() != 401 {
		t.Errorf("errors.As(%v) = %#v", err, pe)
	}
}

// TestRedaction prints every secret-holding type of the provider side every
// way and checks that no secret shows.
func TestRedaction(t *testing.T) {
	t.Parallel()
	const (
		consumerSecret = "CONSUMER-SECRET-8d1f"
		verifier       = "VERIFIER-7c2e"
		plainSig       = "PLAINTEXT-SIG-5b9a"
	)
	a, _ := provKeys(t)
	c := NewRSAConsumer("both", &a.PublicKey)
	c.secret = consumerSecret
	base := "POST&https%3A%2F%2Fjira.example.com%2Fplugins%2Fservlet%2Foauth%2Faccess-token&oauth_consumer_key%3Dboth%26oauth_verifier%3D" +
		verifier + "%26oauth_version%3D1.0"
	pe := &ProblemError{
		Problem: ProblemSignatureInvalid, Status: 401,
		Signature: plainSig, SignatureMethod: MethodPlaintext, SignatureBaseString: base,
		Extra: url.Values{"oauth_verifier": {verifier}},
	}
	ver := &Verified{Consumer: c, Token: "tok-1", SignatureMethod: MethodRSASHA1, BaseString: base, verifier: verifier}
	values := map[string]any{
		"*Consumer":     c,
		"Consumer":      *c,
		"*ProblemError": pe,
		"ProblemError":  *pe,
		"error":         error(pe),
		"wrapped error": fmt.Errorf("applink: %w", pe),
		"*Verified":     ver,
		"Verified":      *ver,
	}
	secrets := []string{consumerSecret, verifier, plainSig}
	for name, v := range values {
		var outs []string
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			outs = append(outs, fmt.Sprintf(verb, v))
		}
		for _, h := range []func(*bytes.Buffer) slog.Handler{
			func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
			func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		} {
			var buf bytes.Buffer
			slog.New(h(&buf)).Info("x", "v", v)
			outs = append(outs, buf.String())
		}
		for _, out := range outs {
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("%s prints a secret: %s", name, out)
				}
			}
		}
	}
	// The redacted forms still say what they hold.
	if got := fmt.Sprintf("%#v", pe); !strings.Contains(got, "oauth_verifier%3DREDACTED%26oauth_version") {
		t.Errorf("%%#v of the problem = %s, want the base string with the verifier redacted", got)
	}
}

func TestRedactVerifier(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                                       "",
		"GET&x&a%3D1":                            "GET&x&a%3D1",
		"GET&x&oauth_verifier%3Dabc":             "GET&x&oauth_verifier%3DREDACTED",
		"oauth_verifier%3Da%26b%3D1":             "oauth_verifier%3DREDACTED%26b%3D1",
		"oauth_verifier=abc&x=1":                 "oauth_verifier=REDACTED&x=1",
		"oauth_verifier%3D%26oauth_verifier%3Dz": "oauth_verifier%3DREDACTED%26oauth_verifier%3DREDACTED",
	} {
		if got := redactVerifier(in); got != want {
			t.Errorf("redactVerifier(%q) = %q, want %q", in, got, want)
		}
	}
}
