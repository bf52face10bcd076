package applink

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/engine"
)

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
	protocol(st *linkState, user string) engine.Protocol[*token.AccessToken]
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

// byKind is the token source's view of a link's user tokens: a link may
// list methods of several kinds (3lo and pat), and a user's stored token is
// of one of them, whose view answers. Refused asks every view: each knows
// its own refusals only.
type byKind struct {
	views map[token.Kind]engine.Protocol[*token.AccessToken]
	// other answers for a token of a kind the link does not list.
	other engine.Protocol[*token.AccessToken]
}

func (b byKind) view(t *token.AccessToken) engine.Protocol[*token.AccessToken] {
	k := t.Kind
	if k == "" {
		k = token.KindOAuth1
	}
	if v, ok := b.views[k]; ok {
		return v
	}
	return b.other
}

func (b byKind) ID(t *token.AccessToken) string { return b.view(t).ID(t) }
func (b byKind) Expired(t *token.AccessToken, now time.Time) bool {
	return b.view(t).Expired(t, now)
}
func (b byKind) Renewable(t *token.AccessToken, problem error, now time.Time) bool {
	return b.view(t).Renewable(t, problem, now)
}
func (b byKind) Renew(ctx context.Context, t *token.AccessToken) (*token.AccessToken, error) {
	return b.view(t).Renew(ctx, t)
}
func (b byKind) Refused(err error) bool {
	for _, v := range b.views {
		if v.Refused(err) {
			return true
		}
	}
	return false
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
