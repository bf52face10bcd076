package signer

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// OAuth problem names (the OAuth Problem Reporting extension, as net.oauth and
// so Atlassian's products send them in oauth_problem).
const (
	ProblemVersionRejected                 = "version_rejected"
	ProblemParameterAbsent                 = "parameter_absent"
	ProblemParameterRejected               = "parameter_rejected"
	ProblemTimestampRefused                = "timestamp_refused"
	ProblemNonceUsed                       = "nonce_used"
	ProblemSignatureMethodRejected         = "signature_method_rejected"
	ProblemSignatureInvalid                = "signature_invalid"
	ProblemConsumerKeyUnknown              = "consumer_key_unknown"
	ProblemConsumerKeyRejected             = "consumer_key_rejected"
	ProblemConsumerKeyRefused              = "consumer_key_refused"
	ProblemTokenUsed                       = "token_used"
	ProblemTokenExpired                    = "token_expired"
	ProblemTokenRevoked                    = "token_revoked"
	ProblemTokenRejected                   = "token_rejected"
	ProblemTokenNotAuthorized              = "token_not_authorized"
	ProblemAdditionalAuthorizationRequired = "additional_authorization_required"
	ProblemPermissionUnknown               = "permission_unknown"
	ProblemPermissionDenied                = "permission_denied"
	ProblemUserRefused                     = "user_refused"
)

// ProblemStatus returns the HTTP status net.oauth answers a problem with:
// 400 for version_rejected, parameter_absent, parameter_rejected,
// timestamp_refused and signature_method_rejected; 503 for user_refused and
// consumer_key_refused; 401 for every other problem, free text included.
func ProblemStatus(problem string) int {
	switch problem {
	case ProblemVersionRejected, ProblemParameterAbsent, ProblemParameterRejected,
		ProblemTimestampRefused, ProblemSignatureMethodRejected:
		return http.StatusBadRequest
	case ProblemUserRefused, ProblemConsumerKeyRefused:
		return http.StatusServiceUnavailable
	}
	return http.StatusUnauthorized
}

// ProblemError is an OAuth problem: what a provider reports when it refuses a
// request (oauth_problem and its companions), or what [Verifier.Verify]
// finds. Use errors.As to get it from any error this module returns.
type ProblemError struct {
	// Status is the HTTP status the problem came with, or will be sent with
	// (0 means ProblemStatus(Problem)).
	Status int
	// Problem is oauth_problem: one of the Problem* names, or free text
	// ("No user associated with the token") kept as sent.
	Problem string
	// Advice is oauth_problem_advice, when given.
	Advice string
	// MinTimestamp and MaxTimestamp are oauth_acceptable_timestamps, in Unix
	// seconds (both 0 when absent): the provider's window on timestamp_refused.
	MinTimestamp, MaxTimestamp int64
	// AcceptableVersions is oauth_acceptable_versions, when given.
	AcceptableVersions string
	// ParametersAbsent and ParametersRejected name the parameters behind
	// parameter_absent and parameter_rejected.
	ParametersAbsent, ParametersRejected []string
	// Signature and SignatureBaseString are what a provider echoes on
	// signature_invalid: the base string it computed is the fastest way to
	// see why a signature failed. They are kept as sent, in [Secret] fields
	// (the base string carries the request's oauth_verifier or
	// oauth_session_handle in clear), so no fmt verb, slog or JSON shows
	// them: show [ProblemError.RedactedBaseString], or Reveal them to
	// compare. SignatureMethod is the method the provider echoed.
	Signature, SignatureBaseString Secret
	SignatureMethod                string
	// Realm is the realm of the WWW-Authenticate header (the provider's base
	// URL, decoded).
	Realm string
	// Extra holds any other parameters that came with the problem; the
	// value of a [SecretParameter] among them is "REDACTED" (it can only be
	// what the request sent). Set it with secret values yourself and no
	// method masks them for fmt's %p.
	Extra url.Values
}

// Error describes the problem in one line, with the advice and the
// acceptable timestamps when known. It never includes the signature, the
// base string or a secret parameter, and stays short whatever the provider
// sent: free text (the problem, the advice) is cut at 512 bytes
// and parameter lists after 10 names; the fields keep everything.
func (e *ProblemError) Error() string {
	var b strings.Builder
	b.WriteString("oauth problem ")
	b.WriteString(strconv.Quote(excerpt(e.Problem, maxErrorText)))
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if e.Advice != "" {
		b.WriteString(": ")
		b.WriteString(excerpt(e.Advice, maxErrorText))
	}
	if e.MinTimestamp != 0 || e.MaxTimestamp != 0 {
		fmt.Fprintf(&b, "; acceptable timestamps %d-%d", e.MinTimestamp, e.MaxTimestamp)
	}
	if len(e.ParametersAbsent) > 0 {
		fmt.Fprintf(&b, "; parameters absent: %s", nameList(e.ParametersAbsent))
	}
	if len(e.ParametersRejected) > 0 {
		fmt.Fprintf(&b, "; parameters rejected: %s", nameList(e.ParametersRejected))
	}
	return b.String()
}

// maxErrorText is how many bytes of one piece of free text a provider sent
// (the problem, the advice) Error quotes.
const maxErrorText = 512

// excerpt returns s when it is at most max bytes long, else its first max
// bytes (cut at a UTF-8 boundary) and a note of how many bytes were left
// out.
func excerpt(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d more bytes)", s[:cut], len(s)-cut)
}

