package applink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/go-applinks/applinks/applink/token"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-applinks/applinks/internal/fileread"
	"github.com/go-applinks/applinks/internal/redact"
)

// MaxTokenFileSize is the largest token file a [FileTokenStore] reads, and
// so the largest it writes: a change that would make the file larger is
// refused with a [*TokenFileTooLargeError] and leaves the file as it was.
// A token takes a few hundred bytes, so the limit is reached at tens of
// thousands of users (fewer if the remote hands out long session handles);
// well before that, use a database token store such as applink/pgstore.
const MaxTokenFileSize = 16 << 20

// FileTokenStore is a [token.Store] that keeps tokens in one JSON file. It is
// the embedded default: the applink command uses
// ~/.config/applink/tokens.json. Use [OpenFileTokenStore].
//
// The file holds token secrets, so it is created with mode 0600 (its
// directory, if missing, with 0700) and the store refuses to read it when
// other users may access it, returning a [*FilePermissionError] that gives
// the chmod command to run. Every change takes an exclusive lock on the
// sidecar file "<path>.lock", re-reads the file, applies the change and
// replaces the file atomically (a temporary file in the same directory,
// fsync, rename, fsync of the directory), so several processes can share
// one token file without losing writes, and a crash leaves either the old
// file or the new one. Reads need no lock: they always see a whole file.
//
// The tokens last read or written are kept in memory and used again while
// the file is unchanged: same size, modification and change times, inode,
// and the random generation each write puts in the file. Every operation
// checks this (a stat and a read of the file's first bytes), and every
// change checks it again under the lock, so every operation still sees the
// other processes' changes, and reading an unchanged file costs about the
// same at 10 users as at 10,000. A change still encodes, writes and fsyncs
// the whole file, so its cost grows with the number of tokens (about 5 ms
// at 10 users, 35 ms at 1,000 and 250 ms at 10,000 on a small virtual
// machine; see BENCHMARKS.md).
//
// Scale: the file store suits a command-line program and a service with up
// to a few hundred users (a few thousand if they rarely authorize or
// renew), in one process or a few. Beyond that, or with many replicas
// writing, use a database token store such as applink/pgstore
// (PostgreSQL).
//
// A file that cannot be parsed is reported as a [*CorruptTokenFileError]
// and never emptied or overwritten.
//
// The file is at most [MaxTokenFileSize] (16 MiB) long, enough for tens of
// thousands of tokens: a change that would make it longer is refused with
// a [*TokenFileTooLargeError] and the file keeps every token it had. A
// service with that many users wants a database token store such as
// applink/pgstore (PostgreSQL) instead.
//
// It is also a [token.Locker], with one lock file per key (see
// [FileTokenStore.LockToken]), and a [token.DanceStore] keeping the web dance's
// pending dances in the file, so that several processes sharing the file
// renew each token once and complete each other's dances.
//
// It is safe for concurrent use. Expired request tokens, and expired access
// tokens that cannot be renewed, are treated as absent and dropped at the
// next write. The lock wait honors the context; nothing else blocks.
type FileTokenStore struct {
	path     string
	lockPath string
	now      func() time.Time
	// afterTempWrite is a test hook; see storeOptions.
	afterTempWrite func(string)
	// maxSize is the largest file read or written: MaxTokenFileSize
	// unless a test lowered it.
	maxSize int64
	// sem serializes this store's writers inside the process (a channel so
	// that waiting honors the context); the file lock serializes processes.
	sem chan struct{}
	// tempsCleaned records that stale temporary files of crashed writers
	// were looked for.
	tempsCleaned atomic.Bool
	// cache holds the tokens of the file as last read or written.
	cache tokenCache
	// parses counts how often the file was parsed (for tests).
	parses atomic.Int64
}

var _ token.Store = (*FileTokenStore)(nil)

