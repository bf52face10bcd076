package applink

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
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
	if err := mkfifo(fifo); err == nil {
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
			_, err := LoadConfig(path)
			var nr *fileread.NotRegularError
			if !errors.As(err, &nr) {
				t.Fatalf("LoadConfig(%s) = %v, want a not-a-regular-file error", path, err)
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
	_, err := LoadConfig(path)
	var tl *fileread.TooLargeError
	if !errors.As(err, &tl) {
		t.Fatalf("LoadConfig = %v, want a too-large error", err)
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
	if _, err := LoadConfig(path); errors.As(err, &tl) {
		t.Errorf("LoadConfig at the limit = %v, want it read", err)
	}
}

// TestCredentialFilesNotRegularOrTooLarge: a private key or secret file
// that is a device, a FIFO or over 1 MiB is refused naming the file.
func TestCredentialFilesNotRegularOrTooLarge(t *testing.T) {
	t.Parallel()
	files := specialFiles(t)
	big := filepath.Join(t.TempDir(), "big.pem")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, fileread.MaxKeySize+1); err != nil {
		t.Fatal(err)
	}
	files["over 1 MiB"] = big
	for name, path := range files {
		for _, field := range []string{"privateKeyFile", "secretFile"} {
			t.Run(name+"/"+field, func(t *testing.T) {
				t.Parallel()
				l := Link{Name: "Jira", ConsumerKey: "k", Auth: []Auth{Auth2LO}}
				if field == "privateKeyFile" {
					l.PrivateKeyFile = path
				} else {
					l.SecretFile = path
				}
				_, err := l.newSigner()
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Field != field {
					t.Fatalf("newSigner = %v, want a *FieldError for %s", err, field)
				}
				var nr *fileread.NotRegularError
				var tl *fileread.TooLargeError
				if !errors.As(err, &nr) && !errors.As(err, &tl) {
					t.Errorf("error %v is neither not-regular nor too-large", err)
				}
				if !strings.Contains(err.Error(), path) {
					t.Errorf("error %q does not name %s", err, path)
				}
			})
		}
	}
}

// TestFileTokenStoreNotARegularFile: a FIFO or device as the token file is
// refused by OpenFileTokenStore at once (it used to open the file before
// checking, which waits for a writer on a FIFO).
func TestFileTokenStoreNotARegularFile(t *testing.T) {
	t.Parallel()
	for name, path := range specialFiles(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := OpenFileTokenStore(path)
			var nr *fileread.NotRegularError
			if !errors.As(err, &nr) {
				t.Fatalf("OpenFileTokenStore(%s) = %v, want a not-a-regular-file error", path, err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name %s", err, path)
			}
		})
	}
}
