package applink

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/internal/oauth2link"
	"github.com/go-applinks/applinks/internal/redact"
)

// isOAuth2Link reports whether the link is an OAuth 2.0 link.
func (st *linkState) isOAuth2Link() bool { return st.o2 != nil }

// oauth2Config returns the link's OAuth 2.0 client, its token requests
// going through the token client for step.
func (st *linkState) oauth2Config(step string) *oauth2link.Config {
	c := *st.o2
	c.Client = st.tokenClient(step)
	return &c
}

// startOAuth2Dance is startDance for an OAuth 2.0 link: it makes a PKCE
// verifier and a state, keeps them as a pending request token (the state
// as its value, the verifier as its secret, bound to the link and the
// user), and returns the consent page URL.
//
// The redirect_uri sent is always the link's registered redirect URL. A
// callback, when given, must be that URL, optionally with a state
// parameter: that state is then the OAuth 2.0 state (so that the web dance
// handler and the loopback flow find their own state on the redirect).
func (f *RequestFactory) startOAuth2Dance(ctx context.Context, st *linkState, callback string) (*url.URL, *token.RequestToken, error) {
	state, err := oauth2link.State(callback, st.o2.RedirectURL)
	if err != nil {
		return nil, nil, fmt.Errorf("applink: link %q: %w", st.link.Name, err)
	}
	store, err := st.tokenStore()
	if err != nil {
		return nil, nil, err
	}
	verifier := oauth2link.GenerateVerifier()
	now := st.now()
	rt := token.NewRequestToken(state, verifier)
	rt.LinkID, rt.User, rt.Callback, rt.CreatedAt = st.link.ID, f.user, st.o2.RedirectURL, now
	rt.ExpiresAt = now.Add(defaultRequestTokenTTL)
	if err := store.PutRequestToken(ctx, rt); err != nil {
		return nil, nil, fmt.Errorf("applink: link %q: storing the pending authorization: %w", st.link.Name, err)
	}
	u, err := url.Parse(st.o2.AuthCodeURL(state, verifier))
	if err != nil {
		return nil, nil, fmt.Errorf("applink: link %q: the consent page URL: %w", st.link.Name, redact.URLError(err))
	}
	return u, rt, nil
}

// isIssuer reports whether iss names the link's authorization server: for
// Data Center, the product's base URL, which is the link's RPC URL or its
// display URL.
func (st *linkState) isIssuer(iss string) bool {
	if st.cloud != nil && oauth2link.IsIssuer(iss, st.cloud.AuthBase()) {
		return true // Atlassian's authorization server
	}
	return oauth2link.IsIssuer(iss, st.link.RPCURL, st.link.displayURL())
}

// completeOAuth2 exchanges the code of the pending authorization rt (its
// secret is the PKCE verifier) and stores the user's OAuth 2.0 token.
func (st *linkState) completeOAuth2(ctx context.Context, store token.Store, rt *token.RequestToken, input string) (token.Key, error) {
	key := token.Key{LinkID: rt.LinkID, User: rt.User}
	code, state := oauth2link.CodeFromInput(input)
	if state != "" && state != rt.Token {
		return token.Key{}, fmt.Errorf("applink: link %q: the pasted redirect belongs to another authorization (its state differs): paste the address of the page the consent led to, or start again", st.link.Name)
	}
	final := func(err error) (token.Key, error) {
		if derr := store.DeleteRequestToken(ctx, rt.Token); derr != nil {
			st.svc.logger.WarnContext(ctx, "applink: deleting a used authorization", "link", st.link.Name, "err", derr)
		}
		return token.Key{}, err
	}
	if iss := oauth2link.Issuer(input); iss != "" && !st.isIssuer(iss) {
		return final(&DanceError{Reason: ErrDanceIssuerMismatch, LinkName: st.link.Name, Issuer: redact.URLString(iss), WantIssuer: redact.URLString(st.link.RPCURL)})
	}
	switch {
	case code == oauth2link.Denied:
		return final(&DanceError{Reason: ErrDanceDenied, LinkName: st.link.Name, User: rt.User})
	case strings.HasPrefix(code, oauth2link.ErrorPrefix):
		return final(&OAuth2Error{LinkName: st.link.Name, Step: "authorizing at the consent page", Code: strings.TrimPrefix(code, oauth2link.ErrorPrefix)})
	case code == "":
		return token.Key{}, fmt.Errorf("applink: link %q: the authorization code is empty: approve at the consent page and give the code (or the address the page led to)", st.link.Name)
	}
	t, err := st.oauth2Config("exchanging the authorization code").Exchange(ctx, code, rt.Secret.Reveal())
	if err != nil {
		if ctx.Err() != nil {
			return token.Key{}, ctx.Err()
		}
		oe := st.oauth2Error(err)
		var e *OAuth2Error
		if errors.As(oe, &e) && e.Code == oauth2link.CodeInvalidGrant {
			// The code expired (seconds at Data Center), was used, or was
			// mistyped; it cannot be retried.
			return final(&DanceError{Reason: ErrDanceExpired, LinkName: st.link.Name, User: rt.User, Cause: oe})
		}
		return token.Key{}, oe
	}
	at := oauth2AccessToken(t, st.now(), nil)
	if err := store.PutAccessToken(ctx, key, at); err != nil {
		return token.Key{}, fmt.Errorf("applink: link %q: storing user %q's access token: %w", st.link.Name, rt.User, err)
	}
	if err := store.DeleteRequestToken(ctx, rt.Token); err != nil {
		st.svc.logger.WarnContext(ctx, "applink: deleting a used authorization", "link", st.link.Name, "err", err)
	}
	st.svc.logger.InfoContext(ctx, "applink: user authorized the link", "link", st.link.Name, "user", rt.User)
	return key, nil
}

