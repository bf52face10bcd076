//go:build unix

package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadDataCapped: -d @FILE and -d @- stream files, standard input and
// named pipes (process substitution) but stop at maxBodyData, so /dev/zero
// or a runaway pipe is a clear error instead of exhausted memory.
func TestReadDataCapped(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "issue.json")
	if err := os.WriteFile(file, []byte(`{"a":1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		io.WriteString(f, "from a pipe")
	}()
	for _, tc := range []struct {
		name, d string
		stdin   io.Reader
		want    string
		wantErr string
	}{
		{"text", "x=1", nil, "x=1", ""},
		{"file", "@" + file, nil, `{"a":1}`, ""},
		{"named pipe", "@" + fifo, nil, "from a pipe", ""},
		{"stdin", "@-", strings.NewReader("in"), "in", ""},
		{"stdin too large", "@-", io.LimitReader(zeroReader{}, maxBodyData+1), "", "the body from standard input is larger than 64 MiB"},
		{"device too large", "@/dev/zero", nil, "", "the body from /dev/zero is larger than 64 MiB"},
		{"directory", "@" + dir, nil, "", "is a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &cli{stdin: tc.stdin}
			got, err := c.readData(tc.d)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("readData(%q) error = %v, want one containing %q", tc.d, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, []byte(tc.want)) {
				t.Errorf("readData(%q) = %q, want %q", tc.d, got, tc.want)
			}
		})
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }
