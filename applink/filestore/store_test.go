package filestore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/testclock"
	"github.com/google/go-cmp/cmp"
)

// newFileStore opens a store on a fresh file in a temporary directory.
func newFileStore(t *testing.T, clock *testclock.Clock) token.Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "tokens.json"), WithClock(clock.Now))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// skipIfNoUnixModes skips tests of permission bits where the platform has
// none.
func skipIfNoUnixModes(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix permission bits")
	}
}

// writeTokenFile writes data as a private token file and returns its path.
func writeTokenFile(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tokens.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFileTokenStoreCreatesPrivateFile(t *testing.T) {
	t.Parallel()
	skipIfNoUnixModes(t)
	dir := filepath.Join(t.TempDir(), "config", "applink")
	path := filepath.Join(dir, "tokens.json")
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	if err := s.PutAccessToken(t.Context(), token.Key{LinkID: "l", User: "u"}, token.NewAccessToken("t", "s")); err != nil {
		t.Fatalf("PutAccessToken: %v", err)
	}
	for _, c := range []struct {
		path string
		want fs.FileMode
	}{{dir, 0o700}, {path, 0o600}, {path + ".lock", 0o600}} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != c.want {
			t.Errorf("mode of %s = %04o, want %04o", c.path, got, c.want)
		}
	}
}

func TestFileTokenStoreRefusesSharedFile(t *testing.T) {
	t.Parallel()
	skipIfNoUnixModes(t)
	for _, mode := range []fs.FileMode{0o644, 0o640, 0o604, 0o620, 0o602, 0o666, 0o700 | 0o007} {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile("testdata/tokens-v1.json")
			if err != nil {
				t.Fatal(err)
			}
			path := writeTokenFile(t, data)
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			_, err = Open(path)
			var pe *PermissionError
			if !errors.As(err, &pe) {
				t.Fatalf("Open error = %v, want *PermissionError", err)
			}
			if diff := cmp.Diff(&PermissionError{Path: path, Mode: mode}, pe); diff != "" {
				t.Errorf("PermissionError (-want +got):\n%s", diff)
			}
			if want := "chmod 600 " + path; !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not give the command %q", err, want)
			}
			assertFileUnchanged(t, path, data)
		})
	}
}

func TestFileTokenStoreRefusesFileMadeShared(t *testing.T) {
	t.Parallel()
	skipIfNoUnixModes(t)
	ctx := t.Context()
	s := newFileStore(t, testclock.New(testclock.Start)).(*Store)
	key := token.Key{LinkID: "l", User: "u"}
	if err := s.PutAccessToken(ctx, key, token.NewAccessToken("t", "s")); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(s.Path(), 0o644); err != nil {
		t.Fatal(err)
	}
	var pe *PermissionError
	if _, err := s.AccessToken(ctx, key); !errors.As(err, &pe) {
		t.Errorf("token.AccessToken error = %v, want *PermissionError", err)
	}
	if err := s.PutAccessToken(ctx, key, token.NewAccessToken("t2", "s2")); !errors.As(err, &pe) {
		t.Errorf("PutAccessToken error = %v, want *PermissionError", err)
	}
	assertFileUnchanged(t, s.Path(), data)
}

func TestFilePermissionErrorQuotesPath(t *testing.T) {
	t.Parallel()
	tests := []struct{ path, want string }{
		{"/home/alice/.config/applink/tokens.json", "chmod 600 /home/alice/.config/applink/tokens.json"},
		{"/home/a b/it's.json", `chmod 600 '/home/a b/it'\''s.json'`},
		{"/tmp/$(rm -rf ~)", `chmod 600 '/tmp/$(rm -rf ~)'`},
	}
	for _, tt := range tests {
		err := &PermissionError{Path: tt.path, Mode: 0o644}
		if !strings.HasSuffix(err.Error(), tt.want) {
			t.Errorf("Error() = %q, want it to end with %q", err.Error(), tt.want)
		}
		if !strings.Contains(err.Error(), "0644") {
			t.Errorf("Error() = %q, want it to give the mode 0644", err.Error())
		}
	}
}

