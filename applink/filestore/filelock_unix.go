//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package filestore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
)

// readsNeedLock is false here: the file is replaced by rename, so a reader
// always sees a whole file.
const readsNeedLock = false

// lockFile takes an exclusive flock(2) on the file at path (created with
// mode 0600 if missing), polling without blocking so that the wait honors
// ctx. The file is never removed: removing a lock file races with others
// locking it.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	unlock, _, err = lockOpenFile(ctx, path)
	return unlock, err
}

// lockOpenFile is lockFile that also returns the locked file, which unlock
// closes.
func lockOpenFile(ctx context.Context, path string) (unlock func(), f *os.File, err error) {
	f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("applink: lock token file: %w", err)
	}
	fd := int(f.Fd())
	err = pollLock(ctx, func() (bool, error) {
		err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EINTR), errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		}
		return false, fmt.Errorf("applink: lock token file %s: %w", path, err)
	})
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return func() {
		syscall.Flock(fd, syscall.LOCK_UN)
		f.Close()
	}, f, nil
}

// lockRemovableFile takes an exclusive flock(2) on the file at path like
// lockFile, and removes the file when it unlocks, so that per-key lock
// files do not pile up. Removing a lock file races with another process
// that opened it before the removal and locks it after: so once it holds
// the lock it checks that path still names the file it locked, and starts
// again if not.
func lockRemovableFile(ctx context.Context, path string) (unlock func(), err error) {
	for {
		unlockFile, f, err := lockOpenFile(ctx, path)
		if err != nil {
			return nil, err
		}
		held, err1 := f.Stat()
		cur, err2 := os.Stat(path)
		if err1 == nil && err2 == nil && os.SameFile(held, cur) {
			return func() {
				os.Remove(path)
				unlockFile()
			}, nil
		}
		unlockFile()
		if err2 != nil && !errors.Is(err2, os.ErrNotExist) {
			return nil, fmt.Errorf("applink: lock %s: %w", path, err2)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

// syncDir flushes the directory entry of a rename to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}
