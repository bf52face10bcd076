package applink

import (
	"context"
	"net/http"
)

// FactoryOption narrows how a [RequestFactory] authenticates.
type FactoryOption func(*factoryOptions)

type factoryOptions struct {
	only             Auth // exactly this method
	impersonating    bool // 3LO or 2LOi only
	nonImpersonating bool // 2LO or anonymous only
}

// Using makes the factory use exactly method a. If the link is not configured
// for it, [Link.RequestFactory] returns an *[AuthNotConfiguredError] naming
// what the link allows; there is no silent fallback.
func Using(a Auth) FactoryOption { return func(o *factoryOptions) { o.only = a } }

// ImpersonatingOnly makes the factory act as the user or fail: 3LO if the
// user has a token, else 2LOi, else *[CredentialsRequiredError] (3LO
// configured) or *[AuthNotConfiguredError].
func ImpersonatingOnly() FactoryOption { return func(o *factoryOptions) { o.impersonating = true } }

// NonImpersonatingOnly makes the factory act as the consumer: 2LO if
// configured, else anonymous.
func NonImpersonatingOnly() FactoryOption {
	return func(o *factoryOptions) { o.nonImpersonating = true }
}

// RequestFactory makes requests through one link as one user. Which method
// authenticates a request is chosen when the request is created, as
// Application Links chooses it: no user → anonymous; otherwise the first
// impersonating method the link allows (3LO if the user has a token, 2LOi),
// else 2LO, else anonymous; when 3LO is the only impersonating method and
// the user has no token, [RequestFactory.NewRequest] returns
// *[CredentialsRequiredError]. Options narrow the choice. A RequestFactory is
// immutable and safe for concurrent use.
type RequestFactory struct {
	link *Link
	user string
	opts factoryOptions
}

// RequestFactory returns a factory for requests through l as user ("" for
// anonymous). The link must come from a [Service]. It does no I/O: whether
// the user has a token is found out per request.
func (l *Link) RequestFactory(user string, opts ...FactoryOption) (*RequestFactory, error) {
	return nil, errNotImplemented
}

// Link returns the factory's link.
func (f *RequestFactory) Link() *Link { return f.link }

// User returns the user the factory acts as ("" for anonymous).
func (f *RequestFactory) User() string { return f.user }

// Auth returns the method a request created now would use, looking up the
// user's token; *[CredentialsRequiredError] when 3LO is needed and the user
// has no token.
func (f *RequestFactory) Auth(ctx context.Context) (Auth, error) { return "", errNotImplemented }

// NewRequest returns a request for method and a path relative to the link's
// RPC URL, or an absolute URL, which must be on the RPC URL's origin and
// under its path (else an error wrapping [ErrForeignURL]). Methods: GET,
// POST, PUT, DELETE, HEAD, OPTIONS, TRACE, PATCH.
func (f *RequestFactory) NewRequest(ctx context.Context, method, path string) (*Request, error) {
	return nil, errNotImplemented
}

// Client returns an *http.Client whose requests go through the factory: any
// library that takes a client (go-jira and the like) then makes
// authenticated calls as the user. Requests must stay on the link's origin
// (else an error wrapping [ErrForeignURL]); a credentials problem surfaces
// as a *[CredentialsRequiredError] inside the *url.Error (errors.As finds
// it). The response is not checked: the caller reads and closes it.
func (f *RequestFactory) Client() *http.Client { return nil }
