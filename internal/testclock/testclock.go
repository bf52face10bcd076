// Package testclock is a clock that tests move by hand, for the packages of
// this module that take their time from an injected func() time.Time
// (applink, signer, the token stores, applinktest):
//
//	clock := testclock.New(testclock.Start)
//	srv := applinktest.NewServer(t, applinktest.WithClock(clock.Now))
//	clock.Advance(time.Hour) // the access token has expired
//
// A test moves time with [Clock.Advance] instead of sleeping, so it neither
// waits nor depends on how busy the machine is.
package testclock

import (
	"sync"
	"time"
)

// Start is the time most of the module's tests start their clocks at,
// 2026-03-01 12:00:00 UTC. Tests must not change it.
var Start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Clock is a clock that stands still until [Clock.Advance] moves it. Its
// methods are safe for concurrent use, so a provider, a service and the
// stores under test may share one.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a clock that reads t0 until it is advanced.
func New(t0 time.Time) *Clock {
	return &Clock{now: t0}
}

// Now returns the clock's time. Its method value (clock.Now) is what the
// module's WithClock options take.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (back, when d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
