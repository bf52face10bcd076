package pgstore

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/go-applinks/applinks/internal/redact"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PasswordEnv is the environment variable [Open] takes the database
// password from when the URL has none. libpq's PGPASSWORD and password
// file (~/.pgpass, PGPASSFILE) work too.
const PasswordEnv = "APPLINK_POSTGRES_PASSWORD"

// URL query parameters [Open] reads itself (and does not pass to the
// server): the schema and table prefix of the store's tables.
const (
	SchemaParam = "applink_schema"
	PrefixParam = "applink_table_prefix"
)

// Open opens a store at a postgres:// (or postgresql://) URL, as the
// tokenStore setting of an applink config file names it, with a pool of
// its own that [Store.Close] closes; [New] is the same on a pool of the
// caller's. It is what config.Open calls for a config's postgres URL:
//
//	svc, err := config.Open(ctx, "", config.WithTokenStoreOpener("postgres", pgstore.Open))
//
// The URL is libpq's (postgres://user@host:port/database?sslmode=...,
// pool_max_conns=N and pgx's other settings), plus applink_schema and
// applink_table_prefix ([WithSchema], [WithTablePrefix]); opts apply after
// the URL's. The password comes from the environment when the URL has
// none: [PasswordEnv], else PGPASSWORD or the password file.
//
// Errors never show the password.
func Open(ctx context.Context, location string, opts ...Option) (*Store, error) {
	cfg, urlOpts, err := poolConfig(location, newOptions(opts).getenv)
	if err != nil {
		return nil, err
	}
	shown := redact.URLString(location)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgstore: connecting to %s: %w", shown, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgstore: connecting to %s: %w%s", shown, err, passwordAdvice(err))
	}
	s, err := New(ctx, pool, append(urlOpts, opts...)...)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.ownPool = true
	return s, nil
}

// poolConfig reads a store URL: the pool's configuration, with the
// password from getenv(PasswordEnv) when the URL has none, and the options
// its applink_* parameters set.
func poolConfig(location string, getenv func(string) string) (*pgxpool.Config, []Option, error) {
	shown := redact.URLString(location)
	u, err := url.Parse(location)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, nil, fmt.Errorf("pgstore: %s is not a postgres:// URL", shown)
	}
	q := u.Query()
	var opts []Option
	if q.Has(SchemaParam) {
		opts = append(opts, WithSchema(q.Get(SchemaParam)))
		q.Del(SchemaParam)
	}
	if q.Has(PrefixParam) {
		opts = append(opts, WithTablePrefix(q.Get(PrefixParam)))
		q.Del(PrefixParam)
	}
	u.RawQuery = q.Encode()
	cfg, err := pgxpool.ParseConfig(u.String())
	if err != nil {
		// pgx's message may quote the URL: keep only that it failed.
		return nil, nil, fmt.Errorf("pgstore: %s is not a valid PostgreSQL URL: check its host, port and settings", shown)
	}
	if _, set := u.User.Password(); !set && !hasPasswordParam(u) {
		if pw := getenv(PasswordEnv); pw != "" {
			cfg.ConnConfig.Password = pw
		}
	}
	return cfg, opts, nil
}

// hasPasswordParam reports whether the URL's query sets a password.
func hasPasswordParam(u *url.URL) bool {
	for k := range u.Query() {
		if strings.EqualFold(k, "password") {
			return true
		}
	}
	return false
}

// passwordAdvice says where a password comes from when authentication
// failed.
func passwordAdvice(err error) string {
	if msg := err.Error(); strings.Contains(msg, "password authentication failed") || strings.Contains(msg, "no password") ||
		strings.Contains(msg, "SQLSTATE 28P01") || strings.Contains(msg, "SQLSTATE 28000") {
		return ": set the password in " + PasswordEnv + " (or PGPASSWORD, or ~/.pgpass), not in the URL"
	}
	return ""
}
