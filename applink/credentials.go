package applink

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-applinks/applinks/internal/fileread"
	"github.com/go-applinks/applinks/signer"
)

// newSigner loads the link's credentials (from code, a file or an
// environment variable) and returns the signer for them: RSA-SHA1 for a
// private key, HMAC-SHA1 for a shared secret. It returns nil, nil for a link
// that only makes anonymous requests and has no credentials. Errors are
// *FieldErrors naming the source; they never include key material.
func (l *Link) newSigner(opts ...signer.Option) (*signer.Signer, error) {
	fail := func(field string, err error) (*signer.Signer, error) {
		return nil, &FieldError{Link: l.label(), Field: field, Err: err}
	}
	var method signer.Method
	switch {
	case l.PrivateKey != nil:
		m, err := signer.NewRSASHA1(l.PrivateKey)
		if err != nil {
			return fail("privateKeyFile", fmt.Errorf("the private key given in code: %w", err))
		}
		method = m
	case !l.Secret.IsZero():
		m, err := signer.NewHMACSHA1(l.Secret.Reveal())
		if err != nil {
			return fail("secretEnv", fmt.Errorf("the secret given in code: %w", err))
		}
		method = m
	case l.PrivateKeyFile != "":
		path := l.resolve(l.PrivateKeyFile)
		data, err := readCredentialFile(path)
		if err != nil {
			return fail("privateKeyFile", fmt.Errorf("reading the private key: %w", err))
		}
		key, err := signer.ParsePrivateKey(data)
		if err != nil {
			return fail("privateKeyFile", fmt.Errorf("%s: %w", path, err))
		}
		m, err := signer.NewRSASHA1(key)
		if err != nil {
			return fail("privateKeyFile", fmt.Errorf("%s: %w", path, err))
		}
		method = m
	case l.PrivateKeyEnv != "":
		pem, ok := os.LookupEnv(l.PrivateKeyEnv)
		if !ok || strings.TrimSpace(pem) == "" {
			return fail("privateKeyEnv", fmt.Errorf("environment variable %s is not set: export it with the PEM private key", l.PrivateKeyEnv))
		}
		key, err := signer.ParsePrivateKey([]byte(pem))
		if err != nil {
			return fail("privateKeyEnv", fmt.Errorf("environment variable %s: %w", l.PrivateKeyEnv, err))
		}
		m, err := signer.NewRSASHA1(key)
		if err != nil {
			return fail("privateKeyEnv", fmt.Errorf("environment variable %s: %w", l.PrivateKeyEnv, err))
		}
		method = m
	case l.SecretEnv != "":
		secret, ok := os.LookupEnv(l.SecretEnv)
		if !ok || secret == "" {
			return fail("secretEnv", fmt.Errorf("environment variable %s is not set: export it with the consumer's shared secret", l.SecretEnv))
		}
		m, err := signer.NewHMACSHA1(secret)
		if err != nil {
			return fail("secretEnv", fmt.Errorf("environment variable %s: %w", l.SecretEnv, err))
		}
		method = m
	case l.SecretFile != "":
		path := l.resolve(l.SecretFile)
		data, err := readCredentialFile(path)
		if err != nil {
			return fail("secretFile", fmt.Errorf("reading the secret: %w", err))
		}
		secret := strings.TrimRight(string(data), "\r\n")
		if secret == "" {
			return fail("secretFile", fmt.Errorf("%s is empty: put the consumer's shared secret in it", path))
		}
		m, err := signer.NewHMACSHA1(secret)
		if err != nil {
			return fail("secretFile", fmt.Errorf("%s: %w", path, err))
		}
		method = m
	default:
		for _, a := range l.auths() {
			if a.signs() {
				return fail("privateKeyFile", errors.New("no credentials: set privateKeyFile, privateKeyEnv, secretEnv or secretFile"))
			}
		}
		return nil, nil
	}
	s, err := signer.New(l.ConsumerKey, method, opts...)
	if err != nil {
		return fail("consumerKey", err)
	}
	return s, nil
}

// readCredentialFile reads a key or secret file: a regular file of at most
// 1 MiB (a key is a few KiB), so that a mistaken path such as /dev/zero or
// a named pipe fails at once instead of exhausting memory or hanging.
func readCredentialFile(path string) ([]byte, error) {
	data, err := fileread.ReadFile(path, fileread.MaxKeySize)
	var tooLarge *fileread.TooLargeError
	if errors.As(err, &tooLarge) {
		return nil, fmt.Errorf("%w (a key or secret is a few KiB): is it the right file?", err)
	}
	return data, err
}

// resolve makes a relative credential file path relative to the directory
// of the config file the link came from.
func (l *Link) resolve(path string) string {
	if l.Dir == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(l.Dir, path)
}
