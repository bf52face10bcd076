package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
)

// setup starts a Jira-shaped provider that knows a fresh key, and writes an
// applink config with a link to it allowing auth.
func setup(t *testing.T, impersonation bool, auth ...applink.Auth) (*applinktest.Server, string) {
	t.Helper()
	key, err := signer.GenerateKey(1024)
	if err != nil {
		t.Fatal(err)
	}
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"), applinktest.WithConsumer(applinktest.Consumer{
		Key: "automation", PublicKey: &key.PublicKey, ThreeLO: true, Impersonation: impersonation}))
	dir := t.TempDir()
	pem, err := signer.EncodePrivateKeyPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "automation.pem")
	if err := os.WriteFile(keyFile, pem, 0o600); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "config.json")
	cfg := applink.Config{Links: []applink.Link{{ID: applink.NewLinkID(), Name: "jira", Type: applink.TypeJira,
		RPCURL: srv.URL, ConsumerKey: "automation", PrivateKeyFile: keyFile, Auth: auth}}}
	if err := cfg.Save(config); err != nil {
		t.Fatal(err)
	}
	return srv, config
}

func TestCreateIssue(t *testing.T) {
	t.Parallel()
	noEnv := func(string) string { return "" }
	args := func(config string) []string {
		return []string{"--config", config, "--user", "alice", "--project", "DEMO", "--summary", "Hello from Go"}
	}

	t.Run("2LOi", func(t *testing.T) {
		t.Parallel()
		_, config := setup(t, true, applink.Auth3LO, applink.Auth2LOi)
		var out strings.Builder
		if err := run(t.Context(), args(config), &out, noEnv); err != nil {
			t.Fatal(err)
		}
		if got, want := out.String(), "alice created TEST-1 ("; !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "as 2loi)\n") {
			t.Errorf("output %q, want %q... as 2loi)", got, want)
		}
	})
	t.Run("3LO only, not authorized", func(t *testing.T) {
		t.Parallel()
		srv, config := setup(t, false, applink.Auth3LO)
		var out strings.Builder
		err := run(t.Context(), args(config), &out, noEnv)
		var cre *applink.CredentialsRequiredError
		if !errors.As(err, &cre) || !strings.Contains(err.Error(), srv.URL+"/plugins/servlet/oauth/authorize?oauth_token=") {
			t.Errorf("got %v, want credentials required with the authorization URL", err)
		}
	})
	t.Run("2LO only is refused", func(t *testing.T) {
		t.Parallel()
		_, config := setup(t, false, applink.Auth2LO)
		var out strings.Builder
		err := run(t.Context(), args(config), &out, noEnv)
		var anc *applink.AuthNotConfiguredError
		if !errors.As(err, &anc) {
			t.Errorf("got %v, want *AuthNotConfiguredError", err)
		}
	})
}
