// Package applink lets a Go program call Atlassian applications (Jira,
// Confluence, Bitbucket, Bamboo, ...) and Jenkins *as one of their users*,
// the way Atlassian's Application Links do between their own products: no
// service account and no stored password, only a link whose requests are
// signed with OAuth 1.0a (RSA-SHA1; HMAC-SHA1 for Jenkins' Bitbucket Server
// Integration plugin).
//
// # Glossary
//
//   - Link: one remote application: its type, RPC URL (where calls go) and
//     display URL (what browsers see), the consumer key, our private key
//     or shared secret, and the authentication methods allowed ([Link]).
//     A [Service] holds the links with the HTTP client and the token store.
//   - Consumer key: the name the remote's incoming link knows this program
//     by.
//   - 3LO (3-legged OAuth): the user approved this program once in a browser
//     (the dance); requests carry their access token.
//   - 2LO (2-legged OAuth): signed by the consumer alone; the remote runs
//     them as its incoming link's "execute as" user (or anonymously).
//   - 2LOi (2LO with impersonation): 2LO naming the user
//     (xoauth_requestor_id); the remote must allow impersonation.
//   - Impersonation: acting as a named user; 3LO and 2LOi impersonate.
//   - Request factory: a link and a user ([Link.RequestFactory]); it makes
//     [Request]s and picks each one's method.
//   - Token store: where access tokens and dances in progress are kept
//     ([token.Store]).
//   - The dance: getting a user's access token: request token, the user's
//     approval on the remote, exchange for an access token.
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
// # Config files
//
// Package applink/config reads and writes the applink command's config
// file and opens what it describes: config.Open(ctx, "") loads the config
// ($APPLINK_CONFIG, else applink/config.json in the user's config
// directory), opens the token store it names (tokens.json beside it by
// default) and builds the [Service]; config.WithLink and config.WithPrimary
// keep one link, so that another link's missing secret does not stop the
// program. A program with its own layout builds the service with
// [NewService] from its own []Link and store. That is the one way each.
//
// # Links and the primary link
//
// Links obtained from a [Service] are copies: changing one of their fields
// changes nothing (requests use the service's own links, fixed when it was
// built). Of the links of one type, the primary one is the link marked
// Primary, else the first of the type: config.WithPrimary, [Service.Primary],
// the Primary flag of [Service.Links] and `applink link show` all apply
// that rule; two links of a type marked primary are refused by config.Load
// and [NewService]. The URL browsers reach the remote at is
// DisplayURL, else RPCURL.
//
// # Choosing the authentication
//
// As in Application Links, the method is chosen per request among those
// the link's Auth list allows: without a user, anonymous; with one, the
// user's own credentials first (3LO, OAuth 2.0 consent or a PAT, when they
// have a token), then 2LOi, else 2LO, else anonymous. The choice is made when the request is sent
// ([Request.Do], [Execute]), not when it is built: when 3LO is the only way
// to act as the user and they have no token, sending returns
// *[CredentialsRequiredError], the same error as for a token the remote
// rejected, so one check (or one [handler.CredentialsHandler]) covers both.
// [WithAuth], [WithImpersonatingOnly] and [WithNonImpersonatingOnly] narrow the choice;
// [RequestFactory.Auth] tells it beforehand and [Request.Auth] afterwards.
//
// # Contexts
//
// A context is taken once per call that does I/O, and only there: by
// [Request.Do] and [Execute] (which sends), not by [RequestFactory.NewRequest]
// (which only checks the method and URL). In v0.1.0 NewRequest took a
// context, looked up the token and returned *[CredentialsRequiredError]
// itself, and its context, documented as given to Do, was not used for
// sending. Now NewRequest(method, path) does no I/O, and Do and Execute
// report the missing token as they report a rejected one.
//
// # Queries and bodies
//
// [Request.AddQuery] takes query values as meant and percent-encodes each
// once (RFC 3986: a space is %20, "+" is %2B), so a JQL
// search needs no escaping by hand; the request is signed over exactly what
// is sent. A query written in the path passed to NewRequest is kept as
// written, except that what a request line cannot carry raw (spaces,
// quotes, non-ASCII, ...) is percent-encoded as curl does; a "%" that starts
// no escape is refused. [Request.AddForm] sends a form body (signed, for
// POST, as Atlassian's servers verify it; see [Link].SignatureDialect),
// [Request.SetBody] (any io.Reader) and [Request.SetJSON] any other; every
// body is sent again, the same, on retries and redirects.
//
// # The 3-legged dance
//
// Two primitives: [RequestFactory.AuthorizationURL] gets a request token
// (OAuth 2.0: a state and a PKCE verifier) and returns the remote's
// authorize page for the user to visit; the remote then sends the browser
// to the callback with a verifier (a code), and
// [RequestFactory.CompleteAuthorization] stores the access token. (Atlassian's Java API spells these
// getAuthorisationURI and the like; this package uses Go's American spelling
// throughout: Authorize, Authorization.) The ready-made flows, built on
// these two, are in package
// [github.com/go-applinks/applinks/applink/authorize]:
//
//   - web applications: authorize.NewHandler serves /start and one callback
//     per link (authorize.CallbackURL) under a prefix, bound to the
//     signed-in user and to the link; authorize.StartURL links to it
//     (a page whose button starts the dance with a POST, refused from other
//     sites) or is the action of the application's own start form;
//   - command-line programs: authorize.Loopback receives the callback on
//     127.0.0.1, and authorize.OutOfBand takes a code the user pastes.
//
// # OAuth 2.0 links
//
// Jira 8.22 and later, Confluence and Bitbucket Data Center also offer
// OAuth 2.0 incoming links ("External application → Incoming"). A [Link]
// whose Auth lists [AuthOAuth2] (a user's consent, like 3LO) and
// optionally [AuthClientCredentials] (the link's service account, like 2LO),
// with its [OAuth2Client] settings in Link.OAuth2, works through the same
// surface: [RequestFactory], *[CredentialsRequiredError] whose
// AuthorizationURL is the consent page (PKCE S256 and a state bound to the
// user, kept in the token store as the pending authorization), the flows
// of applink/authorize (the web handler, the loopback flow on the
// registered redirect URL, and the paste-the-code flow: the code, or the
// address the browser lands on), and
// the same token stores. An expired bearer token is refreshed once under
// the per-(link, user) renewal lock and the store's [token.Locker]; the
// refresh token rotates; a refresh answered invalid_grant deletes the token
// and reports credentials required. Remote refusals are *[OAuth2Error]. The
// protocol is golang.org/x/oauth2's.
//
// # Pages and rate limits
//
// Package applink/page iterates over every item of a paged resource
// (page.Items, an iter.Seq2 decoded into your own type), each page sent
// through a [RequestFactory] like any request. Every request through a link
// is paced by one throttle per (link, user), shared by all goroutines: it
// reads the X-RateLimit-* headers of Jira and Confluence Data Center and
// Cloud, and after a 429 every goroutine waits for the Retry-After the
// server announced ("0" means now, once). A POST answered 429 is not
// retried unless marked [Request.Retryable]; it returns *[RateLimitError]
// with the wait. [RateLimitOf] reads a response's state; a [RetryError]
// carries it.
//
// # Atlassian Cloud and personal access tokens
//
// One [Service] also holds Atlassian Cloud sites and Data Center links that
// use personal access tokens, behind the same factories, errors, stores and
// renewal locks. A link with Cloud set ([CloudSite]) is an OAuth 2.0 (3LO)
// app's link to the site at its RPC URL: the consent page is Atlassian's
// (audience api.atlassian.com, prompt=consent), tokens rotate, and a
// request written as on the site (/rest/api/3/myself) is routed to the API
// gateway with the site's cloud id, found in the sites the user granted
// (*[SiteNotGrantedError] names them when the link's site is not one).
// Cloud users are accountIds at the remote; the factory is still keyed by
// your application's user name. Cloud has no impersonation (no 2LOi):
// every user consents once; for work without a user, consent once as a
// service account and use its name. A link whose Auth lists [AuthPAT]
// sends a user's personal access token, stored with the user's other
// tokens (token.NewPATAccessToken), or for requests without a user the
// link's own ([LinkPAT]). In the automatic choice the user's own
// credentials come first: 3LO, then the user's PAT, then 2LOi, then 2LO.
//
// # Token stores
//
// By default tokens live in memory ([token.NewMemoryStore]) and are lost
// when the process ends. A [filestore.Store] ([filestore.Open]) keeps
// them in a JSON file (mode 0600) that several processes may share; pass either, or your own
// [token.Store], with [WithTokenStore]. A token the remote rejects is
// deleted, and an expired one renewed when the remote allows. The file
// store suits a command-line program or a small service: it never grows
// past [filestore.MaxFileSize] (a write that would is refused with a
// [*filestore.TooLargeError], keeping every stored token); beyond that use
// a database token store such as applink/pgstore.
//
// # Several replicas
//
// A web application deployed as several replicas shares one token store
// between them (applink/pgstore on PostgreSQL, or a token file shared by
// the processes of one host). Two optional interfaces of a store make the
// replicas behave as one: a [token.Locker] locks one user's token across
// processes, so that replicas which all see it expire renew it once; a
// [token.DanceStore] keeps the web dance's pending dances, so that a dance
// started on one replica completes on any other, with no sticky sessions.
// The memory and file stores implement both. applink/sealed encrypts a
// store's secrets at rest, and applink/storetest checks that a store keeps
// the contract of [token.Store], [token.Locker] and [token.DanceStore].
//
// # Diagnosing a link
//
// Package applink/doctor checks a link the way Atlassian's link status
// does (network, TLS, manifest, consumer-info, clock skew, a signed probe
// per method, and Jenkins' plugin, crumb issuer and identity):
// doctor.Diagnose(ctx, link, user) returns a *doctor.Report whose failed
// checks carry the evidence and the fix. `applink doctor` prints it. The
// advice for each OAuth problem is one table, which [OAuthError.Advice]
// reads and refines (for a bare *signer.ProblemError, wrap it:
// (&applink.OAuthError{Problem: pe}).Advice()); the doctor and the command
// give the same.
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
// advice, acceptable timestamps, the echoed base string), are inside cre,
// oe and skew: errors.As finds it too. A config problem is a *[FieldError]
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
// # Concurrency
//
// A [Service], its [Link]s and [RequestFactory]s are immutable and safe for
// concurrent use by any number of goroutines and users; what a service
// learns about a remote (its clock offset, Jenkins crumbs) is kept per link
// under its own lock. A [Request] belongs to one goroutine. The token stores
// are safe for concurrent use, the file store also across processes.
//
// # Security
//
// Private keys, shared secrets, token secrets and verifiers are never
// printed: every type that holds or points to one ([Link], [Service],
// [RequestFactory], [Request], the token stores, the tokens,
// *[CredentialsRequiredError]) keeps it in a field of a secret type that
// prints REDACTED, or behind a pointer, which fmt prints as an address, so
// that no fmt verb (%v, %+v, %#v, %s, %q, %d, %x, %t, %p, with any width
// or flag), log/slog or encoding/json shows it; a [Link] prints a
// description (name, type, RPC URL masked, id), and a [Request] never
// prints its headers, form or body. No error or doctor report carries a secret.
// A test walks every exported type of every package and prints each every
// way. Signed requests only
// go to the link's RPC URL: another origin or path is refused with
// [ErrForeignURL], and redirects are followed only within it, re-signed at
// each hop. The token endpoints (request token, access token, renewal),
// whose calls carry the request token, the verifier or the session handle,
// follow no redirect at all: one is a *[TokenRedirectError] naming both
// URLs, and nothing the redirect points at is contacted or stored.
// A request names only its factory's user: xoauth_requestor_id in its
// URL query or in its signed form body is refused. Only OAuth 1.0a remotes
// are accepted: a request token without oauth_callback_confirmed=true
// (OAuth 1.0, open to session fixation) is refused with
// [ErrDanceCallbackNotConfirmed] wherever a dance starts. Each link of the
// web dance has its own callback, which completes only that link's
// dances, and an OAuth 2.0 redirect whose iss (RFC 9207) is not the link's
// is refused ([ErrDanceIssuerMismatch]): no remote can have another link's
// code and PKCE verifier sent to its token endpoint (an OAuth mix-up, RFC
// 9700 §4.4). URLs are redacted before reaching an error or a log, and
// whatever a remote echoes of the secrets just sent to it (bearer, refresh
// token, client secret, code, PKCE verifier; verifier, token secret and
// session handle for OAuth 1.0a) is masked. The token file, and an OAuth
// 2.0 client secret file, must be a regular file that other users cannot
// access (mode 0600): one others can read is refused
// (*[filestore.PermissionError] for the token file). The package logs only to the *slog.Logger given
// with [WithLogger].
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
