package applink

// The 3-legged dance (OAuth 1.0a, RFC 5849 §2): a request token, the user's
// approval at the remote, and the exchange for an access token.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/advice"
	"github.com/go-applinks/applinks/internal/oauth1link"

	"github.com/go-applinks/applinks/signer"
)

// The reasons of a [DanceError], for errors.Is: errors.Is(err,
// applink.ErrDanceExpired) is true when err is (or wraps) a *DanceError
// with that Reason.
var (
	// ErrDanceDenied: the user refused to let the application act for
	// them (the remote sent the verifier "denied", said permission_denied,
	// or the consent page answered access_denied). The pending request
	// token is deleted; the dance may be started again.
	ErrDanceDenied = errors.New("applink: the user denied access at the remote")
	// ErrDanceExpired: the request token (OAuth 2.0: the authorization
	// code) is no longer usable: it is not pending (unknown, already used,
	// or past its 10 minutes), or the remote said it expired or rejected
	// it. The dance must start again with a new authorization URL. The
	// error's Cause is the store's error (wrapping [token.ErrNotFound]) or
	// the remote's (a *signer.ProblemError or an *[OAuth2Error]).
	ErrDanceExpired = errors.New("applink: the request token has expired, was already used or is unknown")
	// ErrDanceNotApproved: the request token was exchanged before the user
	// approved it at the remote (the remote said permission_unknown). The
	// pending token is kept: approve it, then complete again.
	ErrDanceNotApproved = errors.New("applink: the user has not approved the request token yet")
	// ErrDanceWrongUser: [RequestFactory.CompleteAuthorization] was given
	// a pending request token of another user or another link: the
	// callback was not for this factory's user. Nothing is changed. The
	// error's TokenLinkID and TokenUser say whose it is; its message does
	// not name them.
	ErrDanceWrongUser = errors.New("applink: the request token belongs to another user or link")
	// ErrDanceCallbackNotConfirmed: the remote's request-token answer
	// lacked oauth_callback_confirmed=true, wherever the 3-legged dance
	// starts ([RequestFactory.AuthorizationURL], the loopback, out-of-band
	// and web flows): the remote speaks OAuth 1.0, not 1.0a (RFC 5849).
	// Without the callback confirmation and the verifier of 1.0a, whoever
	// obtained the request token can exchange it once any user approved
	// it, and so act as that user (session fixation). The request token
	// is refused and not stored. Every Atlassian product and the Jenkins
	// plugin speak 1.0a; this error means the link points at something
	// else, or a proxy rewrote the answer.
	ErrDanceCallbackNotConfirmed = errors.New("applink: the remote did not confirm the callback (OAuth 1.0, not 1.0a)")
	// ErrDanceIssuerMismatch: an OAuth 2.0 authorization response whose
	// iss (RFC 9207) names another authorization server than the link's:
	// another server's authorization came back to this link's redirect URL
	// (an OAuth mix-up, RFC 9700 §4.4). Its code was not exchanged, and
	// the pending authorization is spent: start again. If the issuer is
	// the link's remote under another URL, make the link's RPC URL or
	// display URL that URL. The error's Issuer and WantIssuer are both.
	ErrDanceIssuerMismatch = errors.New("applink: the authorization came back from another issuer")
)

// DanceError is a failure of the authorization dance (OAuth 1.0a's
// 3-legged dance or OAuth 2.0's consent) that the user or the application
// must act on; its message says what happened and what to do. Reason is
// one of the ErrDance… errors above, which errors.Is finds:
//
//	if errors.Is(err, applink.ErrDanceExpired) {
//		// start the authorization again
//	}
//
// errors.As(err, &danceErr) gives the link, the user and the details.
type DanceError struct {
	// Reason is what happened: ErrDanceDenied, ErrDanceExpired,
	// ErrDanceNotApproved, ErrDanceWrongUser, ErrDanceCallbackNotConfirmed
	// or ErrDanceIssuerMismatch.
	Reason error
	// LinkName is the link's name; User the user whose dance it is (for
	// ErrDanceWrongUser, the factory's). Both are empty when a request
	// token was not found at all and nothing says whose it was.
	LinkName, User string
	// TokenLinkID and TokenUser (ErrDanceWrongUser) are whose pending
	// request token it is.
	TokenLinkID, TokenUser string
	// Issuer (ErrDanceIssuerMismatch) is the iss the redirect carried,
	// WantIssuer the link's RPC URL, both redacted.
	Issuer, WantIssuer string
	// Cause is the underlying error, if any: the store's or the remote's
	// (ErrDanceExpired).
	Cause error
}