// assertFileUnchanged fails if the file at path no longer holds want.
func assertFileUnchanged(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("token file: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("token file %s was changed:\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

func TestFileTokenStoreCorruptFile(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"not JSON":          "tokens, please",
		"top-level array":   "[]",
		"null":              "null",
		"no version":        `{"accessTokens":[]}`,
		"version as string": `{"version":"1"}`,
		"trailing data":     `{"version":1} {"version":1}`,
		"no link id":        `{"version":1,"accessTokens":[{"user":"u","token":"t"}]}`,
		"no user":           `{"version":1,"accessTokens":[{"linkId":"l","token":"t"}]}`,
		"no token":          `{"version":1,"accessTokens":[{"linkId":"l","user":"u"}]}`,
		"no request token":  `{"version":1,"requestTokens":[{"secret":"s"}]}`,
		"repeated request":  `{"version":1,"requestTokens":[{"token":"r"},{"token":"r"}]}`,
		"year out of range": `{"version":1,"requestTokens":[{"token":"r","expiresAt":"0000-01-01T00:00:00+01:00"}]}`,
	}
	files, err := filepath.Glob("testdata/tokens-corrupt-*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corrupt token files in testdata: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tests[filepath.Base(f)] = string(data)
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := writeTokenFile(t, []byte(data))
			_, err := Open(path)
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("Open error = %v, want *CorruptError", err)
			}
			if ce.Path != path || ce.Err == nil {
				t.Errorf("CorruptError{Path: %q, Err: %v}, want Path %q and a cause", ce.Path, ce.Err, path)
			}
			msg := err.Error()
			for _, want := range []string{path, "move it aside or delete it"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
			if strings.Contains(msg, "SECRET") || strings.Contains(msg, "12345") {
				t.Errorf("error %q quotes the file's content", msg)
			}
			assertFileUnchanged(t, path, []byte(data))
		})
	}
}

func TestFileTokenStoreCorruptedAfterOpen(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := newFileStore(t, testclock.New(testclock.Start)).(*Store)
	key := token.Key{LinkID: "l", User: "u"}
	if err := s.PutAccessToken(ctx, key, token.NewAccessToken("t", "s")); err != nil {
		t.Fatal(err)
	}
	corrupt := []byte(`{"version":1,"accessTokens":[{"linkId":"l"`)
	if err := os.WriteFile(s.Path(), corrupt, 0o600); err != nil {
		t.Fatal(err)
	}
	var ce *CorruptError
	if _, err := s.AccessToken(ctx, key); !errors.As(err, &ce) {
		t.Errorf("token.AccessToken error = %v, want *CorruptError", err)
	}
	if err := s.PutAccessToken(ctx, key, token.NewAccessToken("t2", "s2")); !errors.As(err, &ce) {
		t.Errorf("PutAccessToken error = %v, want *CorruptError", err)
	}
	if err := s.DeleteAccessToken(ctx, key); !errors.As(err, &ce) {
		t.Errorf("DeleteAccessToken error = %v, want *CorruptError", err)
	}
	assertFileUnchanged(t, s.Path(), corrupt)
}

func TestFileTokenStoreEmptyFile(t *testing.T) {
	t.Parallel()
	path := writeTokenFile(t, nil)
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open on an empty file: %v", err)
	}
	keys, err := s.AccessTokens(t.Context())
	if err != nil || len(keys) != 0 {
		t.Errorf("AccessTokens = %v, %v; want none", keys, err)
	}
	if err := s.PutAccessToken(t.Context(), token.Key{LinkID: "l", User: "u"}, token.NewAccessToken("t", "s")); err != nil {
		t.Errorf("PutAccessToken: %v", err)
	}
}

