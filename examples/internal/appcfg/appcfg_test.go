package appcfg

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink"
)

func TestExitCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		err    error
		code   int
		stderr string
	}{
		{"success", nil, 0, ""},
		{"help", flag.ErrHelp, 0, ""},
		{"credentials required", fmt.Errorf("wrapped: %w", &applink.CredentialsRequiredError{LinkName: "ci", User: "alice"}), 3, "demo: wrapped: "},
		{"other", errors.New("boom"), 1, "demo: boom\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b strings.Builder
			if got := ExitCode(&b, "demo", tt.err); got != tt.code {
				t.Errorf("ExitCode = %d, want %d", got, tt.code)
			}
			if !strings.HasPrefix(b.String(), tt.stderr) || (tt.stderr == "") != (b.Len() == 0) {
				t.Errorf("stderr %q, want it to start with %q", b.String(), tt.stderr)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	var b strings.Builder
	fs.SetOutput(&b)
	fs.String("user", "", "the `USER`")
	Usage(fs, "--user USER", "Does a demo.")
	if err := fs.Parse([]string{"-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("Parse(-h) = %v", err)
	}
	for _, want := range []string{"usage: demo --user USER\n\nDoes a demo.\n\nflags:\n", "-user USER"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("help %q lacks %q", b.String(), want)
		}
	}
}
