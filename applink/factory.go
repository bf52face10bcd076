package applink

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/go-applinks/applinks/internal/engine"

	"github.com/go-applinks/applinks/applink/token"
)

type factoryOptions struct {
	only             Auth // exactly this method
	impersonating    bool // 3LO or 2LOi only
	nonImpersonating bool // 2LO or anonymous only
}

// WithAuth makes the factory use exactly method a (read as [ParseAuth] reads it,
// so "2LO" is [Auth2LO]). If the link is not configured
// for it, [Link.RequestFactory] returns an *[AuthNotConfiguredError] naming
// what the link allows; there is no silent fallback.
//
// An option of [Link.RequestFactory], as are [WithImpersonatingOnly] and
// [WithNonImpersonatingOnly]: they narrow how a factory authenticates.
func WithAuth(a Auth) Option {
	return factoryOption("WithAuth", func(o *factoryOptions) { o.only = a })
}

// WithImpersonatingOnly makes the factory act as the user or fail: 3LO if the
// user has a token, else 2LOi, else *[CredentialsRequiredError] (3LO
// configured) or *[AuthNotConfiguredError].
// An option of [Link.RequestFactory].
func WithImpersonatingOnly() Option {
	return factoryOption("WithImpersonatingOnly", func(o *factoryOptions) { o.impersonating = true })
}

// WithNonImpersonatingOnly makes the factory act as the consumer: 2LO if the
// link allows it, else anonymous if the link lists anonymous. On a link
// that allows neither (3LO or 2LOi only), [Link.RequestFactory] returns an
// *[AuthNotConfiguredError] instead of going anonymous silently; ask for an
// anonymous request with WithAuth([AuthAnonymous]).
// An option of [Link.RequestFactory].
func WithNonImpersonatingOnly() Option {
	return factoryOption("WithNonImpersonatingOnly", func(o *factoryOptions) { o.nonImpersonating = true })
}

// RequestFactory makes requests through one link as one user. Which method
// authenticates a request is chosen when the request is sent, as
// Application Links chooses it: no user → the link's own personal access
// token ([Link.PAT]) if it has one, else anonymous; otherwise the user's
// own credentials first, whatever the order the link lists its methods in
// (3LO, OAuth 2.0 or a PAT, when the user has a token of that kind and the
// link allows it), then 2LOi, else 2LO, else anonymous; when the user has
// no token and the link has no 2LOi, sending the request ([Request.Do],
// [Execute]) returns *[CredentialsRequiredError] (whose Method says whether
// a dance or a new PAT is needed). The choice is made again for every
// request sent, so a user who authorizes meanwhile gets 3LO from the same
// factory. Options narrow the choice. A RequestFactory is
// immutable and safe for concurrent use.
type RequestFactory struct {
	link *Link
	user string
	opts factoryOptions
}

