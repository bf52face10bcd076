package filestore_test

import (
	"github.com/go-applinks/applinks/applink/filestore"
	"github.com/go-applinks/applinks/applink/token"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/storetest"
)

// The file store keeps the contract of token.Store, token.Locker,
// token.Swapper and token.DanceStore (the sealed store runs the suite over
// it in its own package); two file stores on one file behave as the
// replicas' views of one store.

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, now func() time.Time) token.Store {
		s, err := filestore.Open(filepath.Join(t.TempDir(), "tokens.json"), filestore.WithClock(now))
		if err != nil {
			t.Fatalf("filestore.Open: %v", err)
		}
		return s
	})
}

func TestReplicas(t *testing.T) {
	t.Parallel()
	storetest.RunReplicas(t, func(t *testing.T, now func() time.Time) (token.Store, token.Store) {
		path := filepath.Join(t.TempDir(), "tokens.json")
		a, err := filestore.Open(path, filestore.WithClock(now))
		if err != nil {
			t.Fatal(err)
		}
		b, err := filestore.Open(path, filestore.WithClock(now))
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	})
}
