package seam

// The options of applink.NewService that are not part of applink's API
// because only this module's own packages give them.

// FixedNonce returns an option of applink.NewService (an applink.Option,
// typed any here) that makes every OAuth 1.0a signature carry oauth_nonce
// n instead of a random one, so that with applink.WithClock a signature
// can be reproduced (applink sign --link --nonce). A provider refuses a
// nonce it has seen: never use it for requests that are sent.
func FixedNonce(n string) any { return registered().FixedNonce(n) }

// OwnedTokenStore returns an option of applink.NewService (an
// applink.Option, typed any here) that keeps users' tokens in store, a
// token.Store, as applink.WithTokenStore does, and makes Service.Close
// close it (when it has a Close method): the store applink/config opened
// for the service.
func OwnedTokenStore(store any) any { return registered().OwnedTokenStore(store) }
