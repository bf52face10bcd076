package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/google/go-cmp/cmp"
)

// setup starts a Jenkins-shaped provider, writes an applink config with a
// link to it and authorises alice (approving in code at the provider).
func setup(t *testing.T) (*applinktest.Server, string) {
	t.Helper()
	const secret = "not-a-real-secret"
	srv := applinktest.NewServer(t, applinktest.WithShape(applinktest.Jenkins), applinktest.WithUsers("alice"),
		applinktest.WithConsumer(applinktest.Consumer{Key: "jira", Secret: secret, ThreeLO: true}))
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "ci.secret")
	if err := os.WriteFile(secretFile, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "config.json")
	cfg := applink.Config{Links: []applink.Link{{ID: applink.NewLinkID(), Name: "ci", Type: applink.TypeJenkins,
		RPCURL: srv.URL, ConsumerKey: "jira", SecretFile: secretFile}}}
	if err := cfg.Save(config); err != nil {
		t.Fatal(err)
	}
	svc, err := openService(config, nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := svc.Lookup("ci")
	if err != nil {
		t.Fatal(err)
	}
	f, err := l.RequestFactory("alice")
	if err != nil {
		t.Fatal(err)
	}
	u, err := f.AuthorisationURI(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	token := u.Query().Get("oauth_token")
	verifier, err := srv.Approve(token, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.CompleteAuthorisation(t.Context(), token, verifier); err != nil {
		t.Fatal(err)
	}
	return srv, config
}

func TestTriggerBuild(t *testing.T) {
	t.Parallel()
	srv, config := setup(t)
	noEnv := func(string) string { return "" }
	var out strings.Builder

	// /build needs no crumb over 3LO; /buildWithParameters does, and the
	// link fetches it for alice.
	for _, args := range [][]string{
		{"--config", config, "--user", "alice", "--job", "nightly"},
		{"--config", config, "--user", "alice", "--job", "deploy", "--param", "ENV=staging", "--param", "DRY=1"},
	} {
		if err := run(t.Context(), args, &out, noEnv); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	var got []string
	for _, b := range srv.Builds() {
		got = append(got, b.Job+" by "+b.User+" "+b.Params.Encode())
	}
	want := []string{"nightly by alice ", "deploy by alice DRY=1&ENV=staging"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("builds (-want +got):\n%s", diff)
	}
	if !strings.Contains(out.String(), "alice queued a build of deploy: "+srv.URL+"/queue/item/") {
		t.Errorf("output %q lacks the queue item", out.String())
	}

	// bob is not authorised: credentials required, with the URL.
	err := run(t.Context(), []string{"--config", config, "--user", "bob", "--job", "nightly"}, &out, noEnv)
	var cre *applink.CredentialsRequiredError
	if !errors.As(err, &cre) || !strings.Contains(err.Error(), "/bbs-oauth/authorize?") {
		t.Errorf("as bob: %v, want credentials required with the authorisation URL", err)
	}
}
