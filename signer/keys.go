package signer

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"

	"golang.org/x/crypto/ssh"
)

// MinKeyBits is the smallest RSA key this package accepts. Old application
// links have 1024-bit keys; new keys should have 2048 bits or more.
const MinKeyBits = 1024

// maxKeyBits is the largest key GenerateKey makes; larger ones take minutes.
const maxKeyBits = 16384

// KeySizeError reports an RSA key shorter than [MinKeyBits].
type KeySizeError struct {
	Bits int
}

// Error says how long the key is and what to do.
func (e *KeySizeError) Error() string {
	return fmt.Sprintf("signer: the RSA key has %d bits, fewer than the %d this package accepts: generate a new key (applink keygen) of 2048 bits or more", e.Bits, MinKeyBits)
}

// ErrEncryptedKey is returned (wrapped) by [ParsePrivateKey] for a
// passphrase-protected key: ask for the passphrase and use
// [ParsePrivateKeyWithPassphrase].
var ErrEncryptedKey = errors.New("signer: the private key is protected by a passphrase: use ParsePrivateKeyWithPassphrase")

// ParsePrivateKey parses an unencrypted RSA private key: PKCS #1 or PKCS #8,
// PEM or DER, or an OpenSSH private key. Keys under [MinKeyBits] are refused
// with a *[KeySizeError]. An encrypted key is an error that says to use
// [ParsePrivateKeyWithPassphrase] (it wraps [ErrEncryptedKey]). A key of
// another type (ECDSA, Ed25519, ...) is an error that names the type. Errors
// never include key material.
func ParsePrivateKey(data []byte) (*rsa.PrivateKey, error) {
	return parsePrivateKey(data, nil)
}

// ParsePrivateKeyWithPassphrase parses a passphrase-protected RSA private key:
// legacy encrypted PEM ("Proc-Type: 4,ENCRYPTED", as `openssl rsa -aes256`
// writes it), or an encrypted OpenSSH key. An unencrypted key is accepted
// too. A wrong passphrase is an error wrapping x509.IncorrectPasswordError;
// an empty one is treated as none ([ErrEncryptedKey]).
// Encrypted PKCS #8 ("ENCRYPTED PRIVATE KEY") is not supported: the error
// says how to convert it.
//
// Legacy PEM encryption is decrypted with x509.DecryptPEMBlock, which Go
// deprecates because the format is weak (unauthenticated, MD5 key
// derivation); it is kept because users have such keys. Prefer an OpenSSH
// key with a passphrase, or an unencrypted key in a secret store.
func ParsePrivateKeyWithPassphrase(data, passphrase []byte) (*rsa.PrivateKey, error) {
	return parsePrivateKey(data, passphrase)
}

// parsePrivateKey parses data; a nil passphrase means none was given.
func parsePrivateKey(data, passphrase []byte) (*rsa.PrivateKey, error) {
	if passphrase != nil && len(passphrase) == 0 {
		// An empty passphrase opens nothing: report an encrypted key as such.
		passphrase = nil
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("signer: the private key is empty")
	}
	if !bytes.HasPrefix(trimmed, []byte("-----BEGIN")) && bytes.Contains(trimmed, []byte("-----BEGIN")) {
		// Text before the PEM block (openssl's "Bag Attributes", a comment): skip it.
		trimmed = trimmed[bytes.Index(trimmed, []byte("-----BEGIN")):]
	}
	if !bytes.HasPrefix(trimmed, []byte("-----BEGIN")) {
		return privateFromDER(data)
	}
	block, _ := pem.Decode(trimmed)
	if block == nil {
		return nil, errors.New("signer: the private key is not valid PEM: check that the BEGIN and END lines are intact")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		der := block.Bytes
		//lint:ignore SA1019 legacy encrypted PEM is deprecated but users have such keys.
		if x509.IsEncryptedPEMBlock(block) { //nolint:staticcheck // see above
			if passphrase == nil {
				return nil, ErrEncryptedKey
			}
			var err error
			//lint:ignore SA1019 see above.
			der, err = x509.DecryptPEMBlock(block, passphrase) //nolint:staticcheck // see above
			if errors.Is(err, x509.IncorrectPasswordError) {
				return nil, wrongPassphrase()
			}
			if err != nil {
				return nil, fmt.Errorf("signer: decrypting the private key: %w", err)
			}
			k, err := x509.ParsePKCS1PrivateKey(der)
			if err != nil {
				// Legacy PEM cannot always tell a wrong passphrase: the result is noise.
				return nil, wrongPassphrase()
			}
			return checkPrivate(k)
		}
		k, err := x509.ParsePKCS1PrivateKey(der)
		if err != nil {
			return nil, fmt.Errorf("signer: the PKCS #1 RSA private key is malformed: %w", err)
		}
		return checkPrivate(k)
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("signer: the PKCS #8 private key is malformed: %w", err)
		}
		return rsaPrivate(k)
	case "ENCRYPTED PRIVATE KEY":
		return nil, errors.New("signer: encrypted PKCS #8 keys are not supported: decrypt it " +
			"(openssl pkcs8 -in key.pem -out plain.pem) or re-encrypt it in the legacy form " +
			"(openssl rsa -in key.pem -aes256 -traditional -out legacy.pem)")
	case "OPENSSH PRIVATE KEY":
		k, err := ssh.ParseRawPrivateKey(trimmed)
		var missing *ssh.PassphraseMissingError
		if errors.As(err, &missing) {
			if passphrase == nil {
				return nil, ErrEncryptedKey
			}
			k, err = ssh.ParseRawPrivateKeyWithPassphrase(trimmed, passphrase)
			if errors.Is(err, x509.IncorrectPasswordError) {
				return nil, wrongPassphrase()
			}
		}
		if err != nil {
			return nil, fmt.Errorf("signer: the OpenSSH private key is malformed: %w", err)
		}
		return rsaPrivate(k)
	case "EC PRIVATE KEY":
		return nil, notRSA("an EC (ECDSA) private key")
	case "DSA PRIVATE KEY":
		return nil, notRSA("a DSA private key")
	case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE", "SSH2 PUBLIC KEY":
		return nil, fmt.Errorf("signer: this is a PEM %q block, not a private key: give the private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)", block.Type)
	}
	return nil, fmt.Errorf("signer: unsupported PEM block %q: give an RSA private key (BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN OPENSSH PRIVATE KEY)", block.Type)
}

