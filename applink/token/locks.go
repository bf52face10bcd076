package token

import (
	"context"
	"sync"
)

// KeyLocks is a set of per-key mutexes whose wait honors a context: a
// [Locker] for the processes of one store value. Its zero value is ready to
// use. The memory store and applink/filestore (within one process) lock
// with it.
type KeyLocks struct {
	mu   sync.Mutex
	held map[Key]*keyLock
}

// keyLock is one key's lock: a token in ch is the lock, refs counts its
// holder and waiters so that the entry goes when nobody needs it.
type keyLock struct {
	ch   chan struct{}
	refs int
}

// LockToken locks key, or returns ctx.Err() when ctx ends first. The
// returned Lock's Held is always nil: nothing but Unlock releases it.
func (k *KeyLocks) LockToken(ctx context.Context, key Key) (Lock, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	k.mu.Lock()
	if k.held == nil {
		k.held = make(map[Key]*keyLock)
	}
	l := k.held[key]
	if l == nil {
		l = &keyLock{ch: make(chan struct{}, 1)}
		k.held[key] = l
	}
	l.refs++
	k.mu.Unlock()
	release := func() {
		k.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(k.held, key)
		}
		k.mu.Unlock()
	}
	select {
	case l.ch <- struct{}{}:
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
	return &FuncLock{Release: func() {
		<-l.ch
		release()
	}}, nil
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
