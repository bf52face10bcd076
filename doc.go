// Package applinks is the tour of go-applinks, a Go SDK for Atlassian
// Application Links: it lets a program act as the person who asked, across
// linked applications (Jira, Confluence, Bitbucket, Bamboo, and Jenkins with
// the Bitbucket Server Integration plugin), instead of through a shared
// service account. Nothing is stored but the link's key and the users' own
// tokens.
//
// This package has no code; the work is done by its sub-packages:
//
//   - [github.com/go-applinks/applinks/applink]: links and the service that
//     holds them; a request factory per link and user; requests that act as
//     the user by 3-legged OAuth 1.0a (3LO), 2-legged OAuth with
//     impersonation (2LOi) or 2-legged OAuth (2LO), by OAuth 2.0 (Data Center
//     incoming links, Atlassian Cloud) or by a personal access token; the two
//     authorization primitives (AuthorizationURL, then CompleteAuthorization);
//     typed errors such as CredentialsRequiredError, which sending a request
//     returns both when the user has not authorized the link yet and when the
//     remote rejected their token.
//   - [github.com/go-applinks/applinks/applink/authorize]: the authorization
//     flows on those primitives: a web handler, a loopback flow for command
//     lines, and out-of-band.
//   - [github.com/go-applinks/applinks/applink/token]: what an authorization
//     is made of (access, request and pending tokens), the store interfaces,
//     and the memory store; [github.com/go-applinks/applinks/applink/filestore]
//     keeps tokens in a file, [github.com/go-applinks/applinks/applink/pgstore]
//     in PostgreSQL for replicas, and [github.com/go-applinks/applinks/applink/sealed]
//     encrypts any store's secrets at rest;
//     [github.com/go-applinks/applinks/applink/storetest] checks a store
//     against the contract.
//   - [github.com/go-applinks/applinks/applink/config]: the config file;
//     [github.com/go-applinks/applinks/applink/doctor]: a link's diagnosis;
//     [github.com/go-applinks/applinks/applink/page]: every item of a paged
//     resource.
//   - [github.com/go-applinks/applinks/applink/applinktest]: a real,
//     in-process service provider (Jira- and Jenkins-shaped, OAuth 1.0a and
//     2.0) for tests, in the spirit of net/http/httptest.
//   - [github.com/go-applinks/applinks/signer]: OAuth 1.0a (RFC 5849) signing
//     and verification (RSA-SHA1, HMAC-SHA1, PLAINTEXT), OAuth problem
//     reporting, and RSA keys in every form Atlassian products show or accept.
//   - [github.com/go-applinks/applinks/handler]: generic response handlers
//     (JSON, XML, text, bytes, status checks, size limits).
//   - cmd/applink: the command-line tool (keygen, link, authorize, request,
//     sign, tokens, doctor, testserver).
//
// # Glossary
//
//   - Link: one trust relationship with a remote application: its id, name,
//     type, URLs, the consumer key the remote knows us by, and our signing key
//     (RSA-SHA1) or shared secret (HMAC-SHA1, Jenkins).
//   - Consumer key: the name the remote application knows this program by
//     (its "incoming authentication" entry).
//   - 3LO: 3-legged OAuth. A user authorizes the link once in a browser (the
//     dance); the program keeps the user's access token and signs with it.
//   - 2LO: 2-legged OAuth. The program signs as itself, with an empty token.
//   - 2LOi: 2-legged OAuth with impersonation. 2LO plus
//     xoauth_requestor_id=<user>; the remote must allow the consumer to
//     impersonate.
//   - Signature base string: the text a signature covers (RFC 5849 §3.4.1).
//   - Nonce: a random value sent once per request, so that none can be
//     replayed.
//
// # Quick start
//
//	go run ./examples/quickstart   # the whole story against in-process providers
//	.ci/run                        # or: go test ./...
package applinks
