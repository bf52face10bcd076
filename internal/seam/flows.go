package seam

// What applink/authorize sees of a Service and of the dance's start.

import (
	"context"
	"log/slog"
	"net/url"
	"time"
)

// Service is what applink/authorize sees of a Service beyond applink's
// exported API. Package applink fills every field.
type Service struct {
	// Now is the service's clock, never nil.
	Now func() time.Time
	// Logger is the service's logger, nil when it logs nothing.
	Logger *slog.Logger
}

// OpenService returns applink/authorize's view of svc, an
// *applink.Service.
func OpenService(svc any) (*Service, error) {
	f := registered().Service
	if f == nil {
		return nil, errNotRegistered("applink/authorize", "service view")
	}
	return f(svc)
}

// Started is a dance Start started.
type Started struct {
	// URL is the remote's authorize page (AuthorizationURL's result).
	URL *url.URL
	// RequestToken is the pending request token Start stored: the value
	// CompleteAuthorization takes (for an OAuth 2.0 link, the state).
	RequestToken string
	// User is the factory's user, whose dance it is.
	User string
}

// Start is RequestFactory.AuthorizationURL (factory is an
// *applink.RequestFactory) that also returns the pending request token it
// stored and whose it is. Its errors are AuthorizationURL's.
func Start(ctx context.Context, factory any, callback string) (*Started, error) {
	f := registered().Start
	if f == nil {
		return nil, errNotRegistered("applink/authorize", "dance start")
	}
	return f(ctx, factory, callback)
}

// TokenEndpoint tells what a failed exchange at an OAuth 1.0a token
// endpoint was: status is the HTTP status of an answer that held no OAuth
// problem (a proxy's 502), 0 otherwise; message, for an OAuth problem the
// remote reported, says what it refused and what to do without the
// endpoint's URL (which may be internal), "" otherwise. The problem itself
// is the *signer.ProblemError err wraps.
func TokenEndpoint(err error) (status int, message string) {
	f := registered().TokenEndpoint
	if f == nil {
		return 0, ""
	}
	return f(err)
}
