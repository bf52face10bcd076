package pgstore

import (
	"fmt"
	"github.com/go-applinks/applinks/applink/token"
	"sync"
	"testing"

	"github.com/go-applinks/applinks/internal/pgtest"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestConcurrentNewPrefixesInNewSchema: stores with different table
// prefixes created at once in one schema that does not exist yet all
// succeed (they used to race on CREATE SCHEMA, and 1 to 3 of 8 failed with
// a unique violation).
func TestConcurrentNewPrefixesInNewSchema(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	const n = 8
	pools := make([]*pgxpool.Pool, n)
	for i := range pools {
		pools[i] = pgtest.Pool(t, url) // one per replica: no pool serializes them
	}
	ctx := t.Context()
	stores := make([]*Store, n)
	errs := make([]error, n)
	var start, wg sync.WaitGroup
	start.Add(1)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start.Wait()
			stores[i], errs[i] = New(ctx, pools[i], WithSchema("shared"), WithTablePrefix(fmt.Sprintf("app%d_", i)))
		}()
	}
	start.Done()
	wg.Wait()
	failed := 0
	for i, err := range errs {
		if err != nil {
			failed++
			t.Errorf("store %d: %v", i, err)
		}
	}
	if failed > 0 {
		t.Fatalf("%d of %d concurrent New calls failed", failed, n)
	}
	for i, s := range stores {
		if err := s.PutAccessToken(ctx, key, token.NewAccessToken(fmt.Sprint("t", i), "s")); err != nil {
			t.Errorf("store %d: %v", i, err)
		}
	}
}
