// Package keylock is a set of per-key mutexes whose wait honors a context,
// shared by the token source (internal/engine) and the in-process token
// locks of applink/token. It imports only the standard library, so the
// token stores that use it depend on nothing else.
package keylock

import (
	"context"
	"sync"
)

// Set is a set of per-key mutexes whose wait honors a context. The
// entry of a key goes away when nobody holds or waits for it. Its zero
// value is ready to use; it is safe for concurrent use.
type Set[K comparable] struct {
	mu   sync.Mutex
	held map[K]*keyLock
}

// keyLock is one key's lock: a value in ch is the lock; refs counts its
// holder and waiters.
type keyLock struct {
	ch   chan struct{}
	refs int
}

// Lock locks key and returns the function that unlocks it (safe to call
// more than once), or ctx.Err() when ctx ends first, holding nothing.
func (k *Set[K]) Lock(ctx context.Context, key K) (unlock func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	k.mu.Lock()
	if k.held == nil {
		k.held = make(map[K]*keyLock)
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
	var once sync.Once
	return func() {
		once.Do(func() {
			<-l.ch
			release()
		})
	}, nil
}

// Len returns how many keys are held or waited for (for tests).
func (k *Set[K]) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.held)
}
