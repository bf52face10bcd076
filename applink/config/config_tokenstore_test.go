package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink"
)

func TestConfigRefusesPasswordInTokenStore(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, store string
		refuse      bool
	}{
		{"default", "", false},
		{"relative file", "tokens.json", false},
		{"absolute file", "/var/lib/app/tokens.json", false},
		{"URL with user", "postgres://app@db.example/applink?sslmode=require", false},
		{"URL", "postgres://db.example/applink", false},
		{"password in user info", "postgres://app:hunter2@db.example/applink", true},
		{"empty password", "postgresql://app:@db.example/applink", true}, // still one
		{"password parameter", "postgres://app@db.example/applink?Password=hunter2", true},
		{"sslpassword parameter", "postgres://app@db.example/applink?sslmode=verify-full&sslpassword=hunter2", true},
		{"SSLPassword parameter", "postgres://app@db.example/applink?SSLPassword=hunter2", true},
		{"empty sslpassword", "postgres://app@db.example/applink?sslpassword=", true},
		{"other ssl parameters", "postgres://app@db.example/applink?sslmode=verify-full&sslkey=/k.pem&sslcert=/c.pem", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "config.json")
			data := `{"links": [], "tokenStore": "` + tc.store + `"}`
			if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			var fe *applink.FieldError
			switch {
			case !tc.refuse && err != nil:
				t.Fatalf("Load: %v", err)
			case tc.refuse && (!errors.Is(err, ErrPasswordInConfig) || !errors.As(err, &fe) || fe.Field != "tokenStore"):
				t.Fatalf("Load: %v, want a *applink.FieldError for tokenStore wrapping ErrPasswordInConfig", err)
			case tc.refuse && strings.Contains(err.Error(), "hunter2"):
				t.Errorf("the error shows the password: %v", err)
			case tc.refuse && strings.Contains(strings.ToLower(tc.store), "sslpassword") && !strings.Contains(err.Error(), "PGSSLPASSWORD"):
				t.Errorf("the error does not say where the client key's password goes: %v", err)
			}
			save := filepath.Join(t.TempDir(), "saved.json")
			err = (&Config{TokenStore: tc.store}).Save(save)
			if got := errors.Is(err, ErrPasswordInConfig); got != tc.refuse {
				t.Errorf("Save: %v; want refused=%v", err, tc.refuse)
			}
			if _, statErr := os.Stat(save); tc.refuse && statErr == nil {
				t.Errorf("Save wrote a config holding a password")
			}
		})
	}
}
