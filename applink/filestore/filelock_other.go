//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package filestore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// readsNeedLock is true here: on Windows a file open for reading cannot be
// replaced, so readers take the lock too.
const readsNeedLock = true

// lockFile takes the lock by creating the file at path exclusively, and
// releases it by removing the file; this platform has no flock(2). A
// process killed while holding it leaves the file behind: the error when
// ctx ends says so, and wraps ctx.Err().
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	err = pollLock(ctx, func() (bool, error) {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		switch {
		case err == nil:
			f.Close()
			return true, nil
		case errors.Is(err, fs.ErrExist):
			return false, nil
		}
		return false, fmt.Errorf("applink: lock token file: %w", err)
	})
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return nil, fmt.Errorf("applink: token file lock %s is held; if no other process uses the token file, delete it: %w", path, err)
	}
	if err != nil {
		return nil, err
	}
	return func() { os.Remove(path) }, nil
}

// lockRemovableFile is lockFile: here every lock file is removed when
// unlocked.
func lockRemovableFile(ctx context.Context, path string) (unlock func(), err error) {
	return lockFile(ctx, path)
}

// syncDir is a no-op here: directories cannot be synced on every platform
// this file covers, and rename is as durable as the platform makes it.
func syncDir(string) error { return nil }
