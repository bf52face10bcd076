package config

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/go-applinks/applinks/internal/fileread"
)

// specialFiles returns paths that are not regular files, by name: a
// directory, /dev/zero and a named pipe with no writer where the platform
// has them.
func specialFiles(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{"directory": dir}
	if runtime.GOOS == "windows" {
		return files
	}
	files["/dev/zero"] = "/dev/zero"
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err == nil {
		files["FIFO"] = fifo
	} else {
		t.Logf("no FIFO: %v", err)
	}
	return files
}

// TestLoadConfigNotARegularFile: a directory, a device or a FIFO as the
// config is refused at once, naming the file and what it is; it neither
// hangs (FIFO) nor reads without end (/dev/zero).
func TestLoadConfigNotARegularFile(t *testing.T) {
	t.Parallel()
	for name, path := range specialFiles(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(path)
			var nr *fileread.NotRegularError
			if !errors.As(err, &nr) {
				t.Fatalf("Load(%s) = %v, want a not-a-regular-file error", path, err)
			}
			for _, want := range []string{path, "not a regular file", "config"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

// TestLoadConfigTooLarge: a config over the limit is refused with the file
// and the limit named; the file is sparse, so nothing large is written.
func TestLoadConfigTooLarge(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, maxConfigSize+1); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	var tl *fileread.TooLargeError
	if !errors.As(err, &tl) {
		t.Fatalf("Load = %v, want a too-large error", err)
	}
	for _, want := range []string{path, "8 MiB", "right file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	// Exactly at the limit is read (and then fails as JSON, not as size).
	if err := os.Truncate(path, maxConfigSize); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); errors.As(err, &tl) {
		t.Errorf("Load at the limit = %v, want it read", err)
	}
}
