package storetest_test

import (
	"github.com/go-applinks/applinks/applink/token"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/storetest"
)

// A store's test runs the suite on fresh stores that use the suite's clock.
// Here the memory store of package applink, as a stand-in for your own.
func ExampleRun() {
	// In a _test.go file:
	_ = func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, now func() time.Time) token.Store {
			return token.NewMemoryStore(token.WithClock(now))
		})
	}
}
