package redact

import (
	"crypto/subtle"
	"fmt"
	"strconv"
)

// Secret holds a secret string (a token secret, a refresh token, a client
// secret, a PKCE verifier, a personal access token) so that it cannot be
// shown by accident: it prints [Mask] ("REDACTED") under every fmt verb, in
// slog and in JSON. A zero Secret (never set, or set to "") prints as the
// empty string everywhere, so that an unset field is told apart from a set
// one without showing anything of the latter.
//
// The string is held behind a pointer. fmt prints a struct that contains a
// Secret field by reflection when it does not call Format (under %p, or a
// bad verb, or for an unexported field), and a pointer nested in a struct
// prints as its address, never as what it points to: so even %p or %x on the
// containing value shows no secret.
//
// Stores persist a Secret explicitly with [Secret.Reveal] and restore it with
// [NewSecret]; encoding/json never writes it (MarshalJSON writes "REDACTED")
// and refuses to read one into it (Secret has no UnmarshalJSON and no
// exported field, so decoding a string into it is an error).
//
// A Secret is immutable and safe for concurrent use. Compare two with
// [Secret.Equal], never with ==, which compares the pointers.
type Secret struct{ p *string }

// NewSecret returns a Secret holding s. NewSecret("") is the zero Secret.
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	return Secret{p: &s}
}

// Reveal returns the secret itself ("" for the zero Secret). Call it only
// where the secret is used (signing, a token request, a store's write),
// never to show it.
func (s Secret) Reveal() string {
	if s.p == nil {
		return ""
	}
	return *s.p
}

// IsZero reports whether s holds nothing (or "").
func (s Secret) IsZero() bool { return s.p == nil || *s.p == "" }

// Equal reports whether s and o hold the same secret, in time that depends
// only on their lengths. go-cmp uses it to compare values holding Secrets.
func (s Secret) Equal(o Secret) bool {
	return subtle.ConstantTimeCompare([]byte(s.Reveal()), []byte(o.Reveal())) == 1
}

// String returns "REDACTED", or "" for the zero Secret.
func (s Secret) String() string {
	if s.IsZero() {
		return ""
	}
	return Mask
}

// Format prints String whatever the verb and flags (see [Format]): %q
// and %#v quote it, so that %#v of a containing struct reads
// Field:"REDACTED". slog's text handler prints MarshalText, its JSON
// handler MarshalJSON: neither sees the secret.
func (s Secret) Format(f fmt.State, verb rune) {
	Format(f, verb, s.String(), strconv.Quote(s.String()))
}

// MarshalJSON writes String as a JSON string: "REDACTED", or "" for the
// zero Secret. Stores that must persist the secret write [Secret.Reveal]
// into a field of their own record type.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(s.String())), nil }

// MarshalText writes String, for encoders that use encoding.TextMarshaler
// (encoding/xml, a map key in JSON, slog's text handler).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
