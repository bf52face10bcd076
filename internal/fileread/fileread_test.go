package fileread

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, []byte("0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(small, 10)
	if err != nil {
		t.Fatalf("ReadFile at the limit: %v", err)
	}
	if diff := cmp.Diff("0123456789", string(got)); diff != "" {
		t.Errorf("content (-want +got):\n%s", diff)
	}
	_, err = ReadFile(small, 9)
	var tl *TooLargeError
	if !errors.As(err, &tl) || *tl != (TooLargeError{Path: small, Limit: 9}) {
		t.Errorf("ReadFile over the limit: %v, want *TooLargeError{%s, 9}", err, small)
	}
	if !strings.Contains(err.Error(), small) || !strings.Contains(err.Error(), "9 bytes") {
		t.Errorf("error %q does not name the file and the limit", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing"), 10); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile(missing) = %v, want fs.ErrNotExist", err)
	}
	_, err = ReadFile(dir, 10)
	var nr *NotRegularError
	if !errors.As(err, &nr) || !strings.Contains(err.Error(), "a directory") {
		t.Errorf("ReadFile(a directory) = %v, want *NotRegularError saying a directory", err)
	}
}

func TestReadFileDevice(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no /dev/zero")
	}
	_, err := ReadFile("/dev/zero", 1<<20)
	var nr *NotRegularError
	if !errors.As(err, &nr) {
		t.Fatalf("ReadFile(/dev/zero) = %v, want *NotRegularError", err)
	}
	if want := "/dev/zero is a character device, not a regular file"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestSize(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{16 << 20: "16 MiB", 4 << 10: "4 KiB", 1000: "1000 bytes", 1<<20 + 1: "1048577 bytes"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestReadSecret: a private file is read; one others may access is refused
// with the chmod that fixes it, a directory and a large file with what to
// do; no error quotes the file.
func TestReadSecret(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string, mode os.FileMode) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		return path
	}
	if data, err := ReadSecret(write("ok", "s3cret-TEST-ONLY\n", 0o600), "the secret", 64); err != nil || string(data) != "s3cret-TEST-ONLY\n" {
		t.Errorf("ReadSecret of a private file = %q, %v", data, err)
	}
	cases := map[string]string{
		write("large", strings.Repeat("s3cret-TEST-ONLY", 5), 0o600): "should hold the secret alone",
		dir: "put the secret in a regular file",
	}
	if runtime.GOOS != "windows" {
		loose := write("loose file", "s3cret-TEST-ONLY", 0o640)
		cases[loose] = "mode 0640, so other users may read the secret; run: chmod 600 '" + loose + "'"
	}
	for path, want := range cases {
		_, err := ReadSecret(path, "the secret", 64)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("ReadSecret(%s) = %v, want an error saying %q", path, err, want)
		}
	}
}
