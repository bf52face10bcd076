package applink

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-applinks/applinks/internal/advice"
	"github.com/go-applinks/applinks/internal/engine"
	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/signer"
)

// ErrForeignURL is returned for a URL that is not on the link's RPC URL
// origin or not under its path: signed requests never go elsewhere.
var ErrForeignURL = engine.ErrForeignURL

// TokenRedirectError is returned when a token endpoint (obtaining a request
// token, exchanging it for an access token, or renewing an access token)
// answered with a redirect. These calls carry the request token, the
// verifier or the session handle, and are signed for one URL: they never
// follow a redirect, whether to another host, another port of the same
// host, plain http from https, or another path. Nothing the redirect points
// at is contacted, and nothing is stored.
type TokenRedirectError struct {
	// LinkName is the link's name; Step what was being done ("obtaining a
	// request token", ...).
	LinkName, Step string
	// Status is the redirect's HTTP status (301, 302, 303, 307 or 308).
	Status int
	// From is the token endpoint's URL and To where it redirected, both
	// redacted.
	From, To string
}

// Error names both URLs and says what to do.
func (e *TokenRedirectError) Error() string {
	what := engine.RedirectNote(e.From, e.To)
	answered := "answered with a redirect"
	if e.Status != 0 {
		answered = fmt.Sprintf("answered HTTP %d, a redirect", e.Status)
	}
	return fmt.Sprintf("applink: link %q: %s: POST %s %s to %s%s: refused: token endpoint calls carry the request token, verifier or session handle and follow no redirect, so nothing was sent there or stored; if the remote really is at that address, make it the link's RPC URL",
		e.LinkName, e.Step, e.From, answered, e.To, what)
}

// AuthNotConfiguredError is returned when a factory is asked for an
// authentication method the link is not configured for.
type AuthNotConfiguredError struct {
	Link       string // the link's name
	Wanted     string // what was asked: a method, "impersonating" or "non-impersonating"
	Configured []Auth // what the link allows
	// Type is the link's type, when known: a Jenkins link can use 3LO
	// only, so the error then says so rather than suggesting another method.
	Type Type
}

// Error names the link, what was asked and what the link allows, and says
// what to do.
func (e *AuthNotConfiguredError) Error() string {
	allowed := make([]string, len(e.Configured))
	for i, a := range e.Configured {
		allowed[i] = string(a)
	}
	advice := "add it to the link's auth list, or ask for one of those"
	switch e.Wanted {
	case "impersonating":
		advice = "add 3lo or 2loi to the link's auth list, or ask for one of those"
	case "non-impersonating":
		advice = "add 2lo (or anonymous) to the link's auth list, or ask for an anonymous request with applink.WithAuth(applink.AuthAnonymous)"
	}
	if e.Type == TypeJenkins {
		advice = "Jenkins' Bitbucket Server Integration plugin supports 3LO only: ask for 3lo"
		if !slices.Contains(e.Configured, Auth3LO) {
			advice += ", with 3lo in the link's auth list"
		}
	}
	return fmt.Sprintf("applink: link %q is not configured for %s authentication (it allows %s): %s",
		e.Link, e.Wanted, strings.Join(allowed, ", "), advice)
}

// CredentialsRequiredError says that the user must authorize the link (the
// 3-legged dance, or the OAuth 2.0 consent) before requests can act as
// them: they have no token, or the remote definitively refused the one
// they had, which has then been deleted. A stored token is deleted by one
// rule only (see "When a stored token is deleted" in the package doc):
// OAuth 2.0 invalid_grant from the refresh grant, or a 401 to a bearer
// request with no refresh token; OAuth 1.0a token_rejected, token_revoked
// or permission_denied, or token_expired that cannot be renewed. A 5xx, a
// network error, a misconfigured client, a lost renewal lock or an
// exhausted renewal budget keeps the token and returns that error instead.
// The factory's [RequestFactory.AuthorizationURL] starts the dance.
type CredentialsRequiredError struct {
	LinkID, LinkName string
	User             string
	// Cause is why: nil when the user has no token, else the remote's
	// refusal (a *signer.ProblemError such as token_revoked, or an
	// *OAuth2Error such as invalid_grant), for which the token was deleted.
	Cause error
	// Kept is set when the stored token was not deleted: it cannot be used
	// with this link (a token of the other protocol), and authorizing again
	// replaces it.
	Kept bool
	// Method is the method the user needs a token for: [Auth3LO] or
	// [AuthOAuth2] (a dance gets one) or [AuthPAT] (no dance exists: the
	// user makes a personal access token in their profile, and it is
	// stored for them).
	Method  Auth
	factory *RequestFactory
}

