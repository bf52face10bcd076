package filestore

// What lets several processes share one token file as replicas of one
// application: per-key renewal locks (token.Locker) and pending dances
// (token.DanceStore).

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/go-applinks/applinks/applink/token"
	"os"
)

var (
	_ token.Locker     = (*Store)(nil)
	_ token.Swapper    = (*Store)(nil)
	_ token.DanceStore = (*Store)(nil)
)

// LockToken locks key across every process sharing the token file, until
// unlock is called; see [token.Locker]. Each key has its own lock file in
// the directory "<path>.locks" (mode 0700), named by a hash of the link id
// and the user, locked with flock(2) and removed when unlocked. The store's
// own lock on "<path>.lock" is not taken, so the renewal that holds a
// key's lock across its HTTP call blocks neither the reads and writes of
// any token nor the renewals of other users. Waiting honors ctx (the lock
// is polled, from 1 ms to 50 ms apart). A process killed while holding it
// releases it (the kernel drops its flock), except on platforms without
// flock(2) (Windows), where the lock file is left behind and the error
// when ctx ends says to delete it. The Lock's Held is nil while ctx lasts:
// a flock is held as long as its file descriptor is open in this process,
// so it cannot be lost while its holder runs.
func (s *Store) LockToken(ctx context.Context, key token.Key) (token.Lock, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dir := s.path + ".locks"
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("applink: create the token file's lock directory: %w", err)
	}
	sum := sha256.Sum256([]byte(key.LinkID + "\x00" + key.User))
	unlockFile, err := lockRemovableFile(ctx, dir+string(os.PathSeparator)+hex.EncodeToString(sum[:16])+".lock")
	if err != nil {
		return nil, err
	}
	// A second Unlock must not remove a lock file another holder has made
	// since: FuncLock releases once.
	return &token.FuncLock{Release: unlockFile}, nil
}

// PutDance stores a copy of the pending dance in the token file, within
// limits; see [token.DanceStore].
func (s *Store) PutDance(ctx context.Context, d *token.PendingDance, limits token.DanceLimits) error {
	if err := d.Validate(); err != nil {
		return err
	}
	var putErr error
	err := s.update(ctx, func(set *token.Set) bool {
		changed, err := set.PutDance(d, limits, s.now())
		putErr = err
		return changed
	})
	if err != nil {
		return err
	}
	return putErr
}

// TakeDance removes the pending dance for state from the token file and
// returns it, if user started it; see [token.DanceStore]. The read and the
// removal happen under the file's lock, so of concurrent takes in any
// process exactly one gets it.
func (s *Store) TakeDance(ctx context.Context, state, user string) (*token.PendingDance, error) {
	var (
		d       *token.PendingDance
		takeErr error
	)
	err := s.update(ctx, func(set *token.Set) bool {
		var changed bool
		d, changed, takeErr = set.TakeDance(state, user, s.now())
		return changed
	})
	if err != nil {
		return nil, err
	}
	return d, takeErr
}

// DeleteDance removes the pending dance for state from the token file;
// removing an absent one is not an error.
func (s *Store) DeleteDance(ctx context.Context, state string) error {
	return s.update(ctx, func(set *token.Set) bool { return set.DeleteDance(state) })
}
