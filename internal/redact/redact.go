// Package redact is the one place go-applinks removes secrets from what it
// shows: URLs, HTTP headers and OAuth signature base strings that reach an
// error, a log line or verbose output all pass through it.
//
// Redaction replaces a secret with [Mask] and keeps everything else (names,
// order, shape), so the result stays useful for debugging: a redacted URL is
// still a URL, a redacted base string is still a base string and can be
// diffed against another redacted one.
//
// It also holds what secrets are: [Secret], the field type every secret
// value of the module lives in (it prints "REDACTED" under every fmt verb,
// slog and JSON), and [SecretParameters], the one list of the OAuth
// parameters whose values are secret (the public signer package uses it).
// This package imports no public package of the module.
//
// Every function is pure, never panics, and is safe for concurrent use.
package redact

import (
	"strings"
)

// Mask is what a secret is replaced with.
const Mask = "REDACTED"

// sensitiveSubstrings mark a parameter or header name as secret when its
// lower-cased form contains one of them.
var sensitiveSubstrings = [...]string{
	"token", "secret", "signature", "verifier", "password", "passwd", "passphrase",
	"session", "credential", "crumb", "nonce", "apikey", "api_key", "api-key",
	"accesskey", "authkey", "authcode", "passcode",
	"privatekey", "private_key", "private-key", "cookie", "jwt", "csrf", "xsrf",
}

// sensitiveWords mark a name as secret when one of its words (split at
// non-alphanumerics and lower-to-upper case changes) is one of them. They are
// too short to match as substrings: "auth" would catch xoauth_requestor_id,
// "key" would catch "monkey".
var sensitiveWords = [...]string{
	"key", "code", "auth", "authorization", "sig", "pwd", "pass", "otp", "pin", "sid", "ticket",
}

// Sensitive reports whether a query parameter, form field or header named
// name should have its value redacted: its lower-cased form contains one of
// token, secret, signature, verifier, password, passwd, passphrase, session,
// credential, crumb, nonce, apikey, api_key, accesskey, authkey, authcode,
// passcode, privatekey, cookie, jwt, csrf, xsrf (but oauth_signature_method
// is not sensitive); or one of its words is key, code, auth, authorization,
// sig, pwd, pass, otp, pin, sid or ticket. So oauth_token, oauth_verifier,
// oauth_signature, api_key, access_token and issueKey are sensitive;
// xoauth_requestor_id, expand and jql are not.
func Sensitive(name string) bool {
	lower := strings.ToLower(name)
	if lower == "oauth_signature_method" {
		return false
	}
	for _, s := range sensitiveSubstrings {
		if strings.Contains(lower, s) {
			return true
		}
	}
	found := false
	eachWord(name, func(w string) bool {
		for _, s := range sensitiveWords {
			if strings.EqualFold(w, s) {
				found = true
				return false
			}
		}
		return true
	})
	return found
}

// eachWord calls f with each word of name: runs of letters and digits, also
// split where a lower-case letter or digit is followed by an upper-case one
// ("issueKey" is "issue", "Key"). It stops when f returns false.
func eachWord(name string, f func(string) bool) {
	start := -1
	for i := 0; i <= len(name); i++ {
		var c byte
		if i < len(name) {
			c = name[i]
		}
		alnum := isLower(c) || isUpper(c) || isDigit(c)
		boundary := !alnum || (start >= 0 && isUpper(c) && (isLower(name[i-1]) || isDigit(name[i-1])))
		if boundary && start >= 0 {
			if !f(name[start:i]) {
				return
			}
			start = -1
		}
		if alnum && start < 0 {
			start = i
		}
	}
}

func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
