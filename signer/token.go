package signer

import (
	"fmt"

	"github.com/go-applinks/applinks/internal/redact"
)

// Token is an OAuth token: its public value (oauth_token) and its secret. The
// zero Token is the empty token of 2-legged OAuth, sent as oauth_token="".
// A Token never prints its secret.
type Token struct {
	key    string
	secret redact.Secret
}

// NewToken returns a token with its value and secret.
func NewToken(key, secret string) Token { return Token{key: key, secret: redact.NewSecret(secret)} }

// Key returns the token value, sent as oauth_token.
func (t Token) Key() string { return t.key }

// Secret returns the token secret. It keys HMAC-SHA1 and PLAINTEXT
// signatures; keep it out of logs.
func (t Token) Secret() string { return t.secret.Reveal() }

// IsZero reports whether t is the empty token of 2-legged OAuth.
func (t Token) IsZero() bool { return t.key == "" && t.secret.IsZero() }

// Abbrev shortens an identifier that is not a secret but need not be shown
// whole (a token value): its first four characters and an ellipsis.
func Abbrev(s string) string {
	if len(s) <= 8 {
		return s
	}
	return s[:4] + "…"
}

// formatRedacted is the body of the Format methods of this package's
// secret-holding types: internal/redact.Format (s for every verb, gostring
// for %#v, s quoted for %q, the width and '-' honored). Callers pass strings
// already built: formatting the value itself from its Format method would
// recurse.
func formatRedacted(f fmt.State, verb rune, s, gostring string) { redact.Format(f, verb, s, gostring) }
