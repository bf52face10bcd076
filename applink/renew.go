package applink

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/go-applinks/applinks/signer"
)

// renewLocks serializes the renewal of one user's token on a link, so that
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

// lockRenewal locks the renewal of the factory's user's token on the link:
// first in this process (so that concurrent requests of one process wait
// here, not on the store), then in the store when it is a [TokenLocker]
// (so that the replicas sharing it renew once). Unlock releases both.
func (f *RequestFactory) lockRenewal(ctx context.Context) (unlock func(), err error) {
	st := f.link.state
	unlockLocal := st.renews.lock(f.user)
	locker, ok := st.svc.store.(TokenLocker)
	if !ok {
		return unlockLocal, nil
	}
	unlockStore, err := locker.LockToken(ctx, TokenKey{LinkID: f.link.ID, User: f.user})
	if err != nil {
		unlockLocal()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("applink: link %q: locking the renewal of user %q's token in the token store: %w", f.link.Name, f.user, err)
	}
	return func() {
		unlockStore()
		unlockLocal()
	}, nil
}

// renewRejected is the core's answer to a remote that refused the user's
// token used with the token problem p: under the user's renewal lock, it
// returns the token another request stored meanwhile (a renewal makes the
// remote forget the old token, so a request racing it sees token_rejected),
// or, for token_expired, renews used with its session handle. It returns
// false when there is no other token to try; the caller then deletes used
// and reports credentials required. An error (the renewal lock could not
// be taken) fails the request and keeps the stored token.
func (f *RequestFactory) renewRejected(ctx context.Context, used *AccessToken, p *signer.ProblemError) (*AccessToken, bool, error) {
	st := f.link.state
	unlock, err := f.lockRenewal(ctx)
	if err != nil {
		return nil, false, err
	}
	defer unlock()
	key := TokenKey{LinkID: f.link.ID, User: f.user}
	if cur, err := st.svc.store.AccessToken(ctx, key); err == nil && cur != nil && cur.Token != used.Token && !cur.Expired(st.svc.clock()) {
		return cur, true, nil
	}
	fresh, ok := f.renewAfterExpiry(ctx, used, p)
	if ok && fresh != nil {
		st.svc.logger.LogAttrs(ctx, slog.LevelInfo, "applink: renewed an access token the remote says has expired",
			slog.String("link", f.link.Name), slog.String("user", f.user))
		return fresh, true, nil
	}
	return nil, false, nil
}
