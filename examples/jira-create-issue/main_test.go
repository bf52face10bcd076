package main

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/config"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
)

// setup starts a Jira-shaped provider and writes an applink cfgFile with a
// link "jira" to it using auth (its key in a file beside the cfgFile).
func setup(t *testing.T, auth ...applink.Auth) (*applinktest.Server, string) {
	t.Helper()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"))
	dir := t.TempDir()
	l, err := testlink.New(srv, "jira", testlink.WithAuth(auth...), testlink.WithKeyBits(1024),
		testlink.WithCredentialsFile(filepath.Join(dir, "jira.pem")))
	if err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(dir, "config.json")
	if err := (&config.Config{Links: []applink.Link{l}}).Save(cfgFile); err != nil {
		t.Fatal(err)
	}
	return srv, cfgFile
}

func TestCreateIssue(t *testing.T) {
	t.Parallel()
	args := func(cfgFile string) []string {
		return []string{"--config", cfgFile, "--user", "alice", "--project", "DEMO", "--summary", "Hello from Go"}
	}

	t.Run("2LOi", func(t *testing.T) {
		t.Parallel()
		_, cfgFile := setup(t, applink.Auth3LO, applink.Auth2LOi)
		var out strings.Builder
		if err := run(t.Context(), args(cfgFile), &out); err != nil {
			t.Fatal(err)
		}
		if got, want := out.String(), "alice created TEST-1 ("; !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "as 2loi)\n") {
			t.Errorf("output %q, want %q... as 2loi)", got, want)
		}
	})
	t.Run("3LO only, not authorized", func(t *testing.T) {
		t.Parallel()
		srv, cfgFile := setup(t, applink.Auth3LO)
		var out strings.Builder
		err := run(t.Context(), args(cfgFile), &out)
		var cre *applink.CredentialsRequiredError
		if !errors.As(err, &cre) || !strings.Contains(err.Error(), srv.URL+"/plugins/servlet/oauth/authorize?oauth_token=") {
			t.Errorf("got %v, want credentials required with the authorization URL", err)
		}
	})
	t.Run("2LO only is refused", func(t *testing.T) {
		t.Parallel()
		_, cfgFile := setup(t, applink.Auth2LO)
		var out strings.Builder
		err := run(t.Context(), args(cfgFile), &out)
		var anc *applink.AuthNotConfiguredError
		if !errors.As(err, &anc) {
			t.Errorf("got %v, want *AuthNotConfiguredError", err)
		}
	})
}
