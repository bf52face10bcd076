package appcfg

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
	"github.com/go-applinks/applinks/handler"
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

func TestExplain(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"))
	link := testlink.Bound(t, srv, "jira", testlink.WithKeyBits(1024))
	f, err := link.RequestFactory("alice")
	if err != nil {
		t.Fatal(err)
	}
	req, err := f.NewRequest(http.MethodGet, "/rest/api/2/myself")
	if err != nil {
		t.Fatal(err)
	}
	_, err = applink.Execute(t.Context(), req, handler.Discard())
	got := Explain(t.Context(), f, err)
	var cre *applink.CredentialsRequiredError
	if !errors.As(got, &cre) {
		t.Fatalf("Explain(%v) = %v, which no longer wraps *CredentialsRequiredError", err, got)
	}
	for _, want := range []string{`link "jira": user "alice" has not authorized it yet: visit ` + srv.URL + "/plugins/servlet/oauth/authorize?oauth_token=",
		`(or run: applink authorize --link "jira" --user "alice")`} {
		if !strings.Contains(got.Error(), want) {
			t.Errorf("Explain = %q, want it to contain %q", got, want)
		}
	}
	if strings.Count(got.Error(), "authoriz") != 3 { // has not authorized, the URL's path, applink authorize
		t.Errorf("Explain says authorize more than once: %q", got)
	}

	bare := &applink.CredentialsRequiredError{LinkName: "ci", User: "bob", Cause: errors.New("token_revoked")}
	if got, want := Explain(t.Context(), nil, bare).Error(), `link "ci": user "bob" must authorize it again: the remote rejected their token: run: applink authorize --link "ci" --user "bob"`; got != want {
		t.Errorf("Explain(no factory) = %q, want %q", got, want)
	}
	other := errors.New("boom")
	if got := Explain(t.Context(), f, other); got != other {
		t.Errorf("Explain(other) = %v, want it unchanged", got)
	}
}
