//go:build unix

package fileread

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
)

// TestReadFileFIFO: a named pipe with no writer is refused at once; the
// test would hang without the check (the go test timeout catches it).
func TestReadFileFIFO(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	_, err := ReadFile(path, 1<<20)
	var nr *NotRegularError
	if !errors.As(err, &nr) {
		t.Fatalf("ReadFile(FIFO) = %v, want *NotRegularError", err)
	}
	if want := path + " is a named pipe (FIFO), not a regular file"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

// TestOpenRegularFIFO: a named pipe swapped in between Open's check and
// its open does not block the open either.
func TestOpenRegularFIFO(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	f, _, err := openRegular(path)
	var nr *NotRegularError
	if !errors.As(err, &nr) {
		if f != nil {
			f.Close()
		}
		t.Fatalf("openRegular(FIFO) = %v, want *NotRegularError", err)
	}
}
