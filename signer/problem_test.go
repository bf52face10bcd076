package signer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
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
		handle         = "SESSION-HANDLE-3f0d"
	)
	a, _ := provKeys(t)
	c := NewRSAConsumer("both", &a.PublicKey)
	c.secret = NewSecret(consumerSecret)
	base := "POST&https%3A%2F%2Fjira.example.com%2Fplugins%2Fservlet%2Foauth%2Faccess-token&oauth_consumer_key%3Dboth%26oauth_session_handle%3D" + handle + "%26oauth_verifier%3D" +
		verifier + "%26oauth_version%3D1.0"
	pe := &ProblemError{
		Problem: ProblemSignatureInvalid, Status: 401,
		Signature: NewSecret(plainSig), SignatureMethod: MethodPlaintext, SignatureBaseString: NewSecret(base),
		Extra: url.Values{"oauth_verifier": {verifier}, "oauth_session_handle": {handle}},
	}
	ver := &Verified{Consumer: c, Token: "tok-1", SignatureMethod: MethodRSASHA1, BaseString: NewSecret(base), verifier: NewSecret(verifier), SessionHandle: NewSecret(handle)}
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
	secrets := []string{consumerSecret, verifier, plainSig, handle}
	for name, v := range values {
		var outs []string
		js, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal(%s): %v", name, err)
		}
		outs = append(outs, string(js))
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

func TestRedactSecrets(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                                       "",
		"GET&x&a%3D1":                            "GET&x&a%3D1",
		"GET&x&oauth_verifier%3Dabc":             "GET&x&oauth_verifier%3DREDACTED",
		"oauth_verifier%3Da%26b%3D1":             "oauth_verifier%3DREDACTED%26b%3D1",
		"oauth_verifier=abc&x=1":                 "oauth_verifier=REDACTED&x=1",
		"oauth_verifier%3D%26oauth_verifier%3Dz": "oauth_verifier%3DREDACTED%26oauth_verifier%3DREDACTED",
		"a%3D1%26oauth_session_handle%3Dh%26oauth_token%3Dt":                      "a%3D1%26oauth_session_handle%3DREDACTED%26oauth_token%3Dt",
		"oauth_token_secret=s&oauth_signature=x&oauth_signature_method=HMAC-SHA1": "oauth_token_secret=REDACTED&oauth_signature=REDACTED&oauth_signature_method=HMAC-SHA1",
		"GET&u&xoauth_session_handle%3Dx":                                         "GET&u&xoauth_session_handle%3Dx",
	} {
		if got := redactSecrets(in); got != want {
			t.Errorf("redactSecrets(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestProblemErrorJSON checks that JSON keeps what a problem says and masks
// the signature and the secrets in the echoed base string.
func TestProblemErrorJSON(t *testing.T) {
	t.Parallel()
	pe := &ProblemError{Problem: ProblemSignatureInvalid, Status: 401, Signature: NewSecret("SIG"), SignatureMethod: MethodHMACSHA1,
		SignatureBaseString: NewSecret("POST&u&oauth_session_handle%3DH%26oauth_token%3DT%26oauth_verifier%3DV"),
		Extra:               url.Values{"oauth_token_secret": {"S"}, "x": {"y"}}}
	got, err := json.Marshal(pe)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"status":401,"problem":"signature_invalid","signature":"REDACTED","signature_method":"HMAC-SHA1",` +
		`"signature_base_string":"POST\u0026u\u0026oauth_session_handle%3DREDACTED%26oauth_token%3DT%26oauth_verifier%3DREDACTED",` +
		`"extra":{"oauth_token_secret":["REDACTED"],"x":["y"]}}`
	if string(got) != want {
		t.Errorf("json.Marshal =\n%s\nwant\n%s", got, want)
	}
	if got := pe.RedactedBaseString(); got != "POST&u&oauth_session_handle%3DREDACTED%26oauth_token%3DT%26oauth_verifier%3DREDACTED" {
		t.Errorf("RedactedBaseString() = %q", got)
	}
}

// TestProblemErrorMessageLength checks that a provider sending huge text
// gets a readable message; the fields keep everything.
func TestProblemErrorMessageLength(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 40<<10)
	names := make([]string, 500)
	for i := range names {
		names[i] = fmt.Sprintf("p%d", i)
	}
	pe := &ProblemError{Problem: long, Advice: long, ParametersAbsent: names, ParametersRejected: []string{long}}
	msg := pe.Error()
	if len(msg) > 2<<10 {
		t.Errorf("Error() is %d bytes long, want at most 2 KiB", len(msg))
	}
	for _, w := range []string{"more bytes", "p9 and 490 more"} {
		if !strings.Contains(msg, w) {
			t.Errorf("Error() does not say %q: %s", w, msg)
		}
	}
	if !utf8.ValidString(msg) {
		t.Error("Error() cut a character in half")
	}
	if pe.Problem != long || len(pe.ParametersAbsent) != 500 {
		t.Error("the fields were changed")
	}
}
