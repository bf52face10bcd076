// Package oauth2link speaks OAuth 2.0 to the incoming links of Atlassian's
// Data Center products (Jira 8.22 and later, Confluence, Bitbucket) for
// package applink, with golang.org/x/oauth2 doing the protocol: the
// authorization URL with state and a PKCE S256 challenge, the code exchange
// with its verifier, the refresh_token and client_credentials grants, and
// RFC 6749 error responses. It adds only what Data Center needs beyond
// x/oauth2 (redirect_uri on the refresh grant), a fixed client
// authentication style, and errors that never carry a secret.
//
// Around the protocol it holds the plain mechanics applink builds on: the
// checks of a link's OAuth 2.0 settings and the client built from them
// ([Settings]), the reading of a consent page's redirect ([State],
// [CodeFromInput], [Issuer]) and of a resource's Bearer refusal
// ([Refusal]).
//
// # Glossary
//
// Client id and secret: what the product shows for an incoming "external
// application" link. Redirect URL: the URL registered with it, where the
// consent page sends the browser with code and state. Verifier: the PKCE
// code verifier, kept by the client between the authorization URL and the
// exchange.
//
// # Errors
//
// Token endpoint refusals are *[Error] values with the RFC 6749 error code:
//
//	var e *oauth2link.Error
//	if errors.As(err, &e) && e.Code == oauth2link.CodeInvalidGrant { ... }
//
// # Concurrency
//
// A [Config] is immutable once built and safe for concurrent use.
//
// # Security
//
// Client secrets, verifiers, codes, bearer and refresh tokens never appear
// in errors or in String output. Token requests go through the *http.Client
// given in [Config], which must refuse redirects (applink's token client
// does).
package oauth2link
