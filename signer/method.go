package signer

import (
	"crypto"
	"crypto/fips140"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/go-applinks/applinks/internal/redact"
)

// Signature method names as they appear in oauth_signature_method.
const (
	MethodRSASHA1   = "RSA-SHA1"
	MethodHMACSHA1  = "HMAC-SHA1"
	MethodPlaintext = "PLAINTEXT"
)

// Method computes signatures for one signature method. It has the same shape
// as github.com/dghubble/oauth1's Signer, so a dghubble signer can be passed
// wherever a Method is wanted and [RSASHA1], [HMACSHA1] and [Plaintext] can be
// used by dghubble's Config.
type Method interface {
	// Name returns the oauth_signature_method value, such as "RSA-SHA1".
	Name() string
	// Sign returns the Base64 (or, for PLAINTEXT, the literal) signature of
	// message, the signature base string. tokenSecret is the secret of the
	// token being used ("" for none); RSA-SHA1 ignores it.
	Sign(tokenSecret, message string) (string, error)
}

// RSASHA1 signs with an RSA private key, PKCS #1 v1.5 over SHA-1 (RFC 5849
// §3.4.3): what Jira, Confluence, Bitbucket and Bamboo use between themselves
// and for generic consumers with a public key. It is immutable and safe for
// concurrent use; it never prints its key.
type RSASHA1 struct {
	key *rsa.PrivateKey
}

// NewRSASHA1 returns the RSA-SHA1 method for key. It refuses keys under
// [MinKeyBits] bits (with a *[KeySizeError]), an environment where RSA-SHA1
// cannot sign (Go's FIPS 140-only mode forbids SHA-1) and, by making one
// signature, a key that cannot sign, so that such a failure shows when the
// signer is built rather than on the first request.
func NewRSASHA1(key *rsa.PrivateKey) (*RSASHA1, error) {
	if key == nil || key.N == nil {
		return nil, errors.New("signer: RSA-SHA1 needs a private key, got nil")
	}
	if bits := key.N.BitLen(); bits < MinKeyBits {
		return nil, &KeySizeError{Bits: bits}
	}
	if err := sha1Usable(); err != nil {
		return nil, err
	}
	m := &RSASHA1{key: key}
	if _, err := m.Sign("", "probe"); err != nil {
		return nil, fmt.Errorf("signer: the key cannot make RSA-SHA1 signatures "+
			"(is it a complete, valid RSA private key?): %w", err)
	}
	return m, nil
}

// Name returns "RSA-SHA1".
func (*RSASHA1) Name() string { return MethodRSASHA1 }