func wrongPassphrase() error {
	return fmt.Errorf("signer: the passphrase does not decrypt the private key: %w", x509.IncorrectPasswordError)
}

// privateFromDER parses PKCS #1 or PKCS #8 DER.
func privateFromDER(der []byte) (*rsa.PrivateKey, error) {
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return checkPrivate(k)
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return rsaPrivate(k)
	}
	return nil, errors.New("signer: not an RSA private key: expected PEM (BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY, " +
		"BEGIN OPENSSH PRIVATE KEY) or PKCS #1 / PKCS #8 DER")
}

func rsaPrivate(k any) (*rsa.PrivateKey, error) {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return checkPrivate(k)
	case rsa.PrivateKey:
		return checkPrivate(&k)
	}
	return nil, notRSA(keyKind(k, "private"))
}

func checkPrivate(k *rsa.PrivateKey) (*rsa.PrivateKey, error) {
	if bits := k.N.BitLen(); bits < MinKeyBits {
		return nil, &KeySizeError{Bits: bits}
	}
	return k, nil
}

func checkPublic(k *rsa.PublicKey) (*rsa.PublicKey, error) {
	if k == nil || k.N == nil {
		return nil, errors.New("signer: the RSA public key is empty")
	}
	if bits := k.N.BitLen(); bits < MinKeyBits {
		return nil, &KeySizeError{Bits: bits}
	}
	return k, nil
}

func notRSA(kind string) error {
	return fmt.Errorf("signer: the key is %s, but application links sign with RSA (RSA-SHA1): "+
		"use an RSA key of 2048 bits or more (applink keygen, or openssl genrsa 2048)", kind)
}

// keyKind names a key's type for an error message.
func keyKind(k any, half string) string {
	switch k := k.(type) {
	case *ecdsa.PrivateKey:
		return fmt.Sprintf("an ECDSA %s %s key", k.Curve.Params().Name, half)
	case *ecdsa.PublicKey:
		return fmt.Sprintf("an ECDSA %s %s key", k.Curve.Params().Name, half)
	case ed25519.PrivateKey, *ed25519.PrivateKey, ed25519.PublicKey, *ed25519.PublicKey:
		return "an Ed25519 " + half + " key"
	case *ecdh.PrivateKey, *ecdh.PublicKey:
		return "an ECDH (X25519) " + half + " key"
	}
	return fmt.Sprintf("a %s key of type %T", half, k)
}

