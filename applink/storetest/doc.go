// Package storetest checks that a token store keeps the contract of
// [token.Store], and of the optional [token.Locker] and
// [token.DanceStore] when it implements them, in the spirit of
// testing/fstest and golang.org/x/net/nettest: whoever writes a store (on
// their database, or a wrapper around another store) runs the same checks
// as the stores of this module.
//
//	func TestMyStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, now func() time.Time) token.Store {
//			return mystore.New(t.Context(), testDB(t), mystore.WithClock(now))
//		})
//	}
//
// [Run] gives each check a fresh store from the function it is given, with
// a clock the check moves: a store must decide expiry with that clock, not
// with the database's. Run it under -race: the checks call the store from
// many goroutines.
//
// # What it checks
//
// The whole [token.Store] contract: copies in and out, expiry and
// renewability of each kind of token, the sorting of AccessTokens, deleting
// absent keys, request tokens, validation, context cancellation and
// concurrent use. For an [token.Locker]: mutual exclusion of one
// key (a read-modify-write under the lock loses nothing), independence of
// other keys and of every other store operation, the context honored while
// waiting, hand-off to a waiter. For an [token.DanceStore]: round trip,
// single use (of concurrent takes exactly one wins), another user's take
// refused without consuming the dance, expiry, the per-user and total
// limits, validation and cancellation.
//
// [RunReplicas] checks what the replicas of an application sharing one
// store rely on, with two values of the store on the same storage (two
// file stores on one file, two database stores on one schema): tokens
// written and deleted through one are seen so through the other, a key
// locked through one waits through the other, and a dance put through one
// is taken once, however many replicas race for it.
package storetest
