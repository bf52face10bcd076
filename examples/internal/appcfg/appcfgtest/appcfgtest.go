// Package appcfgtest sets up what the examples' tests share: an in-process
// Jenkins-shaped provider with an applink config file linking to it, and a
// user authorized on that link.
package appcfgtest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/examples/internal/appcfg"
)

// JenkinsLink is the name of the link [Jenkins] writes.
const JenkinsLink = "ci"

// Jenkins starts a Jenkins-shaped provider that knows users and an HMAC
// consumer "jira", writes an applink config file with a link named
// [JenkinsLink] to it (its secret in a file beside the config), and
// returns the provider and the config file's path.
func Jenkins(t *testing.T, users ...string) (*applinktest.Server, string) {
	t.Helper()
	const secret = "not-a-real-secret"
	srv := applinktest.NewServer(t, applinktest.WithShape(applinktest.Jenkins), applinktest.WithUsers(users...),
		applinktest.WithConsumer(applinktest.Consumer{Key: "jira", Secret: secret, ThreeLO: true}))
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "ci.secret")
	if err := os.WriteFile(secretFile, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "config.json")
	cfg := applink.Config{Links: []applink.Link{{ID: applink.NewLinkID(), Name: JenkinsLink, Type: applink.TypeJenkins,
		RPCURL: srv.URL, ConsumerKey: "jira", SecretFile: secretFile}}}
	if err := cfg.Save(config); err != nil {
		t.Fatal(err)
	}
	return srv, config
}

// Authorize plays the 3-legged dance for user on the config's link named
// linkName, approving in code at srv, and stores the token beside config.
func Authorize(t *testing.T, srv *applinktest.Server, config, linkName, user string) {
	t.Helper()
	_, l, err := appcfg.Open(config, linkName, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := l.RequestFactory(user)
	if err != nil {
		t.Fatal(err)
	}
	u, err := f.AuthorizationURI(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	token := u.Query().Get("oauth_token")
	verifier, err := srv.Approve(token, user)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.CompleteAuthorization(t.Context(), token, verifier); err != nil {
		t.Fatal(err)
	}
}
