package applink

// The token endpoints of the 3-legged dance (RFC 5849 §2.1 and §2.3, with
// Atlassian's session extension): obtaining a request token, exchanging it
// for an access token, and renewing an access token with its session handle.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/internal/linkconf"
	"github.com/go-applinks/applinks/internal/oauth1link"
	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/signer"
)

// defaultRequestTokenTTL is how long a request token lives when the
// remote does not say: 10 minutes at Atlassian's products.
const defaultRequestTokenTTL = 10 * time.Minute

// state returns the link state behind a link obtained from a Service.
func (f *RequestFactory) state() (*linkState, error) {
	if f == nil || f.link == nil || f.link.state == nil || f.link.state.svc == nil {
		return nil, errors.New("applink: the request factory's link does not come from a Service: get it with Service.Link and call its RequestFactory")
	}
	return f.link.state, nil
}

// now returns the service's time.
func (st *linkState) now() time.Time {
	if st.svc.clock != nil {
		return st.svc.clock()
	}
	return time.Now()
}

// store returns the service's token store.
func (st *linkState) tokenStore() (token.Store, error) {
	if st.svc.store == nil {
		return nil, errors.New("applink: the service has no token store: build it with NewService")
	}
	return st.svc.store, nil
}

// endpoints returns the link's OAuth endpoint paths, defaults filled in.
func (st *linkState) endpoints() Endpoints { return st.link.endpoints() }

// displayBase returns the URL browsers reach the remote at.
func (st *linkState) displayBase() string { return st.link.displayURL() }

// fetchRequestToken obtains a request token, sending oauth_callback
// (a URL or "oob") and no oauth_token.
func (st *linkState) fetchRequestToken(ctx context.Context, callback string) (*oauth1link.TokenResponse, error) {
	return st.postToken(ctx, "obtaining a request token", st.endpoints().RequestToken,
		signer.Params{OmitToken: true, Callback: callback})
}

// fetchAccessToken exchanges an authorized request token and its verifier
// for an access token.
func (st *linkState) fetchAccessToken(ctx context.Context, rt *token.RequestToken, verifier string) (*oauth1link.TokenResponse, error) {
	return st.postToken(ctx, "exchanging the request token for an access token", st.endpoints().AccessToken,
		signer.Params{Token: signer.NewToken(rt.Token, rt.Secret.Reveal()), Verifier: signer.NewSecret(verifier)})
}

// fetchRenewal renews an access token with its session handle.
func (st *linkState) fetchRenewal(ctx context.Context, old *token.AccessToken) (*oauth1link.TokenResponse, error) {
	return st.postToken(ctx, "renewing the access token", st.endpoints().AccessToken,
		signer.Params{Token: signer.NewToken(old.Token, old.Secret.Reveal()), SessionHandle: old.SessionHandle})
}

// postToken makes a signed POST to a token endpoint and parses the answer.
// An OAuth problem comes back wrapped (errors.As finds the
// *signer.ProblemError); step says what we were doing, for the message.
// Timestamps carry the link's clock offset; a timestamp_refused with the
// remote's window corrects it and the call is made once more, with a fresh
// nonce.
func (st *linkState) postToken(ctx context.Context, step, path string, p signer.Params) (*oauth1link.TokenResponse, error) {
	r, err := st.postTokenOnce(ctx, step, path, p)
	var te *tokenEndpointError
	if errors.As(err, &te) && te.problem.Problem == signer.ProblemTimestampRefused && te.problem.MaxTimestamp != 0 {
		st.learnOffset(ctx, te.problem)
		return st.postTokenOnce(ctx, step, path, p)
	}
	return r, err
}

