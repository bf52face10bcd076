package engine

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-applinks/applinks/internal/keylock"
)

// tok is a test token: an id, an expiry and whether it can be renewed.
type tok struct {
	id        string
	expires   time.Time
	renewable bool
}

var (
	errRefused   = errors.New("invalid_grant")
	errTransient = errors.New("503 service unavailable")
	errClient    = errors.New("invalid_client")
)

// proto is a test protocol whose Renew is a function of the test.
type proto struct {
	renew   func(ctx context.Context, t tok) (tok, error)
	renewed atomic.Int32
}

func (p *proto) ID(t tok) string                   { return t.id }
func (p *proto) Expired(t tok, now time.Time) bool { return !now.Before(t.expires) }
func (p *proto) Renewable(t tok, problem error, now time.Time) bool {
	return t.renewable
}
func (p *proto) Renew(ctx context.Context, t tok) (tok, error) {
	p.renewed.Add(1)
	return p.renew(ctx, t)
}
func (p *proto) Refused(err error) bool { return errors.Is(err, errRefused) }

// store is a test store of one token.
type store struct {
	mu      sync.Mutex
	t       *tok
	lockErr error
	lost    atomic.Bool
	held    sync.Mutex
}

func (s *store) Load(ctx context.Context) (tok, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.t == nil {
		return tok{}, ErrNoToken
	}
	return *s.t, nil
}

func (s *store) Swap(ctx context.Context, old string, t tok) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.t == nil || s.t.id != old {
		return ErrChanged
	}
	s.t = &t
	return nil
}

func (s *store) Delete(ctx context.Context, old string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.t != nil && s.t.id == old {
		s.t = nil
	}
	return nil
}

func (s *store) put(t tok) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.t = &t
}

func (s *store) get() *tok {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.t
}

type lock struct{ s *store }

func (l lock) Held(context.Context) error {
	if l.s.lost.Load() {
		return errors.New("session ended")
	}
	return nil
}
func (l lock) Unlock() { l.s.held.Unlock() }

func (s *store) Lock(ctx context.Context) (Lock, error) {
	if s.lockErr != nil {
		return nil, s.lockErr
	}
	s.held.Lock()
	return lock{s}, nil
}

var now = time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)

