package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
)

// docCommand is one "applink ..." command line of a ```sh block.
type docCommand struct {
	file, line string
	vars       map[string]string // VAR=value before the command
	args       []string          // after "applink", up to a pipe
	piped      bool              // its output goes to another program
}

// docFiles are the documents whose command lines must work, in the order
// they are run: the link is set up first, then the README's snippets.
var docFiles = []string{"docs/setup.md", "README.md", "docs/command.md", "docs/api.md", "docs/stores.md",
	"docs/troubleshooting.md", "docs/security.md", "docs/testing.md"}

// skippedCommands are the command lines the test does not run, with why.
// A stale entry (matching no command line) fails the test.
var skippedCommands = map[string]string{
	"APPLINK_POSTGRES_PASSWORD=... applink tokens copy --to postgres://applink@db.internal/applink --use": "needs a real PostgreSQL database (tokens copy is tested in tokens_copy_test.go)",
}

// readDocCommands extracts the applink command lines of the ```sh blocks of
// the documents (a trailing backslash continues a line; # starts a
// comment).
func readDocCommands(t *testing.T) []docCommand {
	t.Helper()
	start := regexp.MustCompile(`^(?:[A-Z_]+=\S*\s+)*applink\s`)
	var cmds []docCommand
	for _, name := range docFiles {
		data, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		inSh, cont := false, ""
		for _, raw := range strings.Split(string(data), "\n") {
			line := strings.TrimSpace(raw)
			if strings.HasPrefix(line, "```") {
				inSh = !inSh && strings.TrimPrefix(line, "```") == "sh"
				continue
			}
			if !inSh {
				continue
			}
			if cont != "" {
				line = cont + " " + line
			}
			if c, ok := strings.CutSuffix(line, `\`); ok {
				cont = c
				continue
			}
			cont = ""
			if !start.MatchString(line) {
				continue
			}
			words, piped, err := shellWords(line)
			if err != nil {
				t.Fatalf("%s: %q: %v", name, line, err)
			}
			c := docCommand{file: name, line: line, vars: map[string]string{}, piped: piped}
			for len(words) > 0 && words[0] != "applink" {
				k, v, _ := strings.Cut(words[0], "=")
				c.vars[k] = v
				words = words[1:]
			}
			c.args = words[1:]
			cmds = append(cmds, c)
		}
	}
	return cmds
}

// shellWords splits a command line as a POSIX shell does for the simple
// lines of the docs: single and double quotes, # comments, and a pipe that
// ends the command.
func shellWords(line string) (words []string, piped bool, err error) {
	var cur strings.Builder
	inWord := false
	flush := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(line); i++ {
		switch ch := line[i]; {
		case ch == '\'' || ch == '"':
			j := strings.IndexByte(line[i+1:], ch)
			if j < 0 {
				return nil, false, fmt.Errorf("unterminated %c quote", ch)
			}
			cur.WriteString(line[i+1 : i+1+j])
			inWord = true
			i += j + 1
		case ch == ' ' || ch == '\t':
			flush()
		case ch == '#' && !inWord:
			flush()
			return words, false, nil
		case ch == '|':
			flush()
			return words, true, nil
		default:
			cur.WriteByte(ch)
			inWord = true
		}
	}
	flush()
	return words, false, nil
}

// TestDocCommandsRunAgainstTestServer runs every applink command line of
// the README and the docs, as written, against the test provider: the
// hosts of the examples stand for it, ~/.config/applink for a temporary
// directory. It is not parallel: an OAuth 2.0 link reads its client secret
// from the process environment.
func TestDocCommandsRunAgainstTestServer(t *testing.T) {
	const clientSecret = "readme-client-s3cret-TEST-ONLY"
	t.Setenv("JIRA_CLIENT_SECRET", clientSecret)
	srv := applinktest.NewServer(t, applinktest.WithShape(applinktest.OAuth2), applinktest.WithUsers("alice", "bob"),
		applinktest.WithOAuth2Client(applinktest.OAuth2Client{ID: "3f9c...", Secret: signer.NewSecret(clientSecret),
			RedirectURL: "http://127.0.0.1:8765/callback", Scope: applinktest.ScopeWrite}))
	dir := t.TempDir()
	home := filepath.Join(dir, "applink") // stands for ~/.config/applink
	config := filepath.Join(home, "config.json")
	writeFile(t, dir, "issue.json", `{"fields":{"project":{"key":"DEMO"},"summary":"from the docs","issuetype":{"name":"Task"}}}`)
	replacer := strings.NewReplacer(
		"https://jira.internal:8080", srv.URL,
		"https://jira.example.com", srv.URL,
		"~/.config/applink/", home+"/",
		"@issue.json", "@"+filepath.Join(dir, "issue.json"),
		"=applink.pub.pem", "="+filepath.Join(dir, "applink.pub.pem"),
	)

	cmds := readDocCommands(t)
	if len(cmds) < 15 {
		t.Fatalf("only %d command lines found in %s: is the extraction broken?", len(cmds), docFiles)
	}
	used := map[string]bool{}
	ran := 0
	for _, c := range cmds {
		if why, ok := skippedCommands[c.line]; ok {
			used[c.line] = true
			t.Logf("skipped %s: %s (%s)", c.file, c.line, why)
			continue
		}
		args := make([]string, len(c.args))
		for i, a := range c.args {
			args[i] = replacer.Replace(a)
		}
		vars := map[string]string{"JIRA_CLIENT_SECRET": clientSecret}
		for k, v := range c.vars {
			vars[k] = v
		}
		// A document adds a link a previous one added too: the later one
		// replaces it (with --discover, the id is the remote's, so tokens
		// stay).
		if len(args) > 2 && args[0] == "link" && args[1] == "add" && !strings.HasPrefix(args[2], "-") {
			_ = runCLITest(t, config, vars, "", "link", "remove", args[2])
		}
		if args[0] == "testserver" {
			runDocTestServer(t, c, args, vars)
			ran++
			continue
		}
		var out, errb strings.Builder
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: getenvFor(config, vars),
			openBrowser: func(ctx context.Context, u string) error {
				// The person, in the browser: approves as the user the
				// command names.
				user := args[slices.Index(args, "--user")+1]
				go func() { _ = approve(ctx, u, user) }()
				return nil
			}}
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		code := execute(ctx, args, e)
		cancel()
		if code != 0 {
			t.Errorf("%s: %s\nexit %d; stderr:\n%s", c.file, c.line, code, errb.String())
			continue
		}
		if c.piped && !json.Valid([]byte(out.String())) {
			t.Errorf("%s: %s\nstdout goes to another program but is not JSON: %q", c.file, c.line, out.String())
		}
		ran++
		if args[0] == "keygen" {
			// Tell Jira about us (step 2 of the setup): the consumer
			// "automation" with the public key keygen printed.
			first, _, _ := strings.Cut(out.String(), "\n")
			pub, err := signer.ParsePublicKey([]byte(first))
			if err != nil {
				t.Fatalf("keygen's first line is not a public key: %v", err)
			}
			if err := srv.AddConsumer(applinktest.Consumer{Key: "automation", PublicKey: pub, ThreeLO: true, TwoLO: true, Impersonation: true}); err != nil {
				t.Fatal(err)
			}
			writeFile(t, dir, "applink.pub.pem", first+"\n")
		}
	}
	for line := range skippedCommands {
		if !used[line] {
			t.Errorf("skippedCommands lists %q, which no document has any more: remove it", line)
		}
	}
	t.Logf("ran %d of %d command lines", ran, len(cmds))
}

// runDocTestServer runs "applink testserver ..." until it prints its URL,
// then stops it.
func runDocTestServer(t *testing.T, c docCommand, args []string, vars map[string]string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	var errb strings.Builder
	var wg sync.WaitGroup
	code := -1
	wg.Go(func() {
		defer pw.Close()
		code = execute(ctx, args, &env{stdin: strings.NewReader(""), stdout: pw, stderr: &errb, getenv: getenvFor("", vars)})
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	cancel()
	wg.Wait()
	if err != nil || !strings.HasPrefix(line, "http://127.0.0.1:") || code != 0 {
		t.Errorf("%s: %s\nfirst line %q (%v), exit %d; stderr:\n%s", c.file, c.line, line, err, code, errb.String())
	}
}

func TestShellWords(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		line  string
		words []string
		piped bool
	}{
		{`applink request --query 'jql=project = X' GET /x`, []string{"applink", "request", "--query", "jql=project = X", "GET", "/x"}, false},
		{`applink request GET /x      # impersonation, no dance`, []string{"applink", "request", "GET", "/x"}, false},
		{`applink request GET /x | jq -r .displayName`, []string{"applink", "request", "GET", "/x"}, true},
		{`A=1 applink x "a b"`, []string{"A=1", "applink", "x", "a b"}, false},
	} {
		words, piped, err := shellWords(tt.line)
		if err != nil || !slices.Equal(words, tt.words) || piped != tt.piped {
			t.Errorf("shellWords(%q) = %q, %v, %v; want %q, %v", tt.line, words, piped, err, tt.words, tt.piped)
		}
	}
	if _, _, err := shellWords(`applink 'open`); err == nil {
		t.Error("an unterminated quote is not an error")
	}
}
