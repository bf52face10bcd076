package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// SchemaVersion is the version of the tables this package writes. [New]
// migrates older tables to it, and refuses newer ones with a
// [*SchemaVersionError].
const SchemaVersion = 2

// maxIdentifier is PostgreSQL's identifier length limit (NAMEDATALEN-1).
const maxIdentifier = 63

// tables are the store's table names, quoted and qualified.
type tables struct {
	schema, prefix string

	version, access, request, dances string
}

// longestTable is the longest table (or index) name suffix the store
// makes, for the prefix length check.
const longestTable = "request_tokens_expires_at_idx"

func newTables(schema, prefix string) (tables, error) {
	if !validIdentifier(schema, false) {
		return tables{}, &NameError{What: "schema", Name: schema}
	}
	if !validIdentifier(prefix, true) || len(prefix)+len(longestTable) > maxIdentifier {
		return tables{}, &NameError{What: "table prefix", Name: prefix}
	}
	q := func(name string) string { return pgx.Identifier{schema, prefix + name}.Sanitize() }
	return tables{
		schema:  schema,
		prefix:  prefix,
		version: q("schema_version"),
		access:  q("access_tokens"),
		request: q("request_tokens"),
		dances:  q("dances"),
	}, nil
}

// validIdentifier reports whether s is a plain lower-case SQL identifier:
// ASCII letters, digits and underscores, not starting with a digit, at most
// 63 bytes. A prefix may be empty.
func validIdentifier(s string, prefix bool) bool {
	if s == "" {
		return prefix
	}
	if len(s) > maxIdentifier {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c == '_':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// migrations[i] takes the tables from version i to version i+1.
func (t tables) migrations() [][]string {
	idx := func(name string) string { return pgx.Identifier{t.prefix + name}.Sanitize() }
	return [][]string{
		// Version 1: access and request tokens. Keys and token values
		// collate as "C" so that the primary key's order is Go's string
		// order (AccessTokens sorts by it) and equality is bytewise.
		{
			`CREATE TABLE ` + t.access + ` (
				link_id text COLLATE "C" NOT NULL,
				user_name text COLLATE "C" NOT NULL,
				kind text NOT NULL,
				token text NOT NULL,
				secret text NOT NULL,
				refresh_token text NOT NULL DEFAULT '',
				session_handle text NOT NULL DEFAULT '',
				expires_at timestamptz,
				authorization_expires_at timestamptz,
				scopes text[],
				created_at timestamptz,
				updated_at timestamptz NOT NULL DEFAULT now(),
				PRIMARY KEY (link_id, user_name)
			)`,
			`CREATE INDEX ` + idx("access_tokens_expires_at_idx") + ` ON ` + t.access + ` (expires_at) WHERE expires_at IS NOT NULL`,
			`CREATE TABLE ` + t.request + ` (
				token text COLLATE "C" PRIMARY KEY,
				secret text NOT NULL,
				link_id text NOT NULL,
				user_name text NOT NULL,
				callback text NOT NULL,
				expires_at timestamptz,
				created_at timestamptz
			)`,
			`CREATE INDEX ` + idx("request_tokens_expires_at_idx") + ` ON ` + t.request + ` (expires_at) WHERE expires_at IS NOT NULL`,
		},
		// Version 2: the pending dances of the web dance handler
		// (token.DanceStore), by state; by user for the per-user limit.
		{
			`CREATE TABLE ` + t.dances + ` (
				state text COLLATE "C" PRIMARY KEY,
				user_name text COLLATE "C" NOT NULL,
				link_id text NOT NULL,
				request_token text NOT NULL,
				redirect text NOT NULL,
				expires_at timestamptz,
				created_at timestamptz
			)`,
			`CREATE INDEX ` + idx("dances_user_name_idx") + ` ON ` + t.dances + ` (user_name, created_at)`,
			`CREATE INDEX ` + idx("dances_expires_at_idx") + ` ON ` + t.dances + ` (expires_at) WHERE expires_at IS NOT NULL`,
		},
	}
}

// migrate brings the tables to SchemaVersion. It holds transaction-scoped
// advisory locks on the schema and on the schema and prefix while it reads
// the version and migrates, so that replicas starting together migrate
// once and stores of several prefixes create their schema once; it runs no
// DDL at all when the tables are current, so that a role without CREATE
// rights can use tables someone else created.
func migrate(ctx context.Context, pool interface {
	Begin(context.Context) (pgx.Tx, error)
}, t tables) (err error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("pgstore: starting the schema migration: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	// The schema's lock first: stores with other prefixes in the same
	// schema create it too, and CREATE SCHEMA IF NOT EXISTS still fails
	// with a unique violation when two transactions run it at once. Then
	// the prefix's lock, which older versions of this package take alone.
	for _, id := range []int64{lockID("migrate-schema", t.schema), lockID("migrate", t.schema, t.prefix)} {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, id); err != nil {
			return fmt.Errorf("pgstore: locking the schema for migration: %w", err)
		}
	}
	version, err := currentVersion(ctx, tx, t)
	if err != nil {
		return err
	}
	steps := t.migrations()
	switch {
	case version > len(steps):
		return &SchemaVersionError{Table: t.version, Found: version, Known: len(steps)}
	case version == len(steps):
		return tx.Commit(ctx)
	}
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, t.schema).Scan(&exists); err != nil {
		return fmt.Errorf("pgstore: looking for schema %s: %w", t.schema, err)
	}
	if !exists {
		// IF NOT EXISTS for a creator outside this package (the locks
		// above serialize this package's own).
		if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{t.schema}.Sanitize()); err != nil {
			return fmt.Errorf("pgstore: creating schema %s: %w", t.schema, err)
		}
	}
	if version == 0 {
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+t.version+` (version integer NOT NULL, migrated_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("pgstore: creating %s: %w", t.version, err)
		}
	}
	for v := version; v < len(steps); v++ {
		for _, stmt := range steps[v] {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("pgstore: migrating the tables to version %d: %w", v+1, err)
			}
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM `+t.version); err != nil {
		return fmt.Errorf("pgstore: recording the schema version: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO `+t.version+` (version) VALUES ($1)`, len(steps)); err != nil {
		return fmt.Errorf("pgstore: recording the schema version: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("pgstore: committing the schema migration: %w", err)
	}
	return nil
}

// currentVersion reads the tables' version: 0 when there are none.
func currentVersion(ctx context.Context, tx pgx.Tx, t tables) (int, error) {
	var present bool
	if err := tx.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, t.version).Scan(&present); err != nil {
		return 0, fmt.Errorf("pgstore: looking for %s: %w", t.version, err)
	}
	if !present {
		return 0, nil
	}
	var v int
	err := tx.QueryRow(ctx, `SELECT version FROM `+t.version+` ORDER BY version DESC LIMIT 1`).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("pgstore: reading the schema version from %s: %w", t.version, err)
	}
	return v, nil
}
