package linkconf

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCredentialsRead: the first source named is read; a relative file
// is resolved; what is missing or empty blames its field, never quoting
// the credential.
func TestCredentialsRead(t *testing.T) {
	const secret = "s3cret-TEST-ONLY"
	t.Setenv("LINKCONF_TEST_SECRET", secret)
	t.Setenv("LINKCONF_TEST_EMPTY", " ")
	dir := t.TempDir()
	for name, body := range map[string]string{"secret": secret + "\n", "empty": "\r\n", "key.pem": "PEM " + secret} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	resolve := func(p string) string { return filepath.Join(dir, p) }
	for _, tt := range []struct {
		name        string
		c           Credentials
		key         bool
		data, field string
	}{
		{"key file first", Credentials{PrivateKeyFile: "key.pem", SecretEnv: "LINKCONF_TEST_SECRET"}, true, "PEM " + secret, ""},
		{"secret env", Credentials{SecretEnv: "LINKCONF_TEST_SECRET"}, false, secret, ""},
		{"secret file", Credentials{SecretFile: "secret"}, false, secret, ""},
		{"empty secret file", Credentials{SecretFile: "empty"}, false, "", "secretFile"},
		{"missing key file", Credentials{PrivateKeyFile: "none.pem"}, false, "", "privateKeyFile"},
		{"empty key env", Credentials{PrivateKeyEnv: "LINKCONF_TEST_EMPTY"}, false, "", "privateKeyEnv"},
		{"unset secret env", Credentials{SecretEnv: "LINKCONF_TEST_UNSET"}, false, "", "secretEnv"},
	} {
		c, field, err := tt.c.Read(resolve)
		if tt.field != "" {
			if err == nil || field != tt.field || c != nil || strings.Contains(err.Error(), secret) {
				t.Errorf("%s: got %v, %q, %v; want an error on %s", tt.name, c, field, err, tt.field)
			}
			continue
		}
		if err != nil || c == nil || c.Key != tt.key || c.Data.Reveal() != tt.data || c.Field == "" || c.From == "" {
			t.Errorf("%s: got %+v, %v", tt.name, c, err)
		}
	}
	if _, _, err := (Credentials{PrivateKeyFile: "none.pem"}).Read(resolve); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v, want fs.ErrNotExist", err)
	}
	if c, _, err := (Credentials{KeyInCode: true}).Read(resolve); c != nil || err != nil {
		t.Errorf("no source named: %v, %v", c, err)
	}
}