// RequestFactory returns a factory for requests through l as user ("" for
// anonymous). The link must come from a [Service]. It does no I/O: whether
// the user has a token is found out per request.
func (l *Link) RequestFactory(user string, opts ...Option) (*RequestFactory, error) {
	if l == nil || l.state == nil {
		return nil, errors.New("applink: the link is not bound to a Service: get it from Service.Link, Primary or Links")
	}
	l = &l.state.link // the service's own, whatever the caller changed in its copy
	f := &RequestFactory{link: l, user: user}
	if err := (&optionSet{target: forFactory, factory: &f.opts}).apply(opts); err != nil {
		return nil, err
	}
	o := f.opts
	switch {
	case o.only != "" && (o.impersonating || o.nonImpersonating), o.impersonating && o.nonImpersonating:
		return nil, errors.New("applink: WithAuth, WithImpersonatingOnly and WithNonImpersonatingOnly exclude each other: give one")
	case o.only != "":
		a, err := ParseAuth(string(o.only))
		if err != nil {
			return nil, err
		}
		f.opts.only, o.only = a, a
		if o.only != AuthAnonymous && !l.allows(o.only) {
			return nil, &AuthNotConfiguredError{Link: l.Name, Wanted: string(o.only), Configured: slices.Clone(l.auths()), Type: l.Type}
		}
		if o.only.Impersonating() && user == "" && (o.only != AuthPAT || l.state.botPAT == nil) {
			return nil, fmt.Errorf("applink: link %q: %s acts as a user: give the user", l.Name, o.only)
		}
	case o.impersonating:
		if !l.allows(Auth3LO) && !l.allows(Auth2LOi) && !l.allows(AuthOAuth2) && !l.allows(AuthPAT) {
			return nil, &AuthNotConfiguredError{Link: l.Name, Wanted: "impersonating", Configured: slices.Clone(l.auths()), Type: l.Type}
		}
		if user == "" {
			return nil, fmt.Errorf("applink: link %q: impersonating requests act as a user: give the user", l.Name)
		}
	case o.nonImpersonating:
		if !l.allows(Auth2LO) && !l.allows(AuthAnonymous) && !l.allows(AuthClientCredentials) && l.state.botPAT == nil {
			return nil, &AuthNotConfiguredError{Link: l.Name, Wanted: "non-impersonating", Configured: slices.Clone(l.auths()), Type: l.Type}
		}
	}
	return f, nil
}

// Link returns a copy of the factory's link, nil for a factory that does
// not come from [Link.RequestFactory].
func (f *RequestFactory) Link() *Link {
	if f == nil || f.link == nil || f.link.state == nil {
		return nil
	}
	return f.link.state.view()
}

// Auth returns the method a request created now would use, looking up the
// user's token; *[CredentialsRequiredError] when 3LO is needed and the user
// has no token. It has no side effect: it reads the token store only (a
// stored token that has expired still counts, as sending would renew it),
// never renews or deletes a token and never calls the remote.
func (f *RequestFactory) Auth(ctx context.Context) (Auth, error) {
	if ctx == nil {
		return "", errors.New("applink: nil context")
	}
	a, _, err := f.choose(ctx, true)
	return a, err
}

// choose picks the method for a request now and, for 3LO, returns the
// user's token (renewed if it had expired; with peek, as stored).
func (f *RequestFactory) choose(ctx context.Context, peek bool) (Auth, *token.AccessToken, error) {
	l, o := f.link, f.opts
	switch {
	case o.only == Auth3LO, o.only == AuthOAuth2, o.only == AuthPAT:
		tok, err := f.methodToken(ctx, peek, o.only)
		if err != nil {
			return "", nil, err
		}
		return o.only, tok, nil
	case o.only == AuthClientCredentials:
		tok, err := l.state.clientCredentialsToken(ctx, nil)
		if err != nil {
			return "", nil, err
		}
		return o.only, tok, nil
	case o.only != "":
		return o.only, nil, nil
	case o.nonImpersonating:
		return f.nonImpersonating(ctx)
	case f.user == "" && !o.impersonating:
		if l.state.botPAT != nil {
			return AuthPAT, l.state.botPAT, nil // the link's own (bot) token
		}
		return AuthAnonymous, nil, nil
	}
	// The user's own credentials first, as Application Links chooses (3LO
	// before 2LOi) and whatever the order the link lists them in: the
	// method of the user's stored token (3LO or OAuth 2.0 consent, a PAT)
	// when the link allows it; then 2LOi; without a token, a link with no
	// 2LOi requires credentials.
	var need *CredentialsRequiredError
	userMethods := slices.DeleteFunc(slices.Clone(l.auths()), func(a Auth) bool {
		return a != Auth3LO && a != AuthOAuth2 && a != AuthPAT
	})
	if len(userMethods) > 0 {
		tok, err := f.token(ctx, peek)
		switch {
		case err == nil:
			for _, a := range userMethods {
				if kindOf(tok) == l.state.tokenKind(a) {
					return a, tok, nil
				}
			}
		case !errors.As(err, &need):
			return "", nil, err
		}
	}
	if l.allows(Auth2LOi) {
		return Auth2LOi, nil, nil
	}
	if need != nil {
		return "", nil, need
	}
	if o.impersonating {
		return "", nil, &AuthNotConfiguredError{Link: l.Name, Wanted: "impersonating", Configured: slices.Clone(l.auths()), Type: l.Type}
	}
	return f.nonImpersonating(ctx)
}

