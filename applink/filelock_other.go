//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package applink

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// readsNeedLock is true here: on Windows a file open for reading cannot be
// replaced, so readers take the lock too.
const readsNeedLock = true

// lockFile takes the lock by creating the file at path exclusively, and
// releases it by removing the file; this platform has no flock(2). A
// process killed while holding it leaves the file behind: the error when
// ctx ends says so, and wraps ctx.Err().
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	const maxWait = 50 * time.Millisecond
	wait := time.Millisecond
	var timer *time.Timer
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("applink: lock token file: %w", err)
		}
		if timer == nil {
			timer = time.NewTimer(wait)
			defer timer.Stop()
		} else {
			timer.Reset(wait)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("applink: token file lock %s is held; if no other process uses the token file, delete it: %w", path, ctx.Err())
		case <-timer.C:
		}
		wait = min(2*wait, maxWait)
	}
}

// syncDir is a no-op here: directories cannot be synced on every platform
// this file covers, and rename is as durable as the platform makes it.
func syncDir(string) error { return nil }