// TestTokenFileFormat pins the file format: testdata/tokens-v1.json reads
// as these tokens and is written back byte for byte.
func TestTokenFileFormat(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/tokens-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	set, err := decodeTokenFile(data)
	if err != nil {
		t.Fatalf("decodeTokenFile: %v", err)
	}
	alice := token.NewAccessToken("access-token-TEST-ONLY-alice", "access-secret-TEST-ONLY-alice")
	alice.ExpiresAt = time.Date(2031, 3, 1, 12, 0, 0, 0, time.UTC)
	alice.SessionHandle = token.NewSecret("session-handle-TEST-ONLY-alice")
	alice.AuthorizationExpiresAt = time.Date(2036, 3, 1, 12, 0, 0, 0, time.UTC)
	alice.CreatedAt = time.Date(2026, 3, 1, 12, 0, 0, 5e8, time.UTC)
	alice2 := token.NewAccessToken("access-token-TEST-ONLY-alice-2", "access-secret-TEST-ONLY-alice-2")
	alice2.ExpiresAt = time.Date(2031, 3, 1, 12, 0, 0, 0, time.UTC)
	req := token.NewRequestToken("request-token-TEST-ONLY-1", "request-secret-TEST-ONLY-1")
	req.LinkID, req.User, req.Callback = "8d3a1e4c-1111-4b6e-9f00-000000000001", "carol", "oob"
	req.ExpiresAt = time.Date(2031, 3, 1, 12, 10, 0, 0, time.UTC)
	req.CreatedAt = time.Date(2031, 3, 1, 12, 0, 0, 0, time.UTC)
	want := &token.Set{
		Access: map[token.Key]*token.AccessToken{
			{LinkID: "8d3a1e4c-1111-4b6e-9f00-000000000001", User: "alice"}: alice,
			{LinkID: "8d3a1e4c-1111-4b6e-9f00-000000000001", User: "bob"}:   token.NewAccessToken("access-token-TEST-ONLY-bob", ""),
			{LinkID: "8d3a1e4c-2222-4b6e-9f00-000000000002", User: "alice"}: alice2,
		},
		Requests: map[string]*token.RequestToken{req.Token: req},
		Dances: map[string]*token.PendingDance{"dance-state-TEST-ONLY-1": {
			State: token.NewSecret("dance-state-TEST-ONLY-1"), User: "carol", LinkID: "8d3a1e4c-1111-4b6e-9f00-000000000001",
			RequestToken: req.Token, Redirect: "/projects?x=1", ExpiresAt: req.ExpiresAt, CreatedAt: req.CreatedAt,
		}},
	}
	if diff := cmp.Diff(want, set); diff != "" {
		t.Errorf("decoded tokens (-want +got):\n%s", diff)
	}
	out, err := encodeTokenFile(set, "")
	if err != nil {
		t.Fatalf("encodeTokenFile: %v", err)
	}
	if diff := cmp.Diff(string(data), string(out)); diff != "" {
		t.Errorf("re-encoded file differs from testdata/tokens-v1.json (-want +got):\n%s", diff)
	}
}

func TestFileTokenStoreSharedBetweenStores(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "tokens.json")
	a, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	key := token.Key{LinkID: "l", User: "u"}
	if err := a.PutAccessToken(ctx, key, token.NewAccessToken("t", "s")); err != nil {
		t.Fatal(err)
	}
	if got, err := b.AccessToken(ctx, key); err != nil || got.Token != "t" {
		t.Errorf("second store: token.AccessToken = %v, %v; want the first store's token", got, err)
	}
	if err := b.DeleteAccessToken(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AccessToken(ctx, key); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("first store after the second deleted: error = %v, want token.ErrNotFound (no stale cache)", err)
	}
}

func TestFileTokenStoreNoWriteWithoutChange(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := newFileStore(t, testclock.New(testclock.Start)).(*Store)
	if err := s.DeleteAccessToken(ctx, token.Key{LinkID: "l", User: "u"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRequestToken(ctx, "r"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.Path()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("token file exists after deleting absent tokens (stat: %v); want no write", err)
	}
}

func TestFileTokenStoreNotAFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := Open(dir)
	if err == nil {
		t.Fatal("Open(a directory) = nil error, want one")
	}
	var ce *CorruptError
	if errors.As(err, &ce) {
		t.Errorf("error = %v, a *CorruptError; want a plain error (a directory is not corrupt)", err)
	}
	if _, err := Open(""); err == nil {
		t.Error(`Open("") = nil error, want one`)
	}
}

func TestFileTokenStoreRelativePath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	s, err := Open(filepath.Join("sub", "tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(s.Path()) {
		t.Errorf("Path() = %q, want an absolute path", s.Path())
	}
	if got := s.String(); got != "filestore.Store("+s.Path()+")" {
		t.Errorf("String() = %q", got)
	}
}

func TestFileTokenStoreRemovesStaleTemps(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	path := filepath.Join(dir, "tokens.json")
	stale := filepath.Join(dir, ".tokens.json.tmp-12345")
	if err := os.WriteFile(stale, []byte("half a file"), 0o600); err != nil {
		t.Fatal(err)
	}
	unrelated := filepath.Join(dir, ".other.json.tmp-1")
	if err := os.WriteFile(unrelated, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := s.PutRequestToken(ctx, token.NewRequestToken(string(rune('a'+i)), "s")); err != nil {
			t.Fatal(err)
		}
	}
	temps, err := filepath.Glob(filepath.Join(dir, ".tokens.json.tmp-*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(temps) != 0 {
		t.Errorf("temporary files left: %v", temps)
	}
	if _, err := os.Stat(unrelated); err != nil {
		t.Errorf("another file's temporary file was removed: %v", err)
	}
}

func TestFileTokenStoreLockHonorsContext(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tokens.json")
	key := token.Key{LinkID: "l", User: "u"}
	synctest.Test(t, func(t *testing.T) {
		holder, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		waiter, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		unlock, err := holder.lock(t.Context())
		if err != nil {
			t.Fatalf("lock: %v", err)
		}

		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		if err := waiter.PutAccessToken(ctx, key, token.NewAccessToken("t", "s")); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("PutAccessToken while locked: error = %v, want context.DeadlineExceeded", err)
		}

		done := make(chan error, 1)
		go func() { done <- waiter.PutAccessToken(t.Context(), key, token.NewAccessToken("t", "s")) }()
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("PutAccessToken returned %v while another store held the lock", err)
		default:
		}
		unlock()
		if err := <-done; err != nil {
			t.Errorf("PutAccessToken after unlock: %v", err)
		}
		if got, err := holder.AccessToken(t.Context(), key); err != nil || got.Token != "t" {
			t.Errorf("token.AccessToken = %v, %v; want the waiter's token", got, err)
		}
	})
}

