package token

import (
	"context"
	"sync"

	"github.com/go-applinks/applinks/internal/keylock"
)

// KeyLocks is a set of per-key mutexes whose wait honors a context: a
// [Locker] for the processes of one store value. Its zero value is ready to
// use. The memory store and applink/filestore (within one process) lock
// with it.
type KeyLocks struct {
	locks keylock.Set[Key]
}

// LockToken locks key, or returns ctx.Err() when ctx ends first. The
// returned Lock's Held is always nil: nothing but Unlock releases it.
func (k *KeyLocks) LockToken(ctx context.Context, key Key) (Lock, error) {
	unlock, err := k.locks.Lock(ctx, key)
	if err != nil {
		return nil, err
	}
	return &FuncLock{Release: unlock}, nil
}

// FuncLock is a [Lock] that cannot be lost: Held is always nil (a holder
// that goes away takes the lock with it, as an in-process mutex or a lock
// on an open file does), and Unlock calls Release once however often it is
// called. Stores whose locks live in the process use it.
type FuncLock struct {
	// Release releases the lock; Unlock calls it once.
	Release func()
	once    sync.Once
}

// Held returns nil, or ctx.Err() when ctx has ended.
func (l *FuncLock) Held(ctx context.Context) error { return ctx.Err() }

// Unlock calls Release the first time; later calls do nothing.
func (l *FuncLock) Unlock() {
	l.once.Do(func() {
		if l.Release != nil {
			l.Release()
		}
	})
}
