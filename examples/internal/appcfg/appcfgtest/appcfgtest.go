// Package appcfgtest sets up what the examples' tests share: an in-process
// Jenkins-shaped provider with an applink config file linking to it, and a
// user authorized on that link.
package appcfgtest

import (
	"path/filepath"
	"testing"

	"github.com/go-applinks/applinks/applink/config"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
	"github.com/go-applinks/applinks/applink/authorize"
)

// JenkinsLink is the name of the link [Jenkins] writes.
const JenkinsLink = "ci"

// Jenkins starts a Jenkins-shaped provider that knows users, writes an
// applink config file with a link named [JenkinsLink] to it (its secret in
// a file beside the config), and returns the provider and the config
// file's path.
func Jenkins(t *testing.T, users ...string) (*applinktest.Server, string) {
	t.Helper()
	srv := applinktest.NewServer(t, applinktest.WithShape(applinktest.Jenkins), applinktest.WithUsers(users...))
	dir := t.TempDir()
	l, err := testlink.New(srv, JenkinsLink, testlink.WithCredentialsFile(filepath.Join(dir, "ci.secret")))
	if err != nil {
		t.Fatal(err)
	}
	configFile := filepath.Join(dir, "config.json")
	if err := (&config.Config{Links: []applink.Link{l}}).Save(configFile); err != nil {
		t.Fatal(err)
	}
	return srv, configFile
}

// Authorize plays the 3-legged dance for user on the config's link named
// linkName, approving in code at srv, and stores the token beside config.
func Authorize(t *testing.T, srv *applinktest.Server, configFile, linkName, user string) {
	t.Helper()
	svc, err := config.Open(t.Context(), configFile, config.WithLink(linkName))
	if err != nil {
		t.Fatal(err)
	}
	f, err := svc.Links()[0].RequestFactory(user)
	if err != nil {
		t.Fatal(err)
	}
	if err := authorize.OutOfBand(t.Context(), f, srv.Approver(user)); err != nil {
		t.Fatal(err)
	}
}