// Error says what happened to whose dance, and what to do.
func (e *DanceError) Error() string {
	link := fmt.Sprintf("link %q: ", e.LinkName)
	switch e.Reason {
	case ErrDanceDenied:
		return fmt.Sprintf("applink: %suser %q denied access at the remote: nothing was stored; start the authorization again if that was a mistake", link, e.User)
	case ErrDanceExpired:
		who := "the"
		if e.LinkName != "" {
			who = fmt.Sprintf("link %q: user %q's", e.LinkName, e.User)
		}
		return fmt.Sprintf("applink: %s request token has expired, was already used or is unknown: start the authorization again", who)
	case ErrDanceNotApproved:
		return fmt.Sprintf("applink: %suser %q has not approved the request token yet: approve it at the authorization URL, then complete again", link, e.User)
	case ErrDanceWrongUser:
		return fmt.Sprintf("applink: %sthe request token does not belong to user %q on this link: refused; start the authorization again as that user", link, e.User)
	case ErrDanceCallbackNotConfirmed:
		return fmt.Sprintf("applink: %sthe remote's request token came without oauth_callback_confirmed=true: it speaks OAuth 1.0, not 1.0a, which is open to session fixation: refused; check that the link's RPC URL and request-token endpoint are the remote application's (Atlassian products and the Jenkins plugin speak 1.0a)", link)
	case ErrDanceIssuerMismatch:
		return fmt.Sprintf("applink: %sthe authorization came back from the issuer %s, not the link's (%s): another server's authorization was sent to this link (an OAuth mix-up), and its code was not exchanged: start the authorization again; if %s is this link's remote, set the link's rpcUrl or displayUrl to it",
			link, e.Issuer, e.WantIssuer, e.Issuer)
	}
	if e.Reason != nil {
		return fmt.Sprintf("applink: %s%s", link, strings.TrimPrefix(e.Reason.Error(), "applink: "))
	}
	return fmt.Sprintf("applink: %sthe authorization failed: start it again", link)
}

