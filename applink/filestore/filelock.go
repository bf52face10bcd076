package filestore

import (
	"context"
	"time"
)

// pollLock calls try until it takes the lock (true) or fails, waiting
// between attempts from 1 ms doubling to 50 ms; it returns ctx.Err() when
// ctx ends first. The platforms' lockFile use it to wait for a lock
// without blocking past ctx.
func pollLock(ctx context.Context, try func() (bool, error)) error {
	const maxWait = 50 * time.Millisecond
	wait := time.Millisecond
	var timer *time.Timer
	for {
		if ok, err := try(); ok || err != nil {
			return err
		}
		if timer == nil {
			timer = time.NewTimer(wait)
			defer timer.Stop()
		} else {
			timer.Reset(wait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
		wait = min(2*wait, maxWait)
	}
}
