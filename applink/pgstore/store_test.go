package pgstore

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/pgtest"
	"github.com/go-applinks/applinks/internal/testclock"
	gocmp "github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// testPool returns a pool on a database of this test's.
func testPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	return pgtest.NewPool(t)
}

// uniqueSchema returns a schema name no other test uses.
func uniqueSchema() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "s_" + hex.EncodeToString(b[:])
}

// newTestStore returns a store with its own schema on pool (a new database
// when pool is nil), closed when t ends.
func newTestStore(t testing.TB, pool *pgxpool.Pool, opts ...Option) *Store {
	t.Helper()
	if pool == nil {
		pool = testPool(t)
	}
	s, err := New(context.Background(), pool, append([]Option{WithSchema(uniqueSchema())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

var (
	key  = token.Key{LinkID: "0f4e7a3c-jira", User: "alice"}
	key2 = token.Key{LinkID: "0f4e7a3c-jira", User: "bob"}
)

func oauth1Token(clock *testclock.Clock) *token.AccessToken {
	t := token.NewAccessToken("tok-1", "secret-1")
	t.ExpiresAt = clock.Now().Add(time.Hour)
	t.SessionHandle = token.NewSecret("handle-1")
	t.AuthorizationExpiresAt = clock.Now().Add(24 * time.Hour)
	t.CreatedAt = clock.Now().Add(-time.Minute)
	return t
}

func oauth2Token(clock *testclock.Clock) *token.AccessToken {
	t := token.NewOAuth2AccessToken("bearer-1", "refresh-1")
	t.ExpiresAt = clock.Now().Add(time.Hour)
	t.Scopes = []string{"READ", "WRITE"}
	t.CreatedAt = clock.Now()
	return t
}

// tokenFields is what a test compares: every field, secrets included.
type tokenFields struct {
	Kind                              token.Kind
	Token, Secret, Refresh, Handle    string
	ExpiresAt, AuthExpiresAt, Created time.Time
	Scopes                            []string
}

func fields(t *token.AccessToken) tokenFields {
	return tokenFields{t.Kind, t.Token, t.Secret.Reveal(), t.RefreshToken.Reveal(), t.SessionHandle.Reveal(),
		t.ExpiresAt, t.AuthorizationExpiresAt, t.CreatedAt, t.Scopes}
}

func TestAccessTokenRoundTrip(t *testing.T) {
	t.Parallel()
	clock := testclock.New(testclock.Start)
	s := newTestStore(t, nil, WithClock(clock.Now))
	ctx := t.Context()
	withNanos := oauth1Token(clock)
	withNanos.ExpiresAt = withNanos.ExpiresAt.Add(1500 * time.Nanosecond) // kept to the microsecond
	noTimes := token.NewAccessToken("tok-3", "")
	noScopes := oauth2Token(clock)
	noScopes.Scopes = []string{}
	for _, tc := range []struct {
		name string
		tok  *token.AccessToken
		want *token.AccessToken
	}{
		{"oauth1", oauth1Token(clock), nil},
		{"oauth2", oauth2Token(clock), nil},
		{"oauth2 without refresh token", token.NewOAuth2AccessToken("bearer-2", ""), nil},
		{"oauth2 with empty scopes", noScopes, nil},
		{"no times, no secret", noTimes, nil},
		{"kind unset reads as oauth1", &token.AccessToken{Token: "tok-4"}, token.NewAccessToken("tok-4", "")},
		{"nanoseconds", withNanos, func() *token.AccessToken {
			w := *withNanos
			w.ExpiresAt = w.ExpiresAt.Truncate(time.Microsecond)
			return &w
		}()},
		{"unicode", func() *token.AccessToken {
			t := token.NewAccessToken("tök ✓", "sécret\t\"'\\")
			t.SessionHandle = token.NewSecret("h; DROP TABLE x; --")
			return t
		}(), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := token.Key{LinkID: "link " + tc.name, User: "Ünïcode 'user'"}
			if err := s.PutAccessToken(ctx, k, tc.tok); err != nil {
				t.Fatal(err)
			}
			got, err := s.AccessToken(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if want == nil {
				want = tc.tok
			}
			if diff := gocmp.Diff(fields(want), fields(got)); diff != "" {
				t.Errorf("read back (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAccessTokenCopies(t *testing.T) {
	t.Parallel()
	clock := testclock.New(testclock.Start)
	s := newTestStore(t, nil, WithClock(clock.Now))
	ctx := t.Context()
	tok := oauth2Token(clock)
	if err := s.PutAccessToken(ctx, key, tok); err != nil {
		t.Fatal(err)
	}
	tok.Scopes[0] = "ADMIN"
	tok.ExpiresAt = time.Time{}
	got, err := s.AccessToken(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(fields(oauth2Token(clock)), fields(got)); diff != "" {
		t.Errorf("changing the token after Put changed the store (-want +got):\n%s", diff)
	}
	got.Scopes[1] = "ADMIN"
	again, err := s.AccessToken(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(fields(oauth2Token(clock)), fields(again)); diff != "" {
		t.Errorf("changing a token read changed the store (-want +got):\n%s", diff)
	}
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	clock := testclock.New(testclock.Start)
	s := newTestStore(t, nil, WithClock(clock.Now))
	ctx := t.Context()
	now := clock.Now()
	at := func(tok *token.AccessToken, f func(*token.AccessToken)) *token.AccessToken { f(tok); return tok }
	cases := []struct {
		name    string
		tok     *token.AccessToken
		present bool
	}{
		{"unexpired", at(token.NewAccessToken("a", "s"), func(t *token.AccessToken) { t.ExpiresAt = now.Add(time.Second) }), true},
		{"no expiry", token.NewAccessToken("b", "s"), true},
		{"expires now", at(token.NewAccessToken("c", "s"), func(t *token.AccessToken) { t.ExpiresAt = now }), false},
		{"expired", at(token.NewAccessToken("d", "s"), func(t *token.AccessToken) { t.ExpiresAt = now.Add(-time.Hour) }), false},
		{"expired, renewable", at(token.NewAccessToken("e", "s"), func(t *token.AccessToken) {
			t.ExpiresAt = now.Add(-time.Hour)
			t.SessionHandle = token.NewSecret("h")
		}), true},
		{"expired, renewable until later", at(token.NewAccessToken("f", "s"), func(t *token.AccessToken) {
			t.ExpiresAt = now.Add(-time.Hour)
			t.SessionHandle = token.NewSecret("h")
			t.AuthorizationExpiresAt = now.Add(time.Minute)
		}), true},
		{"expired, authorization expired", at(token.NewAccessToken("g", "s"), func(t *token.AccessToken) {
			t.ExpiresAt = now.Add(-time.Hour)
			t.SessionHandle = token.NewSecret("h")
			t.AuthorizationExpiresAt = now
		}), false},
		{"oauth2 expired, refresh token", at(token.NewOAuth2AccessToken("b1", "r"), func(t *token.AccessToken) { t.ExpiresAt = now.Add(-time.Hour) }), true},
		{"oauth2 expired, no refresh token", at(token.NewOAuth2AccessToken("b2", ""), func(t *token.AccessToken) { t.ExpiresAt = now.Add(-time.Hour) }), false},
		{"oauth2 with a session handle is not renewable by it", at(token.NewOAuth2AccessToken("b3", ""), func(t *token.AccessToken) {
			t.ExpiresAt = now.Add(-time.Hour)
			t.SessionHandle = token.NewSecret("h")
		}), false},
	}
	var wantKeys []token.Key
	for _, tc := range cases {
		k := token.Key{LinkID: "l", User: tc.name}
		if err := s.PutAccessToken(ctx, k, tc.tok); err != nil {
			t.Fatal(err)
		}
		if tc.present {
			wantKeys = append(wantKeys, k)
		}
		// Agree with applink's own definition.
		if got := !tc.tok.Expired(now) || tc.tok.Renewable(now); got != tc.present {
			t.Fatalf("%s: the test case says present=%v, applink says %v", tc.name, tc.present, got)
		}
	}
	for _, tc := range cases {
		_, err := s.AccessToken(ctx, token.Key{LinkID: "l", User: tc.name})
		switch {
		case tc.present && err != nil:
			t.Errorf("%s: AccessToken: %v, want the token", tc.name, err)
		case !tc.present && !errors.Is(err, token.ErrNotFound):
			t.Errorf("%s: AccessToken: %v, want ErrTokenNotFound", tc.name, err)
		}
	}
	sortKeys(wantKeys)
	got, err := s.AccessTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(wantKeys, got); diff != "" {
		t.Errorf("AccessTokens (-want +got):\n%s", diff)
	}
}

// sortKeys sorts as AccessTokens must: by link id, then user, bytewise.
func sortKeys(keys []token.Key) {
	slices.SortFunc(keys, func(a, b token.Key) int {
		return cmp.Or(strings.Compare(a.LinkID, b.LinkID), strings.Compare(a.User, b.User))
	})
}

func TestAccessTokensSortedBytewise(t *testing.T) {
	t.Parallel()
	s := newTestStore(t, nil)
	ctx := t.Context()
	// Orders a linguistic collation would change: case, accents, spaces.
	keys := []token.Key{
		{LinkID: "b", User: "alice"}, {LinkID: "B", User: "alice"}, {LinkID: "a", User: "Zoe"}, {LinkID: "a", User: "zoe"},
		{LinkID: "a", User: "émile"}, {LinkID: "a", User: "e mile"}, {LinkID: "a", User: "emile"}, {LinkID: "a b", User: "x"}, {LinkID: "ab", User: "x"},
	}
	for _, k := range keys {
		if err := s.PutAccessToken(ctx, k, token.NewAccessToken("t", "s")); err != nil {
			t.Fatal(err)
		}
	}
	sortKeys(keys)
	// The test cluster's default collation may be C already: check that
	// the keys collate as C whatever the database's default.
	var collations []string
	rows, err := s.pool.Query(ctx, `SELECT coalesce(collation_name, '') FROM information_schema.columns
		WHERE table_schema = $1 AND table_name = $2 AND column_name IN ('link_id', 'user_name')`, s.t.schema, s.t.prefix+"access_tokens")
	if err != nil {
		t.Fatal(err)
	}
	if collations, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff([]string{"C", "C"}, collations); diff != "" {
		t.Errorf("key column collations (-want +got):\n%s", diff)
	}
	got, err := s.AccessTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(keys, got); diff != "" {
		t.Errorf("AccessTokens (-want +got):\n%s", diff)
	}
}

func TestEmptyList(t *testing.T) {
	t.Parallel()
	s := newTestStore(t, nil)
	got, err := s.AccessTokens(t.Context())
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("AccessTokens() = %#v, %v; want an empty list", got, err)
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	clock := testclock.New(testclock.Start)
	s := newTestStore(t, nil, WithClock(clock.Now))
	ctx := t.Context()
	for _, k := range []token.Key{key, key2} {
		if err := s.PutAccessToken(ctx, k, oauth1Token(clock)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteAccessToken(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AccessToken(ctx, key); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("after delete: %v, want ErrTokenNotFound", err)
	}
	if _, err := s.AccessToken(ctx, key2); err != nil {
		t.Errorf("deleting one user's token touched another's: %v", err)
	}
	for _, k := range []token.Key{key, {LinkID: "absent", User: "x"}, {LinkID: "bad\x00", User: "\xff"}} {
		if err := s.DeleteAccessToken(ctx, k); err != nil {
			t.Errorf("deleting absent %v: %v", k, err)
		}
	}
	if err := s.DeleteRequestToken(ctx, "absent"); err != nil {
		t.Errorf("deleting an absent request token: %v", err)
	}
}

func TestPutRefusesWhatOtherStoresRefuse(t *testing.T) {
	t.Parallel()
	s := newTestStore(t, nil)
	mem := token.NewMemoryStore()
	ctx := t.Context()
	farFuture := token.NewAccessToken("t", "s")
	farFuture.ExpiresAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		key  token.Key
		tok  *token.AccessToken
	}{
		{"nil token", key, nil},
		{"no link", token.Key{User: "u"}, token.NewAccessToken("t", "s")},
		{"no user", token.Key{LinkID: "l"}, token.NewAccessToken("t", "s")},
		{"empty token", key, token.NewAccessToken("", "s")},
		{"unknown kind", key, &token.AccessToken{Kind: "oauth3", Token: "t"}},
		{"oauth2 without bearer", key, &token.AccessToken{Kind: token.KindOAuth2, Token: "t"}},
		{"year 10000", key, farFuture},
	} {
		errMem := mem.PutAccessToken(ctx, tc.key, tc.tok)
		errPG := s.PutAccessToken(ctx, tc.key, tc.tok)
		if errMem == nil || errPG == nil {
			t.Errorf("%s: memory store: %v, pgstore: %v; want both to refuse", tc.name, errMem, errPG)
		}
	}
	if keys, err := s.AccessTokens(ctx); err != nil || len(keys) != 0 {
		t.Errorf("after refused puts: %v, %v; want nothing stored", keys, err)
	}
}

func TestTextPostgreSQLCannotHold(t *testing.T) {
	t.Parallel()
	s := newTestStore(t, nil)
	ctx := t.Context()
	if err := s.PutAccessToken(ctx, key, token.NewAccessToken("good", "s")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		key   token.Key
		tok   *token.AccessToken
		field string
	}{
		{"NUL in user", token.Key{LinkID: "l", User: "a\x00b"}, token.NewAccessToken("t", "s"), "user"},
		{"invalid UTF-8 link", token.Key{LinkID: "\xff", User: "u"}, token.NewAccessToken("t", "s"), "link id"},
		{"NUL in secret", key, token.NewAccessToken("t", "s\x00"), "token secret"},
		{"invalid UTF-8 refresh", key, token.NewOAuth2AccessToken("b", "\xc3"), "refresh token"},
	} {
		err := s.PutAccessToken(ctx, tc.key, tc.tok)
		var te *TextError
		if !errors.As(err, &te) || te.Field != tc.field {
			t.Errorf("%s: %v, want a *TextError for the %s", tc.name, err, tc.field)
		}
		if _, err := s.AccessToken(ctx, tc.key); tc.key != key && !errors.Is(err, token.ErrNotFound) {
			t.Errorf("%s: looking it up: %v, want ErrTokenNotFound", tc.name, err)
		}
	}
	got, err := s.AccessToken(ctx, key)
	if err != nil || got.Token != "good" {
		t.Errorf("the stored token after refused puts: %v, %v", got, err)
	}
}

func TestRequestTokens(t *testing.T) {
	t.Parallel()
	clock := testclock.New(testclock.Start)
	s := newTestStore(t, nil, WithClock(clock.Now))
	ctx := t.Context()
	rt := token.NewRequestToken("req-1", "req-secret")
	rt.LinkID, rt.User, rt.Callback = "l", "alice", "https://app.example/callback?x=1"
	rt.ExpiresAt = clock.Now().Add(10 * time.Minute)
	rt.CreatedAt = clock.Now()
	if err := s.PutRequestToken(ctx, rt); err != nil {
		t.Fatal(err)
	}
	rt.User = "mallory"
	got, err := s.RequestToken(ctx, "req-1")
	if err != nil {
		t.Fatal(err)
	}
	type rtFields struct {
		Token, Secret, LinkID, User, Callback string
		ExpiresAt, CreatedAt                  time.Time
	}
	rf := func(t *token.RequestToken) rtFields {
		return rtFields{t.Token, t.Secret.Reveal(), t.LinkID, t.User, t.Callback, t.ExpiresAt, t.CreatedAt}
	}
	want := rf(rt)
	want.User = "alice"
	if diff := gocmp.Diff(want, rf(got)); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
	for _, bad := range []*token.RequestToken{nil, token.NewRequestToken("", "s"), token.NewRequestToken("x\x00", "s")} {
		if err := s.PutRequestToken(ctx, bad); err == nil {
			t.Errorf("PutRequestToken(%v) stored it", bad)
		}
	}
	if _, err := s.RequestToken(ctx, "\xff"); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("invalid UTF-8 lookup: %v", err)
	}
	clock.Advance(10 * time.Minute)
	if _, err := s.RequestToken(ctx, "req-1"); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("expired request token: %v, want ErrTokenNotFound", err)
	}
	if err := s.DeleteRequestToken(ctx, "req-1"); err != nil {
		t.Fatal(err)
	}
}

func TestNewRefusesBadNames(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	for _, tc := range []struct {
		name string
		opt  Option
		what string
	}{
		{"quote in schema", WithSchema(`x"; DROP SCHEMA public; --`), "schema"},
		{"upper case schema", WithSchema("Applink"), "schema"},
		{"empty schema", WithSchema(""), "schema"},
		{"digit first", WithSchema("1abc"), "schema"},
		{"long schema", WithSchema(string(make([]byte, 64))), "schema"},
		{"dot in prefix", WithTablePrefix("a.b_"), "table prefix"},
		{"space in prefix", WithTablePrefix("my app"), "table prefix"},
		{"prefix too long for the longest table", WithTablePrefix("p" + fmt.Sprintf("%040d", 0)), "table prefix"},
	} {
		_, err := New(t.Context(), pool, tc.opt)
		var ne *NameError
		if !errors.As(err, &ne) || ne.What != tc.what {
			t.Errorf("%s: %v, want a *NameError for the %s", tc.name, err, tc.what)
		}
	}
	var n int
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("refused names created %d tables", n)
	}
}

func TestNamesAreConfigurable(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	ctx := t.Context()
	a, err := New(ctx, pool, WithSchema("tenant_a"), WithTablePrefix(""))
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(ctx, pool, WithSchema("tenant_a"), WithTablePrefix("other_"))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.PutAccessToken(ctx, key, token.NewAccessToken("t", "s")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.AccessToken(ctx, key); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("a store with another prefix sees the token: %v", err)
	}
	rows, err := pool.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'tenant_a' ORDER BY tablename`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"access_tokens", "dances", "other_access_tokens", "other_dances", "other_request_tokens", "other_schema_version", "request_tokens", "schema_version"}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}
}

func TestMigrationIdempotent(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	ctx := t.Context()
	first, err := New(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.PutAccessToken(ctx, key, token.NewAccessToken("t", "s")); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		again, err := New(ctx, pool)
		if err != nil {
			t.Fatalf("New on current tables: %v", err)
		}
		if _, err := again.AccessToken(ctx, key); err != nil {
			t.Errorf("a token did not survive New: %v", err)
		}
	}
	var versions []int
	rows, err := pool.Query(ctx, `SELECT version FROM public.applink_schema_version`)
	if err != nil {
		t.Fatal(err)
	}
	if versions, err = pgx.CollectRows(rows, pgx.RowTo[int]); err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff([]int{SchemaVersion}, versions); diff != "" {
		t.Errorf("schema_version rows (-want +got):\n%s", diff)
	}
}

func TestConcurrentNewFromTwoPools(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	pools := []*pgxpool.Pool{pgtest.Pool(t, url), pgtest.Pool(t, url)}
	ctx := t.Context()
	const n = 8
	errs := make(chan error, n)
	stores := make(chan *Store, n)
	var start sync.WaitGroup
	start.Add(1)
	for i := range n {
		go func() {
			start.Wait()
			s, err := New(ctx, pools[i%2], WithSchema("fleet"))
			errs <- err
			stores <- s
		}()
	}
	start.Done()
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("concurrent New: %v", err)
		}
	}
	var all []*Store
	for range n {
		all = append(all, <-stores)
	}
	if t.Failed() {
		return
	}
	if err := all[0].PutAccessToken(ctx, key, token.NewAccessToken("t", "s")); err != nil {
		t.Fatal(err)
	}
	if _, err := all[n-1].AccessToken(ctx, key); err != nil {
		t.Errorf("a store on the other pool does not see the token: %v", err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	ctx := t.Context()
	if _, err := New(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE public.applink_schema_version SET version = $1`, SchemaVersion+1); err != nil {
		t.Fatal(err)
	}
	_, err := New(ctx, pool)
	var ve *SchemaVersionError
	if !errors.As(err, &ve) || ve.Found != SchemaVersion+1 || ve.Known != SchemaVersion {
		t.Errorf("New on newer tables: %v, want a *SchemaVersionError", err)
	}
}

func TestNewWithoutCreateRights(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	owner := pgtest.Pool(t, url)
	ctx := t.Context()
	if _, err := New(ctx, owner, WithSchema("app")); err != nil {
		t.Fatal(err)
	}
	role := "applink_reader_" + uniqueSchema()[2:]
	for _, stmt := range []string{
		`CREATE ROLE ` + role + ` LOGIN`,
		`GRANT USAGE ON SCHEMA app TO ` + role,
		`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA app TO ` + role,
		`REVOKE CREATE ON SCHEMA public FROM PUBLIC`,
	} {
		if _, err := owner.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		_, _ = owner.Exec(context.Background(), `DROP OWNED BY `+role)
		_, _ = owner.Exec(context.Background(), `DROP ROLE `+role)
	})
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.User = role
	limited, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer limited.Close()
	s, err := New(ctx, limited, WithSchema("app"))
	if err != nil {
		t.Fatalf("New on current tables without CREATE rights: %v", err)
	}
	if err := s.PutAccessToken(ctx, key, token.NewAccessToken("t", "s")); err != nil {
		t.Fatal(err)
	}
	limited.Close()
}

// TestOneConnectionPool: a lock holder reads and writes on the lock's own
// connection, so even a pool of one connection renews.
func TestOneConnectionPool(t *testing.T) {
	t.Parallel()
	pool := sizedPool(t, pgtest.NewDatabase(t), 1, nil)
	s, err := New(t.Context(), pool)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	unlock, err := s.LockToken(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock.Unlock()
	if err := s.PutAccessToken(ctx, key, token.NewAccessToken("t", "s")); err != nil {
		t.Fatalf("the holder's write on a pool of one: %v", err)
	}
	if _, err := s.AccessToken(ctx, key); err != nil {
		t.Fatalf("the holder's read on a pool of one: %v", err)
	}
	unlock.Unlock()
	if _, err := s.AccessToken(ctx, key); err != nil {
		t.Fatalf("a read after unlock: %v", err)
	}
	if _, err := New(t.Context(), nil); err == nil {
		t.Error("New accepted a nil pool")
	}
}

// sizedPool returns a pool of at most n connections on url, closed when t
// ends; with edit, the test changes the rest of its configuration.
func sizedPool(t *testing.T, url string, n int32, edit func(*pgxpool.Config)) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = n
	if edit != nil {
		edit(cfg)
	}
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// countingTracer counts the statements a pool sends.
type countingTracer struct{ n atomic.Int64 }

func (c *countingTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (c *countingTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func TestLookupIsOneIndexedQuery(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	tracer := &countingTracer{}
	cfg.ConnConfig.Tracer = tracer
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	clock := testclock.New(testclock.Start)
	s := newTestStore(t, pool, WithClock(clock.Now))
	ctx := t.Context()
	// Enough rows that the planner prefers the index to a scan.
	if _, err := pool.Exec(ctx, `INSERT INTO `+s.t.access+` (link_id, user_name, kind, token, secret)
		SELECT 'link', 'user' || g, 'oauth1', 't' || g, 's' FROM generate_series(1, 5000) g`); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE `+s.t.access); err != nil {
		t.Fatal(err)
	}
	k := token.Key{LinkID: "link", User: "user42"}
	before := tracer.n.Load()
	if _, err := s.AccessToken(ctx, k); err != nil {
		t.Fatal(err)
	}
	if n := tracer.n.Load() - before; n != 1 {
		t.Errorf("AccessToken sent %d statements, want 1", n)
	}
	var plan string
	if err := pool.QueryRow(ctx, `EXPLAIN (FORMAT TEXT) `+s.q.getAccess, clock.Now(), k.LinkID, k.User).Scan(&plan); err != nil {
		t.Fatal(err)
	}
	if want := "Index Scan using"; len(plan) < len(want) || plan[:len(want)] != want {
		t.Errorf("the lookup's plan starts %q, want an index scan", plan)
	}
}

func TestMigrateFromVersion1(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	ctx := t.Context()
	tb, err := newTables(DefaultSchema, DefaultTablePrefix)
	if err != nil {
		t.Fatal(err)
	}
	// The tables as version 1 of this package made them, with a token.
	stmts := append([]string{`CREATE TABLE ` + tb.version + ` (version integer NOT NULL, migrated_at timestamptz NOT NULL DEFAULT now())`,
		`INSERT INTO ` + tb.version + ` (version) VALUES (1)`}, tb.migrations()[0]...)
	stmts = append(stmts, `INSERT INTO `+tb.access+` (link_id, user_name, kind, token, secret) VALUES ('l', 'u', 'oauth1', 't', 's')`)
	for _, stmt := range stmts {
		if _, err := pool.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	s, err := New(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.AccessToken(ctx, token.Key{LinkID: "l", User: "u"}); err != nil || got.Secret.Reveal() != "s" {
		t.Errorf("the version 1 token after migrating: %v, %v", got, err)
	}
	if err := s.PutDance(ctx, &token.PendingDance{State: token.NewSecret("st"), User: "u", LinkID: "l"}, token.DanceLimits{}); err != nil {
		t.Errorf("PutDance after migrating to version 2: %v", err)
	}
	var v int
	if err := pool.QueryRow(ctx, `SELECT version FROM `+tb.version).Scan(&v); err != nil || v != SchemaVersion {
		t.Errorf("version after migrating: %d, %v; want %d", v, err, SchemaVersion)
	}
}

func TestZeroStoreCloses(t *testing.T) {
	t.Parallel()
	var s Store
	if err := s.Close(); err != nil {
		t.Errorf("Close of the zero Store: %v", err)
	}
	if got := s.String(); got != "pgstore.Store(.*)" {
		t.Errorf("String of the zero Store = %q", got)
	}
}
