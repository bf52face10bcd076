// Package sealed encrypts the secrets of any [token.Store] at rest:
// a database dump, a backup or a copied token file then holds no usable
// token.
//
//	keys, err := sealed.KeyringFromEnv("APPLINK_TOKEN_KEYS") // "k1:<base64 of 32 bytes>"
//	if err != nil { ... }
//	store, err := sealed.New(inner, keys) // inner: a file store, pgstore, ...
//	if err != nil { ... }
//	svc, err := applink.NewService(links, applink.WithTokenStore(store))
//
// [New] wraps a store: token secrets, OAuth 1.0a session handles, OAuth 2.0
// bearer and refresh tokens and request-token secrets are sealed with
// AES-256-GCM (crypto/aes, crypto/cipher) before they reach the inner store,
// and opened when read. Each sealed value carries the id of its key
// ("v1.<key id>.<base64url(nonce|ciphertext)>") and is bound to its token
// (link id and user, or request token) and field as associated data, so a
// value copied onto another user's row does not open.
//
// # Keys and rotation
//
// A [Keyring] has one active key, which seals, and older keys, which only
// open. To rotate, generate a key ([GenerateKey], or openssl rand -base64
// 32), make it active and keep the previous one as an older key
// ("k2:<new>,k1:<old>"): tokens sealed with k1 are still read, and are
// sealed with k2 when next written (renewed or authorized again), or at
// once by [Reseal]. Drop k1 once no token uses it (Reseal reports none
// left to reseal).
//
// # Errors
//
// A value that does not open is an [*OpenError] naming the key id and the
// token, wrapping [ErrUnknownKey] (the keyring lacks that key),
// [ErrAuthentication] (wrong key, changed or moved value), [ErrNotSealed]
// (a value in the clear; see [AllowUnsealed] to migrate a plaintext store)
// or [ErrMalformed]. The token is then neither used nor deleted: the
// request fails with the error, and the user's token is there again once
// the keyring is fixed.
//
//	var oe *sealed.OpenError
//	if errors.As(err, &oe) && errors.Is(err, sealed.ErrUnknownKey) {
//		log.Printf("add key %s to the keyring", oe.KeyID)
//	}
//
// # Security
//
// Keys, keyrings and the store never print their keys (String, GoString,
// Format, LogValue, MarshalJSON are redacted). Token values (not secret),
// user names, link ids and times stay in the clear so that the inner store
// can find, expire and list tokens. Sealing protects data at rest, not a
// running process that holds the keyring.
package sealed
