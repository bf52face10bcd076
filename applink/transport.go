package applink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"syscall"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/go-applinks/applinks/internal/engine"
	"github.com/go-applinks/applinks/internal/oauth2link"
	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/internal/requri"
	"github.com/go-applinks/applinks/signer"
)

// transport is the http.RoundTripper under every request through a link:
// it keeps requests on the link's origin and RPC path, chooses (or is told)
// the authentication method, refuses a request that names its own
// xoauth_requestor_id (in the query or a signed form body), signs each
// attempt afresh (2LOi adds xoauth_requestor_id to the query first), fetches Jenkins crumbs, and
// recovers once from timestamp_refused (by learning the remote's clock) and
// from nonce_used. A 3LO token the remote says has expired is renewed with
// its session handle (or replaced by the one a concurrent request renewed)
// and the request sent again, up to maxRenewalsPerRequest times. With
// surface set (the
// Client view) a token problem becomes *CredentialsRequiredError.
type transport struct {
	factory *RequestFactory
	// auth is the method to use; "" chooses per request.
	auth Auth
	// probe is the doctor's: the user's token is looked at as stored,
	// never renewed or deleted, and a refusal is returned as it came.
	probe bool
	// owner, when set, is the request being sent (its attempts are
	// sequential): it is told the method chosen for each attempt, and the
	// requests RoundTrip is given are its own (see roundTrip).
	owner *request
}

// maxRenewalsPerRequest bounds how often one request replaces a token the
// remote refused (renewing it, or taking the one a concurrent request
// stored): a remote may expire the renewed token too before the request is
// through, but one that refuses every token must not make the request loop.
const maxRenewalsPerRequest = 2

// RoundTrip implements http.RoundTripper. It never changes req and closes
// its body on every path.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.roundTrip(req)
	if err != nil {
		if req != nil && req.Body != nil {
			req.Body.Close()
		}
		var sent *sendError
		if errors.As(err, &sent) {
			return nil, sent.err // the network's own error, which may be retried
		}
		var own *engine.OwnError
		if !errors.As(err, &own) {
			err = &engine.OwnError{Err: err}
		}
	}
	return resp, err
}

// sendError carries an error from the underlying transport through
// roundTrip unmarked, so that retries see it as the network's.
type sendError struct{ err error }

func (e *sendError) Error() string { return e.err.Error() }
func (e *sendError) Unwrap() error { return e.err }

