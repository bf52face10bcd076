package applink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/signer"
)

// ErrDanceNotFound is returned by a [DanceStore] when it holds no pending
// dance (unexpired, not yet taken) for a state.
var ErrDanceNotFound = errors.New("applink: no pending dance for this state")

// ErrTooManyDances is returned by [DanceStore.PutDance] when the store
// holds [DanceLimits].Total unexpired pending dances already.
var ErrTooManyDances = errors.New("applink: too many dances are pending")

// PendingDance is a 3-legged dance that the web dance handler
// ([NewDanceHandler]) started and whose callback has not come yet. Its
// State, a random value in the callback URL, is bound to the signed-in user
// who started it, the link, the request token and the local path to return
// to. It holds no secret of the remote (the request token's secret stays
// in the [TokenStore]), but State is what lets the user's browser finish
// the dance, so it never prints in full.
type PendingDance struct {
	// State is the random value of the callback URL's state parameter; it
	// names the dance in the store.
	State string
	// User is the signed-in user of the application who started the dance.
	User string
	// LinkID is the link being authorized.
	LinkID string
	// RequestToken is the value (not the secret) of the request token the
	// dance obtained; the callback must carry it.
	RequestToken string
	// Redirect is the local path the browser returns to at the end.
	Redirect string
	// ExpiresAt is when the dance is forgotten; the zero time means never.
	ExpiresAt time.Time
	// CreatedAt is when it started. The per-user limit evicts the oldest.
	CreatedAt time.Time
}

// Expired reports whether the dance has expired at now.
func (d *PendingDance) Expired(now time.Time) bool {
	return !d.ExpiresAt.IsZero() && !now.Before(d.ExpiresAt)
}

// String describes the dance with an abbreviated state.
func (d PendingDance) String() string {
	return fmt.Sprintf("PendingDance(state %s, link %s, user %q)", signer.Abbrev(d.State), d.LinkID, d.User)
}

// GoString is [PendingDance.String].
func (d PendingDance) GoString() string { return d.String() }

// Format prints [PendingDance.String] for every verb, so that no verb
// reaches the whole state.
func (d PendingDance) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, d.String(), d.GoString())
}

// LogValue is [PendingDance.String].
func (d PendingDance) LogValue() slog.Value { return slog.StringValue(d.String()) }

// MarshalJSON renders the dance as the JSON string of [PendingDance.String].
// It does not persist a dance: use a [DanceStore].
func (d PendingDance) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// DanceLimits bounds the pending dances a [DanceStore] holds. Zero fields
// mean no limit.
type DanceLimits struct {
	// PerUser is how many pending dances one user may have: storing one
	// more first removes that user's oldest (by CreatedAt), so a user who
	// starts dance after dance never locks out anyone, themselves included.
	PerUser int
	// Total is how many pending dances the store holds: when it holds
	// Total unexpired ones (after the per-user eviction), PutDance returns
	// [ErrTooManyDances] and stores nothing.
	Total int
}

// DanceMismatchError is returned by [DanceStore.TakeDance] when the pending
// dance for the state was started by another user. The dance stays
// pending, usable by the user who started it.
type DanceMismatchError struct {
	// User is who asked to take it.
	User string
}

// Error says what happened and what to do.
func (e *DanceMismatchError) Error() string {
	return fmt.Sprintf("applink: the pending dance was started by another user than %q: sign in as that user, or start the authorization again", e.User)
}

