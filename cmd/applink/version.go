package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

const versionSynopsis = `[--json]

Prints the module version of this build of applink and the version control
revision it was built from (with its time, and "modified" when the working
tree had uncommitted changes), as recorded by the Go toolchain. "applink
--version" prints the same.`

const versionExamples = `  applink version
  applink version --json | jq -r .revision
`

// buildVersion is what "applink version" reports.
type buildVersion struct {
	Module    string `json:"module"`
	Version   string `json:"version"`            // "(devel)" for a build from a checkout
	Revision  string `json:"revision,omitempty"` // VCS revision, when the build recorded it
	Time      string `json:"time,omitempty"`     // the revision's commit time (RFC 3339)
	Modified  bool   `json:"modified,omitempty"` // the working tree had uncommitted changes
	GoVersion string `json:"goVersion"`
}

// readVersion reads the build information with read (debug.ReadBuildInfo
// when nil).
func readVersion(read func() (*debug.BuildInfo, bool)) (buildVersion, error) {
	if read == nil {
		read = debug.ReadBuildInfo
	}
	bi, ok := read()
	if !ok || bi == nil {
		return buildVersion{}, fmt.Errorf("this binary carries no build information: build it with module support (go build or go install)")
	}
	v := buildVersion{Module: bi.Main.Path, Version: bi.Main.Version, GoVersion: bi.GoVersion}
	if v.Module == "" {
		v.Module = bi.Path
	}
	if v.Version == "" {
		v.Version = "(devel)"
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v, nil
}

// String is the one line "applink version" prints.
func (v buildVersion) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "applink %s (%s)", v.Version, v.Module)
	if v.Revision != "" {
		fmt.Fprintf(&b, ", revision %s", v.Revision)
		var extra []string
		if v.Time != "" {
			extra = append(extra, v.Time)
		}
		if v.Modified {
			extra = append(extra, "modified")
		}
		if len(extra) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(extra, ", "))
		}
	}
	fmt.Fprintf(&b, ", %s", v.GoVersion)
	return b.String()
}

// version prints the build's module version and VCS revision.
func (c *cli) version(_ context.Context, args []string) error {
	fs := newFlagSet("version", versionSynopsis, versionExamples, c.stderr)
	asJSON := c.jsonFlag(fs, "print the version as JSON")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	v, err := readVersion(c.buildInfo)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.stdout, v)
	}
	_, err = fmt.Fprintln(c.stdout, v)
	return err
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}