func (t *transport) roundTrip(req *http.Request) (*http.Response, error) {
	if req == nil || req.URL == nil {
		return nil, errors.New("applink: nil request or URL")
	}
	f := t.factory
	st := f.link.state
	ctx := req.Context()
	// The URL NewRequest resolved (AddQuery's too) was escaped and checked
	// then. Any other (the Client view's, a redirect hop's) has what
	// cannot be sent raw in a request line percent-encoded here, so that
	// what is signed is what is sent, and is checked now.
	wire := req.URL
	if t.owner == nil || wire != t.owner.url {
		var err error
		if wire, err = requri.URL(req.URL); err != nil {
			return nil, fmt.Errorf("applink: link %q: %s %s: %v: write a percent sign as %%25 (url.Values.Encode encodes query values)",
				f.link.Name, req.Method, redact.URL(req.URL), err)
		}
		if err := st.scope.Check(wire); err != nil {
			return nil, err
		}
	}
	auth, tok, err := t.identity(ctx)
	if err != nil {
		return nil, err
	}
	if o := t.owner; o != nil && auth != o.auth {
		o.auth = auth
		f.logFallback(ctx, auth)
	}
	if auth != Auth2LOi && engine.HasRequestor(req.URL.RawQuery) {
		return nil, fmt.Errorf("applink: link %q: the URL names a user in xoauth_requestor_id, but the request uses %s: impersonate through the factory's user and 2LOi", f.link.Name, auth)
	}
	if req, err = refuseRequestorInBody(req, f.link.Name, auth); err != nil {
		return nil, err
	}
	var crumb *engine.Crumb
	var identity string
	if st.link.Type == TypeJenkins && engine.NeedsCrumb(st.rpc, req) {
		identity = engine.CrumbIdentity(string(auth), f.user)
		crumb = st.crumbs.For(ctx, identity, st.rpc, st.svc.clock(), func(r *http.Request) (*http.Response, error) { return t.send(r, auth, tok) })
	}
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	var skewed, nonced, recrumbed, refetched bool
	var crumbSent string // the header field of the crumb attempt 0 was given
	renewals := 0
	for attempt := 0; ; attempt++ {
		out := req
		switch {
		case attempt == 0 && t.owner != nil:
			// The send path's own copy for this attempt (Request.wire's,
			// the retry loop's, or the client's for a redirect hop):
			// changed in place, where no one else reads it, and copied
			// for the attempts after.
			out.URL = wire
			delete(out.Header, "Authorization") // an earlier attempt's
		case t.owner != nil:
			out = clone(req, wire)
			delete(out.Header, "Authorization")
			delete(out.Header, crumbSent) // set again below, or not at all
		default:
			out = clone(req, wire)
		}
		if attempt > 0 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, fmt.Errorf("applink: link %q: replaying the request body: %w", f.link.Name, err)
			}
			out.Body = body
		}
		if crumb != nil && crumb.Field != "" {
			out.Header.Set(crumb.Field, crumb.Value)
			crumbSent = http.CanonicalHeaderKey(crumb.Field)
		}
		if au := st.authenticator(auth); au != nil {
			routed, err := au.route(ctx, f, tok, wire)
			if err != nil {
				// The gateway refused the token itself (Cloud's
				// accessible resources): renew it as after a resource's
				// refusal.
				var rr *routeRefusal
				if !errors.As(err, &rr) || t.probe || renewals >= maxRenewalsPerRequest {
					return nil, err
				}
				renewals++
				fresh, serr := f.source().Rejected(ctx, tok, &resourceRefusal{rr.err})
				if serr != nil {
					return nil, f.sourceError(ctx, serr)
				}
				tok = fresh
				continue
			}
			out.URL = routed // not before: out may be what the client reports an error with
		}
		resp, err := t.send(out, auth, tok)
		if err != nil {
			return nil, &sendError{err}
		}
		if auth != AuthAnonymous && !auth.isOAuth2() && (resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnauthorized) {
			if p := signer.ParseProblem(resp.StatusCode, resp.Header, nil); p != nil {
				switch {
				case p.Problem == signer.ProblemTimestampRefused && p.MinTimestamp != 0 && skewed:
					engine.Drain(resp)
					return nil, &OAuthError{LinkName: f.link.Name, Auth: auth, Method: out.Method, URL: redact.URL(out.URL), Problem: p}
				case p.Problem == signer.ProblemTimestampRefused && p.MinTimestamp != 0 && replayable:
					skewed = true
					st.learnOffset(ctx, p)
					engine.Drain(resp)
					continue
				case p.Problem == signer.ProblemNonceUsed && !nonced && replayable:
					nonced = true
					engine.Drain(resp)
					continue
				}
			}
		}
		problem := t.refusal(auth, tok, out, resp)
		if problem != nil && !t.probe && tok == st.botPAT {
			// The link's own token is not the store's: nothing to renew
			// or delete; whoever set it up gives it a new one.
			engine.Drain(resp)
			return nil, problem
		}
		if problem != nil && !t.probe && replayable && renewals < maxRenewalsPerRequest {
			// The remote refused the user's token: the token source
			// renews it, takes the one a concurrent request stored, or,
			// when the remote definitively refused it, deletes it. A
			// remote that refuses the renewed token too gets it renewed
			// again, up to maxRenewalsPerRequest times; after that the
			// refusal is returned and the token kept.
			renewals++
			fresh, err := f.source().Rejected(ctx, tok, &resourceRefusal{problem})
			var refused *engine.RefusedError
			var kept *resourceRefusal
			switch {
			case err == nil:
				tok = fresh
				engine.Drain(resp)
				continue
			case !errors.As(err, &refused) && errors.As(err, &kept):
				// The remote's answer stands, and the token is kept:
				// the response tells the caller why.
				return resp, nil
			}
			engine.Drain(resp)
			return nil, f.sourceError(ctx, err)
		}
		if auth == AuthClientCredentials && tok != nil && resp.StatusCode == http.StatusUnauthorized && !refetched && replayable {
			// The service account's token was refused (expired by the
			// remote's clock, or revoked): fetch a new one, once.
			refetched = true
			fresh, err := st.clientCredentialsToken(ctx, tok)
			engine.Drain(resp)
			if err != nil {
				return nil, err
			}
			tok = fresh
			continue
		}
		if crumb != nil && !recrumbed && replayable && resp.StatusCode == http.StatusForbidden {
			if stale, resp2 := engine.CrumbRefused(resp); stale {
				recrumbed = true
				st.crumbs.Forget(identity)
				crumb = st.crumbs.For(ctx, identity, st.rpc, st.svc.clock(), func(r *http.Request) (*http.Response, error) { return t.send(r, auth, tok) })
				continue
			} else {
				resp = resp2
			}
		}
		return resp, nil
	}
}