func TestSourceRule(t *testing.T) {
	t.Parallel()
	valid := tok{id: "valid", expires: now.Add(time.Hour), renewable: true}
	expired := tok{id: "old", expires: now.Add(-time.Minute), renewable: true}
	fresh := tok{id: "fresh", expires: now.Add(time.Hour), renewable: true}
	newer := tok{id: "newer", expires: now.Add(time.Hour), renewable: true}
	tests := []struct {
		name      string
		stored    *tok
		used      *tok  // nil: Token(); else Rejected(used, problem)
		problem   error // for Rejected
		renew     func(s *store) (tok, error)
		lockErr   error
		lost      bool
		wantTok   string // "" when an error is wanted
		wantErr   error  // errors.Is target, or nil
		refused   bool   // want *RefusedError
		wantStore string // the stored token's id afterwards, "" for none
		renews    int32
	}{
		{name: "a living token is used as it is", stored: &valid, wantTok: "valid", wantStore: "valid"},
		{name: "no token", wantErr: ErrNoToken},
		{name: "an expired token is renewed and stored", stored: &expired,
			renew: func(*store) (tok, error) { return fresh, nil }, wantTok: "fresh", wantStore: "fresh", renews: 1},
		{name: "a 5xx from the renewal keeps the token", stored: &expired,
			renew: func(*store) (tok, error) { return tok{}, errTransient }, wantErr: errTransient, wantStore: "old", renews: 1},
		{name: "a misconfigured client keeps the token", stored: &expired,
			renew: func(*store) (tok, error) { return tok{}, errClient }, wantErr: errClient, wantStore: "old", renews: 1},
		{name: "a refused renewal deletes the token", stored: &expired,
			renew: func(*store) (tok, error) { return tok{}, errRefused }, refused: true, wantErr: errRefused, renews: 1},
		{name: "a refused renewal takes the newer token another replica stored", stored: &expired,
			renew: func(s *store) (tok, error) { s.put(newer); return tok{}, errRefused }, wantTok: "newer", wantStore: "newer", renews: 1},
		{name: "an expired token that cannot be renewed is deleted", stored: &tok{id: "old", expires: now.Add(-time.Minute)},
			refused: true},
		{name: "a remote refusal of a token that cannot be renewed deletes it", stored: &tok{id: "valid", expires: now.Add(time.Hour)},
			used: &tok{id: "valid", expires: now.Add(time.Hour)}, problem: errRefused, refused: true, wantErr: errRefused},
		{name: "a remote answer that is no refusal keeps a token that cannot be renewed", stored: &tok{id: "valid", expires: now.Add(time.Hour)},
			used: &tok{id: "valid", expires: now.Add(time.Hour)}, problem: errClient, wantErr: errClient, wantStore: "valid"},
		{name: "a remote refusal is answered with the token another request stored", stored: &newer,
			used: &valid, problem: errRefused, wantTok: "newer", wantStore: "newer"},
		{name: "a remote refusal of a renewable token renews it", stored: &valid,
			used: &valid, problem: errRefused, renew: func(*store) (tok, error) { return fresh, nil }, wantTok: "fresh", wantStore: "fresh", renews: 1},
		{name: "a store lock that cannot be taken keeps the token", stored: &expired, lockErr: errTransient,
			wantErr: errTransient, wantStore: "old"},
		{name: "a lost lock keeps the token and does not renew", stored: &expired, lost: true,
			renew: func(*store) (tok, error) { return fresh, nil }, wantStore: "old"},
		{name: "a token stored during the renewal is kept, the fresh one used once", stored: &expired,
			renew: func(s *store) (tok, error) { s.put(newer); s.lost.Store(true); return fresh, nil }, wantTok: "fresh", wantStore: "newer", renews: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := &store{lockErr: tt.lockErr}
			if tt.stored != nil {
				st.put(*tt.stored)
			}
			st.lost.Store(tt.lost)
			p := &proto{renew: func(ctx context.Context, _ tok) (tok, error) {
				if tt.renew == nil {
					t.Error("Renew called")
					return tok{}, errTransient
				}
				return tt.renew(st)
			}}
			src := &Source[tok]{Protocol: p, Store: st, Local: &keylock.Set[string]{}, Key: "alice", Now: func() time.Time { return now }}
			var got tok
			var err error
			if tt.used == nil {
				got, err = src.Token(t.Context())
			} else {
				got, err = src.Rejected(t.Context(), *tt.used, tt.problem)
			}
			if tt.wantTok != "" {
				if err != nil || got.id != tt.wantTok {
					t.Fatalf("got %q, %v; want %q, no error", got.id, err, tt.wantTok)
				}
			} else if err == nil {
				t.Fatalf("got %q, no error; want an error", got.id)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v, want one wrapping %v", err, tt.wantErr)
			}
			var re *RefusedError
			if errors.As(err, &re) != tt.refused {
				t.Errorf("error %v: *RefusedError %v, want %v", err, !tt.refused, tt.refused)
			}
			if tt.lost && tt.wantTok == "" {
				var ll *LockLostError
				if !errors.As(err, &ll) {
					t.Errorf("error %v, want *LockLostError", err)
				}
			}
			gotStore := ""
			if s := st.get(); s != nil {
				gotStore = s.id
			}
			if gotStore != tt.wantStore {
				t.Errorf("stored %q afterwards, want %q", gotStore, tt.wantStore)
			}
			if n := p.renewed.Load(); n != tt.renews {
				t.Errorf("%d renewals, want %d", n, tt.renews)
			}
		})
	}
}

// TestSourceSingleFlight: many goroutines finding one token expired renew it
// once, and all get the renewed token.
func TestSourceSingleFlight(t *testing.T) {
	t.Parallel()
	st := &store{}
	st.put(tok{id: "old", expires: now.Add(-time.Second), renewable: true})
	release := make(chan struct{})
	p := &proto{renew: func(ctx context.Context, t tok) (tok, error) {
		<-release
		return tok{id: "fresh", expires: now.Add(time.Hour), renewable: true}, nil
	}}
	src := &Source[tok]{Protocol: p, Store: st, Local: &keylock.Set[string]{}, Key: "alice", Now: func() time.Time { return now }}
	const n = 50
	var wg sync.WaitGroup
	got := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			tk, err := src.Token(t.Context())
			got[i], errs[i] = tk.id, err
		})
	}
	close(release)
	wg.Wait()
	for i := range n {
		if errs[i] != nil || got[i] != "fresh" {
			t.Errorf("goroutine %d: %q, %v", i, got[i], errs[i])
		}
	}
	if r := p.renewed.Load(); r != 1 {
		t.Errorf("%d renewals, want 1", r)
	}
	if l := src.Local.Len(); l != 0 {
		t.Errorf("%d in-process locks left", l)
	}
}

// TestSourceCanceledWait: a request waiting for the renewal lock gives up
// when its context ends, and the token is kept.
func TestSourceCanceledWait(t *testing.T) {
	t.Parallel()
	st := &store{}
	st.put(tok{id: "old", expires: now.Add(-time.Second), renewable: true})
	locks := &keylock.Set[string]{}
	unlock, err := locks.Lock(t.Context(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	p := &proto{renew: func(context.Context, tok) (tok, error) { return tok{}, errTransient }}
	src := &Source[tok]{Protocol: p, Store: st, Local: locks, Key: "alice", Now: func() time.Time { return now }}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := src.Token(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if st.get() == nil {
		t.Fatal("the token was deleted")
	}
}
