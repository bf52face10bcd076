package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const plain = "SECRET-VALUE-x9"

// holder is a struct a user might write: an exported and an unexported
// Secret field beside ordinary ones.
type holder struct {
	User   string
	Secret Secret
	hidden Secret
	Ptr    *Secret
}

// nested holds a holder by value, so fmt walks two levels by reflection.
type nested struct {
	Inner holder
	List  []Secret
	Map   map[string]Secret
}

// leaks reports how s shows the secret, if it does: raw, hex (either case)
// or base64.
func leaks(s string) string {
	for _, form := range []string{
		plain,
		hex.EncodeToString([]byte(plain)),
		strings.ToUpper(hex.EncodeToString([]byte(plain))),
		base64.StdEncoding.EncodeToString([]byte(plain)),
		plain[:8], // a prefix is a leak too
	} {
		if strings.Contains(s, form) {
			return form
		}
	}
	return ""
}

// TestSecretNeverPrints prints a Secret, and values that contain one, under
// every fmt verb and flag, slog's handlers and encoding/json, and fails on
// any form of the secret. %p and bad verbs make fmt print a containing
// struct by reflection without calling Format: the secret behind its
// pointer must still not show.
func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	s := NewSecret(plain)
	h := holder{User: "alice", Secret: s, hidden: s, Ptr: &s}
	n := nested{Inner: h, List: []Secret{s, s}, Map: map[string]Secret{"k": s}}
	values := map[string]any{
		"Secret":        s,
		"*Secret":       &s,
		"holder":        h,
		"*holder":       &h,
		"nested":        n,
		"*nested":       &n,
		"[]Secret":      []Secret{s},
		"map key":       map[Secret]int{s: 1},
		"[1]holder":     [1]holder{h},
		"any in struct": struct{ V any }{s},
	}
	verbs := []string{
		"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "% x", "%d", "%p", "%t", "%o", "%b", "%e", "%c", "%U",
		"%T", "%10v", "%-30s", "%.3s", "%#x", "%+q", "%#q", "%08v", "%!", "%w",
	}
	for name, v := range values {
		for _, verb := range verbs {
			if got := fmt.Sprintf(verb, v); leaks(got) != "" {
				t.Errorf("fmt.Sprintf(%q, %s) = %q: leaks %q", verb, name, got, leaks(got))
			}
		}
		for _, f := range []func(...any) string{fmt.Sprint, fmt.Sprintln} {
			if got := f(v); leaks(got) != "" {
				t.Errorf("fmt.Sprint(%s) = %q: leaks", name, got)
			}
		}
		if b, err := json.Marshal(v); err == nil && leaks(string(b)) != "" {
			t.Errorf("json.Marshal(%s) = %s: leaks", name, b)
		}
		for handler, newHandler := range map[string]func(*bytes.Buffer) slog.Handler{
			"JSON": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
			"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		} {
			var b bytes.Buffer
			slog.New(newHandler(&b)).Info("msg", "v", v, slog.Any("any", v), slog.Group("g", "v", v))
			if leaks(b.String()) != "" {
				t.Errorf("slog %s handler with %s wrote %q: leaks", handler, name, b.String())
			}
		}
	}
}

// TestSecretShows is what a Secret does print: REDACTED when set, nothing
// when zero, whatever the verb, so that a set field is told from an unset
// one.
func TestSecretShows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format string
		arg    any
		want   string
	}{
		{"%v", NewSecret(plain), "REDACTED"},
		{"%s", NewSecret(plain), "REDACTED"},
		{"%d", NewSecret(plain), "REDACTED"},
		{"%x", NewSecret(plain), "REDACTED"},
		{"%q", NewSecret(plain), `"REDACTED"`},
		{"%#v", NewSecret(plain), `"REDACTED"`},
		{"%10v|", NewSecret(plain), "  REDACTED|"},
		{"%v", Secret{}, ""},
		{"%q", NewSecret(""), `""`},
		{"%+v", holder{User: "u", Secret: NewSecret(plain)}, "{User:u Secret:REDACTED hidden:{p:<nil>} Ptr:<nil>}"},
		{"%#v", struct{ S Secret }{NewSecret(plain)}, `struct { S redact.Secret }{S:"REDACTED"}`},
	}
	for _, tc := range tests {
		if got := fmt.Sprintf(tc.format, tc.arg); got != tc.want {
			t.Errorf("fmt.Sprintf(%q, %T) = %q, want %q", tc.format, tc.arg, got, tc.want)
		}
	}
	b, err := json.Marshal(struct {
		Set, Unset Secret
	}{Set: NewSecret(plain)})
	if err != nil || string(b) != `{"Set":"REDACTED","Unset":""}` {
		t.Errorf("json.Marshal = %s, %v; want {\"Set\":\"REDACTED\",\"Unset\":\"\"}", b, err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{ReplaceAttr: dropTime})).Info("m", "s", NewSecret(plain))
	if got, want := buf.String(), "level=INFO msg=m s=REDACTED\n"; got != want {
		t.Errorf("slog text = %q, want %q", got, want)
	}
}

func dropTime(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// TestSecretReveal checks that the secret itself is there for the code that
// uses it, that Equal compares contents, and that JSON cannot fill a Secret.
func TestSecretReveal(t *testing.T) {
	t.Parallel()
	s := NewSecret(plain)
	if s.Reveal() != plain || s.IsZero() {
		t.Errorf("NewSecret(%q): Reveal = %q, IsZero = %t", plain, s.Reveal(), s.IsZero())
	}
	var zero Secret
	if zero.Reveal() != "" || !zero.IsZero() || !NewSecret("").IsZero() {
		t.Errorf("zero Secret: Reveal = %q, IsZero = %t", zero.Reveal(), zero.IsZero())
	}
	if !s.Equal(NewSecret(plain)) || s.Equal(NewSecret(plain+"x")) || s.Equal(zero) || !zero.Equal(NewSecret("")) {
		t.Error("Equal does not compare the secrets' contents")
	}
	var into struct{ S Secret }
	err := json.Unmarshal([]byte(`{"S":"x"}`), &into)
	var typeErr *json.UnmarshalTypeError
	if !errors.As(err, &typeErr) {
		t.Errorf("json.Unmarshal into a Secret: err = %v, want a *json.UnmarshalTypeError", err)
	}
}