// refusal returns the remote's refusal of the user's token in resp, or
// nil: for OAuth 2.0, any 401 to a bearer request (with an RFC 6750 Bearer
// challenge or not: Atlassian's filters may answer "OAuth realm=..." or
// nothing); for 3LO, a 400 or 401 with a token problem (token_expired,
// token_rejected, ...).
func (t *transport) refusal(auth Auth, tok *token.AccessToken, out *http.Request, resp *http.Response) error {
	if tok == nil {
		return nil
	}
	if au := t.factory.link.state.authenticator(auth); au != nil {
		return au.refusal(t.factory, tok, out, resp)
	}
	switch auth {
	case AuthOAuth2:
		if resp.StatusCode != http.StatusUnauthorized {
			return nil
		}
		if p := bearerProblem(t.factory.link.Name, out.Method+" "+redact.URL(out.URL), resp); p != nil {
			return p
		}
		return &OAuth2Error{LinkName: t.factory.link.Name, Step: out.Method + " " + redact.URL(out.URL), Status: resp.StatusCode,
			Code: oauth2link.CodeInvalidToken, Description: "a 401 without a Bearer challenge"}
	case Auth3LO:
		if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusUnauthorized {
			return nil
		}
		if p := readProblem(resp); p != nil && p.IsToken() {
			return p
		}
	}
	return nil
}

// identity returns the method and, for 3LO, the token for one request.
func (t *transport) identity(ctx context.Context) (Auth, *token.AccessToken, error) {
	switch t.auth {
	case "":
		return t.factory.choose(ctx, t.probe)
	case Auth3LO, AuthOAuth2, AuthPAT:
		tok, err := t.factory.methodToken(ctx, t.probe, t.auth)
		return t.auth, tok, err
	case AuthClientCredentials:
		tok, err := t.factory.link.state.clientCredentialsToken(ctx, nil)
		return t.auth, tok, err
	}
	return t.auth, nil, nil
}

// send signs out (unless anonymous) and sends it through the service's
// transport, logging the exchange at debug level.
func (t *transport) send(out *http.Request, auth Auth, tok *token.AccessToken) (*http.Response, error) {
	f := t.factory
	st := f.link.state
	svc := st.svc
	if out.Header.Get("User-Agent") == "" {
		out.Header["User-Agent"] = svc.agentHeader
	}
	if auth == Auth2LOi {
		u := *out.URL
		u.RawQuery = engine.WithRequestor(u.RawQuery, f.user)
		out.URL = &u
	}
	base := svc.client.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	var sign func(*http.Request) error // the signature, once the throttle gave the turn
	switch au := st.authenticator(auth); {
	case au != nil:
		if tok == nil {
			return nil, fmt.Errorf("applink: link %q: no %s token to send", f.link.Name, auth)
		}
		au.authorize(out, tok)
	case auth.isOAuth2():
		if tok == nil {
			return nil, fmt.Errorf("applink: link %q: no OAuth 2.0 token to send", f.link.Name)
		}
		out.Header.Set("Authorization", "Bearer "+tok.Secret.Reveal())
	case auth != AuthAnonymous:
		var token signer.Token // the empty token of 2LO and 2LOi
		if auth == Auth3LO && tok != nil {
			token = signer.NewToken(tok.Token, tok.Secret.Reveal())
		}
		// Signed in place (out is this attempt's own copy), for the
		// link's origin only, as signer.Transport signs.
		if err := requri.CheckOrigin(out.URL, out.Host, st.rpc, signer.ErrForeignHost); err != nil {
			return nil, err
		}
		p := signer.Params{Token: token, ClockOffset: st.clockOffset()}
		sign = func(out *http.Request) error { return st.signer.Sign(out, p) }
	}
	resp, err := f.throttledRoundTrip(base, out, sign)
	if svc.logger.Enabled(out.Context(), slog.LevelDebug) {
		attrs := []slog.Attr{slog.String("link", f.link.Name), slog.String("auth", string(auth)),
			slog.String("user", f.user), slog.String("method", out.Method), slog.String("url", redact.URL(out.URL))}
		if err != nil {
			attrs = append(attrs, slog.String("error", err.Error()))
		} else {
			attrs = append(attrs, slog.Int("status", resp.StatusCode))
		}
		svc.logger.LogAttrs(out.Context(), slog.LevelDebug, "applink: request", attrs...)
	}
	return resp, err
}

