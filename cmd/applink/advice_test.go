package main

import (
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/config"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
)

var (
	adviceQuotedRE = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|(?:^|\s)'[^'\n]+'|\b[a-z][a-z0-9+.-]*://\S+|/\S*|\S*%[0-9A-Fa-f]{2}\S*`)
	adviceClauseRE = regexp.MustCompile(`[:;]\s+|\.\s+|\n`)
	adviceWordRE   = regexp.MustCompile(`[a-z0-9']+`)
)

// repeatedAdvice returns the first clause or five-word run msg says twice
// (quoted names, URLs and paths left out), or "". It is applink's test
// helper of the same name: the command adds advice to the library's
// errors, and must not add what they already say.
func repeatedAdvice(msg string) string {
	msg = strings.ToLower(adviceQuotedRE.ReplaceAllString(msg, "\x00"))
	seen := map[string]bool{}
	for _, c := range adviceClauseRE.Split(msg, -1) {
		words := adviceWordRE.FindAllString(c, -1)
		if len(words) < 3 {
			continue
		}
		k := strings.Join(words, " ")
		if seen[k] {
			return k
		}
		seen[k] = true
	}
	words := adviceWordRE.FindAllString(strings.ReplaceAll(msg, "\x00", " | "), -1)
	runs := map[string]bool{}
	for i := 0; i+5 <= len(words); i++ {
		k := strings.Join(words[i:i+5], " ")
		if runs[k] {
			return k
		}
		runs[k] = true
	}
	return ""
}

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
		if rep := repeatedAdvice(r.stderr); rep != "" {
			t.Errorf("%v: the error says %q twice:\n%s", args, rep, r.stderr)
		}
	}
}
