package linkconf

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/go-applinks/applinks/internal/fileread"
	"github.com/go-applinks/applinks/internal/redact"
)

// Credentials are the OAuth 1.0a credential sources a link gives: files and
// environment variables named in its settings, and a private key or a
// shared secret given in code.
type Credentials struct {
	PrivateKeyFile, PrivateKeyEnv, SecretEnv, SecretFile string
	KeyInCode, SecretInCode                              bool
}

// Check checks that there is one credential source (a source given in code
// may sit beside one of the same kind in the settings: the one in code is
// used), needed when the link signs, of the kind the remote needs: a
// Jenkins consumer takes a shared secret, not an RSA key. On error, field
// is the setting to blame.
func (c Credentials) Check(signs, jenkins bool) (field string, err error) {
	var keySrc, secretSrc []string
	if c.PrivateKeyFile != "" {
		keySrc = append(keySrc, "privateKeyFile")
	}
	if c.PrivateKeyEnv != "" {
		keySrc = append(keySrc, "privateKeyEnv")
	}
	if c.SecretEnv != "" {
		secretSrc = append(secretSrc, "secretEnv")
	}
	if c.SecretFile != "" {
		secretSrc = append(secretSrc, "secretFile")
	}
	fields := append(slices.Clone(keySrc), secretSrc...)
	switch {
	case c.KeyInCode && c.SecretInCode:
		return "privateKeyFile", errors.New("both a private key and a secret were given in code: give one")
	case len(fields) > 1:
		return fields[1], fmt.Errorf("several credential sources (%s): give exactly one", strings.Join(fields, ", "))
	case c.KeyInCode && len(secretSrc) > 0, c.SecretInCode && len(keySrc) > 0:
		return fields[0], errors.New("a credential of the other kind was given in code: give a private key or a secret, not both")
	case signs && len(fields) == 0 && !c.KeyInCode && !c.SecretInCode:
		if jenkins {
			return "secretEnv", errors.New("no shared secret: set secretEnv or secretFile to the secret of the Jenkins consumer")
		}
		return "privateKeyFile", errors.New("no credentials: set privateKeyFile, privateKeyEnv, secretEnv or secretFile")
	}
	if jenkins && (len(keySrc) > 0 || c.KeyInCode) {
		field := "privateKeyFile"
		if len(keySrc) > 0 {
			field = keySrc[0]
		}
		return field, errors.New("a Jenkins consumer uses HMAC-SHA1 with a shared secret, not an RSA key: set secretEnv or secretFile")
	}
	return "", nil
}

// Credential is a credential read from the source a link's settings name.
type Credential struct {
	// Key is set for a PEM private key; else Data is a shared secret.
	Key  bool
	Data redact.Secret
	// Field is the setting it was read from; From names the source for
	// messages: the file, or "environment variable NAME".
	Field, From string
}

// Read reads the credential the settings name (the first of
// privateKeyFile, privateKeyEnv, secretEnv and secretFile; resolve makes a
// file's path absolute), or returns nil when they name none. On error,
// field is the setting to blame; no error holds the credential.
func (c Credentials) Read(resolve func(string) string) (cred *Credential, field string, err error) {
	switch {
	case c.PrivateKeyFile != "":
		path := resolve(c.PrivateKeyFile)
		data, err := readFile(path)
		if err != nil {
			return nil, "privateKeyFile", fmt.Errorf("reading the private key: %w", err)
		}
		return &Credential{Key: true, Data: redact.NewSecret(string(data)), Field: "privateKeyFile", From: path}, "", nil
	case c.PrivateKeyEnv != "":
		pem, ok := os.LookupEnv(c.PrivateKeyEnv)
		if !ok || strings.TrimSpace(pem) == "" {
			return nil, "privateKeyEnv", fmt.Errorf("environment variable %s is not set: export it with the PEM private key", c.PrivateKeyEnv)
		}
		return &Credential{Key: true, Data: redact.NewSecret(pem), Field: "privateKeyEnv", From: "environment variable " + c.PrivateKeyEnv}, "", nil
	case c.SecretEnv != "":
		secret, ok := os.LookupEnv(c.SecretEnv)
		if !ok || secret == "" {
			return nil, "secretEnv", fmt.Errorf("environment variable %s is not set: export it with the consumer's shared secret", c.SecretEnv)
		}
		return &Credential{Data: redact.NewSecret(secret), Field: "secretEnv", From: "environment variable " + c.SecretEnv}, "", nil
	case c.SecretFile != "":
		path := resolve(c.SecretFile)
		data, err := readFile(path)
		if err != nil {
			return nil, "secretFile", fmt.Errorf("reading the secret: %w", err)
		}
		secret := strings.TrimRight(string(data), "\r\n")
		if secret == "" {
			return nil, "secretFile", fmt.Errorf("%s is empty: put the consumer's shared secret in it", path)
		}
		return &Credential{Data: redact.NewSecret(secret), Field: "secretFile", From: path}, "", nil
	}
	return nil, "", nil
}

// readFile reads a key or secret file: a regular file of at most 1 MiB (a
// key is a few KiB), so that a mistaken path such as /dev/zero or a named
// pipe fails at once instead of exhausting memory or hanging.
func readFile(path string) ([]byte, error) {
	data, err := fileread.ReadFile(path, fileread.MaxKeySize)
	var tooLarge *fileread.TooLargeError
	if errors.As(err, &tooLarge) {
		return nil, fmt.Errorf("%w (a key or secret is a few KiB): is it the right file?", err)
	}
	return data, err
}
