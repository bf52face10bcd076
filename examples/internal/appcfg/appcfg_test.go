package appcfg

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink"
)

func TestOpenErrorsSayWhatToDo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	config := filepath.Join(dir, "config.json")
	secret := filepath.Join(dir, "ci.secret")
	if err := os.WriteFile(secret, []byte("s"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := applink.Config{Links: []applink.Link{{ID: applink.NewLinkID(), Name: "ci", Type: applink.TypeJenkins,
		RPCURL: "http://127.0.0.1:1", ConsumerKey: "jira", SecretFile: secret}}}
	if err := cfg.Save(config); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, config, link string
		typ                applink.Type
		want               string
		is                 error
	}{
		{"missing config", filepath.Join(dir, "none.json"), "", applink.TypeJenkins, "'applink link add'", nil},
		{"unknown link", config, "nope", applink.TypeJenkins, "'applink link list'", applink.ErrLinkNotFound},
		{"no primary of the type", config, "", applink.TypeJira, "pass --link NAME", applink.ErrLinkNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := Open(tt.config, tt.link, tt.typ, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open: %v, want an error saying %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
		})
	}
	t.Run("from APPLINK_CONFIG", func(t *testing.T) {
		t.Parallel()
		_, l, err := Open("", "", applink.TypeJenkins, func(k string) string {
			if k == "APPLINK_CONFIG" {
				return config
			}
			return ""
		})
		if err != nil || l.Name != "ci" {
			t.Fatalf("Open = %v, %v; want the ci link", l, err)
		}
	})
}

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

// TestOpenPicksOneLink: the link is found as applink.Service finds it, and
// another link's missing secret does not stop it.
func TestOpenPicksOneLink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secret := filepath.Join(dir, "ci.secret")
	if err := os.WriteFile(secret, []byte("s"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := func(name string, typ applink.Type, primary bool, secretFile string) applink.Link {
		return applink.Link{ID: applink.NewLinkID(), Name: name, Type: typ, RPCURL: "http://127.0.0.1:1",
			ConsumerKey: "jira", SecretFile: secretFile, Primary: primary}
	}
	config := filepath.Join(dir, "config.json")
	cfg := applink.Config{Links: []applink.Link{
		link("broken", applink.TypeJenkins, false, filepath.Join(dir, "gone.secret")),
		link("ci", applink.TypeJenkins, false, secret),
		link("Build", applink.TypeBamboo, false, secret),
		link("nightly", applink.TypeBamboo, true, secret),
		link("twin", applink.TypeGeneric, false, secret),
		link("Twin", applink.TypeGeneric, false, secret),
	}}
	if err := cfg.Save(config); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, link string
		typ        applink.Type
		want       string // the link's name, or "" for an error
		is         error
	}{
		{"by name", "ci", "", "ci", nil},
		{"by name in another case", "build", "", "Build", nil},
		{"by id", cfg.Links[1].ID, "", "ci", nil},
		{"primary marked", "", applink.TypeBamboo, "nightly", nil},
		{"first of its type when none is marked", "", applink.TypeJenkins, "broken", nil},
		{"exact name before any case", "Twin", "", "Twin", nil},
		{"ambiguous in any case", "TWIN", "", "", applink.ErrAmbiguousName},
		{"unknown", "nope", "", "", applink.ErrLinkNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := pick(cfg.Links, tt.link, tt.typ)
			if tt.want == "" {
				if !errors.Is(err, tt.is) {
					t.Errorf("pick = %v, %v; want an error wrapping %v", got.Name, err, tt.is)
				}
				return
			}
			if err != nil || got.Name != tt.want {
				t.Errorf("pick = %q, %v; want %q", got.Name, err, tt.want)
			}
		})
	}
	t.Run("a broken link beside it", func(t *testing.T) {
		t.Parallel()
		if _, l, err := Open(config, "ci", "", nil); err != nil || l.Name != "ci" {
			t.Errorf("Open(ci) = %v, %v; want the ci link despite the broken one", l, err)
		}
		if _, _, err := Open(config, "broken", "", nil); err == nil || !strings.Contains(err.Error(), "gone.secret") {
			t.Errorf("Open(broken) = %v; want the missing secret file named", err)
		}
	})
}
