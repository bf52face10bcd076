package applink_test

import (
	"github.com/go-applinks/applinks/applink/token"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/storetest"
)

// The memory and file stores keep the contract of token.Store, token.Locker
// and token.DanceStore (the sealed store runs the suite over both in its own
// package); two file stores on one file behave as the replicas' views of
// one store.

func TestMemoryTokenStoreConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(_ *testing.T, now func() time.Time) token.Store {
		return token.NewMemoryStore(token.WithClock(now))
	})
}

func TestFileTokenStoreConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, now func() time.Time) token.Store {
		s, err := applink.OpenFileTokenStore(filepath.Join(t.TempDir(), "tokens.json"), applink.WithStoreClock(now))
		if err != nil {
			t.Fatalf("OpenFileTokenStore: %v", err)
		}
		return s
	})
}

func TestFileTokenStoreReplicas(t *testing.T) {
	t.Parallel()
	storetest.RunReplicas(t, func(t *testing.T, now func() time.Time) (token.Store, token.Store) {
		path := filepath.Join(t.TempDir(), "tokens.json")
		a, err := applink.OpenFileTokenStore(path, applink.WithStoreClock(now))
		if err != nil {
			t.Fatal(err)
		}
		b, err := applink.OpenFileTokenStore(path, applink.WithStoreClock(now))
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	})
}