// OpenFileTokenStore returns a store backed by the JSON file at path,
// creating its directory (mode 0700) if missing. The file itself is created
// (mode 0600) at the first write. A path that is a symbolic link is
// resolved now, and the store then works on the link's target. If the file
// exists it is read now, so a [*FilePermissionError] or
// [*CorruptTokenFileError] surfaces at once. The only option that applies
// is [WithStoreClock]. The store holds no open file: there is nothing to
// close.
func OpenFileTokenStore(path string, opts ...StoreOption) (*FileTokenStore, error) {
	if path == "" {
		return nil, errors.New("applink: token file path is empty")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("applink: token file %s: %w", path, err)
	}
	// A symbolic link (say, into a dotfiles repository) is followed once
	// here, so that replacing the file replaces its target, not the link.
	if fi, err := os.Lstat(abs); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if abs, err = filepath.EvalSymlinks(abs); err != nil {
			return nil, fmt.Errorf("applink: token file %s is a symbolic link that cannot be followed: %w", path, err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("applink: create the token file's directory: %w", err)
	}
	o := newStoreOptions(opts)
	s := &FileTokenStore{
		path:           abs,
		lockPath:       abs + ".lock",
		now:            o.now,
		afterTempWrite: o.afterTempWrite,
		maxSize:        o.maxFileSize,
		sem:            make(chan struct{}, 1),
	}
	if _, err := s.load(); err != nil {
		return nil, err
	}
	return s, nil
}

// Path returns the absolute path of the token file.
func (s *FileTokenStore) Path() string { return s.path }

// String describes the store by its file; it never prints a token.
func (s *FileTokenStore) String() string { return "FileTokenStore(" + s.path + ")" }

// GoString is [FileTokenStore.String].
func (s *FileTokenStore) GoString() string { return s.String() }

// Format prints [FileTokenStore.String] for every verb, so that no verb
// (%+v, %x, %t) can reach the tokens it keeps in memory.
func (s *FileTokenStore) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, s.String(), s.GoString())
}

// LogValue keeps the tokens out of slog output.
func (s *FileTokenStore) LogValue() slog.Value { return slog.StringValue(s.String()) }

// AccessToken returns a copy of the user's token for the link, or an error
// wrapping [token.ErrNotFound]. An expired token is returned only if it can
// still be renewed with its session handle.
func (s *FileTokenStore) AccessToken(ctx context.Context, key token.Key) (*token.AccessToken, error) {
	var t *token.AccessToken
	err := s.view(ctx, func(set *token.Set) (err error) {
		t, err = set.AccessToken(key, s.now())
		return err
	})
	return t, err
}

// PutAccessToken stores a copy of t as the user's token for the link,
// replacing any other. The key needs a link id and a user, and t a token
// value.
func (s *FileTokenStore) PutAccessToken(ctx context.Context, key token.Key, t *token.AccessToken) error {
	if err := t.Validate(key); err != nil {
		return err
	}
	return s.update(ctx, func(set *token.Set) bool {
		set.PutAccessToken(key, t)
		return true
	})
}

// SwapAccessToken stores a copy of tok only if the stored token is still
// the one whose Token is old, in one locked read-modify-write of the file;
// see [token.Swapper].
func (s *FileTokenStore) SwapAccessToken(ctx context.Context, key token.Key, old string, tok *token.AccessToken) error {
	if err := tok.Validate(key); err != nil {
		return err
	}
	var swapErr error
	err := s.update(ctx, func(set *token.Set) bool {
		swapErr = set.SwapAccessToken(key, old, tok, s.now())
		return swapErr == nil
	})
	if err != nil {
		return err
	}
	return swapErr
}

// DeleteAccessToken removes the user's token for the link; removing an
// absent token is not an error.
func (s *FileTokenStore) DeleteAccessToken(ctx context.Context, key token.Key) error {
	return s.update(ctx, func(set *token.Set) bool { return set.DeleteAccessToken(key) })
}

// AccessTokens lists the keys of the stored access tokens that are present
// (unexpired or renewable), sorted by link id then user.
func (s *FileTokenStore) AccessTokens(ctx context.Context) ([]token.Key, error) {
	var keys []token.Key
	err := s.view(ctx, func(set *token.Set) error {
		keys = set.AccessTokens(s.now())
		return nil
	})
	return keys, err
}

