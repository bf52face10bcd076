// Package engine is the request engine under applink: the per-user token
// source that alone gets, renews, stores and drops a user's token, and the
// pieces the transport is built from.
//
// It imports no public package of the module: what it needs of tokens,
// stores and protocols it asks through the small interfaces here, which
// applink implements for its token package and for each protocol.
//
// # The rule
//
// A stored token is deleted only when the remote has definitively refused
// that token. Which answers count is the protocol's to say
// ([Protocol.Refused]): for OAuth 2.0, invalid_grant from the refresh grant,
// or a 401 to a bearer request when there is no refresh token; for OAuth
// 1.0a, token_rejected, token_revoked or permission_denied for that token,
// or token_expired when there is no session handle or the renewal itself is
// refused with one of these; for a personal access token, a 401 to a request
// that carried it (it is never renewed). Everything else (5xx, network errors and
// timeouts, a misconfigured client, a renewal lock that could not be held or
// was lost, a request out of its renewal budget) keeps the token and
// surfaces the real error. [Source] is the only place that applies it.
package engine
