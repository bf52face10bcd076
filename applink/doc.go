// Package applink lets a Go program make HTTP requests to Atlassian
// applications (Jira, Confluence, Bitbucket, Bamboo, ...) and Jenkins *as
// one of its users*, the way Atlassian's Application Links do between their
// own products: nothing is shared but the link's key, and every request is
// signed with OAuth 1.0a (RSA-SHA1, or HMAC-SHA1 for Jenkins).
//
// # Glossary
//
//   - Link: one remote application this program is linked to: its type, its
//     RPC URL (for calls) and display URL (for browsers), the consumer key the
//     remote knows us by, our private key or shared secret, and the
//     authentication methods we may use with it ([Link]).
//   - Service: the set of links, built once, safe for concurrent use
//     ([Service]); it owns the HTTP client, the token store, the logger and
//     the retry policy.
//   - Consumer key: our name at the remote (its "incoming authentication").
//   - 3LO (3-legged OAuth): the user authorised this program once, in a
//     browser (the "dance"); we hold an access token for them.
//   - 2LO (2-legged OAuth): requests signed by the consumer alone
//     (oauth_token=""), run as the remote's configured user.
//   - 2LOi (2LO with impersonation): 2LO naming the user in
//     xoauth_requestor_id; the remote must trust the consumer to do so.
//   - Impersonating: 3LO and 2LOi act as a named user.
//   - Request factory: a link and a user; it chooses the method per request
//     as Application Links does ([RequestFactory]).
//   - Token store: where access tokens and pending request tokens live
//     ([TokenStore], [NewMemoryTokenStore], [OpenFileTokenStore]).
//   - Signature base string: what OAuth signs (RFC 5849 §3.4.1); when the
//     remote answers signature_invalid, ours and its are compared in the
//     error.
//
// # Quick start
//
// The Go version of the classic "call Jenkins as the current user" script:
//
//	cfg, err := applink.LoadConfig("config.json")
//	if err != nil { ... }
//	svc, err := applink.NewService(cfg.Links, applink.WithTokenStore(store))
//	if err != nil { ... }
//	jenkins, err := svc.LinkByName("Jenkins Proxy Bypass")
//	if err != nil { ... }
//	f, err := jenkins.RequestFactory("alice")
//	if err != nil { ... }
//	req, err := f.NewRequest(ctx, http.MethodGet, "/me/api/json")
//	var cre *applink.CredentialsRequiredError
//	if errors.As(err, &cre) {
//		uri, _ := cre.AuthorisationURI(ctx, callbackURL)
//		fmt.Printf("visit %s as %s to authorise\n", uri, cre.User)
//		return
//	}
//	me, err := applink.Execute(ctx, req, handler.JSON[JenkinsUser]())
//
// For libraries that take an *http.Client, [RequestFactory.Client] gives
// one that makes the same authenticated calls.
//
// # Requests
//
// [RequestFactory.NewRequest] takes a path relative to the link's RPC URL
// (or an absolute URL on its origin and under its path; anything else is
// refused with [ErrForeignURL], so signed requests never reach another
// host). A request is signed afresh on every attempt: retries, the retry
// after a clock correction, and each redirect hop (redirects are followed
// only within the link's RPC URL). For Jenkins links, a POST that needs a
// CSRF crumb gets one, fetched as the same user.
//
// # Errors
//
// Errors are typed where a caller needs their data, and found with
// errors.As and errors.Is:
//
//	resp, err := req.Do(ctx)
//	var cre *applink.CredentialsRequiredError // the user must authorise (again)
//	var oe *applink.OAuthError                // another OAuth problem; oe.Problem has it
//	var skew *applink.ClockSkewError          // the clocks disagree even after correction
//	switch {
//	case errors.As(err, &cre):
//		uri, _ := cre.AuthorisationURI(ctx, "")
//	case errors.As(err, &oe):
//		log.Print(oe) // on signature_invalid: both base strings, ours and the remote's
//	case errors.As(err, &skew):
//	case errors.Is(err, applink.ErrForeignURL):
//	case errors.Is(err, context.Canceled):
//	}
//
// A 401 with a token problem (token_expired, token_revoked, ...) deletes
// the stored token before [CredentialsRequiredError] is returned; a
// [handler.CredentialsHandler] passed to [Execute] gets the response
// instead. Config problems are *[FieldError]s naming the file, the link and
// the field. Lookups fail with [ErrLinkNotFound] or [ErrAmbiguousName].
//
// # Concurrency
//
// A [Service], its [Link]s and [RequestFactory]s are immutable and safe for
// concurrent use by any number of goroutines and users; what a service
// learns about a remote (its clock offset, Jenkins crumbs) is kept per link
// under its own synchronisation. A [Request] belongs to one goroutine. The
// token stores are safe for concurrent use; the file store also between
// processes.
//
// # Security
//
// Private keys, shared secrets, token secrets and verifiers live in
// unexported fields and never print: [Link] and [Service] redact them for
// every fmt verb and for log/slog. Keys and secrets come from files or
// environment variables named in the config, or from code; [Config.Save]
// never writes the ones given in code. URLs pass one redaction helper before
// reaching a log or an error, and the Authorization header is never logged.
// The service logs through the *slog.Logger given with [WithLogger] only,
// and is silent by default.
//
// # Testing
//
// Package applinktest runs an Atlassian- or Jenkins-shaped OAuth provider in
// process, with users, consumers, token approval and revocation, clock skew
// and injected faults: point a link's RPCURL at it and pass its client with
// [WithHTTPClient]. [WithClock] fixes the service's clock.
package applink
