package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/applinktest"
)

// TestCompleteWords: "applink __complete" lists the config's link names and
// the users with a stored token, of one link with --link.
func TestCompleteWords(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t)
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-complete", ThreeLO: true}, "3lo")
	r := runCLITest(t, config, nil, "", "link", "add", "anon", "--url", "http://127.0.0.1:1", "--type", "generic", "--auth", "anonymous", "--consumer-key", "none")
	if r.code != 0 {
		t.Fatalf("link add anon: %s", r.stderr)
	}
	now := time.Now()
	putToken(t, config, "jira", "bob", "S", now)
	putToken(t, config, "jira", "alice", "S", now)

	for _, tt := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"links"}, "jira\nanon\n", 0},
		{[]string{"users"}, "alice\nbob\n", 0},
		{[]string{"users", "--link", "jira"}, "alice\nbob\n", 0},
		{[]string{"users", "--link", "anon"}, "", 0},
		{[]string{"users", "--link", "nope"}, "", exitFailure},
		{[]string{"branches"}, "", exitFailure},
		{nil, "", exitFailure},
	} {
		r := runCLITest(t, config, nil, "", append([]string{completeCommand}, tt.args...)...)
		if r.code != tt.code || r.stdout != tt.want || r.stderr != "" {
			t.Errorf("__complete %q: exit %d, stdout %q, stderr %q; want exit %d, %q and nothing on stderr", tt.args, r.code, r.stdout, r.stderr, tt.code, tt.want)
		}
	}
	// Another config: its own links.
	other := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-complete-2", ThreeLO: true}, "3lo")
	if r := runCLITest(t, config, nil, "", completeCommand, "users", "--config", other); r.stdout != "" {
		t.Errorf("__complete users --config OTHER: %q, want no users", r.stdout)
	}
	// Hidden: not among the commands help lists.
	if r := runCLITest(t, "", nil, "", "help"); strings.Contains(r.stdout, completeCommand) {
		t.Errorf("help lists %s", completeCommand)
	}
}

// TestBashCompletionCompletesLinksAndUsers: the bash script asks
// "applink __complete" for link names after --link and for a link NAME,
// and for users after --as and --user, passing on --config and --link.
func TestBashCompletionCompletesLinksAndUsers(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	// A stand-in for the installed command: it answers as __complete does,
	// and echoes its arguments as one more candidate.
	stub := `applink() {
  case $2 in
  links) printf 'jira\nci\n' ;;
  users) printf 'alice\nbob\n' ;;
  esac
  (IFS=_; echo "ARGS_$*")
}
`
	script := stub + runCLITest(t, "", nil, "", "completion", "bash").stdout
	for _, tt := range []struct {
		words []string
		want  []string
		not   []string
	}{
		{words: []string{"applink", "request", "--link", ""}, want: []string{"jira", "ci", "ARGS___complete_links"}},
		{words: []string{"applink", "request", "--link", "j"}, want: []string{"jira"}, not: []string{"ci"}},
		{words: []string{"applink", "request", "--link", "jira", "--as", ""}, want: []string{"alice", "bob", "ARGS___complete_users_--link_jira"}},
		{words: []string{"applink", "tokens", "revoke", "--config", "/c.json", "--link", "ci", "--user", "a"}, want: []string{"alice"}, not: []string{"bob"}},
		{words: []string{"applink", "tokens", "revoke", "--config", "/c.json", "--link", "ci", "--user", ""}, want: []string{"ARGS___complete_users_--config_/c.json_--link_ci"}},
		{words: []string{"applink", "link", "show", ""}, want: []string{"jira", "ci"}},
		{words: []string{"applink", "link", "rename", "c"}, want: []string{"ci"}},
		{words: []string{"applink", "link", "show", "--"}, want: []string{"--json"}, not: []string{"jira"}},
		{words: []string{"applink", "link", "add", ""}, not: []string{"jira"}},
		{words: []string{"applink", "doctor", "--link", ""}, want: []string{"jira", "ci"}},
	} {
		got := completeBash(t, script, tt.words...)
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("completing %q: %q lacks %q", tt.words, got, w)
			}
		}
		for _, w := range tt.not {
			if slices.Contains(got, w) {
				t.Errorf("completing %q: %q has %q", tt.words, got, w)
			}
		}
	}
}

// TestZshCompletionAsksForLinksAndUsers: in the zsh script, --link, --as,
// --user and a link NAME complete with "applink __complete", which gets the
// --config and --link typed so far.
func TestZshCompletionAsksForLinksAndUsers(t *testing.T) {
	t.Parallel()
	zsh, err := exec.LookPath("zsh")
	if err != nil {
		t.Skip("no zsh")
	}
	script := runCLITest(t, "", nil, "", "completion", "zsh").stdout
	for _, want := range []string{
		`'--link=[`, `]:link:_applink_words links'`,
		`]:as:_applink_words users'`, `]:user:_applink_words users'`,
		`'*:argument:_applink_words links'`,
	} {
		if !strings.Contains(script, want) {
			t.Errorf("zsh script lacks %q", want)
		}
	}
	// The helper, with compadd and the command stubbed.
	prog := "compdef() { :; }\n" + script + `
applink() { print -r -- "ARGS:$*"; case $2 in links) print -l jira ci ;; users) print -l alice bob ;; esac }
compadd() { [[ $1 == -a ]] && print -l -- ${(P)2} }
words=(request --config /c.json --link jira --as '')
CURRENT=6
_applink_words users
`
	f := writeFile(t, t.TempDir(), "prog.zsh", prog)
	out, err := exec.CommandContext(t.Context(), zsh, "-f", f).CombinedOutput()
	if err != nil {
		t.Fatalf("zsh: %v: %s", err, out)
	}
	got := strings.Fields(string(out))
	for _, want := range []string{"ARGS:__complete", "users", "--config", "/c.json", "--link", "jira", "alice", "bob"} {
		if !slices.Contains(got, want) {
			t.Errorf("zsh _applink_words users: %q lacks %q", got, want)
		}
	}
}
