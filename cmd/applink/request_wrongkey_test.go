package main

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/config"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
	"github.com/go-applinks/applinks/signer"
)

// TestRequestWrongKey is issue 20 item 3: when the remote has another
// public key than the link signs with, the remote answers signature_invalid
// and echoes the very base string we signed. `applink request` must say
// "wrong key", as the doctor does, not "check the link's RPC URL"; and it
// prints the library's advice, from the one signature_invalid diagnosis.
func TestRequestWrongKey(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("bot"))
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "jira.pem")
	l, err := testlink.New(srv, "jira", testlink.WithKeyBits(1024), testlink.WithAuth(applink.Auth2LO),
		testlink.WithTwoLOUser("bot"), testlink.WithCredentialsFile(keyFile))
	if err != nil {
		t.Fatal(err)
	}
	// The link now signs with another key than the one the remote has.
	other, err := os.ReadFile("../../signer/testdata/sign-rsa2048-TEST-ONLY.pem")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, other, 0o600); err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(dir, "config.json")
	if err := (&config.Config{Links: []applink.Link{l}}).Save(cfgFile); err != nil {
		t.Fatal(err)
	}

	// What the library says about the same request.
	cfg, err := config.Load(cfgFile) // reads the key file, as the command does
	if err != nil {
		t.Fatal(err)
	}
	svc, err := applink.NewService(cfg.Links, applink.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	bound, err := svc.Link(l.ID)
	if err != nil {
		t.Fatal(err)
	}
	f, err := bound.RequestFactory("", applink.WithAuth(applink.Auth2LO))
	if err != nil {
		t.Fatal(err)
	}
	req, err := f.NewRequest(http.MethodGet, "/rest/api/2/myself")
	if err != nil {
		t.Fatal(err)
	}
	_, err = req.Do(t.Context())
	var oe *applink.OAuthError
	if !errors.As(err, &oe) || oe.Problem.Problem != signer.ProblemSignatureInvalid {
		t.Fatalf("Do = %v, want an *OAuthError for signature_invalid", err)
	}
	advice := oe.Advice()
	if !strings.Contains(advice, "same signature base string on both sides") {
		t.Fatalf("the library's advice %q is not the wrong-key diagnosis", advice)
	}

	r := runCLITest(t, cfgFile, nil, "", "request", "--link", "jira", "--auth", "2lo", "GET", "/rest/api/2/myself")
	if r.code != exitFailure {
		t.Fatalf("exit %d, want %d; stderr:\n%s", r.code, exitFailure, r.stderr)
	}
	if !strings.Contains(r.stderr, advice) {
		t.Errorf("stderr does not print the library's advice %q:\n%s", advice, r.stderr)
	}
	if strings.Contains(r.stderr, "rebuilt a different URL") || strings.Contains(r.stderr, "computed another signature base string") {
		t.Errorf("stderr misdiagnoses a wrong key as a URL mismatch:\n%s", r.stderr)
	}
}
