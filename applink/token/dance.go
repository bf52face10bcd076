package token

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrDanceNotFound is returned (wrapped) by a [DanceStore] when it holds no
// pending dance (unexpired, not yet taken) for a state.
var ErrDanceNotFound = errors.New("token: no pending dance for this state")

// ErrTooManyDances is returned (wrapped) by [DanceStore.PutDance] when the
// store holds [DanceLimits].Total unexpired pending dances already.
var ErrTooManyDances = errors.New("token: too many dances are pending")

// PendingDance is a dance that the web dance handler started and whose
// callback has not come yet. Its State, a random value in the callback URL,
// is bound to the signed-in user who started it, the link, the request
// token and the local path to return to. It holds no secret of the remote
// (the request token's secret stays in the [Store]), but State is what lets
// the user's browser finish the dance, so it is a [Secret]: it never
// prints.
type PendingDance struct {
	// State is the random value of the callback URL's state parameter; it
	// names the dance in the store.
	State Secret
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

// DanceStore keeps the pending dances of the web dance handler between the
// start of a dance and its callback. A store shared by every replica of a
// web application (a database, or a token file shared by the processes of
// one host) lets the callback land on any replica: no sticky sessions are
// needed.
//
// Implementations must be safe for concurrent use, also across processes
// when they are shared, treat expired dances as absent, and copy dances in
// and out. [MemoryStore] implements it (alongside [Store]), and so do
// applink/filestore and applink/pgstore; the applink/storetest package
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

// DanceNotFound returns an error wrapping [ErrDanceNotFound] that names the
// state, abbreviated.
func DanceNotFound(state string) error {
	return fmt.Errorf("%w %s (unknown, expired or already used)", ErrDanceNotFound, abbrev(state))
}
