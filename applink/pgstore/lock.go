package pgstore

import (
	"context"
	"errors"
	"fmt"
	"github.com/go-applinks/applinks/applink/token"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// LockToken locks the user's token for the link across every process that
// shares the database, and returns the [token.Lock] that unlocks it. Renewals
// take it so that replicas that all see a token expire renew it once.
//
// The lock is a session-level advisory lock (pg_advisory_lock on a hash of
// the schema, prefix, link id and user) held by a connection of the pool
// that the lock keeps until unlock; if the process dies the database ends
// the session and the lock with it. The session is outside any
// transaction, so idle_in_transaction_session_timeout cannot end it, and
// the lock turns idle_session_timeout off for it (PostgreSQL 14 and
// later). While the lock is held, this store's reads and writes of that
// key's token run on the lock's own connection, so the holder needs no
// other connection: renewals make progress whatever the application does
// with the pool. Waiting honors ctx: when ctx is done first, the wait is
// canceled at the server and LockToken returns ctx's error. When ctx is
// done while the lock is held, the lock is released, so a holder that
// forgets to unlock cannot keep it past its context. Unlock may be called
// more than once; Held reports whether the session still holds the lock.
func (s *Store) LockToken(ctx context.Context, key token.Key) (token.Lock, error) {
	l, err := s.lockToken(ctx, key)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// tokenLock is a held renewal lock.
type tokenLock struct {
	s   *Store
	key token.Key
	id  int64

	mu     sync.Mutex // serializes the use of conn
	conn   *pgxpool.Conn
	ended  bool
	keeper string // idle_session_timeout's value to restore, "" if none was set
	stop   func() bool
}

func (s *Store) lockToken(ctx context.Context, key token.Key) (*tokenLock, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fail := func(err error) error {
		return fmt.Errorf("pgstore: locking the token of link %q, user %q: %w", key.LinkID, key.User, err)
	}
	id := lockID("token", s.t.schema, s.t.prefix, key.LinkID, key.User)
	conn, keeper, err := s.lockConn(ctx)
	if err != nil {
		return nil, fail(err)
	}
	if err := waitLock(ctx, conn, id); err != nil {
		// The lock may have been granted as the wait was canceled, and
		// a late cancel request could hit an unlock: drop the session,
		// which releases whatever it holds.
		discard(ctx, conn)
		return nil, fail(err)
	}
	l := &tokenLock{s: s, key: key, id: id, conn: conn, keeper: keeper}
	s.heldMu.Lock()
	if s.held == nil {
		s.held = map[token.Key]*tokenLock{}
	}
	s.held[key] = l
	s.heldMu.Unlock()
	l.stop = context.AfterFunc(ctx, l.end)
	return l, nil
}

// lockConn acquires the connection a lock will hold, with
// idle_session_timeout off; when the pool's connection turns out to be one
// the server ended (a restart), it tries once more on a fresh one.
func (s *Store) lockConn(ctx context.Context) (*pgxpool.Conn, string, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, "", err
	}
	keeper, err := keepSession(ctx, conn)
	if err == nil {
		return conn, keeper, nil
	}
	conn.Release() // the pool drops it if it is closed
	if !shutdown(err) {
		return nil, "", err
	}
	if conn, err = s.freshConn(ctx); err != nil {
		return nil, "", err
	}
	if keeper, err = keepSession(ctx, conn); err != nil {
		conn.Release()
		return nil, "", err
	}
	return conn, keeper, nil
}

// keepSession turns idle_session_timeout off for the lock's session and
// returns its value to restore, or "" when the server has no such setting
// (before PostgreSQL 14).
func keepSession(ctx context.Context, conn *pgxpool.Conn) (string, error) {
	v := conn.Conn().PgConn().ParameterStatus("server_version")
	if major, err := strconv.Atoi(strings.SplitN(v, ".", 2)[0]); err == nil && major < 14 {
		// Still a round trip, to find a dead connection now.
		return "", conn.Ping(ctx)
	}
	var old string
	err := conn.QueryRow(ctx, `SELECT current_setting('idle_session_timeout'), set_config('idle_session_timeout', '0', false)`).Scan(&old, new(string))
	return old, err
}

// Unlock releases the lock; later calls do nothing.
func (l *tokenLock) Unlock() {
	if l.stop != nil {
		l.stop()
	}
	l.end()
}

// end releases the lock and gives the connection back to the pool (or
// closes it when the unlock fails, which releases the lock too).
func (l *tokenLock) end() {
	l.s.heldMu.Lock()
	if l.s.held[l.key] == l {
		delete(l.s.held, l.key)
	}
	l.s.heldMu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended {
		return
	}
	l.ended = true
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	if l.keeper != "" {
		_, err = l.conn.Exec(ctx, `SELECT pg_advisory_unlock($1), set_config('idle_session_timeout', $2, false)`, l.id, l.keeper)
	} else {
		_, err = l.conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, l.id)
	}
	if err != nil {
		discard(ctx, l.conn)
		return
	}
	l.conn.Release()
}

