package oauth2link

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestCheckURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in                 string
		insecure, redirect bool
		want               string
	}{
		{"https://jira.example.com", false, false, ""},
		{"http://127.0.0.1:8765/cb", false, true, ""},
		{"http://localhost:8765/cb", false, true, ""},
		{"http://[::1]:8765/cb", false, true, ""},
		{"http://jira.example.com", false, false, "plain http"},
		{"http://jira.example.com", true, false, ""},
		{"/cb", false, true, "absolute http or https"},
		{"https://app.example.com/cb#f", false, true, "fragment"},
		{"https://app.example.com/cb#f", false, false, ""},
		{"http://u:pa55word@[::1/", false, false, "not a URL"},
	} {
		err := CheckURL(tt.in, tt.insecure, tt.redirect)
		if (tt.want == "") != (err == nil) || err != nil && (!strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "pa55word")) {
			t.Errorf("CheckURL(%q, %v, %v) = %v, want %q", tt.in, tt.insecure, tt.redirect, err, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	ok := Settings{NeedsRedirect: true, ClientID: "id", ClientSecretEnv: "S", Scopes: []string{ScopeWrite},
		RedirectURL: "http://127.0.0.1:1/cb", RPCURL: "https://jira.example.com"}
	for _, tt := range []struct {
		name   string
		edit   func(*Settings)
		fields []string
	}{
		{"ok", func(*Settings) {}, nil},
		{"secret in code", func(s *Settings) { s.ClientSecretEnv, s.SecretInCode = "", true }, nil},
		{"no client id", func(s *Settings) { s.ClientID = " " }, []string{"oauth2.clientId"}},
		{"no secret", func(s *Settings) { s.ClientSecretEnv = "" }, []string{"oauth2.clientSecretEnv"}},
		{"two secrets", func(s *Settings) { s.ClientSecretFile = "f" }, []string{"oauth2.clientSecretFile"}},
		{"lower-case scope", func(s *Settings) { s.Scopes = []string{"write"} }, []string{"oauth2.scopes"}},
		{"cloud scope", func(s *Settings) { s.Cloud, s.Scopes = true, []string{"read:jira-work", "offline_access"} }, nil},
		{"cloud scope with a space", func(s *Settings) { s.Cloud, s.Scopes = true, []string{"read:jira-work offline_access"} }, []string{"oauth2.scopes"}},
		{"client auth", func(s *Settings) { s.ClientAuth = "jwt" }, []string{"oauth2.clientAuth"}},
		{"no redirect", func(s *Settings) { s.RedirectURL = "" }, []string{"oauth2.redirectUrl"}},
		{"no redirect needed", func(s *Settings) { s.RedirectURL, s.NeedsRedirect = "", false }, nil},
		{"plain http", func(s *Settings) { s.RPCURL, s.DisplayURL = "http://jira.example.com", "http://wiki.example.com" }, []string{"rpcUrl", "displayUrl"}},
		{"bad base URL left to the caller", func(s *Settings) { s.RPCURL = "http://jira.example.com?q" }, nil},
		{"relative paths", func(s *Settings) { s.AuthorizePath, s.TokenPath = "a", "t" }, []string{"oauth2.authorizePath", "oauth2.tokenPath"}},
	} {
		s := ok
		tt.edit(&s)
		var fields []string
		Validate(s, func(field, format string, args ...any) {
			fields = append(fields, field)
			if msg := fmt.Sprintf(format, args...); msg == "" {
				t.Errorf("%s: an empty message for %s", tt.name, field)
			}
		})
		if !slices.Equal(fields, tt.fields) {
			t.Errorf("%s: fields %q, want %q", tt.name, fields, tt.fields)
		}
	}
}

func TestSettingsConfig(t *testing.T) {
	t.Parallel()
	s := Settings{ClientID: "id", Scopes: []string{ScopeRead}, RedirectURL: "https://app.example.com/cb", ClientAuth: "basic",
		RPCURL: "http://jira.internal:8080/jira", DisplayURL: "https://jira.example.com/"}
	c, _, err := s.Config("secret-TEST-ONLY")
	if err != nil {
		t.Fatal(err)
	}
	if c.AuthorizationURL != "https://jira.example.com"+DefaultAuthorizePath || c.TokenURL != "http://jira.internal:8080/jira"+DefaultTokenPath ||
		!c.BasicAuth || c.ClientSecret.Reveal() != "secret-TEST-ONLY" || c.RedirectURL != s.RedirectURL || !slices.Equal(c.Scopes, s.Scopes) {
		t.Errorf("Config = %+v", c)
	}
	s.DisplayURL, s.AuthorizePath, s.TokenPath = "", "/auth", "/tok"
	if c, _, _ = s.Config("x"); c.AuthorizationURL != "http://jira.internal:8080/jira/auth" || c.TokenURL != "http://jira.internal:8080/jira/tok" || c.BasicAuth != true {
		t.Errorf("Config without a display URL = %+v", c)
	}
	s.RPCURL, s.DisplayURL = "::", "https://jira.example.com"
	if _, field, err := s.Config("x"); err == nil || field != "oauth2.tokenPath" {
		t.Errorf("Config with a bad RPC URL: %q, %v", field, err)
	}
}

// TestLoadSecret: the secret given in code, else the environment variable,
// else the file; each failure blames its field and quotes no secret.
func TestLoadSecret(t *testing.T) {
	const secret = "s3cret-TEST-ONLY"
	t.Setenv("OAUTH2LINK_TEST_SECRET", secret)
	t.Setenv("OAUTH2LINK_TEST_EMPTY", "")
	dir := t.TempDir()
	file := filepath.Join(dir, "secret")
	empty := filepath.Join(dir, "empty")
	for path, body := range map[string]string{file: secret + "\r\n", empty: "\n"} {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		name        string
		s           Settings
		inCode, at  string
		want, field string
	}{
		{"in code", Settings{ClientSecretEnv: "OAUTH2LINK_TEST_EMPTY"}, "code-" + secret, "", "code-" + secret, ""},
		{"env", Settings{ClientSecretEnv: "OAUTH2LINK_TEST_SECRET"}, "", "", secret, ""},
		{"env empty", Settings{ClientSecretEnv: "OAUTH2LINK_TEST_EMPTY"}, "", "", "", "oauth2.clientSecretEnv"},
		{"file", Settings{ClientSecretFile: "secret"}, "", file, secret, ""},
		{"file empty", Settings{ClientSecretFile: "empty"}, "", empty, "", "oauth2.clientSecretFile"},
		{"file missing", Settings{ClientSecretFile: "none"}, "", filepath.Join(dir, "none"), "", "oauth2.clientSecretFile"},
		{"none", Settings{}, "", "", "", "oauth2.clientSecretEnv"},
	} {
		got, field, err := tt.s.LoadSecret(tt.inCode, tt.at)
		if got != tt.want || field != tt.field || (err == nil) != (tt.field == "") {
			t.Errorf("%s: got %q, %q, %v; want %q, %q", tt.name, got, field, err, tt.want, tt.field)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the error %v holds the secret", tt.name, err)
		}
	}
}
