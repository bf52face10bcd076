package applink

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/filestore"
	"github.com/go-applinks/applinks/applink/token"

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
// refused by filestore.Open at once (it used to open the file before
// checking, which waits for a writer on a FIFO).
func TestFileTokenStoreNotARegularFile(t *testing.T) {
	t.Parallel()
	for name, path := range specialFiles(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := filestore.Open(path)
			var nr *fileread.NotRegularError
			if !errors.As(err, &nr) {
				t.Fatalf("filestore.Open(%s) = %v, want a not-a-regular-file error", path, err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name %s", err, path)
			}
		})
	}
}

// TestOAuth2ClientSecretFile: an OAuth 2.0 link's client secret file is
// read like every other secret file. A FIFO, a device or a directory is
// refused at once (a FIFO with no writer used to hang NewService, beyond
// the reach of a signal); a file other users may read is refused with the
// chmod that fixes it; a private regular file is read.
func TestOAuth2ClientSecretFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, mode os.FileMode) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte("s3cret-TEST-ONLY\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		return path
	}
	newService := func(t *testing.T, path string) error {
		t.Helper()
		l := Link{ID: testLinkID, Name: "jira", Type: TypeJira, RPCURL: "https://jira.example.com", Auth: []Auth{AuthOAuth2},
			OAuth2: &OAuth2Client{ClientID: "id", ClientSecretFile: path, RedirectURL: "https://app.example.com/cb"}}
		done := make(chan error, 1)
		go func() {
			_, err := NewService([]Link{l}, WithTokenStore(token.NewMemoryStore()))
			done <- err
		}()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatalf("NewService with the client secret file %s still blocks after 10s", path)
			return nil
		}
	}
	for name, path := range specialFiles(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := newService(t, path)
			var nr *fileread.NotRegularError
			var fe *FieldError
			if !errors.As(err, &nr) || !errors.As(err, &fe) || fe.Field != "oauth2.clientSecretFile" {
				t.Fatalf("NewService = %v, want a not-a-regular-file *FieldError on oauth2.clientSecretFile", err)
			}
			for _, want := range []string{path, "regular file"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
	if runtime.GOOS != "windows" {
		for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660} {
			t.Run(fmt.Sprintf("mode %04o", mode), func(t *testing.T) {
				t.Parallel()
				path := write(fmt.Sprintf("secret-%04o", mode), mode)
				err := newService(t, path)
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Field != "oauth2.clientSecretFile" {
					t.Fatalf("NewService = %v, want a *FieldError on oauth2.clientSecretFile", err)
				}
				for _, want := range []string{path, fmt.Sprintf("mode %04o", mode), "chmod 600 " + path} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not contain %q", err, want)
					}
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("error %q quotes the secret", err)
				}
			})
		}
	}
	t.Run("mode 0600", func(t *testing.T) {
		t.Parallel()
		if err := newService(t, write("secret-0600", 0o600)); err != nil {
			t.Errorf("NewService with a private secret file: %v", err)
		}
	})
	t.Run("mode 0400", func(t *testing.T) {
		t.Parallel()
		if err := newService(t, write("secret-0400", 0o400)); err != nil {
			t.Errorf("NewService with a read-only private secret file: %v", err)
		}
	})
}