// postTokenOnce makes one signed POST to a token endpoint.
func (st *linkState) postTokenOnce(ctx context.Context, step, path string, p signer.Params) (*oauth1link.TokenResponse, error) {
	p.ClockOffset = st.clockOffset()
	if st.signer == nil {
		return nil, fmt.Errorf("applink: link %q has no signing key or secret: 3-legged OAuth needs one", st.link.Name)
	}
	u, err := linkconf.JoinBase(st.link.RPCURL, path)
	if err != nil {
		return nil, err
	}
	resp, body, err := oauth1link.Post(ctx, st.tokenClient(step), u.String(), st.svc.agent, func(r *http.Request) error { return st.signer.Sign(r, p) })
	var re *TokenRedirectError
	switch {
	case errors.As(err, &re):
		return nil, re // the redirect's body is closed unread: nothing it says is kept
	case err != nil && ctx.Err() != nil:
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("applink: link %q: %s: %w", st.link.Name, step, err)
	}
	if pe := signer.ParseProblem(resp.StatusCode, resp.Header, body); pe != nil {
		maskProblem(pe, p.Verifier.Reveal(), p.Token.Secret(), p.SessionHandle.Reveal())
		return nil, &tokenEndpointError{linkName: st.link.Name, step: step, url: u.String(), consumerKey: st.signer.ConsumerKey(), problem: pe}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &tokenStatusError{msg: fmt.Sprintf("applink: link %q: %s: POST %s answered HTTP %d without an OAuth problem: check the link's type and endpoint paths (%s)",
			st.link.Name, step, u, resp.StatusCode, st.endpoints().describe()), status: resp.StatusCode}
	}
	r, err := oauth1link.ParseTokenResponse(body)
	if err != nil {
		return nil, fmt.Errorf("applink: link %q: %s: POST %s: %w: check the link's type and endpoint paths", st.link.Name, step, u, err)
	}
	return r, nil
}

// maskProblem masks, in the free text of a token endpoint's problem, the
// secrets the request sent (the verifier, the token secret, the session
// handle): a provider or a gateway may echo them. The signature base string
// is kept as sent (it is always shown redacted, and the doctor compares it
// with its own).
func maskProblem(pe *signer.ProblemError, sent ...string) {
	redact.SecretsIn(sent, []*string{&pe.Problem, &pe.Advice, &pe.AcceptableVersions, &pe.Realm},
		[][]string{pe.ParametersAbsent, pe.ParametersRejected}, pe.Extra)
}

// tokenStatusError is a token endpoint's answer with an HTTP status other
// than 200 and no OAuth problem (a proxy's 502, a login page's 404): the
// web dance tells the browser the status, without the URL.
type tokenStatusError struct {
	msg    string
	status int
}

func (e *tokenStatusError) Error() string { return e.msg }

// describe lists the endpoint paths, for error messages.
func (e Endpoints) describe() string {
	return "request token " + e.RequestToken + ", authorize " + e.Authorize + ", access token " + e.AccessToken
}

// tokenEndpointError is an OAuth problem a token endpoint reported. It
// unwraps to the *signer.ProblemError.
type tokenEndpointError struct {
	linkName, step, url, consumerKey string
	problem                          *signer.ProblemError
}

func (e *tokenEndpointError) Error() string { return e.describe(true) }

// describe says what the remote refused and what to do, with the endpoint
// URL or without (for a browser: the RPC URL may be internal).
func (e *tokenEndpointError) describe(withURL bool) string {
	msg := fmt.Sprintf("applink: link %q: %s: %v", e.linkName, e.step, e.problem)
	if withURL {
		msg = fmt.Sprintf("applink: link %q: %s: POST %s: %v", e.linkName, e.step, e.url, e.problem)
	}
	switch e.problem.Problem {
	case signer.ProblemConsumerKeyUnknown:
		msg += fmt.Sprintf(": the remote has no incoming link for consumer key %q: add one with this application's public key (or, for Jenkins, secret)", e.consumerKey)
	case signer.ProblemSignatureInvalid:
		msg += ": the remote computed another signature: check the key or secret, and that the link's RPC URL is the URL the remote sees (a reverse proxy changes it)"
		if !e.problem.SignatureBaseString.IsZero() {
			msg += "; the remote signed " + redact.Shorten(redact.BaseString(e.problem.SignatureBaseString.Reveal()), maxBaseStringInError)
		}
	case signer.ProblemTimestampRefused:
		msg += ": the two clocks differ by more than 5 minutes: synchronize them (NTP)"
	case signer.ProblemSignatureMethodRejected:
		msg += ": the remote does not accept this signature method (Jenkins takes HMAC-SHA1 only)"
	}
	return msg
}

