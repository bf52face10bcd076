package pgstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/go-applinks/applinks/applink/token"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is an [token.Store] on PostgreSQL. Use [New]; the zero value
// is not usable. It is safe for concurrent use by many goroutines and by
// many processes (replicas) sharing one database.
type Store struct {
	pool   *pgxpool.Pool
	t      tables
	q      queries
	now    func() time.Time
	logger *slog.Logger
	// held are the renewal locks this store holds, by key: their
	// holders' reads and writes run on the lock's connection.
	heldMu sync.Mutex
	held   map[token.Key]*tokenLock

	// ownPool says Close closes the pool: Open made it.
	ownPool bool

	closeOnce sync.Once
	stop      context.CancelFunc
	done      chan struct{}
}

var (
	_ token.Store   = (*Store)(nil)
	_ token.Locker  = (*Store)(nil)
	_ token.Swapper = (*Store)(nil)
)

// New returns a store on pool, creating its tables (or migrating them to
// [SchemaVersion]) first; see [WithSchema] and [WithTablePrefix] for their
// names. Replicas may call New at the same time: one migrates, the others
// wait for it. When the tables are current New runs no DDL, so a role
// without CREATE rights can use tables created by another.
//
// The pool stays the caller's: [Store.Close] does not close it, and the
// application may use it too. A renewal lock ([Store.LockToken]) holds one
// of its connections, on which its holder's reads and writes of that token
// run, so renewals make progress whatever else holds connections.
//
// ctx bounds the migration only: a pruning goroutine ([WithPruneInterval])
// runs until [Store.Close], whatever becomes of ctx.
func New(ctx context.Context, pool *pgxpool.Pool, opts ...Option) (*Store, error) {
	if pool == nil {
		return nil, errors.New("pgstore: New needs a pool (pgxpool.New)")
	}
	o := newOptions(opts)
	t, err := newTables(o.schema, o.prefix)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, pool, t); err != nil {
		return nil, err
	}
	s := &Store{
		pool:   pool,
		t:      t,
		q:      newQueries(t),
		now:    o.now,
		logger: o.logger,
		done:   make(chan struct{}),
	}
	if o.pruneEvery > 0 || o.pruneTicks != nil {
		// Not ctx's cancellation (a startup timeout would end pruning
		// silently), only its values: Close alone stops it.
		pctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		s.stop = stop
		go s.pruneLoop(pctx, o)
	} else {
		close(s.done)
	}
	return s, nil
}

// Close stops the pruning goroutine ([WithPruneInterval]) and waits for it
// to end. It does not close a pool given to [New]: the store's methods
// still work after Close. A store from [Open] closes its own pool too.
// Calling Close again does nothing.
func (s *Store) Close() error {
	if s.done == nil {
		return nil // the zero Store: nothing was started
	}
	s.closeOnce.Do(func() {
		if s.stop != nil {
			s.stop()
		}
		<-s.done
		if s.ownPool {
			s.pool.Close()
		}
	})
	<-s.done
	return nil
}

// String describes the store by where its tables are; it never prints a
// token or the pool's password.
func (s *Store) String() string {
	return fmt.Sprintf("pgstore.Store(%s.%s*)", s.t.schema, s.t.prefix)
}

// lockID hashes parts into an advisory lock id, the same in every process.
func lockID(parts ...string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("applink/pgstore"))
	for _, p := range parts {
		// Length-prefixed, so that no two lists of parts hash alike.
		_, _ = h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(p))))
		_, _ = h.Write([]byte(p))
	}
	return int64(h.Sum64())
}
