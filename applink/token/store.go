package token

import (
	"context"
	"errors"
	"fmt"
)

// ErrNotFound is returned (wrapped) by a [Store] when it holds no
// (unexpired) token for what was asked.
var ErrNotFound = errors.New("token: no token stored")

// ErrTokenChanged is returned by [Swapper.SwapAccessToken] when the token
// stored for the key is no longer the one the caller renewed: another
// process stored a newer one (or deleted it) meanwhile. Nothing was written;
// read the store again and use what is there.
var ErrTokenChanged = errors.New("token: the stored token changed meanwhile")

// Store keeps users' access tokens per link, and pending request tokens of
// the dance. Implementations must be safe for concurrent use and treat
// expired tokens as absent (returning an error wrapping [ErrNotFound]),
// except that an expired access token that can be renewed
// ([AccessToken.Renewable]) is returned so that it can be renewed. Stored
// values are copies: changing a token after Put does not change the store.
type Store interface {
	// AccessToken returns the user's token for the link, or ErrNotFound.
	AccessToken(ctx context.Context, key Key) (*AccessToken, error)
	// PutAccessToken stores (replaces) the user's token for the link.
	PutAccessToken(ctx context.Context, key Key, t *AccessToken) error
	// DeleteAccessToken removes it; removing an absent token is not an error.
	DeleteAccessToken(ctx context.Context, key Key) error
	// AccessTokens lists the keys of every stored access token, sorted by
	// link id then user.
	AccessTokens(ctx context.Context) ([]Key, error)

	// RequestToken returns a pending request token by its value, or
	// ErrNotFound (also when it has expired).
	RequestToken(ctx context.Context, token string) (*RequestToken, error)
	// PutRequestToken stores a pending request token.
	PutRequestToken(ctx context.Context, t *RequestToken) error
	// DeleteRequestToken removes it; removing an absent token is not an error.
	DeleteRequestToken(ctx context.Context, token string) error
}

// Locker is an optional interface of a [Store] that can lock one user's
// token for one link across processes: the several replicas of a web
// application that share one store, or several commands sharing one token
// file.
//
// When the store implements it, the client holds the lock while it renews
// an expired token (OAuth 1.0a session handle, OAuth 2.0 refresh token) and
// while it checks whether another request renewed the token meanwhile, so
// that replicas which all see a token expire renew it once: a session
// handle or a rotating refresh token may not survive two renewals. The
// client first takes its own in-process lock for the key, then the store's,
// so that one process does not make the store wait on behalf of many
// requests. Without a Locker only the in-process lock is taken, and two
// processes may both renew.
//
// LockToken locks key and returns the [Lock]. The lock is held across the
// renewal's HTTP call to the remote, so it must not block other operations
// of the store (reads and writes of any token, the same one included) nor
// locks of other keys. It is not reentrant. A store may release a lock
// whose holder disappeared (a process killed while holding it), for example
// when its database session ends; [Lock.Held] tells the holder.
//
// While it waits, LockToken honors ctx: when ctx ends first it returns
// ctx.Err() (possibly wrapped) and holds nothing. A LockToken that cannot
// lock (the database is unreachable) returns an error; the client then
// fails the request with it, and keeps the stored token.
//
// [MemoryStore] implements it, and so do applink/filestore and
// applink/pgstore (a PostgreSQL advisory lock). The applink/storetest
// package checks mutual exclusion, the independence of keys and the Lock
// contract.
type Locker interface {
	LockToken(ctx context.Context, key Key) (Lock, error)
}

// Lock is a lock taken with [Locker.LockToken].
type Lock interface {
	// Held returns nil while the lock is still held, and an error once it
	// was lost (the database session that held it ended, say): the holder
	// must then not store what it renewed unconditionally. It honors ctx.
	Held(ctx context.Context) error
	// Unlock releases the lock. It is safe to call more than once, never
	// blocks for long and reports nothing: a lock whose release fails is
	// released when the store's session or file handle goes away.
	Unlock()
}

// Swapper is an optional interface of a [Store] that writes an access token
// conditionally, as a renewal's result must be stored: only if nobody
// stored another token (or deleted it) since the renewed one was read.
type Swapper interface {
	// SwapAccessToken stores tok for key only if the token stored for key is
	// still the one whose Token field is old; otherwise it returns an error
	// wrapping [ErrTokenChanged] and writes nothing. An absent (or expired
	// and not renewable) token counts as changed. tok is validated as by
	// PutAccessToken.
	SwapAccessToken(ctx context.Context, key Key, old string, tok *AccessToken) error
}

// AccessNotFound returns an error wrapping [ErrNotFound] that names the
// access token that was asked for.
func AccessNotFound(key Key) error {
	return fmt.Errorf("%w: access token for link %q, user %q", ErrNotFound, key.LinkID, key.User)
}

// RequestNotFound returns an error wrapping [ErrNotFound] that names the
// request token (abbreviated) that was asked for.
func RequestNotFound(token string) error {
	return fmt.Errorf("%w: request token %s", ErrNotFound, abbrev(token))
}

// Changed returns an error wrapping [ErrTokenChanged] for key.
func Changed(key Key) error {
	return fmt.Errorf("%w: access token for link %q, user %q: read it again", ErrTokenChanged, key.LinkID, key.User)
}
