package signer

import (
	"fmt"
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
// authorise again.
func (e *ProblemError) IsToken() bool {
	switch e.Problem {
	case ProblemTokenExpired, ProblemTokenRejected, ProblemTokenRevoked, ProblemTokenUsed, ProblemTokenNotAuthorized:
		return true
	}
	return strings.Contains(strings.ToLower(e.Problem), "no user associated")
}