// DanceStore keeps the pending dances of the web dance handler
// ([NewDanceHandler]) between the start of a dance and its callback. A store
// shared by every replica of a web application (a database, or a token file
// shared by the processes of one host) lets the callback land on any
// replica: no sticky sessions are needed.
//
// Implementations must be safe for concurrent use, also across processes
// when they are shared, treat expired dances as absent, and copy dances in
// and out. [MemoryTokenStore] and [FileTokenStore] implement it (alongside
// [TokenStore]), and so does applink/pgstore; the applink/storetest package
// checks the contract, single use under concurrency included.
type DanceStore interface {
	// PutDance stores a new pending dance under d.State, within limits:
	// with limits.PerUser set, the user's oldest pending dances are removed
	// first so that at most PerUser remain with this one; with limits.Total
	// set and that many unexpired dances pending, it returns
	// ErrTooManyDances and stores nothing. Expired dances do not count and
	// may be removed. A dance with the state of a pending one replaces it.
	PutDance(ctx context.Context, d *PendingDance, limits DanceLimits) error
	// TakeDance removes the pending dance for state and returns it, in one
	// atomic step: of concurrent takes (in any process sharing the store)
	// exactly one gets it. It returns an error wrapping ErrDanceNotFound
	// when there is no unexpired dance for state, and a
	// *DanceMismatchError, leaving the dance pending, when user did not
	// start it.
	TakeDance(ctx context.Context, state, user string) (*PendingDance, error)
	// DeleteDance removes the pending dance for state; removing an absent
	// one is not an error.
	DeleteDance(ctx context.Context, state string) error
}

// validateDance checks what every dance store needs before storing d.
func validateDance(d *PendingDance) error {
	switch {
	case d == nil:
		return errors.New("applink: cannot store a nil pending dance")
	case d.State == "":
		return errors.New("applink: cannot store a pending dance without a state")
	case d.User == "":
		return fmt.Errorf("applink: cannot store a pending dance for link %q without a user", d.LinkID)
	case d.LinkID == "":
		return fmt.Errorf("applink: cannot store a pending dance of user %q without a link id", d.User)
	}
	for _, ts := range []time.Time{d.ExpiresAt, d.CreatedAt} {
		if err := validateStoreTime(ts); err != nil {
			return fmt.Errorf("applink: cannot store the pending dance of user %q on link %q: %w", d.User, d.LinkID, err)
		}
	}
	return nil
}

// danceNotFound wraps ErrDanceNotFound with the abbreviated state.
func danceNotFound(state string) error {
	return fmt.Errorf("%w %s (unknown, expired or already used)", ErrDanceNotFound, signer.Abbrev(state))
}

// putDance stores a copy of d, which must be valid, within limits, and
// reports whether it changed the set: when it refuses d it only drops
// expired dances.
func (s *tokenSet) putDance(d *PendingDance, limits DanceLimits, now time.Time) (changed bool, err error) {
	changed = s.purgeDances(now)
	var evict []*PendingDance
	if limits.PerUser > 0 {
		for _, o := range s.dances {
			if o.User == d.User && o.State != d.State {
				evict = append(evict, o)
			}
		}
		slices.SortFunc(evict, func(a, b *PendingDance) int {
			if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
				return c
			}
			return strings.Compare(a.State, b.State)
		})
		evict = evict[:max(0, len(evict)-(limits.PerUser-1))]
	}
	n := len(s.dances) - len(evict)
	if _, replace := s.dances[d.State]; !replace {
		n++
	}
	if limits.Total > 0 && n > limits.Total {
		return changed, fmt.Errorf("%w (%d): try again when some have completed or expired", ErrTooManyDances, limits.Total)
	}
	for _, o := range evict {
		delete(s.dances, o.State)
	}
	c := *d
	s.dances[d.State] = &c
	return true, nil
}

// takeDance removes and returns the unexpired dance for state if user
// started it; it reports whether it changed the set.
func (s *tokenSet) takeDance(state, user string, now time.Time) (*PendingDance, bool, error) {
	d, ok := s.dances[state]
	switch {
	case !ok:
		return nil, false, danceNotFound(state)
	case d.Expired(now):
		delete(s.dances, state)
		return nil, true, danceNotFound(state)
	case d.User != user:
		return nil, false, &DanceMismatchError{User: user}
	}
	delete(s.dances, state)
	return d, true, nil
}

// deleteDance removes state's dance and reports whether it was there.
func (s *tokenSet) deleteDance(state string) bool {
	_, ok := s.dances[state]
	delete(s.dances, state)
	return ok
}

// purgeDances drops expired dances and reports whether it dropped any.
func (s *tokenSet) purgeDances(now time.Time) bool {
	n := len(s.dances)
	maps.DeleteFunc(s.dances, func(_ string, d *PendingDance) bool { return d.Expired(now) })
	return len(s.dances) != n
}
