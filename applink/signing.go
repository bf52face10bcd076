package applink

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/go-applinks/applinks/internal/linkconf"
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
	var err error
	switch {
	case l.PrivateKey != nil:
		if method, err = signer.NewRSASHA1(l.PrivateKey); err != nil {
			return fail("privateKeyFile", fmt.Errorf("the private key given in code: %w", err))
		}
	case !l.Secret.IsZero():
		if method, err = signer.NewHMACSHA1(l.Secret.Reveal()); err != nil {
			return fail("secretEnv", fmt.Errorf("the secret given in code: %w", err))
		}
	default:
		c, field, err := l.credentials().Read(l.resolve)
		switch {
		case err != nil:
			return fail(field, err)
		case c == nil && slices.ContainsFunc(l.auths(), Auth.signs):
			return fail("privateKeyFile", errors.New("no credentials: set privateKeyFile, privateKeyEnv, secretEnv or secretFile"))
		case c == nil:
			return nil, nil
		}
		if method, err = credentialMethod(c); err != nil {
			return fail(c.Field, fmt.Errorf("%s: %w", c.From, err))
		}
	}
	s, err := signer.New(l.ConsumerKey, method, opts...)
	if err != nil {
		return fail("consumerKey", err)
	}
	return s, nil
}

// credentialMethod returns the signature method of a credential read from
// a file or the environment: RSA-SHA1 for a private key, HMAC-SHA1 for a
// shared secret.
func credentialMethod(c *linkconf.Credential) (signer.Method, error) {
	if !c.Key {
		return signer.NewHMACSHA1(c.Data.Reveal())
	}
	key, err := signer.ParsePrivateKey([]byte(c.Data.Reveal()))
	if err != nil {
		return nil, err
	}
	return signer.NewRSASHA1(key)
}

// credentials returns the link's OAuth 1.0a credential sources.
func (l *Link) credentials() linkconf.Credentials {
	return linkconf.Credentials{PrivateKeyFile: l.PrivateKeyFile, PrivateKeyEnv: l.PrivateKeyEnv, SecretEnv: l.SecretEnv, SecretFile: l.SecretFile,
		KeyInCode: l.PrivateKey != nil, SecretInCode: !l.Secret.IsZero()}
}

// resolve makes a relative credential file path relative to the directory
// of the config file the link came from.
func (l *Link) resolve(path string) string {
	if l.Dir == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(l.Dir, path)
}