// nameList joins parameter names for a message, at most 10 of them, each
// cut to 64 bytes.
func nameList(names []string) string {
	const most = 10
	shown := names
	if len(shown) > most {
		shown = shown[:most]
	}
	out := make([]string, len(shown))
	for i, n := range shown {
		out[i] = excerpt(n, 64)
	}
	s := strings.Join(out, ", ")
	if len(names) > most {
		s += fmt.Sprintf(" and %d more", len(names)-most)
	}
	return s
}

// RedactedBaseString returns the base string the provider echoed
// (SignatureBaseString), whole, with every [SecretParameter] masked: what to
// show or diff against ours. It is "" when the provider echoed none.
func (e *ProblemError) RedactedBaseString() string {
	if e == nil || e.SignatureBaseString.IsZero() {
		return ""
	}
	return RedactBaseString(e.SignatureBaseString.Reveal())
}

// StatusCode returns Status, or ProblemStatus(Problem) when Status is 0.
func (e *ProblemError) StatusCode() int {
	if e.Status != 0 {
		return e.Status
	}
	return ProblemStatus(e.Problem)
}

// IsToken reports whether the problem is about the user's token
// (token_expired, token_rejected, token_revoked, token_used,
// token_not_authorized, or the free-text "no user associated with the token"
// some products send): the stored token is no good and the user must
// authorize again.
func (e *ProblemError) IsToken() bool {
	switch e.Problem {
	case ProblemTokenExpired, ProblemTokenRejected, ProblemTokenRevoked, ProblemTokenUsed, ProblemTokenNotAuthorized:
		return true
	}
	return strings.Contains(strings.ToLower(e.Problem), "no user associated")
}

// goString is what %#v shows: every field for debugging, with the
// signature (for PLAINTEXT it is the secrets themselves) and the
// oauth_verifier in the base string redacted.
func (e ProblemError) goString() string {
	sig := ""
	if !e.Signature.IsZero() {
		sig = "redacted"
	}
	return fmt.Sprintf("&signer.ProblemError{Status:%d, Problem:%q, Advice:%q, MinTimestamp:%d, MaxTimestamp:%d, "+
		"AcceptableVersions:%q, ParametersAbsent:%q, ParametersRejected:%q, Signature:%q, SignatureMethod:%q, "+
		"SignatureBaseString:%q, Realm:%q, Extra:%q}",
		e.Status, e.Problem, e.Advice, e.MinTimestamp, e.MaxTimestamp,
		e.AcceptableVersions, e.ParametersAbsent, e.ParametersRejected, sig, e.SignatureMethod,
		redactSecrets(e.SignatureBaseString.Reveal()), e.Realm, redactValues(e.Extra))
}

// Format prints [ProblemError.Error] for every verb (%#v: every field,
// redacted), so that no verb (%d, %x, %+v, …) shows the signature (for
// PLAINTEXT, the secrets themselves) or the verifier in the base string.
// Wrapping with %w is unaffected. A ProblemError's fields are what the
// remote sent, so they are plain strings: under %p (or a bad verb) fmt
// calls no method and prints a ProblemError value's fields; print a
// *ProblemError, as errors are passed.
func (e ProblemError) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, e.Error(), e.goString())
}

// problemJSON is the JSON form of a ProblemError.
type problemJSON struct {
	Status              int        `json:"status"`
	Problem             string     `json:"problem"`
	Advice              string     `json:"advice,omitempty"`
	MinTimestamp        int64      `json:"min_timestamp,omitempty"`
	MaxTimestamp        int64      `json:"max_timestamp,omitempty"`
	AcceptableVersions  string     `json:"acceptable_versions,omitempty"`
	ParametersAbsent    []string   `json:"parameters_absent,omitempty"`
	ParametersRejected  []string   `json:"parameters_rejected,omitempty"`
	Signature           string     `json:"signature,omitempty"`
	SignatureMethod     string     `json:"signature_method,omitempty"`
	SignatureBaseString string     `json:"signature_base_string,omitempty"`
	Realm               string     `json:"realm,omitempty"`
	Extra               url.Values `json:"extra,omitempty"`
}

// MarshalJSON encodes the problem with the signature and every
// [SecretParameter] in the base string and the extra parameters redacted, as
// %#v shows it. Status is [ProblemError.StatusCode].
func (e ProblemError) MarshalJSON() ([]byte, error) {
	sig := ""
	if !e.Signature.IsZero() {
		sig = "REDACTED"
	}
	return json.Marshal(problemJSON{
		Status: e.StatusCode(), Problem: e.Problem, Advice: e.Advice,
		MinTimestamp: e.MinTimestamp, MaxTimestamp: e.MaxTimestamp, AcceptableVersions: e.AcceptableVersions,
		ParametersAbsent: e.ParametersAbsent, ParametersRejected: e.ParametersRejected,
		Signature: sig, SignatureMethod: e.SignatureMethod, SignatureBaseString: redactSecrets(e.SignatureBaseString.Reveal()),
		Realm: e.Realm, Extra: redactValues(e.Extra),
	})
}

// redactSecrets masks the values of every [SecretParameter] in a signature
// base string (where they appear encoded, "oauth_verifier%3D...%26") or in a
// form-encoded string ("oauth_verifier=...&").
func redactSecrets(s string) string {
	return redactParams(redactParams(s, "%3D", "%26"), "=", "&")
}

// redactValues copies v with the values of secret-bearing parameters
// (oauth_verifier, oauth_token_secret, oauth_signature,
// oauth_session_handle) redacted.
func redactValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		if SecretParameter(k) {
			out[k] = []string{"REDACTED"}
		} else {
			out[k] = vs
		}
	}
	return out
}