// oauth2AccessToken turns a token endpoint's answer into an token.AccessToken;
// scopes default to prev (a refresh answer without scope keeps them).
func oauth2AccessToken(t *oauth2link.Token, now time.Time, prev []string) *token.AccessToken {
	at := token.NewOAuth2AccessToken(t.Access.Reveal(), t.Refresh.Reveal())
	at.CreatedAt = now
	if t.ExpiresIn > 0 {
		at.ExpiresAt = now.Add(t.ExpiresIn)
	}
	at.Scopes = t.Scopes
	if at.Scopes == nil {
		at.Scopes = slices.Clone(prev)
	}
	return at
}

// refreshOAuth2 refreshes the user's OAuth 2.0 token old with its refresh
// token and returns the new one, unstored (the token source stores it). The
// refresh token rotates: the old one no longer works.
func (st *linkState) refreshOAuth2(ctx context.Context, old *token.AccessToken) (*token.AccessToken, error) {
	t, err := st.oauth2Config("refreshing the access token").Refresh(ctx, old.RefreshToken.Reveal())
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, st.oauth2Error(err)
	}
	at := oauth2AccessToken(t, st.now(), old.Scopes)
	if at.RefreshToken.Reveal() == "" {
		return nil, fmt.Errorf("applink: link %q: the refresh answered no refresh token: the remote's OAuth 2.0 link should rotate refresh tokens; the old token was kept", st.link.Name)
	}
	return at, nil
}

// isInvalidGrant reports whether err is the remote's invalid_grant: the
// refresh token (or code) is no longer good and the user must consent
// again.
func isInvalidGrant(err error) bool {
	var e *OAuth2Error
	return errors.As(err, &e) && e.Code == oauth2link.CodeInvalidGrant
}

// clientCredsCache holds a link's client credentials token.
type clientCredsCache struct {
	mu  sync.Mutex
	tok *token.AccessToken
}

// clientCredentialsToken returns the link's service account token: the
// cached one while it lives (and is not rejected, the one the remote just
// refused), else a new one from the client_credentials grant. Concurrent
// callers wait for one fetch.
func (st *linkState) clientCredentialsToken(ctx context.Context, rejected *token.AccessToken) (*token.AccessToken, error) {
	if st.o2 == nil {
		return nil, fmt.Errorf("applink: link %q: client-credentials needs the link's oauth2 settings", st.link.Name)
	}
	c := &st.clientCreds
	c.mu.Lock()
	defer c.mu.Unlock()
	if t := c.tok; t != nil && !t.Expired(st.now()) && (rejected == nil || t.Token != rejected.Token) {
		return t, nil
	}
	t, err := st.oauth2Config("getting a client credentials token").ClientCredentials(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, st.oauth2Error(err)
	}
	c.tok = oauth2AccessToken(t, st.now(), nil)
	return c.tok, nil
}

// oauth2Tokens is the token source's view of OAuth 2.0 access tokens.
type oauth2Tokens struct {
	st *linkState
}

func (oauth2Tokens) ID(t *token.AccessToken) string                   { return t.Token }
func (oauth2Tokens) Expired(t *token.AccessToken, now time.Time) bool { return t.Expired(now) }

// Renewable: any token with a refresh token, whatever the 401 said.
func (oauth2Tokens) Renewable(t *token.AccessToken, _ error, now time.Time) bool {
	return t.Renewable(now)
}

func (o oauth2Tokens) Renew(ctx context.Context, t *token.AccessToken) (*token.AccessToken, error) {
	return o.st.refreshOAuth2(ctx, t)
}

// Refused: invalid_grant from the refresh grant, or a 401 to a bearer
// request (reaching here, there is no refresh token).
func (oauth2Tokens) Refused(err error) bool {
	var rr *resourceRefusal
	if errors.As(err, &rr) {
		return true
	}
	var e *OAuth2Error
	return errors.As(err, &e) && e.Code == oauth2link.CodeInvalidGrant
}
