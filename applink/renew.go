package applink

import "sync"

// renewLocks serialises the renewal of one user's token on a link, so that
// concurrent requests that all find it expired renew it once (a session
// handle may not survive two renewals) and the others use the result. Its
// zero value is ready to use.
type renewLocks struct {
	mu    sync.Mutex
	users map[string]*renewLock
}

type renewLock struct {
	sync.Mutex
	refs int
}

// lock locks user's renewal and returns the unlock function.
func (r *renewLocks) lock(user string) (unlock func()) {
	r.mu.Lock()
	if r.users == nil {
		r.users = make(map[string]*renewLock)
	}
	l := r.users[user]
	if l == nil {
		l = &renewLock{}
		r.users[user] = l
	}
	l.refs++
	r.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		r.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(r.users, user)
		}
		r.mu.Unlock()
	}
}
