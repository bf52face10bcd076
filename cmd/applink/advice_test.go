package main

import (
	"net"
	"path/filepath"
	"testing"

	"github.com/go-applinks/applinks/applink/config"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
	"github.com/go-applinks/applinks/internal/advice"
)

// TestErrorsSayThingsOnce: the command's own advice never repeats what the
// library's error already says (a refused connection at a token endpoint
// once said "check the link's RPC URL and that the remote is up" twice).
func TestErrorsSayThingsOnce(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"))
	dir := t.TempDir()
	l, err := testlink.New(srv, "down", testlink.WithKeyBits(1024), testlink.WithAuth(applink.Auth3LO, applink.Auth2LOi),
		testlink.WithCredentialsFile(filepath.Join(dir, "down.pem")))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l.RPCURL = "http://" + ln.Addr().String()
	ln.Close()
	cfgFile := filepath.Join(dir, "config.json")
	if err := (&config.Config{Links: []applink.Link{l}}).Save(cfgFile); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"authorize", "--link", "down", "--user", "alice", "--oob"},
		{"request", "--link", "down", "--as", "alice", "GET", "/rest/api/2/myself"},
		{"request", "--link", "down", "--as", "alice", "GET", "https://elsewhere.example/x"},
		{"link", "show", "nope"},
		{"tokens", "--config", filepath.Join(dir, "none", "config.json")},
	} {
		r := runCLITest(t, cfgFile, nil, "", args...)
		if r.code == 0 {
			t.Errorf("%v: exit 0, want a failure", args)
			continue
		}
		if rep := advice.Repeated(r.stderr); rep != "" {
			t.Errorf("%v: the error says %q twice:\n%s", args, rep, r.stderr)
		}
	}
}
