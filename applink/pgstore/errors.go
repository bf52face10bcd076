package pgstore

import (
	"fmt"
	"strconv"
)

// NameError is returned by [New] for a schema name ([WithSchema]) or table
// prefix ([WithTablePrefix]) that is not a plain SQL identifier.
type NameError struct {
	What string // "schema" or "table prefix"
	Name string
}

func (e *NameError) Error() string {
	rule := "lower-case ASCII letters, digits and underscores, not starting with a digit, at most 63 bytes"
	if e.What == "table prefix" {
		rule += " including the longest table name (" + strconv.Itoa(len(longestTable)) + " bytes after the prefix)"
	}
	return fmt.Sprintf("pgstore: %s %q is not a plain identifier: use %s", e.What, e.Name, rule)
}

// SchemaVersionError is returned by [New] when the tables were migrated by
// a newer version of this package than the running one: upgrade the
// program (every replica) rather than use tables it does not understand.
type SchemaVersionError struct {
	Table string // the version table, quoted
	Found int    // the tables' version
	Known int    // the newest version this package knows ([SchemaVersion])
}

func (e *SchemaVersionError) Error() string {
	return fmt.Sprintf("pgstore: %s says the tables are at version %d, newer than this program knows (%d): upgrade the program on every replica, or use another schema or table prefix",
		e.Table, e.Found, e.Known)
}

// TextError is returned when a token, link id or user cannot be stored
// because PostgreSQL text cannot hold it: it is not valid UTF-8 or holds a
// NUL byte. Nothing is written.
type TextError struct {
	Field string // "link id", "user", "token", ...
}

func (e *TextError) Error() string {
	return fmt.Sprintf("pgstore: cannot store a %s that is not valid UTF-8 or holds a NUL byte: PostgreSQL text cannot hold it", e.Field)
}
