package pgstore

import (
	"log/slog"
	"os"
	"time"
)

// Option configures [New] and [Open].
type Option func(*options)

type options struct {
	schema     string
	prefix     string
	now        func() time.Time
	pruneEvery time.Duration
	logger     *slog.Logger
	pruneTicks <-chan time.Time
	afterPrune func(PruneResult, error)
	getenv     func(string) string
}

// DefaultSchema and DefaultTablePrefix name the store's tables unless
// [WithSchema] and [WithTablePrefix] say otherwise: public.applink_access_tokens
// and so on.
const (
	DefaultSchema      = "public"
	DefaultTablePrefix = "applink_"
)

// WithSchema puts the store's tables in the PostgreSQL schema name (default
// [DefaultSchema]), which [New] creates if it is missing. The name must be
// a plain identifier: lower-case ASCII letters, digits and underscores,
// starting with a letter or an underscore, at most 63 bytes; anything else
// is refused with a [*NameError].
func WithSchema(name string) Option { return func(o *options) { o.schema = name } }

// WithTablePrefix starts the names of the store's tables with prefix
// (default [DefaultTablePrefix]), so that several stores can share a schema
// or a store can live beside an application's own tables. It follows the
// rules of [WithSchema], except that it may be empty and may start with a
// digit only after something else; the longest table name it makes must fit
// in 63 bytes.
func WithTablePrefix(prefix string) Option { return func(o *options) { o.prefix = prefix } }

// WithClock sets the clock the store uses to decide whether a token has
// expired when it reads one. The default (and what nil means) is
// [time.Now]. Reads go by it, not the database's clock, so that a replica
// agrees with its own renewal decisions and tests can move time; deletions
// ([Store.Prune], the cleanup of [Store.PutDance]) also wait for the
// database's clock, so that a replica whose clock runs ahead deletes
// nothing the others still use.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithPruneInterval runs [Store.Prune] every d in a goroutine of the store,
// until [Store.Close] is called (the context given to [New] bounds only the
// migration, so a startup timeout does not end pruning). Errors are logged
// ([WithLogger]) and the next round tries again. Zero or negative (the
// default) prunes only when Prune is called.
func WithPruneInterval(d time.Duration) Option { return func(o *options) { o.pruneEvery = d } }

// WithLogger sets where the store reports what no caller sees: the
// scheduled pruning's errors and counts. The default (and what nil means)
// discards them. Nothing the store logs holds a secret.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithGetenv sets how [Open] reads [PasswordEnv]; the default (and what nil
// means) is os.Getenv. Programs that inject their environment (and tests)
// pass their own. New ignores it.
func WithGetenv(getenv func(string) string) Option { return func(o *options) { o.getenv = getenv } }

// withPruneTicks makes the pruning goroutine prune at each value received
// from ticks instead of on a timer; a test hook.
func withPruneTicks(ticks <-chan time.Time) Option {
	return func(o *options) { o.pruneTicks = ticks }
}

// withAfterPrune is called after each scheduled prune; a test hook.
func withAfterPrune(f func(PruneResult, error)) Option {
	return func(o *options) { o.afterPrune = f }
}

func newOptions(opts []Option) options {
	o := options{schema: DefaultSchema, prefix: DefaultTablePrefix}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.getenv == nil {
		o.getenv = os.Getenv
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	return o
}
