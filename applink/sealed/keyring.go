package sealed

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/go-applinks/applinks/internal/fileread"
)

// KeySize is the size of a key in bytes: AES-256.
const KeySize = 32

// maxKeyIDLen bounds a key id.
const maxKeyIDLen = 32

// maxKeyringFile bounds a keyring file.
const maxKeyringFile = 64 << 10

// Key is one AES-256 key with its id, which every value sealed with it
// carries. It never prints its key bytes.
type Key struct {
	id   string
	aead cipher.AEAD
}

// NewKey returns the key with id and the 32 bytes of key. The id names the
// key in every sealed value: 1 to 32 letters, digits, '-' or '_' (such as
// "2026-03" or "k2"). The bytes are copied.
func NewKey(id string, key []byte) (Key, error) {
	if err := checkKeyID(id); err != nil {
		return Key{}, err
	}
	if len(key) != KeySize {
		return Key{}, fmt.Errorf("sealed: key %q is %d bytes; an AES-256 key is %d bytes (generate one with GenerateKey, or: openssl rand -base64 32)", id, len(key), KeySize)
	}
	block, err := aes.NewCipher(slices.Clone(key))
	if err != nil {
		return Key{}, fmt.Errorf("sealed: key %q: %w", id, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return Key{}, fmt.Errorf("sealed: key %q: %w", id, err)
	}
	return Key{id: id, aead: aead}, nil
}

// GenerateKey returns a new random key with id, and its bytes encoded as
// base64, the form [ParseKeyring] reads: keep them in a secret manager.
func GenerateKey(id string) (Key, string, error) {
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		return Key{}, "", fmt.Errorf("sealed: generate key %q: %w", id, err)
	}
	k, err := NewKey(id, b)
	if err != nil {
		return Key{}, "", err
	}
	return k, base64.StdEncoding.EncodeToString(b), nil
}

// ID returns the key's id.
func (k Key) ID() string { return k.id }

// checkKeyID refuses ids that would not survive in a sealed value.
func checkKeyID(id string) error {
	if id == "" || len(id) > maxKeyIDLen {
		return fmt.Errorf("sealed: key id %q must be 1 to %d characters long", truncate(id), maxKeyIDLen)
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("sealed: key id %q may hold only letters, digits, '-' and '_'", truncate(id))
		}
	}
	return nil
}

// truncate shortens s for an error message.
func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Keyring is the keys a sealed store uses: the active key seals every value
// written; it and the older keys open the values read, each by the key id
// the value carries. Rotating a key is a new keyring whose active key is
// new and whose older keys include the previous active one: values are
// re-sealed with the new key as they are written, and the old key can be
// dropped once no value uses it. A Keyring is immutable and safe for
// concurrent use; it never prints its keys.
type Keyring struct {
	active string
	keys   map[string]Key
}

// NewKeyring returns the keyring whose active key is active, with older
// keys for reading. Key ids must differ.
func NewKeyring(active Key, older ...Key) (*Keyring, error) {
	kr := &Keyring{active: active.id, keys: map[string]Key{}}
	for _, k := range append([]Key{active}, older...) {
		if k.aead == nil {
			return nil, errors.New("sealed: a key of the keyring is the zero Key: build keys with NewKey")
		}
		if _, dup := kr.keys[k.id]; dup {
			return nil, fmt.Errorf("sealed: key id %q appears twice in the keyring: give every key its own id", k.id)
		}
		kr.keys[k.id] = k
	}
	return kr, nil
}

// ParseKeyring reads a keyring written as "id:base64key" entries separated
// by commas, spaces or new lines; the first entry is the active key, the
// others are older keys for reading. Each key is 32 bytes in standard or
// URL-safe base64, with or without padding. Lines starting with '#' are
// comments. Errors name an entry by its position (entry 1 is the first)
// and never quote what it holds: an entry written the wrong way round
// ("base64key:id") would otherwise show the key.
func ParseKeyring(s string) (*Keyring, error) {
	var keys []Key
	seen := map[string]int{} // id → entry number
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, entry := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\r' }) {
			n := len(keys) + 1
			id, enc, ok := strings.Cut(entry, ":")
			if !ok {
				return nil, fmt.Errorf("sealed: keyring entry %d is not \"id:base64key\": write the key id, a colon, then the key", n)
			}
			if checkKeyID(id) != nil {
				return nil, fmt.Errorf("sealed: keyring entry %d: the key id before the colon must be 1 to %d letters, digits, '-' or '_' (is the entry written \"base64key:id\"? write \"id:base64key\")", n, maxKeyIDLen)
			}
			raw, err := decodeKey(enc)
			if err != nil {
				return nil, fmt.Errorf("sealed: keyring entry %d: the key after the colon is not base64: give a 32-byte key in base64 (openssl rand -base64 32)", n)
			}
			if len(raw) != KeySize {
				return nil, fmt.Errorf("sealed: keyring entry %d: the key is %d bytes; an AES-256 key is %d bytes (generate one with GenerateKey, or: openssl rand -base64 32)", n, len(raw), KeySize)
			}
			if first, dup := seen[id]; dup {
				return nil, fmt.Errorf("sealed: keyring entries %d and %d have the same key id: give every key its own id", first, n)
			}
			seen[id] = n
			k, err := NewKey(id, raw)
			if err != nil {
				return nil, fmt.Errorf("sealed: keyring entry %d is not a usable key", n)
			}
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("sealed: the keyring has no key: give \"id:base64key\" (a 32-byte key), the active one first")
	}
	return NewKeyring(keys[0], keys[1:]...)
}

// decodeKey decodes standard or URL-safe base64, padded or not.
func decodeKey(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// KeyringFromEnv reads the keyring from the environment variable name, in
// the form of [ParseKeyring] (for example
// APPLINK_TOKEN_KEYS="k2:<base64>,k1:<base64>").
func KeyringFromEnv(name string) (*Keyring, error) {
	v, ok := os.LookupEnv(name)
	if !ok || strings.TrimSpace(v) == "" {
		return nil, fmt.Errorf("sealed: the environment variable %s holding the token keyring is not set: set it to \"id:base64key\" (a 32-byte key, e.g. from openssl rand -base64 32)", name)
	}
	kr, err := ParseKeyring(v)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, name)
	}
	return kr, nil
}

// KeyringFromFile reads the keyring from the file at path, in the form of
// [ParseKeyring] (one "id:base64key" per line, the active key first). The
// file must be a regular file of at most 64 KiB that other users cannot
// access (mode 0600 or stricter) outside Windows.
func KeyringFromFile(path string) (*Keyring, error) {
	data, err := fileread.ReadSecret(path, "the keys", maxKeyringFile)
	if err != nil {
		return nil, fmt.Errorf("sealed: keyring file: %w", err)
	}
	kr, err := ParseKeyring(string(data))
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return kr, nil
}

// ActiveKeyID returns the id of the key that seals.
func (kr *Keyring) ActiveKeyID() string { return kr.active }

// KeyIDs returns the ids of every key, the active one first, then the
// others sorted.
func (kr *Keyring) KeyIDs() []string {
	ids := []string{kr.active}
	var older []string
	for id := range kr.keys {
		if id != kr.active {
			older = append(older, id)
		}
	}
	slices.Sort(older)
	return append(ids, older...)
}
