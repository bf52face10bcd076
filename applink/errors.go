package applink

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-applinks/applinks/signer"
)

// ErrForeignURL is returned for a URL that is not on the link's RPC URL
// origin or not under its path: signed requests never go elsewhere.
var ErrForeignURL = errors.New("applink: URL is outside the link's RPC URL")

// AuthNotConfiguredError is returned when a factory is asked for an
// authentication method the link is not configured for.
type AuthNotConfiguredError struct {
	Link       string // the link's name
	Wanted     string // what was asked: a method, "impersonating" or "non-impersonating"
	Configured []Auth // what the link allows
}

func (e *AuthNotConfiguredError) Error() string {
	allowed := make([]string, len(e.Configured))
	for i, a := range e.Configured {
		allowed[i] = string(a)
	}
	return fmt.Sprintf("applink: link %q is not configured for %s authentication (it allows %s): add it to the link's auth list, or ask for one of those",
		e.Link, e.Wanted, strings.Join(allowed, ", "))
}

// CredentialsRequiredError says that the user must authorise the link (the
// 3-legged dance) before requests can act as them: they have no token, or
// the remote rejected the one they had (which has then been deleted).
// [CredentialsRequiredError.AuthorisationURI] starts the dance.
type CredentialsRequiredError struct {
	LinkID, LinkName string
	User             string
	// Cause is why: nil when the user has no token, else the remote's
	// *signer.ProblemError (token_expired, token_revoked, ...).
	Cause   error
	factory *RequestFactory
}

func (e *CredentialsRequiredError) Error() string {
	why := "has not authorised it yet"
	if e.Cause != nil {
		why = "has a token the remote rejected (" + e.Cause.Error() + "); it was deleted"
	}
	return fmt.Sprintf("applink: link %q: credentials required: user %q %s: authorise again (the 3-legged dance)",
		e.LinkName, e.User, why)
}

func (e *CredentialsRequiredError) Unwrap() error { return e.Cause }

// AuthorisationURI starts the 3-legged dance for the user, as
// [RequestFactory.AuthorisationURI] does; callback "" means out of band.
func (e *CredentialsRequiredError) AuthorisationURI(ctx context.Context, callback string) (*url.URL, error) {
	if e.factory == nil {
		return nil, errors.New("applink: this CredentialsRequiredError was not made by a request factory: get the factory from Link.RequestFactory and call its AuthorisationURI")
	}
	return e.factory.AuthorisationURI(ctx, callback)
}

// OAuthError is an OAuth problem the remote reported for a request through
// a link. errors.As also finds the *signer.ProblemError inside.
type OAuthError struct {
	LinkName string
	Auth     Auth
	Method   string
	URL      string // redacted
	// BaseString is the signature base string we signed, redacted; on
	// signature_invalid compare it with Problem.SignatureBaseString.
	BaseString string
	Problem    *signer.ProblemError
}

func (e *OAuthError) Error() string { return "applink: not implemented" }

func (e *OAuthError) Unwrap() error { return e.Problem }

// ClockSkewError is returned when the remote refused our timestamp twice,
// even after we corrected our clock by its acceptable range.
type ClockSkewError struct {
	LinkName string
	// Local is our clock when the request was signed; RemoteMin and
	// RemoteMax are the remote's acceptable range.
	Local                time.Time
	RemoteMin, RemoteMax time.Time
	Problem              *signer.ProblemError
}

func (e *ClockSkewError) Error() string {
	return fmt.Sprintf("applink: link %q: the remote refused our timestamp twice (our clock %s, it accepts %s to %s): synchronise the clocks (NTP)",
		e.LinkName, e.Local.UTC().Format(time.RFC3339), e.RemoteMin.UTC().Format(time.RFC3339), e.RemoteMax.UTC().Format(time.RFC3339))
}

func (e *ClockSkewError) Unwrap() error { return e.Problem }
