package pgstore

import (
	"errors"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/applink/config"
	"github.com/go-applinks/applinks/internal/pgtest"
)

func TestPoolConfigPassword(t *testing.T) {
	t.Parallel()
	env := func(k string) string {
		if k == PasswordEnv {
			return "from-env"
		}
		return ""
	}
	for _, tc := range []struct {
		url, want string
	}{
		{"postgres://app@db.example/applink", "from-env"},
		{"postgresql://app@db.example:5433/applink?sslmode=require", "from-env"},
		{"postgres://app:in-url@db.example/applink", "in-url"},
		{"postgres://app@db.example/applink?password=in-query", "in-query"},
	} {
		cfg, _, err := poolConfig(tc.url, env)
		if err != nil {
			t.Fatalf("%s: %v", tc.url, err)
		}
		if got := cfg.ConnConfig.Password; got != tc.want {
			t.Errorf("%s: password %q, want %q", tc.url, got, tc.want)
		}
	}
	cfg, _, err := poolConfig("postgres://app@db.example/applink", func(string) string { return "" })
	if err != nil || cfg.ConnConfig.Password != "" {
		t.Errorf("without %s: password %q, %v; want none (PGPASSWORD and ~/.pgpass are pgx's)", PasswordEnv, cfg.ConnConfig.Password, err)
	}
}

func TestPoolConfigParams(t *testing.T) {
	t.Parallel()
	cfg, opts, err := poolConfig("postgres://app@db.example/applink?applink_schema=tenant&applink_table_prefix=x_&pool_max_conns=7", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	o := newOptions(opts)
	if o.schema != "tenant" || o.prefix != "x_" {
		t.Errorf("schema %q, prefix %q; want tenant, x_", o.schema, o.prefix)
	}
	if cfg.MaxConns != 7 {
		t.Errorf("MaxConns = %d, want 7", cfg.MaxConns)
	}
	if _, ok := cfg.ConnConfig.RuntimeParams[SchemaParam]; ok {
		t.Errorf("%s would be sent to the server as a setting", SchemaParam)
	}
}

func TestPoolConfigRefusesOtherURLs(t *testing.T) {
	t.Parallel()
	for _, u := range []string{
		"mysql://app:hunter2@db.example/applink",
		"/var/lib/applink/tokens.json",
		"postgres://app:hunter2@db.example:notaport/applink",
		"postgres://app:hunter2@db.example/applink?pool_max_conns=many",
	} {
		_, _, err := poolConfig(u, func(string) string { return "" })
		if err == nil {
			t.Errorf("%s: accepted", u)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: the error shows the password: %v", u, err)
		}
	}
}

func TestOpen(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	ctx := t.Context()
	s, err := Open(ctx, url+"&applink_schema=opened")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutAccessToken(ctx, key, token.NewAccessToken("t", "s")); err != nil {
		t.Fatal(err)
	}
	check := pgtest.Pool(t, url)
	var n int
	if err := check.QueryRow(ctx, `SELECT count(*) FROM opened.applink_access_tokens`).Scan(&n); err != nil || n != 1 {
		t.Errorf("rows in opened.applink_access_tokens: %d, %v; want 1", n, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Open's pool is the store's: Close closed it.
	if _, err := s.AccessToken(ctx, key); err == nil || errors.Is(err, token.ErrNotFound) {
		t.Errorf("AccessToken after Close: %v, want the closed pool's error", err)
	}
	// config.Open takes Open as the opener of postgres URLs.
	_ = config.WithTokenStoreOpener("postgres", Open)
}

func TestOpenUnreachable(t *testing.T) {
	t.Parallel()
	// A port nothing listens on (the discard port).
	_, err := Open(t.Context(), "postgres://app:hunter2@127.0.0.1:9/applink?connect_timeout=5")
	if err == nil {
		t.Fatal("Open of an unreachable server succeeded")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("the error shows the password: %v", err)
	}
}