func FuzzFileTokenStoreLoad(f *testing.F) {
	seeds, err := filepath.Glob("testdata/tokens-*.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{"", "{}", "null", "[]", `{"version":1}`, `{"version":1,"accessTokens":null}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := writeTokenFile(t, data)
		s, err := Open(path)
		if err != nil {
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("Open error = %v, want nil or *CorruptError", err)
			}
			assertFileUnchanged(t, path, data)
			return
		}
		if _, err := s.AccessTokens(t.Context()); err != nil {
			t.Fatalf("AccessTokens after a successful open: %v", err)
		}
		// What was read is written back and reads as the same tokens.
		set, err := decodeTokenFile(data)
		if err != nil {
			t.Fatalf("decodeTokenFile after a successful open: %v", err)
		}
		out, err := encodeTokenFile(set, "")
		if err != nil {
			t.Fatalf("encodeTokenFile: %v", err)
		}
		again, err := decodeTokenFile(out)
		if err != nil {
			t.Fatalf("decodeTokenFile of what encodeTokenFile wrote: %v\n%s", err, out)
		}
		if diff := cmp.Diff(set, again); diff != "" {
			t.Errorf("tokens changed through a write and read (-read +reread):\n%s", diff)
		}
	})
}

func TestFileTokenStoreFollowsSymlink(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	dir := t.TempDir()
	target := filepath.Join(dir, "dotfiles", "tokens.json")
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "tokens.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	s, err := Open(link)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutAccessToken(t.Context(), token.Key{LinkID: "l", User: "u"}, token.NewAccessToken("t", "s")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(link)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("%s is no longer a symbolic link (mode %s)", link, fi.Mode())
	}
	data, err := os.ReadFile(target)
	if err != nil || !bytes.Contains(data, []byte(`"token": "t"`)) {
		t.Errorf("link target holds %q, %v; want the token", data, err)
	}
}

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "applink-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	// The applink command uses ~/.config/applink/tokens.json.
	store, err := Open(filepath.Join(dir, "applink", "tokens.json"))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	key := token.Key{LinkID: "8d3a1e4c-1111-4b6e-9f00-000000000001", User: "alice"}
	if err := store.PutAccessToken(ctx, key, token.NewAccessToken("token-value", "token-secret")); err != nil {
		panic(err)
	}
	tok, err := store.AccessToken(ctx, key)
	if err != nil {
		panic(err)
	}
	fmt.Println(tok)
	if _, err := store.AccessToken(ctx, token.Key{LinkID: key.LinkID, User: "bob"}); errors.Is(err, token.ErrNotFound) {
		fmt.Println("bob has no token: authorize him first")
	}
	// Output:
	// AccessToken(toke…, no expiry, secret redacted)
	// bob has no token: authorize him first
}

// TestFileStorePurgesExpiredRequestTokens: the file store drops an expired
// request token at the next write, so that turning the clock back does not
// bring it back (abandoned dances do not pile up).
func TestFileStorePurgesExpiredRequestTokens(t *testing.T) {
	t.Parallel()
	clock := testclock.New(testclock.Start)
	s := newFileStore(t, clock)
	ctx := t.Context()
	old := token.NewRequestToken("old", "s")
	old.ExpiresAt = clock.Now().Add(10 * time.Minute)
	if err := s.PutRequestToken(ctx, old); err != nil {
		t.Fatal(err)
	}
	clock.Advance(10 * time.Minute)
	if err := s.PutRequestToken(ctx, token.NewRequestToken("new", "s")); err != nil {
		t.Fatal(err)
	}
	clock.Advance(-time.Minute)
	if _, err := s.RequestToken(ctx, "old"); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("RequestToken of a purged token: error = %v, want ErrNotFound", err)
	}
}
