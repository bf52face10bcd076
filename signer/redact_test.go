package signer

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestSecretsNeverPrint prints every secret-holding type of this package
// every way a program might (fmt verbs, String, GoString, slog's JSON and
// text handlers, as a value and as a pointer) and fails on any secret.
func TestSecretsNeverPrint(t *testing.T) {
	t.Parallel()
	const (
		consumerSecret = "CONSUMER-SECRET-x1"
		tokenSecret    = "TOKEN-SECRET-x2"
		verifier       = "VERIFIER-x3"
		sessionHandle  = "SESSION-HANDLE-x4"
		extraValue     = "EXTRA-VALUE-x5"
	)
	key := testKey(t)
	rsaM, err := NewRSASHA1(key)
	if err != nil {
		t.Fatal(err)
	}
	hm := mustHMAC(t, consumerSecret)
	pt, err := NewPlaintext(consumerSecret)
	if err != nil {
		t.Fatal(err)
	}
	tok := NewToken("token-value-that-is-long", tokenSecret)
	params := Params{Token: tok, Verifier: verifier, SessionHandle: sessionHandle,
		Extra: map[string]string{"xoauth_x": extraValue}}
	rsaSigner := mustNew(t, "ck", rsaM)
	hmacSigner := mustNew(t, "ck", hm)

	secrets := []string{consumerSecret, tokenSecret, verifier, sessionHandle, extraValue,
		key.D.String(), key.Primes[0].String(), fmt.Sprintf("%x", key.D.Bytes()[:16]),
		base64.StdEncoding.EncodeToString(key.D.Bytes())[:20],
		// A big.Int printed inside a struct shows its words in decimal.
		fmt.Sprint(key.D.Bits()[0]),
	}
	values := map[string]any{
		"*RSASHA1":   rsaM,
		"RSASHA1":    *rsaM,
		"*HMACSHA1":  hm,
		"HMACSHA1":   *hm,
		"*Plaintext": pt,
		"Plaintext":  *pt,
		"Token":      tok,
		"*Token":     &tok,
		"Params":     params,
		"*Params":    &params,
		"*Signer":    rsaSigner,
		"Signer":     *rsaSigner,
		"*Signer(h)": hmacSigner,
		"Signer(h)":  *hmacSigner,
		"[]Method":   []Method{rsaM, hm, pt},
		"struct":     struct{ P Params }{params},
	}
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			outs := map[string]string{}
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
				outs[verb] = fmt.Sprintf(verb, v)
			}
			if s, ok := v.(fmt.Stringer); ok {
				outs["String"] = s.String()
			}
			if s, ok := v.(fmt.GoStringer); ok {
				outs["GoString"] = s.GoString()
			}
			for hname, mk := range map[string]func(*bytes.Buffer) slog.Handler{
				"slog JSON": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
				"slog text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
			} {
				var buf bytes.Buffer
				slog.New(mk(&buf)).Info("msg", "v", v, slog.Any("any", v), slog.Group("g", "v", v))
				outs[hname] = buf.String()
			}
			for how, out := range outs {
				for _, s := range secrets {
					if strings.Contains(out, s) {
						t.Errorf("%s printed with %s shows a secret (%.12s…): %s", name, how, s, out)
					}
				}
			}
		})
	}
}

// TestErrorsNeverShowSecrets checks the errors that could be tempted to
// quote what they were given.
func TestErrorsNeverShowSecrets(t *testing.T) {
	t.Parallel()
	s := mustNew(t, "ck", mustHMAC(t, "HMAC-SECRET"))
	r := mustRequest(t, "GET", "https://example.com/", "", "")
	err := s.Sign(r, Params{Token: NewToken("t", "TOK-SECRET"), Verifier: "VERIF",
		Extra: map[string]string{"bad": "EXTRA-SECRET"}})
	if err == nil {
		t.Fatal("Sign accepted a bad extra parameter")
	}
	for _, secret := range []string{"HMAC-SECRET", "TOK-SECRET", "VERIF", "EXTRA-SECRET"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q shows %s", err, secret)
		}
	}
	if err := VerifyHMACSHA1("HMAC-SECRET", "TOK-SECRET", "m", "sig"); err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("VerifyHMACSHA1 error = %v", err)
	}
}
