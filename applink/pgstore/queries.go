package pgstore

import "strings"

// queries are the store's SQL statements, built once from the quoted table
// names. Every value is a parameter.
type queries struct {
	getAccess, putAccess, swapAccess, deleteAccess, listAccess string
	getRequest, putRequest, deleteRequest                      string
	pruneAccess, pruneRequest, pruneDances                     string

	putDance, takeDance, danceOwner, deleteDance, evictDances, countDances string
}

// usable is the TokenStore contract's "present" as SQL, for the access
// tokens table and the time $1: unexpired, or expired but renewable (an
// OAuth 1.0a session handle whose authorization has not expired, or an
// OAuth 2.0 refresh token). It matches token.AccessToken's Expired and
// Renewable.
const usable = `(expires_at IS NULL OR expires_at > $1
	OR (kind = 'oauth2' AND refresh_token <> '')
	OR (kind = 'oauth1' AND session_handle <> '' AND (authorization_expires_at IS NULL OR authorization_expires_at > $1)))`

// pruneTime is the time deletions go by: the earlier of the database's
// clock and the store's ($1), so that a replica whose clock runs ahead
// deletes nothing another replica still uses, and a store with a clock
// behind (or a test clock) deletes nothing it still reads.
const pruneTime = `least($1::timestamptz, now())`

const accessColumns = `kind, token, secret, refresh_token, session_handle, expires_at, authorization_expires_at, scopes, created_at`

func newQueries(t tables) queries {
	return queries{
		getAccess: `SELECT ` + accessColumns + ` FROM ` + t.access +
			` WHERE link_id = $2 AND user_name = $3 AND ` + usable,
		putAccess: `INSERT INTO ` + t.access + ` (link_id, user_name, ` + accessColumns + `, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())
			ON CONFLICT (link_id, user_name) DO UPDATE SET
				kind = EXCLUDED.kind, token = EXCLUDED.token, secret = EXCLUDED.secret,
				refresh_token = EXCLUDED.refresh_token, session_handle = EXCLUDED.session_handle,
				expires_at = EXCLUDED.expires_at, authorization_expires_at = EXCLUDED.authorization_expires_at,
				scopes = EXCLUDED.scopes, created_at = EXCLUDED.created_at, updated_at = now()`,
		swapAccess: `UPDATE ` + t.access + ` SET
				kind = $5, token = $6, secret = $7, refresh_token = $8, session_handle = $9,
				expires_at = $10, authorization_expires_at = $11, scopes = $12, created_at = $13, updated_at = now()
			WHERE link_id = $2 AND user_name = $3 AND token = $4 AND ` + usable,
		deleteAccess: `DELETE FROM ` + t.access + ` WHERE link_id = $1 AND user_name = $2`,
		listAccess: `SELECT link_id, user_name FROM ` + t.access + ` WHERE ` + usable +
			` ORDER BY link_id, user_name`,

		getRequest: `SELECT token, secret, link_id, user_name, callback, expires_at, created_at FROM ` + t.request +
			` WHERE token = $2 AND (expires_at IS NULL OR expires_at > $1)`,
		putRequest: `INSERT INTO ` + t.request + ` (token, secret, link_id, user_name, callback, expires_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (token) DO UPDATE SET
				secret = EXCLUDED.secret, link_id = EXCLUDED.link_id, user_name = EXCLUDED.user_name,
				callback = EXCLUDED.callback, expires_at = EXCLUDED.expires_at, created_at = EXCLUDED.created_at`,
		deleteRequest: `DELETE FROM ` + t.request + ` WHERE token = $1`,

		pruneAccess:  `DELETE FROM ` + t.access + ` WHERE NOT ` + strings.ReplaceAll(usable, "$1", pruneTime),
		pruneRequest: `DELETE FROM ` + t.request + ` WHERE expires_at <= ` + pruneTime,
		pruneDances:  `DELETE FROM ` + t.dances + ` WHERE expires_at <= ` + pruneTime,

		putDance: `INSERT INTO ` + t.dances + ` (state, user_name, link_id, request_token, redirect, expires_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (state) DO UPDATE SET
				user_name = EXCLUDED.user_name, link_id = EXCLUDED.link_id, request_token = EXCLUDED.request_token,
				redirect = EXCLUDED.redirect, expires_at = EXCLUDED.expires_at, created_at = EXCLUDED.created_at`,
		// One statement: of concurrent takes, one deletes the row.
		takeDance: `DELETE FROM ` + t.dances + ` WHERE state = $2 AND user_name = $3 AND (expires_at IS NULL OR expires_at > $1)
			RETURNING state, user_name, link_id, request_token, redirect, expires_at, created_at`,
		danceOwner:  `SELECT user_name FROM ` + t.dances + ` WHERE state = $2 AND (expires_at IS NULL OR expires_at > $1)`,
		deleteDance: `DELETE FROM ` + t.dances + ` WHERE state = $1`,
		// Keeps the user's newest $3 other dances (by creation, then state,
		// as the memory store does) and deletes the rest.
		evictDances: `DELETE FROM ` + t.dances + ` WHERE state IN (
			SELECT state FROM ` + t.dances + ` WHERE user_name = $1 AND state <> $2
			ORDER BY coalesce(created_at, '-infinity') DESC, state DESC OFFSET $3)`,
		countDances: `SELECT count(*) FROM ` + t.dances + ` WHERE state <> $1`,
	}
}
