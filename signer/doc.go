// Package signer signs and verifies HTTP requests with OAuth 1.0a (RFC 5849)
// the way every Application Links peer accepts them: Jira, Confluence,
// Bitbucket and Bamboo (RSA-SHA1) and the Jenkins "Atlassian Bitbucket Server
// Integration" plugin (HMAC-SHA1). It knows nothing about links; package
// applink builds on it.
//
// # Glossary
//
//   - Consumer key: the name the remote application knows this application
//     by (oauth_consumer_key). The remote application holds the consumer's
//     RSA public key or, for HMAC-SHA1 and PLAINTEXT, a shared consumer secret.
//   - Token: an OAuth token (oauth_token) and its secret ([Token]). A request
//     token lives during the authorization dance, an access token afterwards.
//     The empty token of 2-legged OAuth is still sent, as oauth_token="".
//   - Verifier: the code the user's approval yields (oauth_verifier), sent
//     once to exchange a request token for an access token. It is a secret.
//   - Signature base string: the text that is signed (RFC 5849 §3.4.1): the
//     upper-case method, the normalised URL and every query, form and oauth_*
//     parameter, encoded and sorted. A provider rebuilds it from the request
//     it receives; a difference of one byte means signature_invalid.
//   - Nonce: a random string sent once (oauth_nonce) so that a provider can
//     refuse a replayed request; with oauth_timestamp it must be fresh for
//     every signing, retries and redirects included.
//   - 3LO (three-legged OAuth): requests on behalf of a user who approved
//     this application in a browser; they carry that user's access token.
//   - 2LO (two-legged OAuth): requests as the application itself, with the
//     empty token.
//   - 2LOi (2LO with impersonation): 2LO plus xoauth_requestor_id=<user> in
//     the query, where it is signed; the remote application acts as that user
//     if it trusts this consumer to impersonate.
//
// # Quick start
//
//	key, err := signer.ParsePrivateKey(pemBytes) // the link's private key
//	method, err := signer.NewRSASHA1(key)        // or NewHMACSHA1(secret) for Jenkins
//	s, err := signer.New("my-consumer-key", method)
//
//	// One request:
//	req, _ := http.NewRequestWithContext(ctx, "GET", "https://jira.example.com/rest/api/2/myself", nil)
//	err = s.Sign(req, signer.Params{Token: signer.NewToken(token, tokenSecret)})
//
//	// Or every request of a client, for one remote application:
//	origin, _ := url.Parse("https://jira.example.com")
//	client := &http.Client{Transport: &signer.Transport{Signer: s, Origin: origin,
//		Params: func(*http.Request) (signer.Params, error) {
//			return signer.Params{Token: signer.NewToken(token, tokenSecret)}, nil
//		}}}
//
// [Params] chooses the flavor: a zero Params signs a 2LO request; add
// xoauth_requestor_id to the URL query for 2LOi; set Token for 3LO; set
// OmitToken and Callback to fetch a request token, Token and Verifier to
// exchange it. [BaseString] shows what was signed. On the provider side a
// [Verifier] checks signatures, timestamps and nonces, and [WriteProblem]
// answers a refusal as Atlassian's products do.
//
// # Dialects: what Atlassian's servers actually sign
//
// Jira, Confluence, Bitbucket, Bamboo and the Jenkins plugin verify
// signatures with the Java net.oauth library behind a servlet container
// (Tomcat, Jetty), over the request parameters the container parses. That
// departs from RFC 5849 §3.4.1.3.1, which signs the parameters of an
// application/x-www-form-urlencoded body whatever the method: Tomcat parses
// a form body for POST only, so a PUT or PATCH with a form body signed by
// the RFC is signature_invalid there. Tomcat also drops a query or form
// parameter with an empty name ("=x"), and net.oauth decodes a raw "+" in
// an Authorization header value as a space. [WithDialect]([Servlet]) signs
// the way those servers verify; the default, [RFC5849], follows the RFC,
// for other providers. [VerifierConfig].Dialect chooses the same on the
// provider side, and [Dialect.BaseString] rebuilds a base string in either.
//
// Either way a [Signer] percent-encodes every Authorization header value
// (a "+" is "%2B"), and [Signer.Sign] percent-encodes what cannot appear
// raw in an HTTP request line (a space, a non-ASCII byte, " < > \ ^ ` { |
// } [ ]) in the request URL before signing it, so that what is signed is
// what is sent, and a servlet container does not refuse the request line
// with 400.
//
// # Errors
//
// Errors are prefixed "signer:" and say what to do. When a provider refuses
// a request, or a [Verifier] refuses one, the error is a *[ProblemError]
// carrying Atlassian's problem name (signature_invalid, timestamp_refused,
// nonce_used, token_rejected, ...), the advice, the acceptable timestamps
// and, on signature_invalid, the provider's base string:
//
//	var pe *signer.ProblemError
//	if errors.As(err, &pe) {
//		switch pe.Problem {
//		case signer.ProblemTimestampRefused:
//			// correct the clock: Params.ClockOffset
//		case signer.ProblemSignatureInvalid:
//			// compare pe.RedactedBaseString() with ours
//		}
//		if pe.IsToken() {
//			// the user must authorize again
//		}
//	}
//
// Conditions without data are sentinels for errors.Is: [ErrForeignHost],
// [ErrNoAuthorization], [ErrUnknownConsumer], [ErrUnknownToken]. A key under
// [MinKeyBits] is a *[KeySizeError].
//
// # Concurrency
//
// [Signer], the methods ([RSASHA1], [HMACSHA1], [Plaintext]), [Token] and
// [Verifier] are immutable once built and safe for concurrent use. A
// [Transport] is safe for concurrent use as long as its fields do not change
// after its first request. [Signer.Sign] changes the request it is given (its
// Authorization header, and a form body without GetBody is buffered), so
// sign each request in one goroutine; [Transport] signs a clone.
//
// # Security
//
//   - Nonces come from crypto/rand, 128 bits each, fresh for every signing.
//     Params.Nonce and Params.Timestamp exist only to reproduce a signature.
//   - Private keys, consumer secrets, token secrets, verifiers and session
//     handles never appear in any fmt verb (%p included), slog output, JSON
//     or an error message: they are held in [Secret] fields (which print
//     "REDACTED") or behind pointers fmt does not follow inside a value,
//     so the types holding them need no redaction methods. A signature
//     base string can carry the
//     verifier or the session handle ([SecretParameter]): pass it through
//     [RedactBaseString] before logging it. The
//     Authorization header is a credential for as long as its timestamp is
//     accepted: do not log it.
//   - [Transport] refuses to sign a request for any origin but its own, so
//     a redirect cannot send a signed request elsewhere.
//   - RSA keys under 1024 bits are refused. RSA-SHA1 and HMAC-SHA1 rest on
//     SHA-1, which OAuth 1.0a mandates; in Go's FIPS 140-only mode
//     (GODEBUG=fips140=only) SHA-1 signatures are refused, and
//     [NewRSASHA1] fails at once rather than on the first request.
//   - PLAINTEXT sends the secrets themselves: use it only over TLS.
//
// # Testing
//
// [Params].Nonce and Params.Timestamp, or [WithClock], make signatures
// reproducible for golden tests. The package's own tests hold the RFC 5849
// known answers and a table of hard cases in testdata/basestring (rewrite
// them with go test -run TestBaseStringHardCases -update, then review the
// diff). Package applink/applinktest runs a provider in process for tests
// of code that calls remote applications.
//
// # Compatibility
//
// Signatures are byte-for-byte those of github.com/dghubble/oauth1 (v0.7.3)
// wherever that library follows RFC 5849, and the methods interoperate: an
// [RSASHA1], [HMACSHA1] or [Plaintext] is a dghubble oauth1.Signer, and a
// dghubble signer is a [Method]. The two differ here, and this package
// follows the RFC and what Atlassian's providers compute:
//
//   - Repeated names: every value of a repeated query or form parameter is
//     signed (a=1&a=2); dghubble signs only the first, so its signature fails
//     at any provider for such a request.
//   - Form bodies with a charset: a body of type
//     "application/x-www-form-urlencoded; charset=UTF-8" is signed; dghubble
//     signs a form body only when the Content-Type is exactly
//     "application/x-www-form-urlencoded".
//   - Ports: only the scheme's default port is dropped; dghubble drops 80
//     and 443 whatever the scheme (http://host:443/ is signed as http://host/).
//   - Host: the host signed is req.Host when set (the Host header the
//     provider sees); dghubble always uses req.URL.Host.
//   - Realm: both send realm unsigned; this package puts it first in the
//     header and sends none unless [WithRealm] is given, as Atlassian's own
//     client does.
//   - oauth_version: both always send oauth_version="1.0", which Atlassian's
//     client sends too; providers accept it absent or "1.0".
//   - 2LO: both send oauth_token="" for the empty token; this package can
//     also omit it (Params.OmitToken), which the request-token step needs.
//   - Form bodies on PUT and PATCH: both sign them by default, as the RFC
//     says; with [Servlet] this package signs form bodies for POST only, as
//     Atlassian's servers verify them.
package signer
