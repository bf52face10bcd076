// Package applink lets a Go program call Atlassian applications (Jira,
// Confluence, Bitbucket, Bamboo, ...) and Jenkins *as one of their users*,
// the way Atlassian's Application Links do between their own products: no
// service account and no stored password, only a link whose requests are
// signed with OAuth 1.0a (3-legged, 2-legged, or 2-legged with
// impersonation), or carry an OAuth 2.0 bearer token (Data Center incoming
// links, Atlassian Cloud) or a personal access token.
//
// # Glossary
//
//   - [Link]: one remote application (type, RPC URL, display URL, consumer
//     key, key or secret, allowed methods). A [Service] holds the links with
//     the HTTP client and the token store.
//   - 3LO: the user approved this program once in a browser (the dance);
//     requests carry their access token. 2LO: signed by the consumer alone.
//     2LOi: 2LO naming the user (xoauth_requestor_id).
//   - [RequestFactory]: a link and a user ([Link.RequestFactory]); it makes
//     [Request]s and picks each one's method.
//   - Token store: where access tokens and dances in progress are kept
//     ([token.Store]).
//
// # Quick start
//
// Call Jenkins as a user, who approves the link in a browser the first time
// (the Go version of the classic Jira ScriptRunner script):
//
//	svc, err := config.Open(ctx, "") // the applink command's config and tokens
//	if err != nil { ... }
//	defer svc.Close()
//	jenkins, err := svc.Link("Jenkins Proxy Bypass")
//	if err != nil { ... }
//	f, err := jenkins.RequestFactory("autoaudit")
//	if err != nil { ... }
//	req, err := f.NewRequest(http.MethodGet, "/me/api/json")
//	if err != nil { ... }
//	me, err := applink.Execute(ctx, req, handler.JSON[struct{ ID string }]())
//	var cre *applink.CredentialsRequiredError
//	if errors.As(err, &cre) { // no token yet, or a revoked one: the dance, then again
//		err = authorize.Loopback(ctx, f, func(_ context.Context, uri string) error {
//			fmt.Printf("visit %s as autoaudit to authorize\n", uri)
//			return nil
//		})
//		if err != nil { ... }
//		me, err = applink.Execute(ctx, req, handler.JSON[struct{ ID string }]())
//	}
//	if err != nil { ... } // a 403 (CSRF, permissions) is a *handler.ResponseError
//	// me.ID == "autoaudit"
//
// [RequestFactory.Client] gives an *http.Client making the same calls, for
// libraries that take one. Paths are relative to the link's RPC URL.
//
// # Coming from Atlassian's Java API
//
// A ScriptRunner script (or a plugin) ported to Go finds each call of
// com.atlassian.applinks.api in one Go counterpart (Example_javaAPI walks
// the main rows in order):
//
//	Java (com.atlassian.applinks.api)                       Go (package applink)
//	ApplicationLinkService                                  Service (NewService, or config.Open)
//	  .getPrimaryApplicationLink(type)                      Service.Primary(t)
//	  .getApplicationLinks(type)                            Service.Links(t)
//	  .getApplicationLink(id)                               Service.Link(idOrName)
//	ApplicationLink                                         *Link
//	  .createAuthenticatedRequestFactory()                  Link.RequestFactory(user)
//	  .createImpersonatingAuthenticatedRequestFactory()     Link.RequestFactory(user, WithImpersonatingOnly())
//	  .createNonImpersonatingAuthenticatedRequestFactory()  Link.RequestFactory(user, WithNonImpersonatingOnly())
//	  .createAuthenticatedRequestFactory(providerClass)     Link.RequestFactory(user, WithAuth(a))
//	ApplicationLinkRequestFactory                           *RequestFactory
//	  .createRequest(methodType, path)                      RequestFactory.NewRequest(method, path)
//	CredentialsRequiredException                            *CredentialsRequiredError (errors.As)
//	  .getAuthorisationURI(callback)                        RequestFactory.AuthorizationURL(ctx, callback)
//	ApplicationLinkRequest                                  *Request
//	  .execute(responseHandler)                             Execute(ctx, req, h)
//	  .execute()                                            Execute(ctx, req, handler.String())
//	ApplicationLinkResponseHandler                          h, a handler.Handler[T] (handler.JSON[T](), ...)
//	  .handle(response)                                     what h returns for the response
//	  .credentialsRequired(response)                        handler.WithCredentialsRequired(h, fn): fn(err)
//
// Two differences: the user is an argument, not the thread's logged-in
// user, and the factory and NewRequest do no I/O, so a missing or rejected
// token is reported when the request is sent ([Request.Do], [Execute]),
// not by createRequest.
//
// # One way each
//
// Package applink/config reads the applink command's config file and
// opens what it describes (config.Open); a program with its own layout
// calls [NewService] with its own links and store. Links come from
// [Service.Link] (an id, else a name), [Service.Primary] (the link marked
// primary, else the first of the type) and [Service.Links]; they are
// copies, fixed when the service was built.
//
// The method is chosen when a request is sent, among those the link's Auth
// list allows: the user's own credentials first (3LO, OAuth 2.0 consent or
// a PAT, when they have a token), then 2LOi, then 2LO, else anonymous. When
// only the user's own credentials would do and they have none, sending
// returns *[CredentialsRequiredError], the same error as for a token the
// remote rejected. [WithAuth], [WithImpersonatingOnly] and
// [WithNonImpersonatingOnly] narrow the choice; [RequestFactory.Auth] tells
// it beforehand and [Request.Auth] afterwards. A context is taken by the
// calls that do I/O ([Request.Do], [Execute]), not by NewRequest.
//
// [Request.AddQuery] percent-encodes each value once (RFC 3986), so a JQL
// search needs no escaping by hand; a query written in the path is kept as
// written. [Request.AddForm], [Request.SetBody] and [Request.SetJSON] set
// the body, which is sent again, the same, on retries and redirects.
//
// # Authorization
//
// Two primitives: [RequestFactory.AuthorizationURL] gets a request token
// (OAuth 2.0: a state and a PKCE verifier) and returns the remote's
// authorize page; when the remote sends the browser back with a verifier
// (a code), [RequestFactory.CompleteAuthorization] stores the access
// token. The ready-made flows built on them are in package
// [github.com/go-applinks/applinks/applink/authorize]: a web handler
// (authorize.NewHandler), a loopback callback for command-line programs
// (authorize.Loopback) and a pasted code (authorize.OutOfBand).
//
// # OAuth 2.0, Atlassian Cloud and personal access tokens
//
// A [Link] whose Auth lists [AuthOAuth2] (a user's consent, like 3LO) or
// [AuthClientCredentials] (the link's service account, like 2LO) uses its
// [OAuth2Client] settings; the protocol is golang.org/x/oauth2's, with
// PKCE and a state bound to the user. A link with Cloud set ([CloudSite])
// is an Atlassian Cloud OAuth 2.0 (3LO) app: a request written as on the
// site is routed through the API gateway with the site's cloud id
// (*[SiteNotGrantedError] when the user did not grant that site); Cloud has
// no impersonation. A link whose Auth lists [AuthPAT] sends the user's
// personal access token, or the link's own ([LinkPAT]). The same factories,
// errors, stores and renewal locks serve them all.
//
// # Pages, rate limits and stores
//
// Package applink/page iterates over every item of a paged resource. Every
// request through a link is paced by one throttle per (link, user) that
// reads the X-RateLimit-* and Retry-After headers; a POST answered 429
// returns *[RateLimitError] unless marked [Request.Retryable].
//
// Tokens live in memory ([token.NewMemoryStore]) unless [WithTokenStore]
// gives another store: applink/filestore (a 0600 JSON file several
// processes may share) or applink/pgstore (PostgreSQL, for replicas);
// applink/sealed encrypts a store's secrets at rest. A store that is also a
// [token.Locker] makes replicas renew a token once; a [token.DanceStore]
// lets a dance started on one replica complete on another.
// Package applink/doctor checks a link the way Atlassian's link status does.
//
// # Errors
//
// Errors say what to do, and are found with errors.As and errors.Is:
//
//	me, err := applink.Execute(ctx, req, handler.JSON[User]())
//	var (
//		cre  *applink.CredentialsRequiredError // the user must authorize (again): factory.AuthorizationURL
//		oe   *applink.OAuthError               // another OAuth problem; on signature_invalid, both base strings; timestamp_refused after correction: NTP
//		anc  *applink.AuthNotConfiguredError   // a method the link does not allow
//		re   *handler.ResponseError            // an unexpected HTTP status: re.StatusCode, re.Body
//	)
//	switch {
//	case errors.As(err, &cre):
//	case errors.As(err, &oe):
//	case errors.As(err, &anc):
//	case errors.As(err, &re):
//	case errors.Is(err, applink.ErrForeignURL), errors.Is(err, context.Canceled):
//	}
//
// # When a stored token is deleted
//
// One rule, applied in one place (the per-user token source under every
// request): a stored token is deleted only when the remote has
// definitively refused that token, and the request then returns
// *[CredentialsRequiredError] with the refusal as its Cause:
//
//   - OAuth 2.0: invalid_grant from the refresh grant (on Atlassian Cloud
//     also a 403 unauthorized_client "refresh_token is invalid"); or a 401
//     to a bearer request when there is no refresh token. Any 401 to a
//     bearer request
//     (with an RFC 6750 Bearer challenge, an "OAuth realm" one, or none)
//     first leads to one single-flight refresh.
//   - OAuth 1.0a: token_rejected, token_revoked or permission_denied for that
//     token, or token_expired when there is no session handle or the
//     renewal itself is refused with one of these.
//   - Personal access tokens ([AuthPAT]): a 401 to a request that carried
//     the token (a *[PATRefusedError]); a 403 is a valid token whose owner
//     lacks permission, and keeps it. A PAT is never renewed: the
//     *[CredentialsRequiredError] (its Method is [AuthPAT]) offers no
//     dance, only a new token from the user's profile.
//
// Everything else keeps the token and returns the real error: 5xx answers,
// network errors and timeouts (a token endpoint's 429, 502, 503 or 504 is
// retried under the [RetryPolicy] first); invalid_client,
// unauthorized_client (on Data Center) and other client misconfiguration (an *[OAuth2Error]
// or *[OAuthError] that says what to check); a renewal lock that could not
// be held, or was lost; and a request that ran out of its renewal budget
// (two renewals). Before deleting, the token source rereads the store: a
// token another request or replica stored meanwhile is used, never deleted.
//
// The remote's own words, a *[signer.ProblemError] (oauth_problem, its
// advice, acceptable timestamps, the echoed base string), are inside cre
// and oe: errors.As finds it too. A config problem is a *[FieldError]
// naming the file, link and field; lookups fail with [ErrLinkNotFound] or
// [ErrAmbiguousName].
//
// The authorization (the primitives and every flow) fails with one error
// type, *[DanceError], whose Reason errors.Is tells apart:
//
//	err := f.CompleteAuthorization(ctx, requestToken, verifier)
//	switch {
//	case errors.Is(err, applink.ErrDanceNotApproved): // approve first, then complete again
//	case errors.Is(err, applink.ErrDanceDenied):      // the user said no: nothing stored
//	case errors.Is(err, applink.ErrDanceExpired):     // start again: AuthorizationURL
//	case errors.Is(err, applink.ErrDanceWrongUser):   // another user's callback: refused
//	}
//
// [ErrDanceCallbackNotConfirmed] (an OAuth 1.0 remote) and
// [ErrDanceIssuerMismatch] (an OAuth 2.0 mix-up) are refusals to protect
// the user; errors.As(err, &danceErr) gives the link, the user and the
// details. A token endpoint that redirects is a *[TokenRedirectError]
// (obtaining, exchanging or renewing a token: never followed).
//
// # Concurrency and security
//
// A [Service], its [Link]s and [RequestFactory]s are safe for concurrent
// use by any number of goroutines and users; a [Request] belongs to one
// goroutine. Private keys, shared secrets, token secrets, refresh tokens
// and verifiers are held in fields of a secret type that prints REDACTED,
// or behind pointers, so that no fmt verb (%p included), log/slog or
// encoding/json shows them, and no error or log carries one. Signed
// requests only go to the link's RPC URL ([ErrForeignURL]); token
// endpoints follow no redirect (*[TokenRedirectError]); an OAuth 1.0 (not
// 1.0a) remote and an OAuth 2.0 mix-up are refused. The package logs only
// to the *slog.Logger given with [WithLogger]. docs/security.md in the
// repository says more.
//
// # Testing
//
// Package [github.com/go-applinks/applinks/applink/applinktest] runs an
// Atlassian- or Jenkins-shaped OAuth provider in process, strict like the
// real ones, with users, consumers, approval, revocation, clock skew and
// injected faults. Package
// [github.com/go-applinks/applinks/applink/applinktest/testlink] makes a
// link to it in one call (a key, the matching consumer at the server, the
// link), and the server's Approver and Browser finish the dance in one
// call:
//
//	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"))
//	jira := testlink.Bound(t, srv, "Jira")
//	f, err := jira.RequestFactory("alice")
//	if err != nil { ... }
//	err = authorize.OutOfBand(t.Context(), f, srv.Approver("alice")) // or authorize.Loopback(ctx, f, srv.Browser("alice"))
//
// [WithClock] fixes the service's clock.
package applink
