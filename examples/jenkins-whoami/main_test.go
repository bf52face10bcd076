package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
)

// setup starts a Jenkins-shaped provider and writes an applink config with
// a link to it; it returns the provider and the config path.
func setup(t *testing.T) (*applinktest.Server, string) {
	t.Helper()
	const secret = "not-a-real-secret"
	srv := applinktest.NewServer(t, applinktest.WithShape(applinktest.Jenkins), applinktest.WithUsers("alice"),
		applinktest.WithConsumer(applinktest.Consumer{Key: "jira", Secret: secret, ThreeLO: true}))
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "ci.secret")
	if err := os.WriteFile(secretFile, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "config.json")
	cfg := applink.Config{Links: []applink.Link{{ID: applink.NewLinkID(), Name: "ci", Type: applink.TypeJenkins,
		RPCURL: srv.URL, ConsumerKey: "jira", SecretFile: secretFile}}}
	if err := cfg.Save(config); err != nil {
		t.Fatal(err)
	}
	return srv, config
}

// authorise plays the dance for user, approving in code at the provider.
func authorise(t *testing.T, srv *applinktest.Server, config, user string) {
	t.Helper()
	svc, err := openService(config, nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := svc.Lookup("ci")
	if err != nil {
		t.Fatal(err)
	}
	f, err := l.RequestFactory(user)
	if err != nil {
		t.Fatal(err)
	}
	u, err := f.AuthorisationURI(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	token := u.Query().Get("oauth_token")
	verifier, err := srv.Approve(token, user)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.CompleteAuthorisation(t.Context(), token, verifier); err != nil {
		t.Fatal(err)
	}
}

func TestWhoami(t *testing.T) {
	t.Parallel()
	srv, config := setup(t)
	var out strings.Builder

	err := run(t.Context(), []string{"--config", config, "--user", "alice"}, &out, func(string) string { return "" })
	var cre *applink.CredentialsRequiredError
	if !errors.As(err, &cre) {
		t.Fatalf("before authorising: %v, want *CredentialsRequiredError", err)
	}
	if !strings.Contains(err.Error(), srv.URL+"/bbs-oauth/authorize?") {
		t.Errorf("the error does not say where to authorise: %v", err)
	}

	authorise(t, srv, config, "alice")
	if err := run(t.Context(), []string{"--link", "ci", "--user", "alice"}, &out, func(k string) string {
		if k == "APPLINK_CONFIG" {
			return config
		}
		return ""
	}); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "you are alice (Alice) in Jenkins ci\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}
