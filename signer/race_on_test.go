//go:build race

package signer

// raceEnabled says the tests run under the race detector, which changes
// what escapes to the heap: allocation counts hold only without it.
const raceEnabled = true
