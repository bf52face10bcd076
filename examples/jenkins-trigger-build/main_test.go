package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/examples/internal/appcfg/appcfgtest"
	"github.com/google/go-cmp/cmp"
)

func TestTriggerBuild(t *testing.T) {
	t.Parallel()
	srv, config := appcfgtest.Jenkins(t, "alice", "bob")
	appcfgtest.Authorize(t, srv, config, appcfgtest.JenkinsLink, "alice")
	var out strings.Builder

	// /build needs no crumb over 3LO; /buildWithParameters does, and the
	// link fetches it for alice.
	for _, args := range [][]string{
		{"--config", config, "--user", "alice", "--job", "nightly"},
		{"--config", config, "--user", "alice", "--job", "deploy", "--param", "ENV=staging", "--param", "DRY=1"},
	} {
		if err := run(t.Context(), args, &out); err != nil {
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

	// bob is not authorized: credentials required, with the URL.
	err := run(t.Context(), []string{"--config", config, "--user", "bob", "--job", "nightly"}, &out)
	var cre *applink.CredentialsRequiredError
	if !errors.As(err, &cre) || !strings.Contains(err.Error(), "/bbs-oauth/authorize?") {
		t.Errorf("as bob: %v, want credentials required with the authorization URL", err)
	}
}