// RequestToken returns a copy of the pending request token, or an error
// wrapping [token.ErrNotFound] if it is unknown or expired.
func (s *FileTokenStore) RequestToken(ctx context.Context, value string) (*token.RequestToken, error) {
	var t *token.RequestToken
	err := s.view(ctx, func(set *token.Set) (err error) {
		t, err = set.RequestToken(value, s.now())
		return err
	})
	return t, err
}

// PutRequestToken stores a copy of the pending request token, which needs a
// token value.
func (s *FileTokenStore) PutRequestToken(ctx context.Context, t *token.RequestToken) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return s.update(ctx, func(set *token.Set) bool {
		set.PutRequestToken(t)
		return true
	})
}

// DeleteRequestToken removes the pending request token; removing an absent
// one is not an error.
func (s *FileTokenStore) DeleteRequestToken(ctx context.Context, value string) error {
	return s.update(ctx, func(set *token.Set) bool { return set.DeleteRequestToken(value) })
}

// view reads the file and calls f with its tokens.
func (s *FileTokenStore) view(ctx context.Context, f func(*token.Set) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if readsNeedLock {
		unlock, err := s.lock(ctx)
		if err != nil {
			return err
		}
		defer unlock()
	}
	set, err := s.load()
	if err != nil {
		return err
	}
	return f(set) // f only reads: set may be the cached one
}

// update runs one read-modify-write under the lock: f changes the tokens
// and reports whether it changed anything; the file is rewritten only if
// something changed (expired tokens dropped count).
func (s *FileTokenStore) update(ctx context.Context, f func(*token.Set) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	// Re-validated under the lock: the cached tokens are used only if the
	// file is still the one they were read from or written to.
	shared, err := s.load()
	if err != nil {
		return err
	}
	set := shared.Clone() // the cached set is never changed
	changed := f(set)
	if set.Purge(s.now()) {
		changed = true
	}
	if !s.tempsCleaned.Swap(true) {
		s.removeStaleTemps()
	}
	if !changed {
		return nil
	}
	return s.write(set)
}

// lock takes the in-process lock, then the file lock.
func (s *FileTokenStore) lock(ctx context.Context) (unlock func(), err error) {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	unlockFile, err := lockFile(ctx, s.lockPath)
	if err != nil {
		<-s.sem
		return nil, err
	}
	return func() {
		unlockFile()
		<-s.sem
	}, nil
}

// load returns the tokens in the token file; a missing file is an empty
// store. When the file is the one last read or written (same size,
// modification and change times, inode and generation), the cached tokens
// are returned without parsing it: the caller must not change them.
func (s *FileTokenStore) load() (*token.Set, error) {
	// Checked to be a regular file before it is opened, and opened
	// without blocking: a named pipe cannot hang the store.
	f, fi, err := fileread.Open(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return token.NewSet(), nil
	}
	var notRegular *fileread.NotRegularError
	if errors.As(err, &notRegular) {
		return nil, fmt.Errorf("applink: token file %w: give the path of a file (it is created at the first write)", err)
	}
	if err != nil {
		return nil, fmt.Errorf("applink: read token file: %w", err)
	}
	defer f.Close()
	if err := checkPrivate(s.path, fi.Mode()); err != nil {
		return nil, err
	}
	if fi.Size() > s.maxSize {
		return nil, &TokenFileTooLargeError{Path: s.path, Size: fi.Size(), Limit: s.maxSize}
	}
	stamp := stampOf(fi)
	head := make([]byte, generationHeadLen)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("applink: read token file: %w", err)
	}
	head = head[:n]
	gen := parseGeneration(head)
	if set := s.cache.lookup(stamp, gen); set != nil {
		return set, nil
	}
	rest, err := io.ReadAll(io.LimitReader(f, s.maxSize+1-int64(n)))
	if err != nil {
		return nil, fmt.Errorf("applink: read token file: %w", err)
	}
	data := append(head, rest...)
	if int64(len(data)) > s.maxSize {
		// The file grew between the stat and the read.
		return nil, &TokenFileTooLargeError{Path: s.path, Size: int64(len(data)), Limit: s.maxSize}
	}
	s.parses.Add(1)
	set, err := decodeTokenFile(data)
	if err != nil {
		return nil, &CorruptTokenFileError{Path: s.path, Err: err}
	}
	s.cache.store(stamp, gen, set)
	return set, nil
}