// nonImpersonating picks the first non-impersonating method the link
// allows (2LO, or an OAuth 2.0 link's client credentials), else anonymous.
func (f *RequestFactory) nonImpersonating(ctx context.Context) (Auth, *token.AccessToken, error) {
	for _, a := range f.link.auths() {
		switch a {
		case Auth2LO:
			return Auth2LO, nil, nil
		case AuthPAT:
			if f.link.state.botPAT != nil {
				return AuthPAT, f.link.state.botPAT, nil
			}
		case AuthClientCredentials:
			tok, err := f.link.state.clientCredentialsToken(ctx, nil)
			if err != nil {
				return "", nil, err
			}
			return AuthClientCredentials, tok, nil
		}
	}
	return AuthAnonymous, nil, nil
}

// token returns the user's access token for the link, from the token
// source: renewed when it has expired and can be renewed. With peek, it
// only reads the store (an expired token still counts): no renewal, no
// deletion, no call to the remote. Errors are *CredentialsRequiredError
// when the user has no token or the remote refused it (it was deleted),
// else the real error, with the token kept.
func (f *RequestFactory) token(ctx context.Context, peek bool) (*token.AccessToken, error) {
	if f.user == "" {
		return nil, fmt.Errorf("applink: link %q: a user's token needs the user: give the user", f.link.Name)
	}
	src := f.source()
	var tok *token.AccessToken
	var err error
	if peek {
		tok, err = src.Peek(ctx)
	} else {
		tok, err = src.Token(ctx)
	}
	if err != nil {
		return nil, f.sourceError(ctx, err)
	}
	if !f.link.state.usesKind(kindOf(tok)) {
		// Kept: authorizing the link again replaces it.
		return nil, &CredentialsRequiredError{LinkID: f.link.ID, LinkName: f.link.Name, User: f.user, factory: f, Method: f.userMethod(nil),
			Cause: fmt.Errorf("the stored token is of a kind (%s) the link's methods do not use", kindOf(tok)), Kept: true}
	}
	return tok, nil
}

// methodToken returns the token for a request with method a: the user's,
// which must be of a's kind, or for a PAT without a user the link's own.
func (f *RequestFactory) methodToken(ctx context.Context, peek bool, a Auth) (*token.AccessToken, error) {
	l := f.link
	if a == AuthPAT && f.user == "" && l.state.botPAT != nil {
		return l.state.botPAT, nil
	}
	tok, err := f.token(ctx, peek)
	if err != nil {
		return nil, err
	}
	if kindOf(tok) != l.state.tokenKind(a) {
		return nil, &CredentialsRequiredError{LinkID: l.ID, LinkName: l.Name, User: f.user, factory: f, Method: a, Kept: true,
			Cause: fmt.Errorf("the stored token is of kind %s, not what %s uses", kindOf(tok), a)}
	}
	return tok, nil
}

// kindOf returns t's kind, "" read as [token.KindOAuth1].
func kindOf(t *token.AccessToken) token.Kind {
	if t.Kind == "" {
		return token.KindOAuth1
	}
	return t.Kind
}

// usesKind reports whether one of the link's methods uses user tokens of
// kind k.
func (st *linkState) usesKind(k token.Kind) bool {
	for _, a := range st.link.auths() {
		if st.tokenKind(a) == k {
			return true
		}
	}
	return false
}