// refuseRequestorInBody refuses a request whose form body names a user in
// xoauth_requestor_id, as roundTrip does for the URL's query: the remote
// reads the parameter from either place, so a body could impersonate a
// user the factory was not made for ([engine.BodyNamesRequestor], by the
// signer's rule of what a signed form body is). An anonymous request is
// not signed, so its body is not looked at: the remote impersonates no
// one on an unsigned request.
func refuseRequestorInBody(req *http.Request, linkName string, auth Auth) (*http.Request, error) {
	if auth == AuthAnonymous {
		return req, nil
	}
	req, named, err := engine.BodyNamesRequestor(req, signer.RequestParams)
	switch {
	case err != nil:
		return nil, fmt.Errorf("applink: link %q: %w", linkName, err)
	case !named:
		return req, nil
	case auth == Auth2LOi:
		return nil, fmt.Errorf("applink: link %q: the form body names a user in %s, but 2LOi sends the factory's user in the query: remove it from the body", linkName, engine.Requestor)
	}
	return nil, fmt.Errorf("applink: link %q: the form body names a user in %s, but the request uses %s: impersonate through the factory's user and 2LOi", linkName, engine.Requestor, auth)
}

// clone returns this attempt's copy of req, for wire: a shallow copy
// with its own header map, with room for what the transport sets.
func clone(req *http.Request, wire *url.URL) *http.Request {
	out := new(http.Request)
	*out = *req
	out.URL = wire
	out.Header = make(http.Header, len(req.Header)+3) // User-Agent, Authorization, a crumb
	for k, vs := range req.Header {
		out.Header[k] = vs[:len(vs):len(vs)] // an Add to the copy cannot write into req's
	}
	return out
}

// tokenClient returns the client a token endpoint call goes through: the
// service's (its transport, timeout and cookie jar) with redirects refused.
// A token endpoint call carries the request token, the verifier or the
// session handle and is signed for its one URL; following a redirect would
// hand those to whatever the remote points at (another port of the same
// host, or plain http, where Go keeps the Authorization header) and store
// what that answers as the user's token. step names the call for the error.
//
// A 429, 502, 503 or 504 answer, or a refused connection, is retried under
// the service's [RetryPolicy] like any transient failure; an error after
// the request may have reached the remote (a reset connection, a timeout)
// is not, since a rotating refresh token or a session handle may be used
// only once.
func (st *linkState) tokenClient(step string) *http.Client {
	c := http.Client{}
	if st.svc.client != nil {
		c = *st.svc.client
	}
	if st.svc.retry.Max > 0 {
		inner := c
		inner.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		rc := st.svc.retrier.Client(&inner, st.link.Name, http.MethodPost, true, nil)
		check := rc.CheckRetry
		rc.CheckRetry = func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			if err != nil && !errors.Is(err, syscall.ECONNREFUSED) {
				return false, nil
			}
			return check(ctx, resp, err)
		}
		c.Transport = &retryablehttp.RoundTripper{Client: rc}
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		e := &TokenRedirectError{LinkName: st.link.Name, Step: step, To: redact.URL(req.URL)}
		if len(via) > 0 {
			e.From = redact.URL(via[len(via)-1].URL)
		}
		if req.Response != nil {
			e.Status = req.Response.StatusCode
		}
		return e
	}
	return &c
}
