package token

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Set is the data of a store kept as one value, without locking: the
// memory store guards one with a mutex, applink/filestore reads one from
// its file for every operation. Tokens in it are owned by the set: its
// methods copy them in and out, and code that reads the maps directly (to
// encode them) must not change what they point to.
type Set struct {
	// Access holds the access tokens by key.
	Access map[Key]*AccessToken
	// Requests holds the pending request tokens by value.
	Requests map[string]*RequestToken
	// Dances holds the pending dances of the web dance handler by state.
	Dances map[string]*PendingDance
}

// NewSet returns an empty Set.
func NewSet() *Set {
	return &Set{Access: map[Key]*AccessToken{}, Requests: map[string]*RequestToken{}, Dances: map[string]*PendingDance{}}
}

// Clone returns a deep copy of s.
func (s *Set) Clone() *Set {
	c := &Set{
		Access:   make(map[Key]*AccessToken, len(s.Access)),
		Requests: make(map[string]*RequestToken, len(s.Requests)),
		Dances:   make(map[string]*PendingDance, len(s.Dances)),
	}
	for k, t := range s.Access {
		c.Access[k] = t.Clone()
	}
	for k, t := range s.Requests {
		r := *t
		c.Requests[k] = &r
	}
	for k, d := range s.Dances {
		x := *d
		c.Dances[k] = &x
	}
	return c
}

// AccessToken returns a copy of the usable token for key: unexpired, or
// expired but renewable. Otherwise it returns an error wrapping
// [ErrNotFound].
func (s *Set) AccessToken(key Key, now time.Time) (*AccessToken, error) {
	t, ok := s.Access[key]
	if !ok || !t.usable(now) {
		return nil, AccessNotFound(key)
	}
	return t.Clone(), nil
}

// Stale reports whether key holds a token that is no longer usable at now
// (expired and not renewable), one that [Set.Purge] would drop.
func (s *Set) Stale(key Key, now time.Time) bool {
	t, ok := s.Access[key]
	return ok && !t.usable(now)
}

// PutAccessToken stores a copy of t, which must be valid.
func (s *Set) PutAccessToken(key Key, t *AccessToken) { s.Access[key] = t.Clone() }

// SwapAccessToken stores a copy of t, which must be valid, if the usable
// token stored for key has the Token old; otherwise it returns an error
// wrapping [ErrTokenChanged] and changes nothing.
func (s *Set) SwapAccessToken(key Key, old string, t *AccessToken, now time.Time) error {
	cur, ok := s.Access[key]
	if !ok || !cur.usable(now) || cur.Token != old {
		return Changed(key)
	}
	s.Access[key] = t.Clone()
	return nil
}

// DeleteAccessToken removes key and reports whether it was there.
func (s *Set) DeleteAccessToken(key Key) bool {
	_, ok := s.Access[key]
	delete(s.Access, key)
	return ok
}

// AccessTokens lists the keys of the usable access tokens, sorted.
func (s *Set) AccessTokens(now time.Time) []Key {
	keys := make([]Key, 0, len(s.Access))
	for k, t := range s.Access {
		if t.usable(now) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, Key.Compare)
	return keys
}

// RequestToken returns a copy of the unexpired request token, or an error
// wrapping [ErrNotFound].
func (s *Set) RequestToken(token string, now time.Time) (*RequestToken, error) {
	t, ok := s.Requests[token]
	if !ok || t.Expired(now) {
		return nil, RequestNotFound(token)
	}
	c := *t
	return &c, nil
}

// PutRequestToken stores a copy of t, which must be valid.
func (s *Set) PutRequestToken(t *RequestToken) {
	c := *t
	s.Requests[t.Token] = &c
}

// DeleteRequestToken removes token and reports whether it was there.
func (s *Set) DeleteRequestToken(token string) bool {
	_, ok := s.Requests[token]
	delete(s.Requests, token)
	return ok
}

// Purge drops expired request tokens, expired access tokens that cannot be
// renewed and expired pending dances, and reports whether it dropped any.
func (s *Set) Purge(now time.Time) bool {
	n := len(s.Access) + len(s.Requests) + len(s.Dances)
	maps.DeleteFunc(s.Access, func(_ Key, t *AccessToken) bool { return !t.usable(now) })
	maps.DeleteFunc(s.Requests, func(_ string, t *RequestToken) bool { return t.Expired(now) })
	maps.DeleteFunc(s.Dances, func(_ string, d *PendingDance) bool { return d.Expired(now) })
	return len(s.Access)+len(s.Requests)+len(s.Dances) != n
}

// PutDance stores a copy of d, which must be valid, within limits (see
// [DanceStore.PutDance]), and reports whether it changed the set: when it
// refuses d it only drops expired dances.
func (s *Set) PutDance(d *PendingDance, limits DanceLimits, now time.Time) (changed bool, err error) {
	changed = s.purgeDances(now)
	var evict []*PendingDance
	if limits.PerUser > 0 {
		for _, o := range s.Dances {
			if o.User == d.User && !o.State.Equal(d.State) {
				evict = append(evict, o)
			}
		}
		slices.SortFunc(evict, func(a, b *PendingDance) int {
			if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
				return c
			}
			return strings.Compare(a.State.Reveal(), b.State.Reveal())
		})
		evict = evict[:max(0, len(evict)-(limits.PerUser-1))]
	}
	n := len(s.Dances) - len(evict)
	if _, replace := s.Dances[d.State.Reveal()]; !replace {
		n++
	}
	if limits.Total > 0 && n > limits.Total {
		return changed, TooManyDances(limits.Total)
	}
	for _, o := range evict {
		delete(s.Dances, o.State.Reveal())
	}
	c := *d
	s.Dances[d.State.Reveal()] = &c
	return true, nil
}

// TooManyDances returns an error wrapping [ErrTooManyDances] for a store
// that holds total pending dances, saying what to do.
func TooManyDances(total int) error {
	return fmt.Errorf("%w (%d): try again when some have completed or expired", ErrTooManyDances, total)
}

// TakeDance removes and returns the unexpired dance for state if user
// started it (see [DanceStore.TakeDance]); it reports whether it changed
// the set.
func (s *Set) TakeDance(state, user string, now time.Time) (*PendingDance, bool, error) {
	d, ok := s.Dances[state]
	switch {
	case !ok:
		return nil, false, DanceNotFound(state)
	case d.Expired(now):
		delete(s.Dances, state)
		return nil, true, DanceNotFound(state)
	case d.User != user:
		return nil, false, &DanceMismatchError{User: user}
	}
	delete(s.Dances, state)
	return d, true, nil
}

// DeleteDance removes state's dance and reports whether it was there.
func (s *Set) DeleteDance(state string) bool {
	_, ok := s.Dances[state]
	delete(s.Dances, state)
	return ok
}

// purgeDances drops expired dances and reports whether it dropped any.
func (s *Set) purgeDances(now time.Time) bool {
	n := len(s.Dances)
	maps.DeleteFunc(s.Dances, func(_ string, d *PendingDance) bool { return d.Expired(now) })
	return len(s.Dances) != n
}
