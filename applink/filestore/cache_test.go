package filestore

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/testclock"
	"github.com/google/go-cmp/cmp"
)

// TestFileTokenStoreReadsUnchangedFileFromCache: reads of a file that did
// not change since this store wrote or read it do not parse it again.
func TestFileTokenStoreReadsUnchangedFileFromCache(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := newFileStore(t, testclock.New(testclock.Start)).(*Store)
	key := token.Key{LinkID: "l", User: "u"}
	if err := s.PutAccessToken(ctx, key, token.NewAccessToken("t", "s")); err != nil {
		t.Fatal(err)
	}
	before := s.parses.Load()
	for range 50 {
		got, err := s.AccessToken(ctx, key)
		if err != nil || got.Token != "t" {
			t.Fatalf("token.AccessToken = %v, %v", got, err)
		}
	}
	if keys, err := s.AccessTokens(ctx); err != nil || len(keys) != 1 {
		t.Fatalf("AccessTokens = %v, %v", keys, err)
	}
	if n := s.parses.Load() - before; n != 0 {
		t.Errorf("the unchanged file was parsed %d times, want 0", n)
	}
	// A second store parses it once, then reads from its cache too.
	s2, err := Open(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if _, err := s2.AccessToken(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	if n := s2.parses.Load(); n != 1 {
		t.Errorf("a second store parsed the file %d times, want 1", n)
	}
	// A token handed out is a copy: changing it does not change the cache.
	got, _ := s.AccessToken(ctx, key)
	got.Token = "changed"
	if again, _ := s.AccessToken(ctx, key); again.Token != "t" {
		t.Errorf("changing a returned token changed the store: %q", again.Token)
	}
}

// TestFileTokenStoreCacheSeesOtherWriters: two stores on one file (as two
// processes) see each other's writes at once, and a write re-validates
// under the lock, so none is lost to a stale cache.
func TestFileTokenStoreCacheSeesOtherWriters(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	a := newFileStore(t, testclock.New(testclock.Start)).(*Store)
	b, err := Open(a.Path())
	if err != nil {
		t.Fatal(err)
	}
	k1, k2, k3 := token.Key{LinkID: "l", User: "u1"}, token.Key{LinkID: "l", User: "u2"}, token.Key{LinkID: "l", User: "u3"}
	if err := a.PutAccessToken(ctx, k1, token.NewAccessToken("t1", "s1")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AccessToken(ctx, k1); err != nil { // cached in a
		t.Fatal(err)
	}
	// b replaces k1 with a token of the same length: a sees it.
	if err := b.PutAccessToken(ctx, k1, token.NewAccessToken("T1", "S1")); err != nil {
		t.Fatal(err)
	}
	if got, err := a.AccessToken(ctx, k1); err != nil || got.Token != "T1" {
		t.Errorf("a reads k1 = %v, %v; want b's T1", got, err)
	}
	// b adds k2, then a (with k1 cached) adds k3: k2 survives.
	if err := b.PutAccessToken(ctx, k2, token.NewAccessToken("t2", "s2")); err != nil {
		t.Fatal(err)
	}
	if err := a.PutAccessToken(ctx, k3, token.NewAccessToken("t3", "s3")); err != nil {
		t.Fatal(err)
	}
	for _, st := range []*Store{a, b} {
		keys, err := st.AccessTokens(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]token.Key{k1, k2, k3}, keys); diff != "" {
			t.Errorf("%s: keys (-want +got):\n%s", st, diff)
		}
	}
	// b deletes k1: a no longer finds it.
	if err := b.DeleteAccessToken(ctx, k1); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AccessToken(ctx, k1); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("a reads deleted k1: %v, want token.ErrNotFound", err)
	}
}

// TestFileTokenStoreCacheSeesHandEdits: a file rewritten by another
// program (without a generation, or in place keeping size, generation and
// modification time) is parsed again.
func TestFileTokenStoreCacheSeesHandEdits(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := newFileStore(t, testclock.New(testclock.Start)).(*Store)
	key := token.Key{LinkID: "l", User: "u"}
	if err := s.PutAccessToken(ctx, key, token.NewAccessToken("aaaa", "s")); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if parseGeneration(data) == "" {
		t.Fatalf("the store wrote no generation:\n%s", data)
	}

	// In place, same size, same generation, modification time put back:
	// the change time (where the platform has one) still tells.
	if runtime.GOOS == "linux" || runtime.GOOS == "darwin" {
		fi, err := os.Stat(s.Path())
		if err != nil {
			t.Fatal(err)
		}
		edited := bytes.Replace(data, []byte(`"aaaa"`), []byte(`"bbbb"`), 1)
		f, err := os.OpenFile(s.Path(), os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteAt(edited, 0); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if err := os.Chtimes(s.Path(), time.Time{}, fi.ModTime()); err != nil {
			t.Fatal(err)
		}
		if got, err := s.AccessToken(ctx, key); err != nil || got.Token != "bbbb" {
			t.Errorf("after an in-place edit: %v, %v; want bbbb", got, err)
		}
	}

	// Rewritten without a generation, as an older version writes it.
	old, err := encodeTokenFile(func() *token.Set {
		set := token.NewSet()
		set.PutAccessToken(key, token.NewAccessToken("cccc", "s"))
		return set
	}(), "")
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(filepath.Dir(s.Path()), "edit.json")
	if err := os.WriteFile(tmp, old, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, s.Path()); err != nil {
		t.Fatal(err)
	}
	before := s.parses.Load()
	for range 3 {
		if got, err := s.AccessToken(ctx, key); err != nil || got.Token != "cccc" {
			t.Errorf("after a rewrite without generation: %v, %v; want cccc", got, err)
		}
	}
	if n := s.parses.Load() - before; n != 3 {
		t.Errorf("a file without generation was parsed %d times in 3 reads, want 3", n)
	}
}

func TestParseGeneration(t *testing.T) {
	t.Parallel()
	const gen = "0123456789abcdef0123456789abcdef"
	for head, want := range map[string]string{
		"{\n  \"version\": 1,\n  \"generation\": \"" + gen + "\",\n":     gen,
		"{\n  \"version\": 1,\n  \"generation\": \"" + gen[:31] + "\",":  "",
		"{\n  \"version\": 1,\n  \"generation\": \"" + gen + "0\",":      "",
		"{\n  \"version\": 1,\n  \"generation\": \"" + gen[:31] + "G\",": "",
		"{\n  \"version\": 1,\n  \"accessTokens\": []":                   "",
		"": "",
	} {
		if got := parseGeneration([]byte(head)); got != want {
			t.Errorf("parseGeneration(%q) = %q, want %q", head, got, want)
		}
	}
}
