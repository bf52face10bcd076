package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/examples/internal/appcfg/appcfgtest"
)

func TestWhoami(t *testing.T) {
	t.Parallel()
	srv, config := appcfgtest.Jenkins(t, "alice")
	var out strings.Builder

	err := run(t.Context(), []string{"--config", config, "--user", "alice"}, &out)
	var cre *applink.CredentialsRequiredError
	if !errors.As(err, &cre) {
		t.Fatalf("before authorizing: %v, want *CredentialsRequiredError", err)
	}
	if !strings.Contains(err.Error(), srv.URL+"/bbs-oauth/authorize?") {
		t.Errorf("the error does not say where to authorize: %v", err)
	}

	appcfgtest.Authorize(t, srv, config, appcfgtest.JenkinsLink, "alice")
	if err := run(t.Context(), []string{"--config", config, "--link", "ci", "--user", "alice"}, &out); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "you are alice (Alice) in Jenkins ci\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}