// Held returns nil while the lock is still held, and an error once it is
// not: unlocked, or lost with its database session (the server restarted,
// an administrator ended the session, or the connection broke), in which
// case another process may hold it now. It asks the server: one round trip
// on the lock's connection.
func (l *tokenLock) Held(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended {
		return fmt.Errorf("pgstore: the renewal lock of link %q, user %q was released: lock the token again", l.key.LinkID, l.key.User)
	}
	var held bool
	err := l.conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND pid = pg_backend_pid() AND classid::bigint = $1 AND objid::bigint = $2 AND objsubid = 1)`,
		int64(uint32(uint64(l.id)>>32)), int64(uint32(uint64(l.id)))).Scan(&held)
	switch {
	case err != nil && ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		return fmt.Errorf("%w: link %q, user %q: its database session ended or cannot be reached (%w): another process may hold it now; lock the token again before renewing it",
			ErrLockLost, l.key.LinkID, l.key.User, err)
	case !held:
		return fmt.Errorf("%w: link %q, user %q: its database session no longer holds it: lock the token again before renewing it", ErrLockLost, l.key.LinkID, l.key.User)
	}
	return nil
}

// ErrLockLost is wrapped by the error of a renewal lock's Held when the
// lock was lost with its database session.
var ErrLockLost = errors.New("pgstore: the renewal lock was lost")

// heldConn returns the connection of the lock this store holds on key, and
// the function that gives it back, or nil when none is held (or its
// session has died: the pool serves the call then).
func (s *Store) heldConn(key token.Key) (*pgxpool.Conn, func()) {
	s.heldMu.Lock()
	l := s.held[key]
	s.heldMu.Unlock()
	if l == nil {
		return nil, nil
	}
	l.mu.Lock()
	if l.ended || l.conn.Conn().IsClosed() {
		l.mu.Unlock()
		return nil, nil
	}
	return l.conn, l.mu.Unlock
}

// discard closes conn's session and gives it back to the pool, which then
// drops it.
func discard(ctx context.Context, conn *pgxpool.Conn) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_ = conn.Conn().Close(cctx)
	conn.Release()
}

// waitLock takes the session-level advisory lock id on conn. If ctx is done
// while it waits, it asks the server to cancel the wait (rather than
// dropping the connection, which would leave the server waiting to grant a
// lock nobody wants) and returns ctx's error, also when the lock was
// granted just before the cancel request arrived: the caller then drops
// the session.
//
// The server ignores a cancel request that arrives while the session runs
// no statement, as when ctx ends before pg_advisory_lock reaches the
// server, so the request is repeated every cancelRetry until the wait
// ends; if it still has not after cancelWait (the server cannot be
// reached), the socket's deadline ends it.
func waitLock(ctx context.Context, conn *pgxpool.Conn, id int64) error {
	done := make(chan struct{})
	sent := make(chan bool, 1)
	go func() {
		select {
		case <-done:
			sent <- false
			return
		case <-ctx.Done():
		}
		defer func() { sent <- true }()
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelWait)
		defer cancel()
		retry := time.NewTicker(cancelRetry)
		defer retry.Stop()
		for {
			_ = conn.Conn().PgConn().CancelRequest(cctx)
			select {
			case <-done:
				return
			case <-retry.C:
			case <-cctx.Done():
				_ = conn.Conn().PgConn().Conn().SetDeadline(time.Now())
				<-done
				return
			}
		}
	}()
	if testHookBeforeWait != nil {
		testHookBeforeWait()
	}
	_, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_lock($1)`, id)
	close(done)
	if <-sent {
		return ctx.Err()
	}
	return err
}

// testHookBeforeWait, when set by a test, runs just before waitLock sends
// its statement.
var testHookBeforeWait func()

// cancelRetry is how often waitLock repeats its cancel request, and
// cancelWait how long it tries before it ends the wait at the socket.
const (
	cancelRetry = 100 * time.Millisecond
	cancelWait  = 10 * time.Second
)