// ParsePublicKey parses an RSA public key in any form users have: Atlassian's
// one-line Base64 of the X.509 SubjectPublicKeyInfo DER (also when wrapped
// over lines), PEM "PUBLIC KEY" (SPKI), PEM "RSA PUBLIC KEY" (PKCS #1), an
// X.509 certificate (PEM or DER), raw SPKI / PKCS #1 DER, or an OpenSSH
// "ssh-rsa AAAA..." line. Keys under [MinKeyBits] are refused with a
// *[KeySizeError]; a key of another type is an error that names the type.
func ParsePublicKey(data []byte) (*rsa.PublicKey, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("signer: the public key is empty")
	}
	if i := bytes.Index(trimmed, []byte("-----BEGIN")); i >= 0 {
		block, _ := pem.Decode(trimmed[i:])
		if block == nil {
			return nil, errors.New("signer: the public key is not valid PEM: check that the BEGIN and END lines are intact")
		}
		switch block.Type {
		case "PUBLIC KEY":
			k, err := x509.ParsePKIXPublicKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("signer: the PEM public key is malformed: %w", err)
			}
			return rsaPublic(k)
		case "RSA PUBLIC KEY":
			k, err := x509.ParsePKCS1PublicKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("signer: the PKCS #1 RSA public key is malformed: %w", err)
			}
			return checkPublic(k)
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("signer: the certificate is malformed: %w", err)
			}
			return rsaPublic(c.PublicKey)
		case "PRIVATE KEY", "RSA PRIVATE KEY", "OPENSSH PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "EC PRIVATE KEY":
			return nil, fmt.Errorf("signer: this is a private key (PEM %q), not a public key: keep it secret and give its public key (EncodePublicKey)", block.Type)
		}
		return nil, fmt.Errorf("signer: unsupported PEM block %q: give a public key (BEGIN PUBLIC KEY, BEGIN RSA PUBLIC KEY) or a certificate", block.Type)
	}
	if bytes.HasPrefix(trimmed, []byte("ssh-")) || bytes.HasPrefix(trimmed, []byte("ecdsa-")) {
		pk, _, _, _, err := ssh.ParseAuthorizedKey(trimmed)
		if err != nil {
			return nil, fmt.Errorf("signer: the OpenSSH public key is malformed: %w", err)
		}
		cpk, ok := pk.(ssh.CryptoPublicKey)
		if !ok {
			return nil, notRSA("an OpenSSH " + pk.Type() + " public key")
		}
		return rsaPublic(cpk.CryptoPublicKey())
	}
	if der, ok := decodeBase64(trimmed); ok {
		return publicFromDER(der)
	}
	return publicFromDER(data)
}

// decodeBase64 decodes Base64 that may be wrapped over lines, with or without
// padding, in the standard or URL alphabet.
func decodeBase64(b []byte) ([]byte, bool) {
	clean := make([]byte, 0, len(b))
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		clean = append(clean, c)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if der, err := enc.DecodeString(string(clean)); err == nil && len(der) > 0 {
			return der, true
		}
	}
	return nil, false
}

// publicFromDER parses SPKI, PKCS #1 public key or certificate DER.
func publicFromDER(der []byte) (*rsa.PublicKey, error) {
	if k, err := x509.ParsePKIXPublicKey(der); err == nil {
		return rsaPublic(k)
	}
	if k, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return checkPublic(k)
	}
	if c, err := x509.ParseCertificate(der); err == nil {
		return rsaPublic(c.PublicKey)
	}
	if _, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return nil, errors.New("signer: this is a private key, not a public key: keep it secret and give its public key (EncodePublicKey)")
	}
	if _, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return nil, errors.New("signer: this is a private key, not a public key: keep it secret and give its public key (EncodePublicKey)")
	}
	return nil, errors.New("signer: not an RSA public key: expected Atlassian's one-line Base64 (MIIB...), " +
		"PEM (BEGIN PUBLIC KEY, BEGIN RSA PUBLIC KEY, BEGIN CERTIFICATE), an ssh-rsa line, or DER")
}

func rsaPublic(k any) (*rsa.PublicKey, error) {
	if k, ok := k.(*rsa.PublicKey); ok {
		return checkPublic(k)
	}
	return nil, notRSA(keyKind(k, "public"))
}

// EncodePublicKey returns pub in Atlassian's form: one line of Base64 of the
// X.509 SubjectPublicKeyInfo DER, with no PEM lines. Paste it into the remote
// application's incoming authentication.
func EncodePublicKey(pub *rsa.PublicKey) (string, error) {
	der, err := marshalPublic(pub)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(der), nil
}

// EncodePublicKeyPEM returns pub as a PEM "PUBLIC KEY" block (SPKI).
func EncodePublicKeyPEM(pub *rsa.PublicKey) ([]byte, error) {
	der, err := marshalPublic(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

func marshalPublic(pub *rsa.PublicKey) ([]byte, error) {
	if pub == nil || pub.N == nil {
		return nil, errors.New("signer: no public key to encode (nil)")
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("signer: encoding the public key: %w", err)
	}
	return der, nil
}

// EncodePrivateKeyPEM returns key as a PEM "PRIVATE KEY" block (PKCS #8).
// The result is a secret: write it with mode 0600.
func EncodePrivateKeyPEM(key *rsa.PrivateKey) ([]byte, error) {
	if key == nil || key.N == nil {
		return nil, errors.New("signer: no private key to encode (nil)")
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("signer: encoding the private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// GenerateKey returns a new RSA key pair of the given size (0 means 2048),
// from crypto/rand. Sizes under [MinKeyBits] are refused with a
// *[KeySizeError], sizes over 16384 with an error.
func GenerateKey(bits int) (*rsa.PrivateKey, error) {
	if bits == 0 {
		bits = 2048
	}
	if bits < MinKeyBits {
		return nil, &KeySizeError{Bits: bits}
	}
	if bits > maxKeyBits {
		return nil, fmt.Errorf("signer: a %d-bit key would take minutes to generate and slow every signature: use 2048, 3072 or 4096 bits", bits)
	}
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, fmt.Errorf("signer: generating a %d-bit RSA key: %w", bits, err)
	}
	return k, nil
}
