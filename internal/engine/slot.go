package engine

import (
	"context"
	"errors"
	"fmt"
)

// Backend is a token store as a [Source] uses it, for the tokens of any
// key: the store's methods, bound once, and the errors it answers with.
// Get, Put, Delete, NotFound and ID are required; Swap and Lock are what a
// store may lack. Its fields are set once; it is safe for concurrent use
// when the store is.
type Backend[K any, T comparable] struct {
	// Get returns key's token, NotFound (or the zero T) when there is none.
	Get func(ctx context.Context, key K) (T, error)
	// Put stores key's token.
	Put func(ctx context.Context, key K, t T) error
	// Delete deletes key's token; NotFound is no error.
	Delete func(ctx context.Context, key K) error
	// Swap stores t if key's stored token is still the one named old, and
	// returns Changed otherwise. nil: the slot checks, then writes, which
	// only a token stored meanwhile by something other than a renewal (the
	// renewal lock is held) can slip in between.
	Swap func(ctx context.Context, key K, old string, t T) error
	// Lock locks key across the processes sharing the store. nil: only the
	// in-process lock excludes, and there is nothing to lose.
	Lock func(ctx context.Context, key K) (Lock, error)
	// NotFound and Changed are the store's errors for no token and for a
	// token that changed under Swap.
	NotFound, Changed error
	// ID names a token as the [Protocol] does.
	ID func(t T) string
}

// Slot returns key's token in the store, as a [Source]'s Store.
func (b *Backend[K, T]) Slot(key K) Store[T] { return slot[K, T]{b: b, key: key} }

// slot is one key's token in a [Backend].
type slot[K any, T comparable] struct {
	b   *Backend[K, T]
	key K
}

func (s slot[K, T]) Load(ctx context.Context) (T, error) {
	var zero T
	t, err := s.b.Get(ctx, s.key)
	switch {
	case errors.Is(err, s.b.NotFound), err == nil && t == zero:
		return zero, ErrNoToken
	case err != nil:
		if ctx.Err() != nil {
			return zero, ctx.Err()
		}
		return zero, fmt.Errorf("reading the token from the token store: %w", err)
	}
	return t, nil
}

func (s slot[K, T]) Swap(ctx context.Context, old string, t T) error {
	if s.b.Swap != nil {
		err := s.b.Swap(ctx, s.key, old, t)
		if errors.Is(err, s.b.Changed) {
			return ErrChanged
		}
		return err
	}
	cur, err := s.Load(ctx)
	if err == nil && s.b.ID(cur) != old {
		return ErrChanged
	}
	if err != nil && !errors.Is(err, ErrNoToken) {
		return err
	}
	return s.b.Put(ctx, s.key, t)
}

func (s slot[K, T]) Delete(ctx context.Context, old string) error {
	cur, err := s.Load(ctx)
	switch {
	case errors.Is(err, ErrNoToken):
		return nil
	case err != nil:
		return err
	case s.b.ID(cur) != old:
		return nil // renewed or authorized again meanwhile: keep it
	}
	if err := s.b.Delete(ctx, s.key); err != nil && !errors.Is(err, s.b.NotFound) {
		return err
	}
	return nil
}

func (s slot[K, T]) Lock(ctx context.Context) (Lock, error) {
	if s.b.Lock == nil {
		return heldLock{}, nil
	}
	return s.b.Lock(ctx, s.key)
}

// heldLock is the lock of a store that cannot lock across processes.
type heldLock struct{}

func (heldLock) Held(context.Context) error { return nil }
func (heldLock) Unlock()                    {}

// CloseStore closes a token store that has a Close method (with or
// without an error), and returns its error; a store without one is left
// as it is.
func CloseStore(st any) error {
	switch c := st.(type) {
	case interface{ Close() error }:
		return c.Close()
	case interface{ Close() }:
		c.Close()
	}
	return nil
}
