package applink

import (
	"context"
	"sync"
)

// TokenLocker is an optional interface of a [TokenStore] that can lock one
// user's token for one link across processes: the several replicas of a
// web application that share one store, or several commands sharing one
// token file.
//
// When the service's store implements it, the core holds the lock while it
// renews an expired token (OAuth 1.0a session handle, OAuth 2.0 refresh
// token) and while it checks whether another request renewed the token
// meanwhile, so that replicas which all see a token expire renew it once:
// a session handle or a rotating refresh token may not survive two
// renewals. The core first takes its own in-process lock for the (link,
// user), then the store's, so that one process does not make the store
// wait on behalf of many requests. Without a TokenLocker only the
// in-process lock is taken, and two processes may both renew.
//
// LockToken locks key and returns the function that releases it. The lock
// is held across the renewal's HTTP call to the remote, so it must not
// block other operations of the store (reads and writes of any token, the
// same one included) nor locks of other keys. It is not reentrant. A store
// may release a lock whose holder disappeared (a process killed while
// holding it), for example when its database session ends.
//
// While it waits, LockToken honors ctx: when ctx ends first it returns
// ctx.Err() (possibly wrapped) and holds nothing. unlock is safe to call
// once; it never blocks for long and reports nothing (a lock whose release
// fails is released when the store's session or file handle goes away). A
// LockToken that cannot lock (the database is unreachable) returns an
// error; the core then fails the request with it, and keeps the stored
// token.
//
// [MemoryTokenStore] and [FileTokenStore] implement it, and so does
// applink/pgstore (a PostgreSQL advisory lock). The applink/storetest
// package checks mutual exclusion and the independence of keys.
type TokenLocker interface {
	LockToken(ctx context.Context, key TokenKey) (unlock func(), err error)
}

// keyLocks is a set of per-key mutexes whose wait honors a context: the
// in-memory [TokenLocker]. Its zero value is ready to use.
type keyLocks struct {
	mu   sync.Mutex
	held map[TokenKey]*keyLock
}

// keyLock is one key's lock: a token in ch is the lock, refs counts its
// holder and waiters so that the entry goes when nobody needs it.
type keyLock struct {
	ch   chan struct{}
	refs int
}

// lock locks key, or returns ctx.Err() when ctx ends first.
func (k *keyLocks) lock(ctx context.Context, key TokenKey) (unlock func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	k.mu.Lock()
	if k.held == nil {
		k.held = make(map[TokenKey]*keyLock)
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
