package applink

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-applinks/applinks/applink/token"
)

// The tests' way into a dance by its request token alone, whoever's it is
// (the library completes through RequestFactory.CompleteAuthorization,
// which also checks the pending token is the factory user's).

// completeAuthorization finishes the 3-legged dance: given the request
// token and the verifier the remote sent to the callback (or the user
// copied, out of band), it exchanges the pending request token for an
// access token, stores it for the token's user and link (with its expiry,
// session handle and authorization expiry) and deletes the pending token.
// It returns whose token was stored.
//
// For an OAuth 2.0 link, requestToken is the state of the consent URL and
// verifier the authorization code, or the whole address the consent page
// redirected to (code=...&state=...; error=access_denied is a denial); the
// code is exchanged with the pending PKCE verifier, and an expired or used
// code (invalid_grant) is ErrDanceExpired. Its errors are those of
// [RequestFactory.CompleteAuthorization].
func (s *Service) completeAuthorization(ctx context.Context, requestToken, verifier string) (token.Key, error) {
	if s == nil || s.store == nil {
		return token.Key{}, errors.New("applink: the service has no token store: build it with NewService")
	}
	rt, err := s.store.RequestToken(ctx, requestToken)
	if err != nil {
		if errors.Is(err, token.ErrNotFound) {
			return token.Key{}, &DanceError{Reason: ErrDanceExpired, Cause: err}
		}
		return token.Key{}, fmt.Errorf("applink: reading the pending request token: %w", err)
	}
	st := s.stateByID(rt.LinkID)
	if st == nil {
		return token.Key{}, fmt.Errorf("%w: the pending request token is for link id %q, which this service does not have", ErrLinkNotFound, rt.LinkID)
	}
	return st.complete(ctx, s.store, rt, verifier)
}

// stateByID returns the link state with the id, or nil.
func (s *Service) stateByID(id string) *linkState {
	for _, st := range s.links {
		if strings.EqualFold(st.link.ID, id) {
			return st
		}
	}
	return nil
}
