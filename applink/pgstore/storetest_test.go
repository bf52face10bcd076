package pgstore

import (
	"context"
	"github.com/go-applinks/applinks/applink/token"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/storetest"
	"github.com/go-applinks/applinks/internal/pgtest"
	"github.com/jackc/pgx/v5/pgxpool"
)

// suitePool returns a pool on a new database, large enough for the
// suite's parallel checks (each store holds connections for its locks).
func suitePool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 32
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func TestConformance(t *testing.T) {
	t.Parallel()
	pool := suitePool(t)
	storetest.Run(t, func(t *testing.T, now func() time.Time) token.Store {
		return newTestStore(t, pool, WithClock(now))
	})
}
