package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-applinks/applinks/internal/keylock"
)

// ErrNoToken is returned by a [Store] that holds no token for the user, and
// passed on by [Source] when there is none.
var ErrNoToken = errors.New("no token stored")

// ErrChanged is returned by [Store.Swap] when the stored token is no longer
// the one the write was conditional on: another request or replica stored
// a newer one.
var ErrChanged = errors.New("the stored token changed")

// RefusedError says the remote definitively refused the user's token, by
// the rule of the package doc: it has been deleted from the store (unless
// another token was stored meanwhile, which is kept). Cause is the remote's
// answer.
type RefusedError struct {
	Cause error
}

func (e *RefusedError) Error() string { return "the remote refused the token: " + e.Cause.Error() }

// Unwrap returns Cause.
func (e *RefusedError) Unwrap() error { return e.Cause }

// LockLostError says the store's renewal lock stopped being held before the
// renewal was through (its database session ended, say). The token is kept;
// sending the request again takes the lock anew.
type LockLostError struct {
	Err error
}

func (e *LockLostError) Error() string {
	return "the token store's renewal lock was lost (" + e.Err.Error() + "): the token was kept; try again"
}

// Unwrap returns Err.
func (e *LockLostError) Unwrap() error { return e.Err }

// Lock is a lock of one user's token in a store.
type Lock interface {
	// Held returns nil while the lock is still held, and an error once it
	// was lost.
	Held(ctx context.Context) error
	// Unlock releases the lock; it is safe to call more than once.
	Unlock()
}

// Store is one user's token in a token store, as a [Source] uses it.
type Store[T any] interface {
	// Load returns the stored token, or ErrNoToken.
	Load(ctx context.Context) (T, error)
	// Swap stores t if the stored token is still the one named old (by
	// [Protocol.ID]); otherwise it returns ErrChanged and writes nothing.
	Swap(ctx context.Context, old string, t T) error
	// Delete deletes the stored token if it is still the one named old; a
	// token that is gone or changed is no error.
	Delete(ctx context.Context, old string) error
	// Lock locks the user's token across the processes sharing the store
	// (a no-op Lock for a store that cannot).
	Lock(ctx context.Context) (Lock, error)
}

// Protocol is what a [Source] needs to know of one protocol's tokens.
type Protocol[T any] interface {
	// ID names t without revealing its secret.
	ID(t T) string
	// Expired reports whether t has expired at now by the local clock.
	Expired(t T, now time.Time) bool
	// Renewable reports whether t can be renewed after the remote answered
	// problem to a request that used it; problem is nil when t expired by
	// the local clock.
	Renewable(t T, problem error, now time.Time) bool
	// Renew renews t at the remote and returns the new token, unstored.
	Renew(ctx context.Context, t T) (T, error)
	// Refused reports whether err, the error of Renew or the problem the
	// remote answered to a request that used a token, definitively refuses
	// that token: the rule of the package doc.
	Refused(err error) bool
}

// Source is the per-user token source: it alone gets, renews, stores and
// drops one user's token on one link. Renewals are single-flight: first
// under an in-process lock of the (link, user), then under the store's
// lock, so that the requests of one process and the replicas sharing a
// store renew once. Its fields are set once; it is safe for concurrent use.
type Source[T any] struct {
	// Protocol is the token's protocol.
	Protocol Protocol[T]
	// Store is the user's token in the store.
	Store Store[T]
	// Local and Key are the in-process lock of the (link, user).
	Local *keylock.Set[string]
	Key   string
	// Now is the clock.
	Now func() time.Time
	// Link names the link in log lines (Key is the user).
	Link string
	// Logger logs renewals and deletions; nil is silent.
	Logger *slog.Logger
}

// Peek returns the stored token as it is, without renewing it: to tell
// which method a request would use, with no side effect.
func (s *Source[T]) Peek(ctx context.Context) (T, error) { return s.Store.Load(ctx) }

