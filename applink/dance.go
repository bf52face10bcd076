package applink

import (
	"context"
	"net/url"
)

// AuthorisationURI starts the 3-legged dance for the factory's user: it
// obtains a request token from the remote with oauth_callback set to
// callback ("" means "oob"), keeps it as pending in the token store, and
// returns the URL of the remote's authorize page for the user to visit.
func (f *RequestFactory) AuthorisationURI(ctx context.Context, callback string) (*url.URL, error) {
	return nil, errNotImplemented
}

// renewAccessToken renews an expired access token with its session handle
// (POST to the access-token endpoint with oauth_token and
// oauth_session_handle), stores the new token for (link, user) and returns
// it. The core calls it when the store returns an expired token that is
// Renewable; on failure the core deletes the token and reports credentials
// required.
func (st *linkState) renewAccessToken(ctx context.Context, user string, old *AccessToken) (*AccessToken, error) {
	return nil, errNotImplemented
}
