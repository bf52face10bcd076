package signer

import (
	"crypto/rsa"
	"errors"
	"fmt"
)

// MinKeyBits is the smallest RSA key this package accepts. Old application
// links have 1024-bit keys; new keys should have 2048 bits or more.
const MinKeyBits = 1024

// KeySizeError reports an RSA key shorter than [MinKeyBits].
type KeySizeError struct {
	Bits int
}

func (e *KeySizeError) Error() string {
	return fmt.Sprintf("signer: the RSA key has %d bits, fewer than the %d this package accepts: generate a new key (applink keygen) of 2048 bits or more", e.Bits, MinKeyBits)
}

var errNotImplemented = errors.New("signer: not implemented yet")

// ParsePrivateKey parses an unencrypted RSA private key: PKCS #1 or PKCS #8,
// PEM or DER, or an OpenSSH private key. Keys under [MinKeyBits] are refused
// with a *[KeySizeError]. An encrypted key is an error that says to use
// [ParsePrivateKeyWithPassphrase]. Errors never include key material.
func ParsePrivateKey(data []byte) (*rsa.PrivateKey, error) {
	return nil, errNotImplemented
}

// ParsePrivateKeyWithPassphrase parses a passphrase-protected RSA private key:
// legacy encrypted PEM ("Proc-Type: 4,ENCRYPTED"), or an encrypted OpenSSH key.
// An unencrypted key is accepted too.
func ParsePrivateKeyWithPassphrase(data, passphrase []byte) (*rsa.PrivateKey, error) {
	return nil, errNotImplemented
}

// ParsePublicKey parses an RSA public key in any form users have: Atlassian's
// one-line Base64 of the X.509 SubjectPublicKeyInfo DER (also when wrapped
// over lines), PEM "PUBLIC KEY" (SPKI), PEM "RSA PUBLIC KEY" (PKCS #1), an
// X.509 certificate (PEM or DER), or raw SPKI / PKCS #1 DER.
func ParsePublicKey(data []byte) (*rsa.PublicKey, error) {
	return nil, errNotImplemented
}

// EncodePublicKey returns pub in Atlassian's form: one line of Base64 of the
// X.509 SubjectPublicKeyInfo DER, with no PEM lines. Paste it into the remote
// application's incoming authentication.
func EncodePublicKey(pub *rsa.PublicKey) (string, error) {
	return "", errNotImplemented
}

// EncodePublicKeyPEM returns pub as a PEM "PUBLIC KEY" block (SPKI).
func EncodePublicKeyPEM(pub *rsa.PublicKey) ([]byte, error) {
	return nil, errNotImplemented
}

// EncodePrivateKeyPEM returns key as a PEM "PRIVATE KEY" block (PKCS #8).
// The result is a secret: write it with mode 0600.
func EncodePrivateKeyPEM(key *rsa.PrivateKey) ([]byte, error) {
	return nil, errNotImplemented
}

// GenerateKey returns a new RSA key pair of the given size (0 means 2048).
// Sizes under [MinKeyBits] are refused.
func GenerateKey(bits int) (*rsa.PrivateKey, error) {
	return nil, errNotImplemented
}