// Unwrap returns Reason and Cause (those that are set), so that errors.Is
// finds the reason and errors.Is and errors.As the cause.
func (e *DanceError) Unwrap() []error {
	var out []error
	for _, err := range []error{e.Reason, e.Cause} {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

// deniedVerifier is the verifier a remote sends when the user refused.
const deniedVerifier = "denied"

// AuthorizationURL starts the 3-legged dance for the factory's user: it
// obtains a request token from the remote with oauth_callback set to
// callback (an absolute http or https URL; "" means out of band, "oob"),
// keeps it as pending in the token store (with the user, the link, the
// callback and its expiry: 10 minutes unless the remote says otherwise),
// and returns the URL of the remote's authorize page for the user to
// visit: on the link's display URL, /plugins/servlet/oauth/authorize?oauth_token=T
// for Atlassian products and /bbs-oauth/authorize?oauth_token=T&oauth_callback=C
// for Jenkins (or the link's own authorize endpoint).
//
// A remote that answers without oauth_callback_confirmed=true speaks OAuth
// 1.0, not 1.0a, and is refused with a *[DanceError] whose Reason is [ErrDanceCallbackNotConfirmed]: nothing
// is stored.
//
// For an OAuth 2.0 link (auth oauth2) it returns the remote's consent page
// instead (/rest/oauth2/latest/authorize with the client id, the scopes,
// the registered redirect URL, a state and a PKCE S256 challenge), and keeps
// the state and the PKCE verifier as the pending "request token" (the state
// is its value) bound to the user and the link. The callback must then be
// "" or the link's registered redirect URL (a state parameter on it becomes
// the OAuth 2.0 state). Complete with the state as the request token and
// the code (or the whole address the consent page led to) as the
// verifier.
//
// Finish with [RequestFactory.CompleteAuthorization] when the remote
// redirects to the callback (the request token is the authorization URL's
// oauth_token parameter; for OAuth 2.0, its state), or use the flows of
// package applink/authorize (authorize.NewHandler for a web application,
// authorize.Loopback and authorize.OutOfBand for a program), which do
// both.
func (f *RequestFactory) AuthorizationURL(ctx context.Context, callback string) (*url.URL, error) {
	u, _, err := f.startDance(ctx, callback)
	return u, err
}

// startDance is AuthorizationURL, also returning the pending token.
func (f *RequestFactory) startDance(ctx context.Context, callback string) (*url.URL, *token.RequestToken, error) {
	st, err := f.state()
	if err != nil {
		return nil, nil, err
	}
	if f.user == "" {
		return nil, nil, fmt.Errorf("applink: link %q: the 3-legged dance needs a user: get the factory with Link.RequestFactory(user)", st.link.Name)
	}
	if st.isOAuth2Link() && st.link.allows(AuthOAuth2) {
		return f.startOAuth2Dance(ctx, st, callback)
	}
	if !st.link.allows(Auth3LO) && st.link.allows(AuthPAT) {
		return nil, nil, fmt.Errorf("applink: link %q: a personal access token has no authorization dance: %s, and store it for them (token.NewPATAccessToken; applink tokens set --pat-env)",
			st.link.Name, strings.Replace(advice.PATProfile, "their", "the user's", 1))
	}
	if !st.link.allows(Auth3LO) {
		return nil, nil, &AuthNotConfiguredError{Link: st.link.Name, Wanted: string(Auth3LO), Configured: slices.Clone(st.link.auths())}
	}
	if err := oauth1link.CheckCallback(callback); err != nil {
		return nil, nil, fmt.Errorf("applink: link %q: %w", st.link.Name, err)
	}
	if callback == "" {
		callback = "oob"
	}
	store, err := st.tokenStore()
	if err != nil {
		return nil, nil, err
	}
	r, err := st.fetchRequestToken(ctx, callback)
	if err != nil {
		return nil, nil, err
	}
	if !r.CallbackConfirmed {
		// OAuth 1.0 without the "a": the remote neither binds the callback
		// to the token nor issues a verifier, so whoever started the dance
		// can complete it after another user approved (session fixation).
		// The request token is not stored; it expires at the remote.
		return nil, nil, &DanceError{Reason: ErrDanceCallbackNotConfirmed, LinkName: st.link.Name}
	}
	now := st.now()
	rt := token.NewRequestToken(r.Token, r.Secret.Reveal())
	rt.LinkID, rt.User, rt.Callback, rt.CreatedAt = st.link.ID, f.user, callback, now
	ttl := r.ExpiresIn
	if ttl <= 0 {
		ttl = defaultRequestTokenTTL
	}
	rt.ExpiresAt = now.Add(ttl)
	if err := store.PutRequestToken(ctx, rt); err != nil {
		return nil, nil, fmt.Errorf("applink: link %q: storing the pending request token: %w", st.link.Name, err)
	}
	if st.link.Type != TypeJenkins {
		callback = "" // the request token carries it
	}
	u, err := oauth1link.AuthorizeURL(st.displayBase(), st.endpoints().Authorize, rt.Token, callback)
	if err != nil {
		return nil, nil, err
	}
	return u, rt, nil
}

// CompleteAuthorization finishes the 3-legged dance (OAuth 2.0: the consent)
// for the factory's user: it exchanges the verifier (code) for the access
// token and stores it. It first refuses (with a *[DanceError] whose Reason
// is [ErrDanceWrongUser]) a pending request token that belongs to another
// user or link. The flows of applink/authorize use it.
// The verifier may be given as a user pasted it, as for
// authorize.OutOfBand: surrounding space is ignored, and a
// URL or query string holding oauth_verifier=CODE (such as the body a
// remote answers an out-of-band approval with) gives its CODE.
//
// Its other errors are those of the exchange, each a *[DanceError] that
// errors.Is tells apart: [ErrDanceExpired] when the token is not pending
// (start again; errors.Is also finds [token.ErrNotFound]) or the remote
// says it expired (OAuth 2.0: an expired or used code, invalid_grant);
// [ErrDanceDenied] when the verifier is "denied" or the remote says
// permission_denied; [ErrDanceNotApproved] when the user has not approved
// yet — the pending token is then kept, so approving and completing again
// succeeds; [ErrDanceIssuerMismatch] for an OAuth 2.0 redirect from another
// issuer. The pending token is deleted on success, denial and expiry
// (token_expired, token_used), and kept on other errors (such as
// token_rejected for a mistyped verifier, which errors.As finds as a
// *signer.ProblemError).
func (f *RequestFactory) CompleteAuthorization(ctx context.Context, requestToken, verifier string) error {
	verifier = oauth1link.VerifierFromInput(verifier)
	st, err := f.state()
	if err != nil {
		return err
	}
	store, err := st.tokenStore()
	if err != nil {
		return err
	}
	rt, err := store.RequestToken(ctx, requestToken)
	if err != nil {
		if errors.Is(err, token.ErrNotFound) {
			return &DanceError{Reason: ErrDanceExpired, LinkName: st.link.Name, User: f.user, Cause: err}
		}
		return fmt.Errorf("applink: link %q: reading the pending request token: %w", st.link.Name, err)
	}
	if rt.LinkID != st.link.ID || rt.User != f.user {
		return &DanceError{Reason: ErrDanceWrongUser, LinkName: st.link.Name, User: f.user, TokenLinkID: rt.LinkID, TokenUser: rt.User}
	}
	_, err = st.complete(ctx, store, rt, verifier)
	return err
}

// complete exchanges the pending token rt and stores the access token.
func (st *linkState) complete(ctx context.Context, store token.Store, rt *token.RequestToken, verifier string) (token.Key, error) {
	if st.isOAuth2Link() {
		return st.completeOAuth2(ctx, store, rt, verifier)
	}
	key := token.Key{LinkID: rt.LinkID, User: rt.User}
	verifier = strings.TrimSpace(verifier)
	final := func(err error) (token.Key, error) {
		// A final failure: the token is useless now.
		if derr := store.DeleteRequestToken(ctx, rt.Token); derr != nil && st.svc.logger != nil {
			st.svc.logger.WarnContext(ctx, "applink: deleting a used request token", "link", st.link.Name, "err", derr)
		}
		return token.Key{}, err
	}
	if verifier == deniedVerifier {
		return final(&DanceError{Reason: ErrDanceDenied, LinkName: st.link.Name, User: rt.User})
	}
	r, err := st.fetchAccessToken(ctx, rt, verifier)
	if err != nil {
		switch problemOf(err) {
		case signer.ProblemPermissionUnknown:
			return token.Key{}, &DanceError{Reason: ErrDanceNotApproved, LinkName: st.link.Name, User: rt.User, Cause: err}
		case signer.ProblemPermissionDenied, signer.ProblemUserRefused:
			return final(&DanceError{Reason: ErrDanceDenied, LinkName: st.link.Name, User: rt.User})
		case signer.ProblemTokenExpired, signer.ProblemTokenUsed:
			return final(&DanceError{Reason: ErrDanceExpired, LinkName: st.link.Name, User: rt.User, Cause: err})
		}
		// token_rejected (a wrong verifier, or a token the remote forgot)
		// and everything else: keep the pending token, so that a mistyped
		// verification code can be entered again; it expires by itself.
		return token.Key{}, err
	}
	at := oauth1AccessToken(r, st.now())
	if err := store.PutAccessToken(ctx, key, at); err != nil {
		return token.Key{}, fmt.Errorf("applink: link %q: storing user %q's access token: %w", st.link.Name, rt.User, err)
	}
	if err := store.DeleteRequestToken(ctx, rt.Token); err != nil && st.svc.logger != nil {
		st.svc.logger.WarnContext(ctx, "applink: deleting a used request token", "link", st.link.Name, "err", err)
	}
	if st.svc.logger != nil {
		st.svc.logger.InfoContext(ctx, "applink: user authorized the link", "link", st.link.Name, "user", rt.User)
	}
	return key, nil
}
