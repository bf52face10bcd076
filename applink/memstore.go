package applink

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-applinks/applinks/internal/redact"
)

// MemoryTokenStore is a [TokenStore] that keeps tokens in memory: they are
// lost when the process ends. It suits servers that persist tokens
// elsewhere, short-lived tools and tests. Use [NewMemoryTokenStore]; the
// zero value is not usable.
//
// It is safe for concurrent use. Tokens are copied in and out, so changing
// a token after [MemoryTokenStore.PutAccessToken] or after reading it does
// not change the store. Expired request tokens, and expired access tokens
// that cannot be renewed, are treated as absent and dropped when found.
//
// It is also a [TokenLocker] (so that several [Service] values sharing it
// renew a token once) and a [DanceStore] (so that several dance handlers
// sharing it complete each other's dances).
type MemoryTokenStore struct {
	now func() time.Time

	mu  sync.RWMutex
	set *tokenSet

	locks keyLocks
}

var (
	_ TokenStore  = (*MemoryTokenStore)(nil)
	_ TokenLocker = (*MemoryTokenStore)(nil)
	_ DanceStore  = (*MemoryTokenStore)(nil)
)

// NewMemoryTokenStore returns an empty in-memory token store. The only
// option that applies is [WithStoreClock].
func NewMemoryTokenStore(opts ...StoreOption) *MemoryTokenStore {
	o := newStoreOptions(opts)
	return &MemoryTokenStore{now: o.now, set: newTokenSet()}
}

// AccessToken returns a copy of the user's token for the link, or an error
// wrapping [ErrTokenNotFound]. An expired token is returned only if it can
// still be renewed with its session handle.
func (s *MemoryTokenStore) AccessToken(ctx context.Context, key TokenKey) (*AccessToken, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	s.mu.RLock()
	t, err := s.set.accessToken(key, now)
	_, stale := s.set.access[key]
	s.mu.RUnlock()
	if err != nil && stale {
		s.mu.Lock()
		if stored, ok := s.set.access[key]; ok && !usableAccess(stored, now) {
			delete(s.set.access, key)
		}
		s.mu.Unlock()
	}
	return t, err
}

// PutAccessToken stores a copy of t as the user's token for the link,
// replacing any other. The key needs a link id and a user, and t a token
// value.
func (s *MemoryTokenStore) PutAccessToken(ctx context.Context, key TokenKey, t *AccessToken) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validateAccessToken(key, t); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set.putAccessToken(key, t)
	return nil
}

// DeleteAccessToken removes the user's token for the link; removing an
// absent token is not an error.
func (s *MemoryTokenStore) DeleteAccessToken(ctx context.Context, key TokenKey) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set.deleteAccessToken(key)
	return nil
}

// AccessTokens lists the keys of the stored access tokens that are present
// (unexpired or renewable), sorted by link id then user.
func (s *MemoryTokenStore) AccessTokens(ctx context.Context) ([]TokenKey, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.set.accessKeys(now), nil
}

// RequestToken returns a copy of the pending request token, or an error
// wrapping [ErrTokenNotFound] if it is unknown or expired (an expired one
// is dropped).
func (s *MemoryTokenStore) RequestToken(ctx context.Context, token string) (*RequestToken, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	s.mu.RLock()
	t, err := s.set.requestToken(token, now)
	_, stale := s.set.request[token]
	s.mu.RUnlock()
	if err != nil && stale {
		s.mu.Lock()
		if stored, ok := s.set.request[token]; ok && stored.Expired(now) {
			delete(s.set.request, token)
		}
		s.mu.Unlock()
	}
	return t, err
}

// PutRequestToken stores a copy of the pending request token, which needs a
// token value, and drops expired ones so abandoned dances do not pile up.
func (s *MemoryTokenStore) PutRequestToken(ctx context.Context, t *RequestToken) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validateRequestToken(t); err != nil {
		return err
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set.purge(now)
	s.set.putRequestToken(t)
	return nil
}

// DeleteRequestToken removes the pending request token; removing an absent
// one is not an error.
func (s *MemoryTokenStore) DeleteRequestToken(ctx context.Context, token string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set.deleteRequestToken(token)
	return nil
}

// LockToken locks key in this store until unlock is called; see
// [TokenLocker]. Locks of different keys are independent, and nothing else
// of the store waits for them. Waiting honors ctx.
func (s *MemoryTokenStore) LockToken(ctx context.Context, key TokenKey) (unlock func(), err error) {
	return s.locks.lock(ctx, key)
}

// PutDance stores a copy of the pending dance within limits; see
// [DanceStore].
func (s *MemoryTokenStore) PutDance(ctx context.Context, d *PendingDance, limits DanceLimits) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validateDance(d); err != nil {
		return err
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.set.putDance(d, limits, now)
	return err
}

// TakeDance removes and returns the pending dance for state if user started
// it; see [DanceStore].
func (s *MemoryTokenStore) TakeDance(ctx context.Context, state, user string) (*PendingDance, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	d, _, err := s.set.takeDance(state, user, now)
	return d, err
}

// DeleteDance removes the pending dance for state; removing an absent one
// is not an error.
func (s *MemoryTokenStore) DeleteDance(ctx context.Context, state string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set.deleteDance(state)
	return nil
}

// String describes the store by its counts; it never prints a token.
func (s *MemoryTokenStore) String() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return fmt.Sprintf("MemoryTokenStore(%d access tokens, %d request tokens)", len(s.set.access), len(s.set.request))
}

// GoString is [MemoryTokenStore.String].
func (s *MemoryTokenStore) GoString() string { return s.String() }

// LogValue keeps the tokens out of slog output.
func (s *MemoryTokenStore) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Format prints [MemoryTokenStore.String] for every verb (%#v:
// [MemoryTokenStore.GoString]), so that no verb (%d, %t, %+v, …) reaches the
// tokens it holds.
func (s *MemoryTokenStore) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, s.String(), s.GoString())
}
