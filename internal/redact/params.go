package redact

// SecretParameters are the OAuth 1.0a parameters whose values are secrets
// that must never be shown: oauth_verifier (it proves the user's approval),
// oauth_session_handle (it renews an access token), oauth_token_secret, and
// oauth_signature (with PLAINTEXT it is the secrets themselves; it never
// belongs in a base string). This is the one list: signer.SecretParameter
// and every redaction of a base string, header or form this module prints
// use it. oauth_token, oauth_consumer_key, oauth_nonce and the other oauth_*
// parameters a signature is debugged with are not secret.
//
// It is an array so that users can size per-name state by it; never assign
// to it.
var SecretParameters = [...]string{"oauth_verifier", "oauth_session_handle", "oauth_token_secret", "oauth_signature"}

// SecretParameter reports whether name is one of [SecretParameters].
func SecretParameter(name string) bool {
	for _, p := range SecretParameters {
		if name == p {
			return true
		}
	}
	return false
}
