package applink_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/storetest"
)

// The memory and file stores keep the contract of TokenStore, TokenLocker
// and DanceStore (the sealed store runs the suite over both in its own
// package); two file stores on one file behave as the replicas' views of
// one store.

func TestMemoryTokenStoreConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(_ *testing.T, now func() time.Time) applink.TokenStore {
		return applink.NewMemoryTokenStore(applink.WithStoreClock(now))
	})
}

func TestFileTokenStoreConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, now func() time.Time) applink.TokenStore {
		s, err := applink.OpenFileTokenStore(filepath.Join(t.TempDir(), "tokens.json"), applink.WithStoreClock(now))
		if err != nil {
			t.Fatalf("OpenFileTokenStore: %v", err)
		}
		return s
	})
}

func TestFileTokenStoreReplicas(t *testing.T) {
	t.Parallel()
	storetest.RunReplicas(t, func(t *testing.T, now func() time.Time) (applink.TokenStore, applink.TokenStore) {
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
