// Package pgtest gives tests a real PostgreSQL database: the server named by
// the environment variable APPLINK_TEST_POSTGRES_URL, which .ci/postgres.sh
// starts for a command:
//
//	.ci/postgres.sh go test ./applink/pgstore/
//
// Without the variable, the tests that need a server are skipped, with a
// message that says how to run them; under CI=true they fail instead, so
// that CI cannot pass without them.
//
// Each test gets a database of its own ([NewDatabase]), dropped when the
// test ends, so tests run in parallel without seeing each other's rows.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// EnvURL is the environment variable that names the test server, as a
// postgres:// URL whose user may create databases.
const EnvURL = "APPLINK_TEST_POSTGRES_URL"

// URL returns the test server's URL. Without one, it skips t, or fails it
// when the environment variable CI is "true".
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u != "" {
		return u
	}
	msg := EnvURL + " is not set, so the PostgreSQL tests cannot run: run them with .ci/postgres.sh go test ./... (it starts a throwaway server), or set " + EnvURL + " to a server whose user may create databases"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// NewDatabase creates an empty database on the test server for t and
// returns its URL; the database is dropped when t ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	base := URL(t)
	withDatabase(t, base, "postgres") // a URL, not a key=value string
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		t.Fatalf("pgtest: %s: %v", EnvURL, err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	name := "applink_test_" + hex.EncodeToString(b[:])

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("pgtest: connecting to %s: %v", EnvURL, err)
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("pgtest: creating a test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			t.Errorf("pgtest: dropping test database %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: dropping test database %s: %v", name, err)
		}
	})
	return withDatabase(t, base, name)
}

// NewPool returns a pool on a new database of t's ([NewDatabase]), closed
// when t ends (before the database is dropped).
func NewPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	return Pool(t, NewDatabase(t))
}

// Pool returns a pool on the database at url, closed when t ends.
func Pool(t testing.TB, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// withDatabase returns the URL base with its database replaced by name.
func withDatabase(t testing.TB, base, name string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("pgtest: %s must be a postgres:// URL", EnvURL)
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String()
}
