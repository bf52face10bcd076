package applink

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/internal/engine"
)

// source returns the user's token source: the one place that gets, renews,
// stores and deletes the factory's user's token (see internal/engine and the
// rule in the package doc). The protocol view is the link's, built once
// with the service; the source itself is a few words on the stack's side.
func (f *RequestFactory) source() *engine.Source[*token.AccessToken] {
	st := f.link.state
	return &engine.Source[*token.AccessToken]{
		Protocol: st.tokens,
		Store:    st.svc.slots.Slot(token.Key{LinkID: f.link.ID, User: f.user}),
		Local:    &st.renews,
		Key:      f.user,
		Link:     f.link.Name,
		Now:      st.now,
		Logger:   st.svc.logger,
	}
}

// newTokenViews returns the token source's view of the link's user tokens:
// one view per kind of token its methods use.
func (st *linkState) newTokenViews() engine.Protocol[*token.AccessToken] {
	p := &engine.ByKind[token.Kind, *token.AccessToken]{Views: map[token.Kind]engine.Protocol[*token.AccessToken]{},
		Kind: func(t *token.AccessToken) token.Kind {
			if t.Kind == "" {
				return token.KindOAuth1
			}
			return t.Kind
		}}
	for _, a := range st.link.auths() {
		var v engine.Protocol[*token.AccessToken]
		switch au := st.authenticator(a); {
		case au != nil:
			v = au.protocol(st)
		case a == Auth3LO:
			v = oauth1Tokens{st: st}
		case a == AuthOAuth2:
			v = oauth2Tokens{st: st}
		default:
			continue
		}
		p.Views[st.tokenKind(a)] = v
		if p.Other == nil {
			p.Other = v
		}
	}
	if p.Other == nil {
		p.Other = oauth1Tokens{st: st}
	}
	return p
}

// newTokenSlots returns the service's token store as the token sources use
// it.
func (s *Service) newTokenSlots() *engine.Backend[token.Key, *token.AccessToken] {
	b := &engine.Backend[token.Key, *token.AccessToken]{Get: s.store.AccessToken, Put: s.store.PutAccessToken,
		Delete: s.store.DeleteAccessToken, NotFound: token.ErrNotFound, Changed: token.ErrTokenChanged,
		ID: func(t *token.AccessToken) string { return t.Token }}
	if sw, ok := s.store.(token.Swapper); ok {
		b.Swap = sw.SwapAccessToken
	}
	if lk, ok := s.store.(token.Locker); ok {
		b.Lock = func(ctx context.Context, k token.Key) (engine.Lock, error) { return lk.LockToken(ctx, k) }
	}
	return b
}

// sourceError turns what the token source answered into the error a
// request returns: credentials required when the user has no token or the
// remote refused it (it was deleted), else the error itself with the token
// kept.
func (f *RequestFactory) sourceError(ctx context.Context, err error) error {
	var refused *engine.RefusedError
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, engine.ErrNoToken):
		return f.credentialsRequired(nil)
	case errors.As(err, &refused):
		cause := refused.Cause
		var rr *resourceRefusal
		if errors.As(cause, &rr) {
			cause = rr.err
		}
		return f.credentialsRequired(cause)
	}
	if strings.HasPrefix(err.Error(), "applink: ") {
		return err // it names the link already
	}
	return fmt.Errorf("applink: link %q: user %q's token (kept): %w", f.link.Name, f.user, err)
}

// resourceRefusal is a resource's 401 to a request that used the user's
// token, as the transport hands it to the token source: err is the
// remote's answer (an *OAuth2Error or a *signer.ProblemError).
type resourceRefusal struct{ err error }

func (r *resourceRefusal) Error() string { return r.err.Error() }
func (r *resourceRefusal) Unwrap() error { return r.err }

// authenticator is how the requests of one bearer method of one link are
// authorized, routed, and read for a refusal of the token they carried;
// with the token source's view of its tokens (its engine.Protocol). A link
// gets one per such method when its service is built
// (linkState.authenticators); the transport asks it instead of knowing the
// method. Personal access tokens (patAuth) and Atlassian Cloud's OAuth 2.0
// (cloudAuth) are authenticators; OAuth 1.0a and Data Center OAuth 2.0 are
// the transport's own.
type authenticator interface {
	// kind is the kind of the user tokens the method uses.
	kind() token.Kind
	// route returns the URL a request for u (on the link's RPC URL) is
	// sent to with tok.
	route(ctx context.Context, f *RequestFactory, tok *token.AccessToken, u *url.URL) (*url.URL, error)
	// authorize adds tok to out.
	authorize(out *http.Request, tok *token.AccessToken)
	// refusal returns the remote's refusal of tok in resp, or nil.
	refusal(f *RequestFactory, tok *token.AccessToken, out *http.Request, resp *http.Response) error
	// protocol is the token source's view of the method's tokens.
	protocol(st *linkState) engine.Protocol[*token.AccessToken]
}

// answerer is an authenticator that reads a final answer the remote gave
// to a request it authorized (one that refused nothing) into an error of
// its own: Atlassian Cloud's 401 "scope does not match".
type answerer interface {
	answer(f *RequestFactory, step string, resp *http.Response) error
}

// authenticator returns the link's authenticator of method a, or nil when
// the transport handles a itself.
func (st *linkState) authenticator(a Auth) authenticator {
	return st.authenticators[a]
}

// newAuthenticators returns the authenticators of the link's methods.
func (st *linkState) newAuthenticators() map[Auth]authenticator {
	m := map[Auth]authenticator{}
	for _, a := range st.link.auths() {
		switch {
		case a == AuthPAT:
			m[a] = patAuth{}
		case a == AuthOAuth2 && st.cloud != nil:
			m[a] = cloudAuth{}
		}
	}
	return m
}

// tokenKind returns the kind of user token method a uses on the link, ""
// for a method without one.
func (st *linkState) tokenKind(a Auth) token.Kind {
	if au := st.authenticator(a); au != nil {
		return au.kind()
	}
	switch a {
	case Auth3LO:
		return token.KindOAuth1
	case AuthOAuth2:
		return token.KindOAuth2
	}
	return ""
}