// Token returns the user's token: the stored one while it lives, else a
// renewed one when it can be renewed. It returns ErrNoToken when there is
// none, *RefusedError when the token expired and could not be renewed (it
// was deleted), and any other error with the token kept.
func (s *Source[T]) Token(ctx context.Context) (T, error) {
	t, err := s.Store.Load(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	if !s.Protocol.Expired(t, s.Now()) {
		return t, nil
	}
	return s.Rejected(ctx, t, nil)
}

// Rejected is the answer to a remote that refused used with problem (nil:
// used expired by the local clock). Under the renewal lock it returns the
// token another request stored meanwhile, or renews; when the remote
// definitively refused the token it deletes it and returns *RefusedError;
// otherwise it keeps the token and returns the real error.
func (s *Source[T]) Rejected(ctx context.Context, used T, problem error) (T, error) {
	var zero T
	if s.Local != nil {
		unlock, err := s.Local.Lock(ctx, s.Key)
		if err != nil {
			return zero, err
		}
		defer unlock()
	}
	lock, err := s.Store.Lock(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return zero, ctx.Err()
		}
		return zero, fmt.Errorf("locking the renewal in the token store (the token was kept): %w", err)
	}
	defer lock.Unlock()
	cur, err := s.Store.Load(ctx)
	switch {
	case errors.Is(err, ErrNoToken):
		// Deleted meanwhile by a request that found it refused.
		if problem != nil {
			return zero, &RefusedError{Cause: problem}
		}
		return zero, err
	case err != nil:
		return zero, err
	}
	now := s.Now()
	p := s.Protocol
	if p.ID(cur) != p.ID(used) {
		if !p.Expired(cur, now) {
			return cur, nil // renewed, or authorized again, by another request
		}
		// Another request stored a token that has expired too: renew
		// that one (a rotating refresh token may be used once).
		used, problem = cur, nil
	}
	if !p.Renewable(used, problem, now) {
		if problem == nil {
			problem = errors.New("the token has expired and cannot be renewed")
			return zero, s.drop(ctx, used, problem)
		}
		if p.Refused(problem) {
			return zero, s.drop(ctx, used, problem)
		}
		return zero, problem
	}
	if err := lock.Held(ctx); err != nil {
		return zero, &LockLostError{Err: err}
	}
	fresh, err := p.Renew(ctx, used)
	if err != nil {
		if ctx.Err() != nil {
			return zero, ctx.Err()
		}
		if !p.Refused(err) {
			s.log(ctx, slog.LevelWarn, "renewing the token failed; it was kept", err)
			return zero, err
		}
		// Another replica may have renewed it while our lock was lost:
		// a newer token in the store is the answer, not a deletion.
		if cur, lerr := s.Store.Load(ctx); lerr == nil && p.ID(cur) != p.ID(used) && !p.Expired(cur, s.Now()) {
			return cur, nil
		}
		return zero, s.drop(ctx, used, err)
	}
	if err := lock.Held(ctx); err != nil {
		// Store only if nobody stored another token meanwhile (Swap
		// checks), and use the new token for this request either way.
		s.log(ctx, slog.LevelWarn, "the renewal lock was lost during the renewal; storing conditionally", err)
	}
	switch err := s.Store.Swap(ctx, p.ID(used), fresh); {
	case errors.Is(err, ErrChanged):
		s.log(ctx, slog.LevelWarn, "another request stored a token while this one renewed; the stored one is kept", nil)
	case err != nil:
		return zero, fmt.Errorf("storing the renewed token: %w", err)
	default:
		s.log(ctx, slog.LevelInfo, "renewed the access token", nil)
	}
	return fresh, nil
}

// drop deletes used (if it is still the stored token) and returns the
// *RefusedError for cause.
func (s *Source[T]) drop(ctx context.Context, used T, cause error) error {
	if err := s.Store.Delete(ctx, s.Protocol.ID(used)); err != nil {
		s.log(ctx, slog.LevelWarn, "could not delete a token the remote refused", err)
	} else {
		s.log(ctx, slog.LevelInfo, "deleted a token the remote refused", cause)
	}
	return &RefusedError{Cause: cause}
}

func (s *Source[T]) log(ctx context.Context, level slog.Level, msg string, err error) {
	if s.Logger == nil || !s.Logger.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{slog.String("link", s.Link), slog.String("user", s.Key)}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	s.Logger.LogAttrs(ctx, level, "applink: "+msg, attrs...)
}

// ByKind is the [Protocol] of tokens of several kinds (a link that lists
// 3LO and personal access tokens, say): each token is answered by the
// view of its kind, or by Other when none is of its kind. Refused asks
// every view: each knows its own refusals only. Its fields are set once.
type ByKind[K comparable, T any] struct {
	Views map[K]Protocol[T]
	Other Protocol[T]
	// Kind returns a token's kind.
	Kind func(t T) K
}

func (b *ByKind[K, T]) view(t T) Protocol[T] {
	if v, ok := b.Views[b.Kind(t)]; ok {
		return v
	}
	return b.Other
}

// ID is the ID of t's view.
func (b *ByKind[K, T]) ID(t T) string { return b.view(t).ID(t) }

// Expired is Expired of t's view.
func (b *ByKind[K, T]) Expired(t T, now time.Time) bool { return b.view(t).Expired(t, now) }

// Renewable is Renewable of t's view.
func (b *ByKind[K, T]) Renewable(t T, problem error, now time.Time) bool {
	return b.view(t).Renewable(t, problem, now)
}

// Renew is Renew of t's view.
func (b *ByKind[K, T]) Renew(ctx context.Context, t T) (T, error) { return b.view(t).Renew(ctx, t) }

// Refused reports whether any view finds that err refuses its token.
func (b *ByKind[K, T]) Refused(err error) bool {
	for _, v := range b.Views {
		if v.Refused(err) {
			return true
		}
	}
	return false
}