// Sign signs the SHA-1 digest of message with PKCS #1 v1.5 and returns it in
// Base64. tokenSecret is not used by this method.
func (m *RSASHA1) Sign(_, message string) (string, error) {
	if m == nil || m.key == nil {
		return "", errors.New("signer: RSA-SHA1 has no key: build it with NewRSASHA1")
	}
	if err := sha1Usable(); err != nil {
		return "", err
	}
	digest := sha1.Sum([]byte(message))
	sig, err := rsa.SignPKCS1v15(rand.Reader, m.key, crypto.SHA1, digest[:])
	if err != nil {
		return "", fmt.Errorf("signer: RSA-SHA1: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// PublicKey returns the public half of the signing key: the key to register
// at the remote application's incoming authentication.
func (m *RSASHA1) PublicKey() *rsa.PublicKey { return &m.key.PublicKey }

// VerifyRSASHA1 checks a Base64 RSA-SHA1 signature of message against pub.
// It returns a *[ProblemError] with problem signature_invalid when it does not
// match.
func VerifyRSASHA1(pub *rsa.PublicKey, message, signature string) error {
	if pub == nil {
		return errors.New("signer: verifying RSA-SHA1 needs a public key, got nil")
	}
	if err := sha1Usable(); err != nil {
		return err
	}
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return &ProblemError{Problem: ProblemSignatureInvalid, Advice: "oauth_signature is not valid Base64"}
	}
	digest := sha1.Sum([]byte(message))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA1, digest[:], sig); err != nil {
		return &ProblemError{Problem: ProblemSignatureInvalid}
	}
	return nil
}

// HMACSHA1 signs with a shared secret (RFC 5849 §3.4.2): the key is
// Encode(consumer secret) "&" Encode(token secret). The Jenkins "Bitbucket
// Server Integration" plugin's consumers use it. Immutable, safe for
// concurrent use, and it never prints its secret.
type HMACSHA1 struct {
	consumerSecret redact.Secret
}

// NewHMACSHA1 returns the HMAC-SHA1 method with the consumer's shared secret.
// Like [NewRSASHA1] it fails in Go's FIPS 140-only mode, which refuses SHA-1.
func NewHMACSHA1(consumerSecret string) (*HMACSHA1, error) {
	if consumerSecret == "" {
		return nil, errors.New("signer: HMAC-SHA1 needs the consumer secret, got an empty one")
	}
	if err := sha1Usable(); err != nil {
		return nil, err
	}
	return &HMACSHA1{consumerSecret: redact.NewSecret(consumerSecret)}, nil
}

// Name returns "HMAC-SHA1".
func (*HMACSHA1) Name() string { return MethodHMACSHA1 }

// Sign returns the Base64 HMAC-SHA1 of message.
func (m *HMACSHA1) Sign(tokenSecret, message string) (string, error) {
	if err := sha1Usable(); err != nil {
		return "", err
	}
	return hmacSHA1(m.consumerSecret.Reveal(), tokenSecret, message), nil
}

// hmacSHA1 returns the base64 HMAC-SHA1 (RFC 2104) of message under the
// key of RFC 5849 §3.4.2, as crypto/hmac computes it
// (TestHMACSHA1MatchesCryptoHMAC), with a message of up to 1 KiB copied on
// the stack.
func hmacSHA1(consumerSecret, tokenSecret, message string) string {
	var buf [1024]byte
	sig := hmacSHA1Base64(consumerSecret, tokenSecret, append(buf[:0], message...))
	return string(sig[:])
}

// hmacSHA1Base64 is [hmacSHA1] of a message in bytes, with the key, the
// hash states and the signature on the stack: every request signed with
// HMAC-SHA1 computes it.
func hmacSHA1Base64(consumerSecret, tokenSecret string, message []byte) [28]byte {
	var kb [sha1.BlockSize]byte
	key := appendEncoded(append(appendEncoded(kb[:0], consumerSecret), '&'), tokenSecret)
	var k [sha1.BlockSize]byte // the key padded with zeros, hashed first if longer
	if len(key) > sha1.BlockSize {
		h := sha1.Sum(key)
		copy(k[:], h[:])
	} else {
		copy(k[:], key)
	}
	var pad [sha1.BlockSize]byte
	for i, c := range k {
		pad[i] = c ^ 0x36
	}
	h := sha1.New()
	h.Write(pad[:])
	h.Write(message)
	var inner [sha1.Size]byte
	h.Sum(inner[:0])
	for i, c := range k {
		pad[i] = c ^ 0x5c
	}
	h.Reset()
	h.Write(pad[:])
	h.Write(inner[:])
	var sum [sha1.Size]byte
	h.Sum(sum[:0])
	var b64 [28]byte // base64 of 20 bytes
	base64.StdEncoding.Encode(b64[:], sum[:])
	return b64
}

// VerifyHMACSHA1 checks an HMAC-SHA1 signature in constant time. It returns a
// *[ProblemError] with problem signature_invalid when it does not match.
func VerifyHMACSHA1(consumerSecret, tokenSecret, message, signature string) error {
	if err := sha1Usable(); err != nil {
		return err
	}
	want := hmacSHA1(consumerSecret, tokenSecret, message)
	if subtle.ConstantTimeCompare([]byte(want), []byte(signature)) != 1 {
		return &ProblemError{Problem: ProblemSignatureInvalid}
	}
	return nil
}

// Plaintext is the PLAINTEXT method (RFC 5849 §3.4.4): the signature is the
// signing key itself, so it is only fit for TLS. Immutable, safe for
// concurrent use, and it never prints its secret.
type Plaintext struct {
	consumerSecret redact.Secret
}

// NewPlaintext returns the PLAINTEXT method with the consumer's shared secret.
func NewPlaintext(consumerSecret string) (*Plaintext, error) {
	if consumerSecret == "" {
		return nil, errors.New("signer: PLAINTEXT needs the consumer secret, got an empty one")
	}
	return &Plaintext{consumerSecret: redact.NewSecret(consumerSecret)}, nil
}

// Name returns "PLAINTEXT".
func (*Plaintext) Name() string { return MethodPlaintext }

// Sign returns Encode(consumer secret) "&" Encode(token secret); message is
// not used.
func (m *Plaintext) Sign(tokenSecret, _ string) (string, error) {
	return Encode(m.consumerSecret.Reveal()) + "&" + Encode(tokenSecret), nil
}

// VerifyPlaintext checks a PLAINTEXT signature in constant time.
func VerifyPlaintext(consumerSecret, tokenSecret, signature string) error {
	want := Encode(consumerSecret) + "&" + Encode(tokenSecret)
	if subtle.ConstantTimeCompare([]byte(want), []byte(signature)) != 1 {
		return &ProblemError{Problem: ProblemSignatureInvalid}
	}
	return nil
}

// sha1Usable reports, as an error, an environment where SHA-1 may not be used:
// Go's FIPS 140-only mode, where crypto/sha1 panics rather than fail.
func sha1Usable() error {
	if fips140.Enforced() {
		return errors.New("signer: Go runs in FIPS 140-only mode (GODEBUG=fips140=only), which forbids SHA-1: " +
			"OAuth 1.0a's RSA-SHA1 and HMAC-SHA1 cannot be used; run without fips140=only")
	}
	return nil
}