func (e *tokenEndpointError) Unwrap() error { return e.problem }

// problemOf returns the OAuth problem inside err, or "".
func problemOf(err error) string {
	var pe *signer.ProblemError
	if errors.As(err, &pe) {
		return pe.Problem
	}
	return ""
}

// oauth1AccessToken builds the token.AccessToken of a token endpoint's answer.
func oauth1AccessToken(r *oauth1link.TokenResponse, now time.Time) *token.AccessToken {
	t := token.NewAccessToken(r.Token, r.Secret.Reveal())
	t.ExpiresAt, t.AuthorizationExpiresAt = r.Expiry(now)
	t.SessionHandle = r.SessionHandle
	t.CreatedAt = now
	return t
}

// oauth1Tokens is the token source's view of OAuth 1.0a access tokens.
type oauth1Tokens struct{ st *linkState }

func (oauth1Tokens) ID(t *token.AccessToken) string                   { return t.Token }
func (oauth1Tokens) Expired(t *token.AccessToken, now time.Time) bool { return t.Expired(now) }

// Renewable: a token with a usable session handle, when it expired by our
// clock or the remote said token_expired; no other problem is renewed.
func (oauth1Tokens) Renewable(t *token.AccessToken, problem error, now time.Time) bool {
	if problem != nil {
		var p *signer.ProblemError
		if !errors.As(problem, &p) || p.Problem != signer.ProblemTokenExpired {
			return false
		}
	}
	return t.Renewable(now)
}

func (o oauth1Tokens) Renew(ctx context.Context, t *token.AccessToken) (*token.AccessToken, error) {
	return o.st.renewOAuth1(ctx, t)
}

// Refused: token_rejected, token_revoked, permission_denied and
// token_expired (reaching here, there is no session handle or the renewal
// was refused) refuse the token; anything else keeps it.
func (oauth1Tokens) Refused(err error) bool {
	var p *signer.ProblemError
	if !errors.As(err, &p) {
		return false
	}
	switch p.Problem {
	case signer.ProblemTokenRejected, signer.ProblemTokenRevoked, signer.ProblemPermissionDenied, signer.ProblemTokenExpired:
		return true
	}
	return false
}

// renewOAuth1 renews an expired OAuth 1.0a access token with its session
// handle (POST to the access-token endpoint with oauth_token and
// oauth_session_handle) and returns the new token, unstored (the token
// source stores it).
func (st *linkState) renewOAuth1(ctx context.Context, old *token.AccessToken) (*token.AccessToken, error) {
	if old.SessionHandle.IsZero() {
		return nil, fmt.Errorf("applink: link %q: the access token has no session handle: it cannot be renewed", st.link.Name)
	}
	r, err := st.fetchRenewal(ctx, old)
	if err != nil {
		return nil, err
	}
	at := oauth1AccessToken(r, st.now())
	if at.SessionHandle.IsZero() {
		// The remote kept the session: renew with the old handle next time.
		at.SessionHandle = old.SessionHandle
		if at.AuthorizationExpiresAt.IsZero() {
			at.AuthorizationExpiresAt = old.AuthorizationExpiresAt
		}
	}
	return at, nil
}

// clockOffset returns how far the remote's clock is ahead of ours, as
// learnt from its last timestamp_refused (0 until then).
func (st *linkState) clockOffset() time.Duration { return time.Duration(st.offset.Load()) }

// learnOffset records the remote's clock from a timestamp_refused problem:
// the middle of its acceptable window (oauth_acceptable_timestamps) is its
// "now", and the difference from ours corrects every later timestamp for
// the link.
func (st *linkState) learnOffset(ctx context.Context, p *signer.ProblemError) time.Duration {
	mid := time.Unix(p.MinTimestamp+(p.MaxTimestamp-p.MinTimestamp)/2, 0)
	off := mid.Sub(st.svc.clock()).Round(time.Second)
	st.offset.Store(int64(off))
	st.svc.logger.LogAttrs(ctx, slog.LevelInfo, "applink: the remote refused our timestamp; correcting our clock for the link",
		slog.String("link", st.link.Name), slog.Duration("offset", off))
	return off
}