// tempPrefix starts the names of this store's temporary files.
func (s *FileTokenStore) tempPrefix() string { return "." + filepath.Base(s.path) + ".tmp-" }

// write replaces the token file atomically with set's tokens, which then
// become the cached ones: set must not be changed afterwards.
func (s *FileTokenStore) write(set *token.Set) error {
	gen, err := newGeneration()
	if err != nil {
		return fmt.Errorf("applink: write token file %s: %w", s.path, err)
	}
	data, err := encodeTokenFile(set, gen)
	if err != nil {
		return fmt.Errorf("applink: write token file %s: %w", s.path, err)
	}
	if int64(len(data)) > s.maxSize {
		// Writing it would lock every user out: the store could not read
		// it back. Refuse the change; the file keeps every token it had.
		return &TokenFileTooLargeError{Path: s.path, Size: int64(len(data)), Limit: s.maxSize, Write: true}
	}
	dir := filepath.Dir(s.path)
	tmp, err := os.CreateTemp(dir, s.tempPrefix()+"*") // mode 0600
	if err != nil {
		return fmt.Errorf("applink: write token file: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if runtime.GOOS != "windows" {
		// CreateTemp already uses 0600; make sure whatever the platform.
		if err := tmp.Chmod(0o600); err != nil {
			return fmt.Errorf("applink: write token file: %w", err)
		}
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("applink: write token file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("applink: write token file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("applink: write token file: %w", err)
	}
	if s.afterTempWrite != nil {
		s.afterTempWrite(tmp.Name())
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		os.Remove(tmp.Name())
		done = true
		return fmt.Errorf("applink: replace token file: %w", err)
	}
	done = true
	// Under the lock no other store writes, so the file now is ours.
	if fi, err := os.Stat(s.path); err == nil {
		s.cache.store(stampOf(fi), gen, set)
	} else {
		s.cache.store(fileStamp{}, "", nil)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("applink: token file %s written but its directory could not be synced: %w", s.path, err)
	}
	return nil
}

// removeStaleTemps deletes temporary files left by writers that crashed.
// It runs under the lock, when no other writer can have one open.
func (s *FileTokenStore) removeStaleTemps() {
	entries, err := os.ReadDir(filepath.Dir(s.path))
	if err != nil {
		return
	}
	prefix := s.tempPrefix()
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) && e.Type().IsRegular() {
			os.Remove(filepath.Join(filepath.Dir(s.path), e.Name()))
		}
	}
}

// checkPrivate refuses a token file that other users may access. Windows
// does not report permissions in mode bits, so it is not checked there.
func checkPrivate(path string, mode fs.FileMode) error {
	if runtime.GOOS == "windows" || mode.Perm()&0o077 == 0 {
		return nil
	}
	return &FilePermissionError{Path: path, Mode: mode.Perm()}
}

// FilePermissionError is returned by [FileTokenStore] when the token file
// may be read or written by users other than its owner. The file holds
// token secrets, so the store refuses it; the message gives the chmod
// command to run.
type FilePermissionError struct {
	// Path is the token file.
	Path string
	// Mode is its permission bits.
	Mode fs.FileMode
}

// Error says what is wrong and how to fix it.
func (e *FilePermissionError) Error() string {
	return fmt.Sprintf("applink: token file %s has mode %04o, so other users may access the token secrets in it; run: chmod 600 %s",
		e.Path, uint32(e.Mode.Perm()), shellQuote(e.Path))
}

