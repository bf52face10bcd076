package token

import "github.com/go-applinks/applinks/internal/redact"

// Secret holds a secret string (a token secret, a bearer or refresh token,
// a session handle, a PKCE verifier). It prints "REDACTED" under every fmt
// verb, slog and JSON, and "" when it is zero (unset), even as a field of a
// value printed with %p or %+v: the string sits behind a pointer that fmt
// only prints as an address. Use [NewSecret] to make one, Reveal to use it
// (to sign, to send it, or for a store to persist it), IsZero to test it and
// Equal to compare two. JSON cannot decode into a Secret: stores persist
// Reveal in a record type of their own. A Secret is immutable.
type Secret = redact.Secret

// NewSecret returns a [Secret] holding s; NewSecret("") is the zero Secret.
func NewSecret(s string) Secret { return redact.NewSecret(s) }
