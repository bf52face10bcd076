package sealed

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// formatVersion starts every sealed value: "v1.<key id>.<base64url(nonce|ciphertext)>".
const formatVersion = "v1"

// aadLabel starts the associated data of every sealed value, so that a
// value sealed by another program with the same key does not open here.
const aadLabel = "go-applinks/sealed/v1"

// Errors that an [*OpenError] wraps, for errors.Is.
var (
	// ErrUnknownKey: the value was sealed with a key id the keyring does
	// not have.
	ErrUnknownKey = errors.New("sealed: no key with this id in the keyring")
	// ErrAuthentication: the value does not open with the key of its id:
	// the key is not the one that sealed it, the value was changed, or it
	// was moved to another user, link, token or field.
	ErrAuthentication = errors.New("sealed: the value does not open with its key")
	// ErrNotSealed: the inner store holds the value in the clear, which is
	// refused unless the store was opened with [AllowUnsealed].
	ErrNotSealed = errors.New("sealed: the value is not sealed")
	// ErrMalformed: the value has the sealed form's prefix but is not a
	// well-formed sealed value.
	ErrMalformed = errors.New("sealed: the sealed value is malformed")
)

// OpenError is returned when a sealed value read from the inner store cannot
// be opened. It names the key id and the token, never a secret, and wraps
// one of [ErrUnknownKey], [ErrAuthentication], [ErrNotSealed] or
// [ErrMalformed]. The token is not used, not returned and not deleted.
type OpenError struct {
	// KeyID is the id of the key the value says sealed it ("" when the
	// value is not sealed or malformed).
	KeyID string
	// What names the token: "the access token of link "…", user "…"" or
	// "request token abc…".
	What string
	// Field is the field of the token: "secret", "refresh token" or
	// "session handle".
	Field string
	// Err is the reason.
	Err error
}

// Error says what happened and what to do.
func (e *OpenError) Error() string {
	switch {
	case errors.Is(e.Err, ErrUnknownKey):
		return fmt.Sprintf("sealed: the %s of %s was sealed with key %q, which the keyring does not have: add that key to the keyring (as an older key)", e.Field, e.What, e.KeyID)
	case errors.Is(e.Err, ErrAuthentication):
		return fmt.Sprintf("sealed: the %s of %s does not open with key %q: the keyring's key %q is not the one that sealed it, or the stored value was changed or copied from another user or token; the token is not used", e.Field, e.What, e.KeyID, e.KeyID)
	case errors.Is(e.Err, ErrNotSealed):
		return fmt.Sprintf("sealed: the %s of %s is stored unsealed (in the clear), which is refused; to seal a store that holds plaintext tokens, open it once with sealed.AllowUnsealed: every token is sealed when it is next written", e.Field, e.What)
	}
	return fmt.Sprintf("sealed: the %s of %s is not a well-formed sealed value (%v); the token is not used", e.Field, e.What, e.Err)
}

// Unwrap returns Err.
func (e *OpenError) Unwrap() error { return e.Err }

// aad builds the associated data of a value: the label, the key id and the
// parts that bind it (kind, link and user or token, field), each
// length-prefixed so that no two lists of parts give the same bytes.
func aad(keyID string, parts ...string) []byte {
	b := []byte(aadLabel)
	for _, p := range append([]string{keyID}, parts...) {
		b = binary.AppendUvarint(b, uint64(len(p)))
		b = append(b, p...)
	}
	return b
}

// seal seals plaintext with the keyring's active key, bound to parts. The
// empty string stays empty, so that "no session handle" and "no refresh
// token" keep their meaning in the inner store.
func (kr *Keyring) seal(plaintext string, parts ...string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	k := kr.keys[kr.active]
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("sealed: reading a random nonce: %w", err)
	}
	out := k.aead.Seal(nonce, nonce, []byte(plaintext), aad(k.id, parts...))
	return formatVersion + "." + k.id + "." + base64.RawURLEncoding.EncodeToString(out), nil
}

// isSealed reports whether v has the form of a sealed value.
func isSealed(v string) bool { return strings.HasPrefix(v, formatVersion+".") }

// open opens a value sealed by seal with the same parts. It returns the
// key id found (for errors) and an error wrapping one of the package's
// sentinels. A value not in the sealed form is returned as it is when
// unsealed is allowed.
func (kr *Keyring) open(v string, allowUnsealed bool, parts ...string) (plaintext, keyID string, err error) {
	if v == "" {
		return "", "", nil
	}
	if !isSealed(v) {
		if allowUnsealed {
			return v, "", nil
		}
		return "", "", ErrNotSealed
	}
	rest := strings.TrimPrefix(v, formatVersion+".")
	keyID, enc, ok := strings.Cut(rest, ".")
	if !ok || checkKeyID(keyID) != nil {
		return "", "", fmt.Errorf("%w: no key id", ErrMalformed)
	}
	k, ok := kr.keys[keyID]
	if !ok {
		return "", keyID, ErrUnknownKey
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return "", keyID, fmt.Errorf("%w: not base64url", ErrMalformed)
	}
	if len(raw) < k.aead.NonceSize()+k.aead.Overhead() {
		return "", keyID, fmt.Errorf("%w: too short", ErrMalformed)
	}
	nonce, ct := raw[:k.aead.NonceSize()], raw[k.aead.NonceSize():]
	pt, err := k.aead.Open(nil, nonce, ct, aad(keyID, parts...))
	if err != nil {
		return "", keyID, ErrAuthentication
	}
	return string(pt), keyID, nil
}