// TokenFileTooLargeError is returned by [FileTokenStore] when a change would
// make the token file larger than the store can read back
// ([MaxTokenFileSize]), and when the file found on disk already is (written
// by hand or by an older version). The change is not made and the file is
// left as it was, so no stored token is lost. The file store has reached
// its scale: move the tokens to a database token store such as
// applink/pgstore (PostgreSQL).
type TokenFileTooLargeError struct {
	// Path is the token file.
	Path string
	// Size is the size in bytes the file would have had (Write) or has.
	Size int64
	// Limit is the largest file the store reads and writes, in bytes.
	Limit int64
	// Write reports that a change was refused; otherwise the file on disk
	// is too large to read.
	Write bool
}

// Error names the file, the limit and what to do.
func (e *TokenFileTooLargeError) Error() string {
	if e.Write {
		return fmt.Sprintf("applink: token file %s would grow to %d bytes, more than the file token store's limit of %s, so the change was not saved (the stored tokens are unchanged); use a database token store such as applink/pgstore (PostgreSQL) for this many tokens",
			e.Path, e.Size, fileread.Size(e.Limit))
	}
	return fmt.Sprintf("applink: token file %s is %d bytes, more than the file token store's limit of %s; it was left untouched: move its tokens to a database token store such as applink/pgstore (PostgreSQL)",
		e.Path, e.Size, fileread.Size(e.Limit))
}

// CorruptTokenFileError is returned by [FileTokenStore] when the token file
// cannot be parsed. The store leaves the file as it is; move it aside or
// delete it (its tokens are then lost and users authorize again).
type CorruptTokenFileError struct {
	// Path is the token file.
	Path string
	// Err says what is wrong, never with a token or secret in it.
	Err error
}

// Error names the file and what to do.
func (e *CorruptTokenFileError) Error() string {
	return fmt.Sprintf("applink: token file %s is corrupt (%v); it was left untouched: move it aside or delete it", e.Path, e.Err)
}

// Unwrap returns Err.
func (e *CorruptTokenFileError) Unwrap() error { return e.Err }

// shellQuote quotes s for a POSIX shell if it needs quoting.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+=:,@%", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// tokenFileVersion is the version of the token file format written and read.
const tokenFileVersion = 1

// tokenFile is the token file:
//
//	{"version":1,"generation":"...","accessTokens":[...],"requestTokens":[...],"dances":[...]}
//
// Times are RFC 3339 strings in UTC, omitted when zero. Unknown fields are
// ignored, so later versions of this format may add some.
type tokenFile struct {
	Version int `json:"version"`
	// Generation is a random value that changes with every write, so that
	// a store can tell that the file is the one it cached without parsing
	// it; it comes right after the version, where load looks for it.
	// Omitted by older versions, whose files are then always parsed.
	Generation    string             `json:"generation,omitempty"`
	AccessTokens  []fileAccessToken  `json:"accessTokens"`
	RequestTokens []fileRequestToken `json:"requestTokens"`
	// Dances are the pending dances of the web dance handler (token.DanceStore),
	// omitted when there are none.
	Dances []fileDance `json:"dances,omitempty"`
}

// fileDance is a [token.PendingDance].
type fileDance struct {
	State        string `json:"state"`
	User         string `json:"user"`
	LinkID       string `json:"linkId"`
	RequestToken string `json:"requestToken,omitempty"`
	Redirect     string `json:"redirect,omitempty"`
	ExpiresAt    string `json:"expiresAt,omitempty"`
	CreatedAt    string `json:"createdAt,omitempty"`
}

// fileAccessToken is an [token.AccessToken] with its key, secret included.
type fileAccessToken struct {
	LinkID                 string   `json:"linkId"`
	User                   string   `json:"user"`
	Kind                   string   `json:"kind,omitempty"`
	Token                  string   `json:"token"`
	Secret                 string   `json:"secret"`
	RefreshToken           string   `json:"refreshToken,omitempty"`
	ExpiresAt              string   `json:"expiresAt,omitempty"`
	SessionHandle          string   `json:"sessionHandle,omitempty"`
	AuthorizationExpiresAt string   `json:"authorizationExpiresAt,omitempty"`
	Scopes                 []string `json:"scopes,omitempty"`
	CreatedAt              string   `json:"createdAt,omitempty"`
}

