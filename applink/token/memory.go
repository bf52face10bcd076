package token

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// MemoryStore is a [Store] that keeps tokens in memory: they are lost when
// the process ends. It suits servers that persist tokens elsewhere,
// short-lived tools and tests. Use [NewMemoryStore]; the zero value is not
// usable.
//
// It is safe for concurrent use. Tokens are copied in and out, so changing
// a token after [MemoryStore.PutAccessToken] or after reading it does not
// change the store. Expired request tokens, and expired access tokens that
// cannot be renewed, are treated as absent and dropped when found.
//
// It is also a [Locker] (so that several clients sharing it renew a token
// once), a [Swapper], and a [DanceStore] (so that several dance handlers
// sharing it complete each other's dances).
type MemoryStore struct {
	now func() time.Time

	mu  sync.RWMutex
	set *Set

	locks KeyLocks
}

var (
	_ Store      = (*MemoryStore)(nil)
	_ Locker     = (*MemoryStore)(nil)
	_ Swapper    = (*MemoryStore)(nil)
	_ DanceStore = (*MemoryStore)(nil)
)

// NewMemoryStore returns an empty in-memory store.
func NewMemoryStore(opts ...Option) *MemoryStore {
	o := options{now: time.Now}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return &MemoryStore{now: o.now, set: NewSet()}
}

// Option configures [NewMemoryStore].
type Option func(*options)

// options is what Option sets.
type options struct{ now func() time.Time }

// WithClock sets the clock the store uses to decide whether a token has
// expired. The default (and what nil means) is [time.Now].
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// AccessToken returns a copy of the user's token for the link, or an error
// wrapping [ErrNotFound]. An expired token is returned only if it can still
// be renewed.
func (s *MemoryStore) AccessToken(ctx context.Context, key Key) (*AccessToken, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	s.mu.RLock()
	t, err := s.set.AccessToken(key, now)
	stale := s.set.Stale(key, now)
	s.mu.RUnlock()
	if stale {
		s.mu.Lock()
		if s.set.Stale(key, now) {
			s.set.DeleteAccessToken(key)
		}
		s.mu.Unlock()
	}
	return t, err
}

// PutAccessToken stores a copy of t as the user's token for the link,
// replacing any other. It refuses what [AccessToken.Validate] refuses.
func (s *MemoryStore) PutAccessToken(ctx context.Context, key Key, t *AccessToken) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := t.Validate(key); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set.PutAccessToken(key, t)
	return nil
}

// SwapAccessToken stores a copy of tok only if the stored token is still
// the one whose Token is old; see [Swapper].
func (s *MemoryStore) SwapAccessToken(ctx context.Context, key Key, old string, tok *AccessToken) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := tok.Validate(key); err != nil {
		return err
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.set.SwapAccessToken(key, old, tok, now)
}

// DeleteAccessToken removes the user's token for the link; removing an
// absent token is not an error.
func (s *MemoryStore) DeleteAccessToken(ctx context.Context, key Key) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set.DeleteAccessToken(key)
	return nil
}

// AccessTokens lists the keys of the stored access tokens that are present
// (unexpired or renewable), sorted by link id then user.
func (s *MemoryStore) AccessTokens(ctx context.Context) ([]Key, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.set.AccessTokens(now), nil
}

// RequestToken returns a copy of the pending request token, or an error
// wrapping [ErrNotFound] if it is unknown or expired (an expired one is
// dropped).
func (s *MemoryStore) RequestToken(ctx context.Context, token string) (*RequestToken, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	s.mu.RLock()
	t, err := s.set.RequestToken(token, now)
	_, stale := s.set.Requests[token]
	s.mu.RUnlock()
	if err != nil && stale {
		s.mu.Lock()
		if stored, ok := s.set.Requests[token]; ok && stored.Expired(now) {
			s.set.DeleteRequestToken(token)
		}
		s.mu.Unlock()
	}
	return t, err
}

// PutRequestToken stores a copy of the pending request token, which needs a
// token value, and drops expired ones so abandoned dances do not pile up.
func (s *MemoryStore) PutRequestToken(ctx context.Context, t *RequestToken) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return err
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set.Purge(now)
	s.set.PutRequestToken(t)
	return nil
}

// DeleteRequestToken removes the pending request token; removing an absent
// one is not an error.
func (s *MemoryStore) DeleteRequestToken(ctx context.Context, token string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set.DeleteRequestToken(token)
	return nil
}

// LockToken locks key in this store until the Lock is unlocked; see
// [Locker]. Locks of different keys are independent, and nothing else of
// the store waits for them. Waiting honors ctx. The Lock's Held is always
// nil: the lock lives in this process's memory, so it cannot be lost while
// its holder runs.
func (s *MemoryStore) LockToken(ctx context.Context, key Key) (Lock, error) {
	return s.locks.LockToken(ctx, key)
}

// PutDance stores a copy of the pending dance within limits; see
// [DanceStore].
func (s *MemoryStore) PutDance(ctx context.Context, d *PendingDance, limits DanceLimits) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := d.Validate(); err != nil {
		return err
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.set.PutDance(d, limits, now)
	return err
}

// TakeDance removes and returns the pending dance for state if user started
// it; see [DanceStore].
func (s *MemoryStore) TakeDance(ctx context.Context, state, user string) (*PendingDance, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	d, _, err := s.set.TakeDance(state, user, now)
	return d, err
}

// DeleteDance removes the pending dance for state; removing an absent one
// is not an error.
func (s *MemoryStore) DeleteDance(ctx context.Context, state string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set.DeleteDance(state)
	return nil
}

// String describes the store by its counts.
func (s *MemoryStore) String() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return fmt.Sprintf("MemoryStore(%d access tokens, %d request tokens)", len(s.set.Access), len(s.set.Requests))
}
