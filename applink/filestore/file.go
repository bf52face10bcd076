package filestore

import (
	"context"
	"errors"
	"fmt"
	"github.com/go-applinks/applinks/applink/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/go-applinks/applinks/internal/fileread"
)

// view reads the file and calls f with its tokens.
func (s *Store) view(ctx context.Context, f func(*token.Set) error) error {
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
func (s *Store) update(ctx context.Context, f func(*token.Set) bool) error {
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
func (s *Store) lock(ctx context.Context) (unlock func(), err error) {
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
func (s *Store) load() (*token.Set, error) {
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
		return nil, &TooLargeError{Path: s.path, Size: fi.Size(), Limit: s.maxSize}
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
		return nil, &TooLargeError{Path: s.path, Size: int64(len(data)), Limit: s.maxSize}
	}
	s.parses.Add(1)
	set, err := decodeTokenFile(data)
	if err != nil {
		return nil, &CorruptError{Path: s.path, Err: err}
	}
	s.cache.store(stamp, gen, set)
	return set, nil
}

// tempPrefix starts the names of this store's temporary files.
func (s *Store) tempPrefix() string { return "." + filepath.Base(s.path) + ".tmp-" }

// write replaces the token file atomically with set's tokens, which then
// become the cached ones: set must not be changed afterwards.
func (s *Store) write(set *token.Set) error {
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
		return &TooLargeError{Path: s.path, Size: int64(len(data)), Limit: s.maxSize, Write: true}
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
func (s *Store) removeStaleTemps() {
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
	return &PermissionError{Path: path, Mode: mode.Perm()}
}
