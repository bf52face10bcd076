//go:build unix

package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestConfigNotARegularFile: --config /dev/zero or a named pipe fails at
// once with one line naming the file, instead of eating memory until the
// process dies or waiting forever for a writer.
func TestConfigNotARegularFile(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "config.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	for path, what := range map[string]string{"/dev/zero": "a character device", fifo: "a named pipe (FIFO)"} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			r := runCLITest(t, "", nil, "", "link", "list", "--config", path)
			checkOneLineError(t, r, exitFailure)
			for _, want := range []string{path, what, "not a regular file"} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr %q does not contain %q", r.stderr, want)
				}
			}
		})
	}
}
