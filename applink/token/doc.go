// Package token holds what a user's authorization is made of, and where it
// is kept: the access tokens a remote issues at the end of the dance
// ([AccessToken], OAuth 1.0a or OAuth 2.0), the pending request tokens of
// the dance ([RequestToken]) and the pending dances of the web dance handler
// ([PendingDance]), keyed by link and user ([Key]); the interfaces of the
// stores that keep them ([Store], [DanceStore], and the optional [Locker]
// and [Swapper]); and an in-memory store ([MemoryStore]).
//
// It depends on neither the HTTP client nor golang.org/x/oauth2, so that a
// store (applink/filestore, applink/pgstore, applink/sealed) and its
// conformance suite (applink/storetest) import it alone.
//
// # Glossary
//
//   - access token: what a request is made with: an OAuth 1.0a token and its
//     token secret (with an optional session handle that renews it), or an
//     OAuth 2.0 bearer token (with an optional refresh token).
//   - request token: the temporary token of an OAuth 1.0a dance, waiting
//     for the user's approval. An OAuth 2.0 dance keeps its state and PKCE
//     verifier in one too (Token: the state; Secret: the verifier).
//   - renewal: getting a new access token without the user, with the
//     session handle or the refresh token.
//
// # Writing a store
//
// A store implements [Store] (and, for the web dance handler, [DanceStore]);
// it should also implement [Locker], so that replicas renew a token once,
// and [Swapper], so that a renewal never overwrites a newer token. It calls
// the Validate methods before it stores anything, copies tokens in and out
// ([AccessToken.Clone]), and persists secrets explicitly with
// [Secret.Reveal]. [Set] is the in-memory data of a store, for stores that
// keep everything in one value (the memory and file stores). Run
// applink/storetest against it.
//
// # Errors
//
// A store reports a missing (or expired) token with an error wrapping
// [ErrNotFound]:
//
//	tok, err := store.AccessToken(ctx, key)
//	if errors.Is(err, token.ErrNotFound) {
//		// the user has not authorized the link yet: start the dance
//	}
//
// # Security
//
// Every secret (a token secret, a bearer or refresh token, a session handle,
// a request token secret or PKCE verifier) is a [Secret]: it prints
// "REDACTED" under every fmt verb (%p on the containing value included),
// slog and JSON, so that a token can be logged or printed whole.
//
// # Concurrency
//
// The types here are plain values: copy them ([AccessToken.Clone]) before
// sharing one that may change. Every store must be safe for concurrent use;
// [MemoryStore] is.
package token
