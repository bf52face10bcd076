// Package applinktest runs an OAuth 1.0a service provider in-process, shaped
// like an Atlassian product (Jira, Confluence, Bitbucket, Bamboo) or like
// Jenkins with the Atlassian Bitbucket Server Integration plugin, for tests:
// what net/http/httptest is for HTTP, this is for Application Links.
//
// The provider is strict like the real products: it checks signatures
// (RSA-SHA1, HMAC-SHA1) with the signer package's verifier against its own,
// skewable clock, refuses replayed nonces, tokens of other consumers, request
// tokens used as access tokens, expired and revoked tokens, unknown users,
// and flows a consumer is not allowed (3LO, 2LO, 2LOi), and it answers with
// problems as net.oauth writes them (status, WWW-Authenticate with a
// percent-encoded realm, a form body, the base string echoed on
// signature_invalid), or briefly ([WithBriefProblems]).
//
// Every shape parses requests as Tomcat does under the real products and
// verifies them as net.oauth does ([signer.Servlet]): a request line with a
// raw space, a raw non-ASCII byte or one of " < > \ ^ ` { | } [ ] is
// refused with 400 before any OAuth check; the parameters of a form body
// are signed parameters for POST only (a PUT or PATCH form body is not);
// a query or form parameter with an empty name ("=x") is dropped; a raw
// "+" in an Authorization header value is read as a space; the same oauth_
// parameter twice, even with equal values, is parameter_rejected.
//
// # Quick start
//
//	srv := applinktest.NewServer(t,
//		applinktest.WithUsers("alice"),
//		applinktest.WithConsumer(applinktest.Consumer{
//			Key: "my-app", PublicKey: &key.PublicKey, ThreeLO: true, Impersonation: true,
//		}))
//	// Point the code under test at srv.URL; approve a request token in code
//	// with srv.Approve(token, "alice") or over HTTP at
//	// srv.AuthorizationURL(token)+"&user=alice&approve=1"; then assert on
//	// srv.Requests(), srv.AccessTokens("my-app", "alice") or srv.Builds().
//
// With package applink, package [github.com/go-applinks/applinks/applink/applinktest/testlink]
// makes the key, the consumer and a link to the server in one call, and the
// dance is one call too: [Server.Approver] is what applink/authorize's
// OutOfBand takes, [Server.Browser] what its Loopback takes, and
// [Server.ApproveURL] approves
// an authorization URL without parsing it:
//
//	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"))
//	link := testlink.Bound(t, srv, "Jira", testlink.WithAuth(applink.Auth3LO, applink.Auth2LOi))
//	f, _ := link.RequestFactory("alice")
//	err := authorize.OutOfBand(t.Context(), f, srv.Approver("alice"))
//
// # Shapes
//
// [Atlassian] serves POST /plugins/servlet/oauth/request-token, the
// authorize page at /plugins/servlet/oauth/authorize, POST
// /plugins/servlet/oauth/access-token (exchange and renewal with
// oauth_session_handle), GET /plugins/servlet/oauth/consumer-info (XML),
// GET /rest/applinks/1.0/manifest (XML, or JSON on Accept), GET
// /rest/api/2/myself, POST /rest/api/2/issue (the body echoed with a new
// key and the user as reporter) and GET /rest/api/2/search (pages of
// [SearchTotal] generated issues: startAt, maxResults capped at
// [MaxSearchResults], total; the decoded query echoed in "jql" and
// "query"). These need a user: anonymous gets 401. A request token obtained
// without oauth_callback is OAuth 1.0: its exchange needs no verifier.
//
// [Jenkins] serves POST /bitbucket/oauth/request-token, POST
// /bitbucket/oauth/access-token, the authorize page at /bbs-oauth/authorize
// (form posted to /bbs-oauth/authorize/performSubmit), GET /me/api/json, GET
// /crumbIssuer/api/json, POST /job/<name>/build (no crumb needed over 3LO)
// and POST /job/<name>/buildWithParameters (403 "No valid crumb was included
// in the request" without the caller's crumb). It takes HMAC-SHA1 consumers
// only, always requires the verifier, and refuses 2LO and 2LOi
// (oauth_token="") with token_rejected, as the plugin does; a signed request
// without any oauth_token is let through as anonymous, also as the plugin
// does. Its authorize page redirects to the oauth_callback given to the page
// when there is one. Given oauth_callback=oob, it answers as the Atlassian
// shape does for oob: 200 with oauth_token and oauth_verifier in a form body
// and the verifier in an X-OAuth-Verifier header ("denied" when the user
// cancels). The real plugin (AuthorizeConfirmationConfig.doPerformSubmit)
// instead redirects to the literal, relative
// "oob?oauth_token=…&oauth_verifier=…", and the user reads the verifier from
// the browser's address bar; code that drives a real Jenkins over HTTP reads
// it from the Location header.
//
// [OAuth2] is Jira Data Center 8.22 or later: everything [Atlassian] serves,
// plus the OAuth 2.0 provider of incoming "external application" links
// ([WithOAuth2Client]): the consent page GET /rest/oauth2/latest/authorize
// (client id, exact redirect_uri, scope, state echoed, PKCE S256 required at
// the exchange when a code_challenge was sent; approve over HTTP with
// &user=<name>&approve=1 or in code with [Server.ApproveOAuth2]), and POST
// /rest/oauth2/latest/token (client authentication with HTTP Basic or in
// the body; authorization_code, refresh_token and client_credentials for a
// client with a ServiceUser). Refresh tokens rotate: the old one stops
// working. As at Data Center, a refresh must send the registered
// redirect_uri, else it gets invalid_grant with no description. Errors are
// RFC 6749 JSON (invalid_grant, invalid_client with 401, ...). Resources
// take "Authorization: Bearer"; an unknown, expired ([Server.Expire]) or
// revoked ([Server.Revoke], [Server.RevokeUser]) token gets 401 with
// WWW-Authenticate: Bearer error="invalid_token", a token whose scope is
// short of the method (READ for GET, WRITE for POST, PUT, PATCH and
// DELETE) 403 insufficient_scope. Codes, access and refresh tokens expire on
// the server's clock ([WithAuthorizationCodeTTL], [WithBearerTokenTTL],
// [WithRefreshTokenTTL]). [Record.Grant] tells the token requests apart, so
// a test can count refreshes.
//
// Every shape serves any resource registered with [WithResource] or
// [Server.Handle]; requests reach it authenticated, and [User] says as whom.
//
// # Failures on demand
//
// [Server.InjectFault] makes the next requests fail with 429 or 503 and
// Retry-After, drop the connection, wait, or fail with 503 only after the
// signature was accepted (its nonce spent). [WithBaseURL] makes the server
// believe it is served at another URL, as behind a reverse proxy, which
// gives signature_invalid to clients that sign for the address they
// connect to. [WithContextPath] serves it under a path such as /jira, as a
// servlet container does, with 404 everywhere else: a client pointed at the
// root meets what a wrong context path in an RPC URL gives. [WithSkew] and
// [Server.SetSkew] shift its clock
// (timestamp_refused); [Server.Expire], [Server.Revoke] and [Server.Deny]
// drive the token lifecycle.
//
// # Errors
//
// [Start] and [NewServer] refuse invalid options with an error prefixed
// "applinktest: ". [Server.Approve], [Server.Deny], [Server.Revoke] and
// [Server.Expire] return an error wrapping [ErrUnknownToken] for a token the
// server never issued, and a *[TokenStateError] for a request token that can
// no longer be approved or denied:
//
//	var se *applinktest.TokenStateError
//	if errors.As(err, &se) {
//		t.Logf("token is %s", se.State)
//	}
//
// Over HTTP, problems are *signer.ProblemError values on the client side:
// read them with signer.ParseProblem.
//
// # Testing
//
// [Server.Requests] records every request (method, path, flow, consumer,
// user, status, problem) and [Server.Builds] every queued Jenkins build;
// [Server.AccessTokens] lists a user's live tokens. Run the same provider as
// a process for tests in other languages with "applink testserver".
//
// # Concurrency
//
// A [Server] is safe for concurrent use: its methods may be called from any
// goroutine, also while it serves requests. [Server.Requests] and
// [Server.Builds] return copies.
//
// # Security
//
// The server is for tests. It listens on loopback only (127.0.0.1, ::1 or
// localhost; other addresses are refused), its TLS certificate is
// self-signed and made per server, and its authorize page approves as
// whichever user a query parameter names. Give it test keys and secrets
// only, never production credentials. It never logs headers, tokens or
// secrets, and [Consumer] never prints its secret.
package applinktest