// Error names the link and the user, and why credentials are required.
func (e *CredentialsRequiredError) Error() string {
	dance := "the 3-legged dance"
	if f := e.factory; f != nil && f.link != nil && f.link.state != nil && f.link.state.isOAuth2Link() {
		dance = "the OAuth 2.0 consent"
	}
	why, advice := "has not authorized it yet", "authorize the link as them ("+dance+")"
	if e.Method == AuthPAT {
		return e.patError()
	}
	switch {
	case e.Cause != nil && e.Kept:
		why = "has a token this link cannot use (" + engine.CauseText(e.LinkName, e.Cause) + ")"
		advice = "authorize again (" + dance + "), which replaces it"
	case e.Cause != nil:
		why = "has a token the remote rejected (" + engine.CauseText(e.LinkName, e.Cause) + "); it was deleted"
		advice = "authorize again (" + dance + ")"
	}
	return fmt.Sprintf("applink: link %q: credentials required: user %q %s: %s",
		e.LinkName, e.User, why, advice)
}

// Unwrap returns Cause.
func (e *CredentialsRequiredError) Unwrap() error { return e.Cause }

// patError is the message of a missing or refused personal access token:
// there is no dance, only a new token from the user's profile.
func (e *CredentialsRequiredError) patError() string {
	why := "has no personal access token for it"
	switch {
	case e.Cause != nil && e.Kept:
		why = "has a token this link cannot use (" + engine.CauseText(e.LinkName, e.Cause) + ")"
	case e.Cause != nil:
		why = "has a personal access token the remote refused (" + engine.CauseText(e.LinkName, e.Cause) + "); it was deleted"
	}
	return fmt.Sprintf("applink: link %q: credentials required: user %q %s: %s, and store it for them (a personal access token has no authorization dance)",
		e.LinkName, e.User, why, advice.PATProfile)
}

// OAuthError is an OAuth problem the remote reported for a request through
// a link. errors.As also finds the *signer.ProblemError inside.
type OAuthError struct {
	LinkName string
	Auth     Auth
	Method   string
	URL      string // redacted
	// BaseString is the signature base string we signed, whole, redacted;
	// on signature_invalid compare it with ProviderBaseString.
	BaseString string
	// ProviderBaseString is the signature base string the provider echoed
	// on signature_invalid, whole, redacted as BaseString is; "" when it
	// echoed none.
	ProviderBaseString string
	// Problem is what the provider reported. Its SignatureBaseString is kept
	// as sent and may carry the verifier or session handle: show
	// ProviderBaseString instead.
	Problem *signer.ProblemError
}

// maxBaseStringInError is how many bytes of a signature base string an
// error message quotes: the start (method, URL, first parameters) is where
// a reverse proxy's difference shows. The whole is in a field.
const maxBaseStringInError = 512

// theirs returns ProviderBaseString, or for an error made without it the
// base string Problem echoed, redacted.
func (e *OAuthError) theirs() string {
	if e.ProviderBaseString != "" || e.Problem == nil || e.Problem.SignatureBaseString.IsZero() {
		return e.ProviderBaseString
	}
	return redact.BaseString(e.Problem.SignatureBaseString.Reveal())
}