// fileRequestToken is a [token.RequestToken], secret included.
type fileRequestToken struct {
	Token     string `json:"token"`
	Secret    string `json:"secret"`
	LinkID    string `json:"linkId,omitempty"`
	User      string `json:"user,omitempty"`
	Callback  string `json:"callback,omitempty"`
	ExpiresAt string `json:"expiresAt,omitempty"`
	CreatedAt string `json:"createdAt,omitempty"`
}

// encodeTokenFile renders set as the token file, sorted so that the file is
// stable and diffable.
func encodeTokenFile(set *token.Set, generation string) ([]byte, error) {
	f := tokenFile{
		Version:       tokenFileVersion,
		Generation:    generation,
		AccessTokens:  make([]fileAccessToken, 0, len(set.Access)),
		RequestTokens: make([]fileRequestToken, 0, len(set.Requests)),
	}
	for _, k := range slices.SortedFunc(maps.Keys(set.Access), token.Key.Compare) {
		t := set.Access[k]
		f.AccessTokens = append(f.AccessTokens, fileAccessToken{
			LinkID:                 k.LinkID,
			User:                   k.User,
			Kind:                   fileTokenKind(t.Kind),
			Token:                  t.Token,
			Secret:                 t.Secret.Reveal(),
			RefreshToken:           t.RefreshToken.Reveal(),
			ExpiresAt:              formatFileTime(t.ExpiresAt),
			SessionHandle:          t.SessionHandle.Reveal(),
			AuthorizationExpiresAt: formatFileTime(t.AuthorizationExpiresAt),
			Scopes:                 t.Scopes,
			CreatedAt:              formatFileTime(t.CreatedAt),
		})
	}
	for _, k := range slices.Sorted(maps.Keys(set.Requests)) {
		t := set.Requests[k]
		f.RequestTokens = append(f.RequestTokens, fileRequestToken{
			Token:     t.Token,
			Secret:    t.Secret.Reveal(),
			LinkID:    t.LinkID,
			User:      t.User,
			Callback:  t.Callback,
			ExpiresAt: formatFileTime(t.ExpiresAt),
			CreatedAt: formatFileTime(t.CreatedAt),
		})
	}
	for _, k := range slices.Sorted(maps.Keys(set.Dances)) {
		d := set.Dances[k]
		f.Dances = append(f.Dances, fileDance{
			State:        d.State,
			User:         d.User,
			LinkID:       d.LinkID,
			RequestToken: d.RequestToken,
			Redirect:     d.Redirect,
			ExpiresAt:    formatFileTime(d.ExpiresAt),
			CreatedAt:    formatFileTime(d.CreatedAt),
		})
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// decodeTokenFile parses a token file. Its errors name the entry and field
// at fault but never quote the file, which holds secrets. An empty file is
// an empty store.
func decodeTokenFile(data []byte) (*token.Set, error) {
	set := token.NewSet()
	if len(data) == 0 {
		return set, nil
	}
	var f tokenFile
	if err := json.Unmarshal(data, &f); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return nil, fmt.Errorf("not valid JSON: syntax error at byte %d", syn.Offset)
		case errors.As(err, &typ) && typ.Field != "":
			return nil, fmt.Errorf("field %s is not a %s", typ.Field, typ.Type)
		case errors.As(err, &typ):
			return nil, errors.New("not a JSON object")
		default:
			return nil, errors.New("not a valid token file")
		}
	}
	if f.Version != tokenFileVersion {
		return nil, fmt.Errorf("version %d is not supported (this program reads version %d; a newer program may have written it)", f.Version, tokenFileVersion)
	}
	for i, ft := range f.AccessTokens {
		where := fmt.Sprintf("accessTokens[%d]", i)
		key := token.Key{LinkID: ft.LinkID, User: ft.User}
		switch {
		case ft.LinkID == "":
			return nil, fmt.Errorf("%s has no linkId", where)
		case ft.User == "":
			return nil, fmt.Errorf("%s has no user", where)
		case ft.Token == "":
			return nil, fmt.Errorf("%s has no token", where)
		}
		if _, dup := set.Access[key]; dup {
			return nil, fmt.Errorf("%s repeats the token of link %q, user %q", where, ft.LinkID, ft.User)
		}
		kind := token.Kind(ft.Kind)
		switch kind {
		case "":
			kind = token.KindOAuth1
		case token.KindOAuth1, token.KindOAuth2:
		default:
			return nil, fmt.Errorf("%s.kind %q is not %q or %q", where, ft.Kind, token.KindOAuth1, token.KindOAuth2)
		}
		t := &token.AccessToken{Kind: kind, Token: ft.Token, Secret: token.NewSecret(ft.Secret), RefreshToken: token.NewSecret(ft.RefreshToken),
			SessionHandle: token.NewSecret(ft.SessionHandle), Scopes: ft.Scopes}
		var err error
		if t.ExpiresAt, err = parseFileTime(where+".expiresAt", ft.ExpiresAt); err != nil {
			return nil, err
		}
		if t.AuthorizationExpiresAt, err = parseFileTime(where+".authorizationExpiresAt", ft.AuthorizationExpiresAt); err != nil {
			return nil, err
		}
		if t.CreatedAt, err = parseFileTime(where+".createdAt", ft.CreatedAt); err != nil {
			return nil, err
		}
		set.Access[key] = t
	}
	for i, ft := range f.RequestTokens {
		where := fmt.Sprintf("requestTokens[%d]", i)
		if ft.Token == "" {
			return nil, fmt.Errorf("%s has no token", where)
		}
		if _, dup := set.Requests[ft.Token]; dup {
			return nil, fmt.Errorf("%s repeats an earlier request token", where)
		}
		t := &token.RequestToken{Token: ft.Token, Secret: token.NewSecret(ft.Secret), LinkID: ft.LinkID, User: ft.User, Callback: ft.Callback}
		var err error
		if t.ExpiresAt, err = parseFileTime(where+".expiresAt", ft.ExpiresAt); err != nil {
			return nil, err
		}
		if t.CreatedAt, err = parseFileTime(where+".createdAt", ft.CreatedAt); err != nil {
			return nil, err
		}
		set.Requests[ft.Token] = t
	}
	for i, fd := range f.Dances {
		where := fmt.Sprintf("dances[%d]", i)
		switch {
		case fd.State == "":
			return nil, fmt.Errorf("%s has no state", where)
		case fd.User == "":
			return nil, fmt.Errorf("%s has no user", where)
		case fd.LinkID == "":
			return nil, fmt.Errorf("%s has no linkId", where)
		}
		if _, dup := set.Dances[fd.State]; dup {
			return nil, fmt.Errorf("%s repeats an earlier state", where)
		}
		d := &token.PendingDance{State: fd.State, User: fd.User, LinkID: fd.LinkID, RequestToken: fd.RequestToken, Redirect: fd.Redirect}
		var err error
		if d.ExpiresAt, err = parseFileTime(where+".expiresAt", fd.ExpiresAt); err != nil {
			return nil, err
		}
		if d.CreatedAt, err = parseFileTime(where+".createdAt", fd.CreatedAt); err != nil {
			return nil, err
		}
		set.Dances[fd.State] = d
	}
	return set, nil
}

// formatFileTime writes t in UTC, "" for the zero time.
func formatFileTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// parseFileTime reads a time written by formatFileTime; field names it in
// errors, which never quote the value.
func parseFileTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s is not an RFC 3339 time", field)
	}
	if err := token.ValidateTime(t); err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", field, err)
	}
	return t, nil
}

// fileTokenKind is the kind field of a token file entry: omitted for OAuth
// 1.0a, so files holding only OAuth 1.0a tokens read as before.
func fileTokenKind(k token.Kind) string {
	if k == token.KindOAuth2 {
		return string(k)
	}
	return ""
}