// userMethod is the method a user's missing or refused token was for:
// a personal access token when the remote refused one, else the link's
// first method that uses a user's token.
func (f *RequestFactory) userMethod(cause error) Auth {
	var pe *PATRefusedError
	if errors.As(cause, &pe) {
		return AuthPAT
	}
	if f.opts.only != "" {
		return f.opts.only
	}
	for _, a := range f.link.auths() {
		if f.link.state.tokenKind(a) != "" {
			return a
		}
	}
	return Auth3LO
}

func (f *RequestFactory) credentialsRequired(cause error) *CredentialsRequiredError {
	return &CredentialsRequiredError{LinkID: f.link.ID, LinkName: f.link.Name, User: f.user, Cause: cause, factory: f, Method: f.userMethod(cause)}
}

// NewRequest returns a request for method and a path relative to the link's
// RPC URL, or an absolute URL, which must be on the RPC URL's origin and
// under its path (else an error wrapping [ErrForeignURL]). Methods: GET,
// POST, PUT, DELETE, HEAD, OPTIONS, TRACE, PATCH. The method is upper-cased.
//
// The path may carry a query. It is sent as written, except that what
// cannot appear raw in an HTTP request line is percent-encoded, as browsers
// and curl do: a space becomes %20, a non-ASCII byte %XX, and so do
// " < > \ ^ ` { | } [ ] (Tomcat, under Jira and Jenkins, answers 400 to
// them raw). Valid percent-escapes are kept as they are, and so is "+",
// which servers read as a space in a query. A "%" not followed by two hex
// digits is ambiguous and refused. To send values as they are meant
// (a JQL search with "=", quotes, "+" or "%"), give the path without them
// and add them with [Request.AddQuery], which encodes each once. Either way
// the request is signed over exactly what is sent. A fragment is dropped.
//
// NewRequest does no I/O and takes no context: it checks the method and the
// URL, nothing else. The authentication method is chosen when the request
// is sent (see [RequestFactory]), with the context given to [Request.Do] or
// [Execute]; when 3LO is needed and the user has no token, that is where
// *[CredentialsRequiredError] comes from, exactly as for a token the remote
// rejected. [RequestFactory.Auth] tells beforehand which method a request
// would use.
func (f *RequestFactory) NewRequest(method, path string) (*Request, error) {
	m := strings.ToUpper(method)
	if !slices.Contains(methods, m) {
		return nil, fmt.Errorf("applink: method %q is not supported: use one of %s", method, strings.Join(methods, ", "))
	}
	u, err := f.link.state.scope.Resolve(path)
	if err != nil {
		return nil, err
	}
	return newRequest(f, m, u), nil
}

// methods are the HTTP methods requests may use.
var methods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete,
	http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPatch}

// Client returns an *http.Client whose requests go through the factory: any
// library that takes a client (go-jira and the like) then makes
// authenticated calls as the user. Requests must stay on the link's origin
// (else an error wrapping [ErrForeignURL]); an expired 3LO token is renewed
// as by [Request.Do]; a credentials problem that renewal does not cure surfaces
// as a *[CredentialsRequiredError] inside the *url.Error (errors.As finds
// it). The response is not checked: the caller reads and closes it.
//
// The authentication method is chosen for every request, so a user who
// authorizes the link later gets 3LO from the same client. Clock skew,
// nonce_used, Jenkins crumbs and retries (the service's [RetryPolicy]; POST
// and PATCH only with NonIdempotent) are handled as by [Request.Do]; a
// request body is buffered in memory so that it can be sent again. The
// client shares the service's connections, cookie jar and timeout.
func (f *RequestFactory) Client() *http.Client {
	svc := f.link.state.svc
	var rt http.RoundTripper = &transport{factory: f}
	if svc.retry.Max > 0 {
		rt = &engine.RetryTransport{Retry: svc.retrier, Link: f.link.Name, Next: rt}
	}
	return &http.Client{Transport: rt, CheckRedirect: f.link.state.scope.CheckRedirect(true), Jar: svc.client.Jar, Timeout: svc.client.Timeout}
}
