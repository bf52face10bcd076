package filestore

import (
	"errors"
	"fmt"
	"github.com/go-applinks/applinks/applink/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFileTokenStoreRefusesWriteOverLimit fills a store whose limit is
// lowered to 4 KiB: the write that would cross the limit is refused with a
// *TooLargeError naming the limit and a database store, the file
// is unchanged, every stored token is still there, and the file still opens.
func TestFileTokenStoreRefusesWriteOverLimit(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	const limit = 4 << 10
	path := filepath.Join(t.TempDir(), "tokens.json")
	s, err := Open(path, withMaxFileSize(limit))
	if err != nil {
		t.Fatal(err)
	}
	var stored []token.Key
	var tooLarge *TooLargeError
	for i := range 1000 {
		key := token.Key{LinkID: "link", User: fmt.Sprintf("user-%04d", i)}
		before, _ := os.ReadFile(path)
		err := s.PutAccessToken(ctx, key, token.NewAccessToken(fmt.Sprintf("token-%04d", i), "SECRET-"+key.User))
		if err == nil {
			stored = append(stored, key)
			continue
		}
		if !errors.As(err, &tooLarge) {
			t.Fatalf("PutAccessToken #%d error = %v, want *TooLargeError", i, err)
		}
		after, rerr := os.ReadFile(path)
		if rerr != nil {
			t.Fatal(rerr)
		}
		if diff := cmp.Diff(string(before), string(after)); diff != "" {
			t.Errorf("refused write changed the token file (-before +after):\n%s", diff)
		}
		break
	}
	if tooLarge == nil {
		t.Fatalf("stored %d tokens under a %d byte limit without an error", len(stored), limit)
	}
	if len(stored) == 0 {
		t.Fatal("the first token was refused; the test limit is too small")
	}
	want := TooLargeError{Path: s.Path(), Size: tooLarge.Size, Limit: limit, Write: true}
	if diff := cmp.Diff(want, *tooLarge); diff != "" {
		t.Errorf("TooLargeError (-want +got):\n%s", diff)
	}
	if tooLarge.Size <= limit {
		t.Errorf("Size = %d, want above the limit %d", tooLarge.Size, limit)
	}
	msg := tooLarge.Error()
	for _, want := range []string{s.Path(), "4 KiB", "database token store", "applink/pgstore", "unchanged"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if strings.Contains(msg, "SECRET") || strings.Contains(msg, "delete") {
		t.Errorf("error %q quotes a secret or advises deleting the file", msg)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() > limit {
		t.Fatalf("token file: %v, %v; want at most %d bytes", fi, err, limit)
	}

	// Every token stored before the refusal is still there, through this
	// store and through a new one opened on the file.
	s2, err := Open(path, withMaxFileSize(limit))
	if err != nil {
		t.Fatalf("Open after the refusal: %v", err)
	}
	for _, st := range []*Store{s, s2} {
		keys, err := st.AccessTokens(ctx)
		if err != nil {
			t.Fatalf("AccessTokens: %v", err)
		}
		if diff := cmp.Diff(stored, keys); diff != "" {
			t.Errorf("stored tokens (-want +got):\n%s", diff)
		}
	}
	// Replacing a token by a longer one is refused too, and keeps the old.
	last := stored[len(stored)-1]
	err = s.PutAccessToken(ctx, last, token.NewAccessToken(strings.Repeat("x", limit), "s"))
	if !errors.As(err, &tooLarge) {
		t.Errorf("PutAccessToken(longer token) error = %v, want *TooLargeError", err)
	}
	if got, err := s.AccessToken(ctx, last); err != nil || !strings.HasPrefix(got.Token, "token-") {
		t.Errorf("token.AccessToken after the refused replacement = %v, %v; want the old token", got, err)
	}
	// Shrinking always works.
	if err := s.DeleteAccessToken(ctx, stored[0]); err != nil {
		t.Errorf("DeleteAccessToken at the limit: %v", err)
	}
}

// TestFileTokenStoreFileOverLimit opens a file already larger than the
// limit: it is refused as too large (not corrupt, not to be deleted) and
// left untouched.
func TestFileTokenStoreFileOverLimit(t *testing.T) {
	t.Parallel()
	const limit = 1 << 10
	data := []byte(`{"version":1,"accessTokens":[],"requestTokens":[]}` + strings.Repeat(" ", limit))
	path := writeTokenFile(t, data)
	_, err := Open(path, withMaxFileSize(limit))
	var tooLarge *TooLargeError
	if !errors.As(err, &tooLarge) {
		t.Fatalf("Open error = %v, want *TooLargeError", err)
	}
	want := TooLargeError{Path: path, Size: int64(len(data)), Limit: limit}
	if diff := cmp.Diff(want, *tooLarge); diff != "" {
		t.Errorf("TooLargeError (-want +got):\n%s", diff)
	}
	for _, want := range []string{path, "1 KiB", "left untouched", "applink/pgstore"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	assertFileUnchanged(t, path, data)
}
