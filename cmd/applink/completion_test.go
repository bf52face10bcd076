package main

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// helpFlags reads what "applink CMD -h" prints: its flags, and for a
// command with subcommands each subcommand's ("flags of link add:").
func helpFlags(t *testing.T, cmd string) (flags []string, subs map[string][]string) {
	t.Helper()
	r := runCLITest(t, "", nil, "", cmd, "-h")
	if r.code != 0 {
		t.Fatalf("%s -h: exit %d: %s", cmd, r.code, r.stderr)
	}
	flagLine := regexp.MustCompile(`^  -([A-Za-z0-9-]+)`)
	subLine := regexp.MustCompile(`^flags of ` + cmd + ` (\S+):$`)
	subs = map[string][]string{}
	cur := ""
	for _, line := range strings.Split(r.stderr, "\n") {
		if m := subLine.FindStringSubmatch(line); m != nil {
			cur = m[1]
			subs[cur] = []string{}
			continue
		}
		if m := flagLine.FindStringSubmatch(line); m != nil {
			if cur == "" {
				flags = append(flags, m[1])
			} else {
				subs[cur] = append(subs[cur], m[1])
			}
		}
	}
	return flags, subs
}

func TestCompletionCoversTheCommandTable(t *testing.T) {
	t.Parallel()
	scripts := map[string]string{}
	for _, shell := range []string{"bash", "zsh"} {
		r := runCLITest(t, "", nil, "", "completion", shell)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("completion %s: exit %d, stderr %q", shell, r.code, r.stderr)
		}
		scripts[shell] = r.stdout
	}
	word := func(f string) string {
		if len(f) == 1 {
			return "-" + f
		}
		return "--" + f
	}
	checked := 0
	for _, cmd := range commandNames() {
		flags, subs := helpFlags(t, cmd)
		for shell, script := range scripts {
			if !regexp.MustCompile(`(?m)[\s'(|]` + regexp.QuoteMeta(cmd) + `[\s:'|)]`).MatchString(script) {
				t.Errorf("%s completion lacks the command %q", shell, cmd)
			}
			for _, f := range flags {
				checked++
				if !strings.Contains(script, word(f)) {
					t.Errorf("%s completion lacks %s's flag %s", shell, cmd, word(f))
				}
			}
			for sub, fs := range subs {
				if !strings.Contains(script, sub) {
					t.Errorf("%s completion lacks the subcommand %s %s", shell, cmd, sub)
				}
				for _, f := range fs {
					checked++
					if !strings.Contains(script, word(f)) {
						t.Errorf("%s completion lacks %s %s's flag %s", shell, cmd, sub, word(f))
					}
				}
			}
		}
	}
	if checked < 50 {
		t.Errorf("only %d flags checked: the -h output was not parsed", checked)
	}
}

func TestCompletionUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"completion"}, {"completion", "fish"}, {"completion", "bash", "zsh"}} {
		checkOneLineError(t, runCLITest(t, "", nil, "", args...), exitUsage)
	}
}

// completeBash sources the bash script and completes words (the last one
// being typed), returning the candidates.
func completeBash(t *testing.T, script string, words ...string) []string {
	t.Helper()
	var quoted []string
	for _, w := range words {
		quoted = append(quoted, shellQuote(w))
		if w == "" {
			quoted[len(quoted)-1] = "''"
		}
	}
	prog := script + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" + strconv.Itoa(len(words)-1) +
		"\n_applink\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
	cmd := exec.CommandContext(t.Context(), "bash", "--norc", "--noprofile", "-c", prog)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v: %s", err, out)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" {
			got = append(got, l)
		}
	}
	return got
}

func TestBashCompletionCompletes(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	script := runCLITest(t, "", nil, "", "completion", "bash").stdout
	tests := []struct {
		words []string
		want  []string // among the candidates
		not   []string
	}{
		{words: []string{"applink", "req"}, want: []string{"request"}},
		{words: []string{"applink", ""}, want: []string{"completion", "doctor", "version", "--version"}},
		{words: []string{"applink", "request", "--li"}, want: []string{"--link"}},
		{words: []string{"applink", "request", "--"}, want: []string{"--query", "--json", "--link", "--as"}, not: []string{"--user"}},
		{words: []string{"applink", "tokens", "l"}, want: []string{"list", "ls"}},
		{words: []string{"applink", "tokens", "list", "--j"}, want: []string{"--json"}},
		{words: []string{"applink", "tokens", "revoke", "--"}, want: []string{"--link", "--user", "--json"}},
		{words: []string{"applink", "link", "add", "--pri"}, want: []string{"--primary", "--private-key"}},
		{words: []string{"applink", "completion", ""}, want: []string{"bash", "zsh"}},
		{words: []string{"applink", "doctor", "--as", ""}, not: []string{"--link"}},
	}
	for _, tt := range tests {
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

func TestZshCompletionParses(t *testing.T) {
	t.Parallel()
	zsh, err := exec.LookPath("zsh")
	if err != nil {
		t.Skip("no zsh")
	}
	script := runCLITest(t, "", nil, "", "completion", "zsh").stdout
	f := writeFile(t, t.TempDir(), "_applink", script)
	if out, err := exec.CommandContext(t.Context(), zsh, "-n", f).CombinedOutput(); err != nil {
		t.Errorf("zsh -n: %v: %s", err, out)
	}
}