// Error names the link, the method, the request, the problem and what to
// do about it ([OAuthError.Advice]). On
// signature_invalid it adds both signature base strings, redacted, each on
// its own line ("ours:" and "provider's:"), so the difference shows. The
// URL and each base string are cut after 512 bytes, so that the message
// stays readable; the whole ones are in URL, BaseString and
// ProviderBaseString.
func (e *OAuthError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "applink: link %q: %s %s (%s): ", e.LinkName, e.Method, redact.Shorten(e.URL, maxBaseStringInError), e.Auth)
	if e.Problem == nil {
		b.WriteString("oauth problem")
		return b.String()
	}
	b.WriteString(e.Problem.Error())
	if advice := e.Advice(); advice != "" {
		b.WriteString(": ")
		b.WriteString(advice)
	}
	if e.Problem.Problem == signer.ProblemSignatureInvalid {
		if e.BaseString != "" {
			b.WriteString("\nours:       ")
			b.WriteString(redact.Shorten(redact.BaseString(e.BaseString), maxBaseStringInError))
		}
		if theirs := e.theirs(); theirs != "" {
			b.WriteString("\nprovider's: ")
			b.WriteString(redact.Shorten(theirs, maxBaseStringInError))
		}
	}
	return b.String()
}

// Unwrap returns the *signer.ProblemError.
func (e *OAuthError) Unwrap() error {
	if e.Problem == nil {
		return nil
	}
	return e.Problem
}

// Advice says what to do about the problem, in one clause without a
// capital or a final period; "" for a problem it does not know. It reads
// the one table of advice for each OAuth 1.0a problem (internal/advice) (which the applink
// command and applink/doctor give too; for a bare *signer.ProblemError,
// ask (&OAuthError{Problem: pe}).Advice()), refined by what this request
// tells. On signature_invalid it compares the two
// signature base strings (ours and the one the remote echoed): the same
// string on both sides means the remote checks the signature with another
// key; a different scheme, host, port or path means a reverse proxy; a
// different method or parameters, something rewriting the request. On
// permission_denied for 2LO or 2LOi it names the authentication level the
// remote's incoming link must allow.
func (e *OAuthError) Advice() string {
	if e == nil || e.Problem == nil {
		return ""
	}
	switch e.Problem.Problem {
	case signer.ProblemSignatureInvalid:
		if a := advice.Signature(redact.BaseString(e.BaseString), e.theirs()); a != "" {
			return a
		}
	case signer.ProblemTimestampRefused:
		if p := e.Problem; p.MinTimestamp != 0 {
			return advice.TimestampRefused(p.MinTimestamp, p.MaxTimestamp)
		}
	case signer.ProblemPermissionDenied:
		if a := advice.PermissionDenied(string(e.Auth)); a != "" {
			return a
		}
	}
	return advice.OAuth1(e.Problem.Problem)
}

// RetryError is the error of a request that failed after it was sent more
// than once under the service's [RetryPolicy]: the last attempt's error,
// how many attempts were made and over how long (waits included). Err is
// the network's error (errors.Is(err, syscall.ECONNREFUSED) still holds),
// or, from [Execute], the handler's error for the last response when the
// retries ran out on a retried status (a *handler.ResponseError for a
// 503, say). [Request.Do] and the Client view return that last response
// itself, whatever its status, instead of an error.
type RetryError struct {
	// Attempts counts the attempts made, the first included.
	Attempts int
	// Elapsed is the time from the first attempt to giving up.
	Elapsed time.Duration
	// Err is the last attempt's error.
	Err error
	// RateLimit is the rate-limit state the last response reported (its
	// Retry-After, for a 429), nil when it reported none.
	RateLimit *RateLimit
}

// Error says how many attempts were made, over how long, and the last
// error.
func (e *RetryError) Error() string {
	if rl := e.RateLimit; rl != nil && rl.HasRetryAfter {
		return fmt.Sprintf("gave up after %d attempts over %v (the server asked to wait %v more; rate limit: %s): %v",
			e.Attempts, e.Elapsed.Round(time.Millisecond), rl.RetryAfter, rl, e.Err)
	}
	return fmt.Sprintf("gave up after %d attempts over %v: %v", e.Attempts, e.Elapsed.Round(time.Millisecond), e.Err)
}

// Unwrap returns Err.
func (e *RetryError) Unwrap() error { return e.Err }
