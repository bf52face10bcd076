package engine

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

var (
	errNotFound = errors.New("not found")
	errChanged  = errors.New("changed")
)

// mapStore is a test token store of any number of keys.
type mapStore struct {
	mu  sync.Mutex
	m   map[string]*tok
	err error // what Get answers, when set
}

func (s *mapStore) get(_ context.Context, k string) (*tok, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	t, ok := s.m[k]
	if !ok {
		return nil, errNotFound
	}
	return t, nil
}

func (s *mapStore) put(_ context.Context, k string, t *tok) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = t
	return nil
}

func (s *mapStore) del(_ context.Context, k string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[k]; !ok {
		return errNotFound
	}
	delete(s.m, k)
	return nil
}

func (s *mapStore) swap(ctx context.Context, k, old string, t *tok) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.m[k]; ok && cur.id != old {
		return errChanged
	}
	s.m[k] = t
	return nil
}

func newBackend(s *mapStore) *Backend[string, *tok] {
	return &Backend[string, *tok]{Get: s.get, Put: s.put, Delete: s.del, NotFound: errNotFound, Changed: errChanged,
		ID: func(t *tok) string { return t.id }}
}

// TestSlot: a slot reads no token (none stored, or a nil one) as
// ErrNoToken; swaps with the store's Swap or, without one, checks then
// writes; deletes only the token named; and locks nothing beyond the
// in-process lock without the store's Lock.
func TestSlot(t *testing.T) {
	t.Parallel()
	for _, withSwap := range []bool{false, true} {
		name := "check then write"
		if withSwap {
			name = "store's swap"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			ms := &mapStore{m: map[string]*tok{"bob": nil}}
			b := newBackend(ms)
			if withSwap {
				b.Swap = ms.swap
			}
			alice := b.Slot("alice")
			if _, err := alice.Load(ctx); !errors.Is(err, ErrNoToken) {
				t.Fatalf("Load of no token = %v, want ErrNoToken", err)
			}
			if _, err := b.Slot("bob").Load(ctx); !errors.Is(err, ErrNoToken) {
				t.Fatalf("Load of a nil token = %v, want ErrNoToken", err)
			}
			if err := alice.Swap(ctx, "", &tok{id: "one"}); err != nil {
				t.Fatalf("Swap into no token: %v", err)
			}
			if err := alice.Swap(ctx, "other", &tok{id: "two"}); !errors.Is(err, ErrChanged) {
				t.Fatalf("Swap of another token = %v, want ErrChanged", err)
			}
			if err := alice.Swap(ctx, "one", &tok{id: "two"}); err != nil {
				t.Fatalf("Swap: %v", err)
			}
			if err := alice.Delete(ctx, "one"); err != nil {
				t.Fatalf("Delete of a replaced token: %v", err)
			}
			if got, err := alice.Load(ctx); err != nil || got.id != "two" {
				t.Fatalf("after deleting a replaced token: %v, %v; want the newer one kept", got, err)
			}
			if err := alice.Delete(ctx, "two"); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if _, err := alice.Load(ctx); !errors.Is(err, ErrNoToken) {
				t.Fatalf("after Delete, Load = %v, want ErrNoToken", err)
			}
			if err := alice.Delete(ctx, "two"); err != nil {
				t.Fatalf("Delete of no token: %v", err)
			}
			l, err := alice.Lock(ctx)
			if err != nil || l.Held(ctx) != nil {
				t.Fatalf("Lock without the store's = %v, %v", l, err)
			}
			l.Unlock()
		})
	}
}

// TestSlotErrors: a store's failure is wrapped, naming the token store,
// unless the context ended (then it is the context's error).
func TestSlotErrors(t *testing.T) {
	t.Parallel()
	down := errors.New("connection refused")
	s := newBackend(&mapStore{err: down}).Slot("alice")
	if _, err := s.Load(t.Context()); !errors.Is(err, down) || errors.Is(err, ErrNoToken) {
		t.Errorf("Load = %v, want the store's error", err)
	}
	if err := s.Swap(t.Context(), "x", &tok{id: "y"}); !errors.Is(err, down) {
		t.Errorf("Swap = %v, want the store's error", err)
	}
	if err := s.Delete(t.Context(), "x"); !errors.Is(err, down) {
		t.Errorf("Delete = %v, want the store's error", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Load(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a canceled context = %v, want context.Canceled", err)
	}
}

// kindProto is a test protocol of one kind of token, which refuses err.
type kindProto struct {
	name string
	err  error
}

func (p kindProto) ID(t *tok) string                          { return p.name + ":" + t.id }
func (p kindProto) Expired(*tok, time.Time) bool              { return p.name == "b" }
func (p kindProto) Renewable(*tok, error, time.Time) bool     { return p.name == "a" }
func (p kindProto) Renew(context.Context, *tok) (*tok, error) { return &tok{id: p.name}, nil }
func (p kindProto) Refused(err error) bool                    { return errors.Is(err, p.err) }
func kindOf(t *tok) string                                    { return t.id[:1] }

// TestByKind: each token is answered by the view of its kind, or Other;
// Refused is any view's.
func TestByKind(t *testing.T) {
	t.Parallel()
	errA, errB := errors.New("a refused"), errors.New("b refused")
	b := &ByKind[string, *tok]{Views: map[string]Protocol[*tok]{"a": kindProto{"a", errA}, "b": kindProto{"b", errB}},
		Other: kindProto{name: "other"}, Kind: kindOf}
	for _, tt := range []struct {
		id, wantID, renewed string
		expired, renewable  bool
	}{
		{"a1", "a:a1", "a", false, true},
		{"b1", "b:b1", "b", true, false},
		{"c1", "other:c1", "other", false, false},
	} {
		tk := &tok{id: tt.id}
		r, _ := b.Renew(t.Context(), tk)
		if b.ID(tk) != tt.wantID || b.Expired(tk, now) != tt.expired || b.Renewable(tk, nil, now) != tt.renewable || r.id != tt.renewed {
			t.Errorf("token %s: answered by the wrong view (ID %q)", tt.id, b.ID(tk))
		}
	}
	if !b.Refused(errA) || !b.Refused(errB) || b.Refused(errors.New("503")) {
		t.Error("Refused is not any view's")
	}
}

type closer struct{ closed bool }

func (c *closer) Close() { c.closed = true }

type errCloser struct{ err error }

func (c errCloser) Close() error { return c.err }

// TestCloseStore: a store is closed by its Close, with or without an
// error; one without Close is no error.
func TestCloseStore(t *testing.T) {
	t.Parallel()
	c := &closer{}
	if err := CloseStore(c); err != nil || !c.closed {
		t.Errorf("CloseStore(Close()) = %v, closed %v", err, c.closed)
	}
	e := errors.New("close failed")
	if err := CloseStore(errCloser{e}); !errors.Is(err, e) {
		t.Errorf("CloseStore(Close() error) = %v", err)
	}
	if err := CloseStore(&mapStore{}); err != nil {
		t.Errorf("CloseStore(no Close) = %v", err)
	}
}
