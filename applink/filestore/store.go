package filestore

import (
	"context"
	"errors"
	"fmt"
	"github.com/go-applinks/applinks/applink/token"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
)

// MaxFileSize is the largest token file a [Store] reads, and
// so the largest it writes: a change that would make the file larger is
// refused with a [*TooLargeError] and leaves the file as it was.
// A token takes a few hundred bytes, so the limit is reached at tens of
// thousands of users (fewer if the remote hands out long session handles);
// well before that, use a database token store such as applink/pgstore.
const MaxFileSize = 16 << 20

// Store is a [token.Store] that keeps tokens in one JSON file. It is
// the embedded default: the applink command uses
// ~/.config/applink/tokens.json. Use [Open].
//
// The file holds token secrets, so it is created with mode 0600 (its
// directory, if missing, with 0700) and the store refuses to read it when
// other users may access it, returning a [*PermissionError] that gives
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
// A file that cannot be parsed is reported as a [*CorruptError]
// and never emptied or overwritten.
//
// The file is at most [MaxFileSize] (16 MiB) long, enough for tens of
// thousands of tokens: a change that would make it longer is refused with
// a [*TooLargeError] and the file keeps every token it had. A
// service with that many users wants a database token store such as
// applink/pgstore (PostgreSQL) instead.
//
// It is also a [token.Locker], with one lock file per key (see
// [Store.LockToken]), and a [token.DanceStore] keeping the web dance's
// pending dances in the file, so that several processes sharing the file
// renew each token once and complete each other's dances.
//
// It is safe for concurrent use. Expired request tokens, and expired access
// tokens that cannot be renewed, are treated as absent and dropped at the
// next write. The lock wait honors the context; nothing else blocks.
type Store struct {
	path     string
	lockPath string
	now      func() time.Time
	// afterTempWrite is a test hook; see options.
	afterTempWrite func(string)
	// maxSize is the largest file read or written: MaxFileSize
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

var _ token.Store = (*Store)(nil)

// Open returns a store backed by the JSON file at path,
// creating its directory (mode 0700) if missing. The file itself is created
// (mode 0600) at the first write. A path that is a symbolic link is
// resolved now, and the store then works on the link's target. If the file
// exists it is read now, so a [*PermissionError] or
// [*CorruptError] surfaces at once. The only option that applies
// is [WithClock]. The store holds no open file: there is nothing to
// close.
func Open(path string, opts ...Option) (*Store, error) {
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
	o := newOptions(opts)
	s := &Store{
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
func (s *Store) Path() string { return s.path }

// String describes the store by its file. The tokens it caches need no
// redaction of their own: their secrets are token.Secret fields, which
// print REDACTED however the store is printed.
func (s *Store) String() string { return "filestore.Store(" + s.path + ")" }

// AccessToken returns a copy of the user's token for the link, or an error
// wrapping [token.ErrNotFound]. An expired token is returned only if it can
// still be renewed with its session handle.
func (s *Store) AccessToken(ctx context.Context, key token.Key) (*token.AccessToken, error) {
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
func (s *Store) PutAccessToken(ctx context.Context, key token.Key, t *token.AccessToken) error {
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
func (s *Store) SwapAccessToken(ctx context.Context, key token.Key, old string, tok *token.AccessToken) error {
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
func (s *Store) DeleteAccessToken(ctx context.Context, key token.Key) error {
	return s.update(ctx, func(set *token.Set) bool { return set.DeleteAccessToken(key) })
}

// AccessTokens lists the keys of the stored access tokens that are present
// (unexpired or renewable), sorted by link id then user.
func (s *Store) AccessTokens(ctx context.Context) ([]token.Key, error) {
	var keys []token.Key
	err := s.view(ctx, func(set *token.Set) error {
		keys = set.AccessTokens(s.now())
		return nil
	})
	return keys, err
}

// RequestToken returns a copy of the pending request token, or an error
// wrapping [token.ErrNotFound] if it is unknown or expired.
func (s *Store) RequestToken(ctx context.Context, value string) (*token.RequestToken, error) {
	var t *token.RequestToken
	err := s.view(ctx, func(set *token.Set) (err error) {
		t, err = set.RequestToken(value, s.now())
		return err
	})
	return t, err
}

// PutRequestToken stores a copy of the pending request token, which needs a
// token value.
func (s *Store) PutRequestToken(ctx context.Context, t *token.RequestToken) error {
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
func (s *Store) DeleteRequestToken(ctx context.Context, value string) error {
	return s.update(ctx, func(set *token.Set) bool { return set.DeleteRequestToken(value) })
}
