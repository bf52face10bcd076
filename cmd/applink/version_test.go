package main

import (
	"encoding/json"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		want buildVersion
		line string
	}{
		{
			name: "installed",
			bi: &debug.BuildInfo{GoVersion: "go1.26.8", Path: "github.com/go-applinks/applinks/cmd/applink",
				Main: debug.Module{Path: "github.com/go-applinks/applinks", Version: "v0.2.0"}},
			want: buildVersion{Module: "github.com/go-applinks/applinks", Version: "v0.2.0", GoVersion: "go1.26.8"},
			line: "applink v0.2.0 (github.com/go-applinks/applinks), go1.26.8",
		},
		{
			name: "checkout",
			bi: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/go-applinks/applinks", Version: "(devel)"},
				Settings: []debug.BuildSetting{
					{Key: "vcs", Value: "git"},
					{Key: "vcs.revision", Value: "025d36d6f1e2a3b4c5d6e7f8091a2b3c4d5e6f70"},
					{Key: "vcs.time", Value: "2026-11-28T04:40:32Z"},
					{Key: "vcs.modified", Value: "true"},
				}},
			want: buildVersion{Module: "github.com/go-applinks/applinks", Version: "(devel)", Revision: "025d36d6f1e2a3b4c5d6e7f8091a2b3c4d5e6f70",
				Time: "2026-11-28T04:40:32Z", Modified: true, GoVersion: "go1.26.8"},
			line: "applink (devel) (github.com/go-applinks/applinks), revision 025d36d6f1e2a3b4c5d6e7f8091a2b3c4d5e6f70 (2026-11-28T04:40:32Z, modified), go1.26.8",
		},
		{
			name: "no main module version",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Path: "command-line-arguments"},
			want: buildVersion{Module: "command-line-arguments", Version: "(devel)", GoVersion: "go1.26.8"},
			line: "applink (devel) (command-line-arguments), go1.26.8",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := readVersion(func() (*debug.BuildInfo, bool) { return tt.bi, true })
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("readVersion (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.line, got.String()); diff != "" {
				t.Errorf("String (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := readVersion(func() (*debug.BuildInfo, bool) { return nil, false }); err == nil {
		t.Error("readVersion without build information: no error")
	}
}

func TestVersionCommand(t *testing.T) {
	t.Parallel()
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/go-applinks/applinks", Version: "v0.2.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}}}
	run := func(args ...string) result {
		var out, errb strings.Builder
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: getenvFor("", nil),
			buildInfo: func() (*debug.BuildInfo, bool) { return bi, true }}
		code := execute(t.Context(), args, e)
		return result{code: code, stdout: out.String(), stderr: errb.String()}
	}
	const line = "applink v0.2.0 (github.com/go-applinks/applinks), revision abc123, go1.26.8\n"
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		r := run(args...)
		if r.code != 0 || r.stdout != line || r.stderr != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q", args, r.code, r.stdout, r.stderr, line)
		}
	}
	r := run("version", "--json")
	var got buildVersion
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 {
		t.Fatalf("version --json: exit %d, %v: %q", r.code, err, r.stdout)
	}
	var raw map[string]any
	_ = json.Unmarshal([]byte(r.stdout), &raw)
	want := map[string]any{"module": "github.com/go-applinks/applinks", "version": "v0.2.0", "revision": "abc123", "goVersion": "go1.26.8"}
	if diff := cmp.Diff(want, raw); diff != "" {
		t.Errorf("version --json (-want +got):\n%s", diff)
	}
	checkOneLineError(t, run("version", "extra"), exitUsage)
}

// The real build information of the test binary: a module path and the Go
// version, whatever the version control state.
func TestVersionReadsBuildInfo(t *testing.T) {
	t.Parallel()
	r := runCLITest(t, "", nil, "", "version", "--json")
	var got buildVersion
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 {
		t.Fatalf("version --json: exit %d, %v: stdout %q, stderr %q", r.code, err, r.stdout, r.stderr)
	}
	if got.Module == "" || got.Version == "" || !strings.HasPrefix(got.GoVersion, "go") {
		t.Errorf("version from debug.ReadBuildInfo = %+v: want a module, a version and a Go version", got)
	}
}
