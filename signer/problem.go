package signer

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
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
	// Signature, SignatureMethod and SignatureBaseString are what a provider
	// echoes on signature_invalid: the base string it computed is the fastest
	// way to see why a signature failed. They are not secrets, except that a
	// base string carries the oauth_verifier in clear: [ProblemError.Error]
	// redacts it.
	Signature, SignatureMethod, SignatureBaseString string
	// Realm is the realm of the WWW-Authenticate header (the provider's base
	// URL, decoded).
	Realm string
	// Extra holds any other parameters that came with the problem.
	Extra url.Values
}

// Error describes the problem in one line, with the advice and the
// acceptable timestamps when known. It never includes the signature or a
// verifier.
func (e *ProblemError) Error() string {
	var b strings.Builder
	b.WriteString("oauth problem ")
	b.WriteString(strconv.Quote(e.Problem))
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if e.Advice != "" {
		b.WriteString(": ")
		b.WriteString(e.Advice)
	}
	if e.MinTimestamp != 0 || e.MaxTimestamp != 0 {
		fmt.Fprintf(&b, "; acceptable timestamps %d-%d", e.MinTimestamp, e.MaxTimestamp)
	}
	if len(e.ParametersAbsent) > 0 {
		fmt.Fprintf(&b, "; parameters absent: %s", strings.Join(e.ParametersAbsent, ", "))
	}
	if len(e.ParametersRejected) > 0 {
		fmt.Fprintf(&b, "; parameters rejected: %s", strings.Join(e.ParametersRejected, ", "))
	}
	return b.String()
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

// String is [ProblemError.Error], so that a ProblemError value (not only a
// pointer) prints without its signature or a verifier.
func (e ProblemError) String() string { return e.Error() }

// GoString shows every field for debugging, with the signature (for
// PLAINTEXT it is the secrets themselves) and the oauth_verifier in the base
// string redacted.
func (e ProblemError) GoString() string {
	sig := ""
	if e.Signature != "" {
		sig = "redacted"
	}
	return fmt.Sprintf("&signer.ProblemError{Status:%d, Problem:%q, Advice:%q, MinTimestamp:%d, MaxTimestamp:%d, "+
		"AcceptableVersions:%q, ParametersAbsent:%q, ParametersRejected:%q, Signature:%q, SignatureMethod:%q, "+
		"SignatureBaseString:%q, Realm:%q, Extra:%q}",
		e.Status, e.Problem, e.Advice, e.MinTimestamp, e.MaxTimestamp,
		e.AcceptableVersions, e.ParametersAbsent, e.ParametersRejected, sig, e.SignatureMethod,
		redactVerifier(e.SignatureBaseString), e.Realm, redactValues(e.Extra))
}

// Format prints [ProblemError.Error] for every verb (%#v:
// [ProblemError.GoString]), so that no verb (%d, %x, %+v, …) shows the
// signature (for PLAINTEXT, the secrets themselves) or the verifier in the
// base string. Wrapping with %w is unaffected.
func (e ProblemError) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, e.String(), e.GoString())
}

// LogValue logs the problem as a group without the signature or a verifier.
func (e ProblemError) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("problem", e.Problem), slog.Int("status", e.StatusCode())}
	if e.Advice != "" {
		attrs = append(attrs, slog.String("advice", e.Advice))
	}
	if e.MinTimestamp != 0 || e.MaxTimestamp != 0 {
		attrs = append(attrs, slog.Int64("min_timestamp", e.MinTimestamp), slog.Int64("max_timestamp", e.MaxTimestamp))
	}
	if len(e.ParametersAbsent) > 0 {
		attrs = append(attrs, slog.Any("parameters_absent", e.ParametersAbsent))
	}
	if len(e.ParametersRejected) > 0 {
		attrs = append(attrs, slog.Any("parameters_rejected", e.ParametersRejected))
	}
	if e.SignatureBaseString != "" {
		attrs = append(attrs, slog.String("signature_base_string", redactVerifier(e.SignatureBaseString)))
	}
	if e.Realm != "" {
		attrs = append(attrs, slog.String("realm", e.Realm))
	}
	return slog.GroupValue(attrs...)
}

// redactVerifier replaces the value of oauth_verifier in a signature base
// string (where it appears encoded twice, "oauth_verifier%3D...%26") or in a
// form-encoded string ("oauth_verifier=...&") with "REDACTED".
func redactVerifier(s string) string {
	for _, m := range [...]struct{ key, sep string }{
		{"oauth_verifier%3D", "%26"},
		{"oauth_verifier=", "&"},
	} {
		var b strings.Builder
		rest := s
		for {
			i := strings.Index(rest, m.key)
			if i < 0 {
				b.WriteString(rest)
				break
			}
			b.WriteString(rest[:i+len(m.key)])
			b.WriteString("REDACTED")
			rest = rest[i+len(m.key):]
			if j := strings.Index(rest, m.sep); j >= 0 {
				rest = rest[j:]
			} else {
				rest = ""
			}
		}
		s = b.String()
	}
	return s
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
		switch k {
		case "oauth_verifier", "oauth_token_secret", "oauth_signature", "oauth_session_handle":
			out[k] = []string{"REDACTED"}
		default:
			out[k] = vs
		}
	}
	return out
}
