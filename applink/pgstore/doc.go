// Package pgstore keeps the tokens of applink on PostgreSQL, so that the
// replicas of a service share them: an [token.Store] through
// github.com/jackc/pgx/v5 and its pool, pgxpool.
//
//	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
//	...
//	store, err := pgstore.New(ctx, pool, pgstore.WithPruneInterval(time.Hour))
//	...
//	defer store.Close()
//	svc, err := applink.NewService(cfg.Links, applink.WithTokenStore(store))
//
// # Tables
//
// [New] creates its tables, or migrates them to [SchemaVersion], in a
// transaction holding an advisory lock, so that replicas starting together
// migrate once. They live in the schema [WithSchema] names (default public)
// and their names start with [WithTablePrefix] (default applink_):
//
//   - applink_access_tokens: one row per (link id, user), every
//     [token.AccessToken] field (kind, token, secret, refresh token,
//     session handle, expiry, authorization expiry, scopes, creation time);
//     the primary key is (link_id, user_name).
//   - applink_request_tokens: pending request tokens of the 3-legged dance,
//     by token.
//   - applink_dances: the pending dances of applink's web dance handler
//     (Store is an token.DanceStore), by state.
//   - applink_schema_version: the tables' version.
//
// Times are kept to the microsecond, PostgreSQL's precision. Link ids,
// users and token values are compared bytewise (collation "C"), as Go
// compares strings.
//
// # Expiry and pruning
//
// As the [token.Store] contract says, an expired token is absent
// unless it can be renewed (an OAuth 1.0a session handle whose
// authorization has not expired, or an OAuth 2.0 refresh token). Expiry is
// decided with the store's clock ([WithClock]), so that a replica agrees
// with itself. Expired rows stay until [Store.Prune] deletes them in bulk
// ([WithPruneInterval] runs it on a schedule), once they have expired by
// the database's clock too, so that a replica whose clock runs ahead
// deletes nothing the others use.
//
// # Renewals across replicas
//
// [Store.LockToken] makes Store an token.Locker: the core takes it
// around a renewal, so that replicas that all see a token expire renew it
// once. It is a session-level advisory lock (pg_advisory_lock) on a
// connection of the pool that the lock keeps, outside any transaction and
// with idle_session_timeout off, so that no idle timeout ends it; it dies
// with its holder's session. While it is held, the store's reads and
// writes of that token run on the lock's connection, so renewals make
// progress however many connections the application holds.
//
// A pooled connection the server ended (a restart, a failover,
// pg_terminate_backend: SQLSTATE 57P01) fails no call: the call runs once
// more on a fresh connection.
//
// # Dances across replicas
//
// authorize.NewHandler keeps its pending dances in the service's token
// store when it is an token.DanceStore, as Store is: a dance started on
// one replica completes on whichever replica the callback reaches, so no
// sticky sessions are needed. Taking a dance is one DELETE ... RETURNING:
// a callback replayed on two replicas at once completes once.
//
// # Errors
//
// A token that is not stored is an error wrapping [token.ErrNotFound].
// Configuration mistakes are typed:
//
//	var ne *pgstore.NameError
//	if errors.As(err, &ne) {
//		// ne.What ("schema" or "table prefix") and ne.Name
//	}
//
// [*SchemaVersionError] says the tables are newer than the program;
// [*TextError] that PostgreSQL text cannot hold a value (invalid UTF-8 or a
// NUL byte). Other errors are pgx's, wrapped with what was being done.
//
// # Concurrency
//
// A Store is safe for concurrent use, by many goroutines and by many
// processes sharing the database. Every statement is a single
// auto-committed statement: a write acknowledged by PutAccessToken is in
// the database (and survives the process being killed).
//
// # Security
//
// Token secrets, refresh tokens and session handles are stored as given:
// wrap the store with applink/sealed (sealed.New(store, keyring)) to keep
// them encrypted at rest, bound to their link and user, so that a dump or
// a row copied onto another user yields nothing usable; the wrapper passes
// LockToken and the dances through.
// Table names are validated and quoted; every value is a query parameter.
// No error, log line or String holds a secret or the pool's password.
//
// # Testing
//
// The package's tests run against a real server named by
// APPLINK_TEST_POSTGRES_URL; .ci/postgres.sh starts a throwaway one:
//
//	.ci/postgres.sh go test ./applink/pgstore/
package pgstore
