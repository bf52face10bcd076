package signer

import "github.com/go-applinks/applinks/internal/redact"

// Secret holds a secret string (a verifier, a session handle, a base string
// carrying them) so that it cannot be shown by accident: it prints
// "REDACTED" under every fmt verb, %p on a containing value included, in
// slog and in JSON; the zero Secret prints as "". Make one with
// [NewSecret], use it with Reveal, compare two with Equal. It is the same
// type as applink/token.Secret.
type Secret = redact.Secret

// NewSecret returns a [Secret] holding s; NewSecret("") is the zero Secret.
func NewSecret(s string) Secret { return redact.NewSecret(s) }
