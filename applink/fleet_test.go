package applink

// Replicas: several Services (the replicas of one web application) sharing
// one token store renew a token once and complete each other's dances.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/filestore"
	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/applink/applinktest"
)

// fleet is one provider and replicas of one application sharing a store.
type fleet struct {
	srv      *applinktest.Server
	link     Link
	store    token.Store
	replicas []*Service
}

// newFleet starts a provider and a service on each store (the first is
// fleet.store) with one link to it; wrap, when set, wraps the transport of
// replica i.
func newFleet(t *testing.T, stores []token.Store, wrap func(i int, rt http.RoundTripper) http.RoundTripper) *fleet {
	t.Helper()
	key := testKey(t)
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice", "bob"),
		applinktest.WithConsumer(applinktest.Consumer{Key: coreConsumer, PublicKey: &key.PublicKey, ThreeLO: true}))
	l := Link{ID: newLinkID(), Name: "Jira", Type: TypeJira, RPCURL: srv.URL, ConsumerKey: coreConsumer, Auth: []Auth{Auth3LO}, PrivateKey: key}
	fl := &fleet{srv: srv, link: l, store: stores[0]}
	for i, store := range stores {
		c := *srv.Client()
		if wrap != nil {
			c.Transport = wrap(i, c.Transport)
		}
		svc, err := NewService([]Link{l}, WithHTTPClient(&c), WithTokenStore(store), WithRetry(RetryPolicy{Max: -1}))
		if err != nil {
			t.Fatalf("NewService: %v", err)
		}
		fl.replicas = append(fl.replicas, svc)
	}
	return fl
}

// factory returns replica i's factory for user.
func (fl *fleet) factory(t *testing.T, i int, user string) *RequestFactory {
	t.Helper()
	l, err := fl.replicas[i].Link(fl.link.ID)
	if err != nil {
		t.Fatal(err)
	}
	f, err := l.RequestFactory(user)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// authorize runs the dance for user on replica 0.
func (fl *fleet) authorize(t *testing.T, user string) *token.AccessToken {
	t.Helper()
	if err := authorizeOutOfBand(t.Context(), fl.factory(t, 0, user), fl.srv.Approver(user)); err != nil {
		t.Fatalf("authorizing out of band: %v", err)
	}
	tok, err := fl.store.AccessToken(t.Context(), token.Key{LinkID: fl.link.ID, User: user})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// accessTokenCalls counts the provider's access-token requests.
func (fl *fleet) accessTokenCalls() int {
	n := 0
	for _, r := range fl.srv.Requests() {
		if r.Flow == applinktest.FlowAccessToken {
			n++
		}
	}
	return n
}

// roundTripFunc is an http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// hiddenStore is a token.Store that hides the optional interfaces (token.Locker,
// token.DanceStore) of the store it holds.
type hiddenStore struct{ token.Store }

// signalingLocker is a token.Store whose LockToken reports each call on
// entered before it waits.
type signalingLocker struct {
	*filestore.Store
	entered chan<- struct{}
}

func (s signalingLocker) LockToken(ctx context.Context, key token.Key) (token.Lock, error) {
	s.entered <- struct{}{}
	return s.Store.LockToken(ctx, key)
}

func newTestFileStore(t *testing.T) *filestore.Store {
	t.Helper()
	s, err := filestore.Open(filepath.Join(t.TempDir(), "tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestReplicasRenewOnceOrdered makes the race deterministic: replica A's
// renewal is held at the provider's door until replica B, which found the
// same token expired, either waits for the store's lock (then it must use
// A's token) or sends a renewal of its own (which the store's lock must
// have prevented). Without a token.Locker the provider sees two renewals.
func TestReplicasRenewOnceOrdered(t *testing.T) {
	t.Parallel()
	for _, locking := range []bool{true, false} {
		t.Run(fmt.Sprintf("locking=%v", locking), func(t *testing.T) {
			t.Parallel()
			file := newTestFileStore(t)
			entered := make(chan struct{}, 4)
			var store token.Store = signalingLocker{Store: file, entered: entered}
			if !locking {
				store = hiddenStore{file}
			}
			renewing := make(chan struct{}, 4) // replica A is at the provider
			release := make(chan struct{})     // let A's renewal through
			bRenews := make(chan struct{}, 4)  // replica B sends a renewal
			var armed atomic.Bool              // the test's renewals have begun
			fl := newFleet(t, []token.Store{store, store}, func(i int, next http.RoundTripper) http.RoundTripper {
				return roundTripFunc(func(r *http.Request) (*http.Response, error) {
					if strings.HasSuffix(r.URL.Path, applinktest.AtlassianAccessTokenPath) && armed.Load() {
						if i == 0 {
							renewing <- struct{}{}
							<-release
						} else {
							bRenews <- struct{}{}
						}
					}
					return next.RoundTrip(r)
				})
			})
			tok := fl.authorize(t, "alice")
			tok.ExpiresAt = time.Now().Add(-time.Minute)
			if err := fl.store.PutAccessToken(t.Context(), token.Key{LinkID: fl.link.ID, User: "alice"}, tok); err != nil {
				t.Fatal(err)
			}
			armed.Store(true)
			before := fl.accessTokenCalls()

			errs := make(chan error, 2)
			go func() {
				_, _, err := whoami(t, fl.factory(t, 0, "alice"))
				errs <- err
			}()
			<-renewing
			if locking {
				<-entered // A's own lock
			}
			go func() {
				_, _, err := whoami(t, fl.factory(t, 1, "alice"))
				errs <- err
			}()
			select {
			case <-entered: // B waits for A's lock
			case <-bRenews: // B renews on its own
			}
			close(release)
			for range 2 {
				// Without the lock, the second renewal of one session
				// handle may be refused: only the count matters then.
				if err := <-errs; err != nil && locking {
					t.Errorf("whoami: %v", err)
				}
			}
			got := fl.accessTokenCalls() - before
			if want := 1; locking && got != want {
				t.Errorf("%d renewals at the provider, want %d", got, want)
			}
			if !locking && got != 2 {
				t.Errorf("without a token.Locker: %d renewals, want 2 (the test no longer shows what the lock prevents)", got)
			}
		})
	}
}

// TestReplicasRenewOnce: 50 requests on each of two replicas find one
// token expired (in the store, or only at the remote, which answers
// token_expired); the provider sees exactly one renewal and every request
// succeeds. The memory store shared by two services in one process, and
// the file store shared by two store values (as two processes would).
func TestReplicasRenewOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		stores func(t *testing.T) (a, b token.Store)
	}{
		{"memory", func(*testing.T) (token.Store, token.Store) { s := token.NewMemoryStore(); return s, s }},
		{"file", func(t *testing.T) (token.Store, token.Store) {
			a := newTestFileStore(t)
			b, err := filestore.Open(a.Path())
			if err != nil {
				t.Fatal(err)
			}
			return a, b
		}},
	} {
		for _, remote := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/remote=%v", tc.name, remote), func(t *testing.T) {
				t.Parallel()
				a, b := tc.stores(t)
				fl := newFleet(t, []token.Store{a, b}, nil)
				tok := fl.authorize(t, "alice")
				var err error
				if remote {
					err = fl.srv.Expire(tok.Token)
				} else {
					tok.ExpiresAt = time.Now().Add(-time.Minute)
					err = fl.store.PutAccessToken(t.Context(), token.Key{LinkID: fl.link.ID, User: "alice"}, tok)
				}
				if err != nil {
					t.Fatal(err)
				}
				before := fl.accessTokenCalls()
				var wg sync.WaitGroup
				for i := range 2 {
					f := fl.factory(t, i, "alice")
					for range 50 {
						wg.Go(func() {
							if user, _, err := whoami(t, f); err != nil || user != "alice" {
								t.Errorf("replica %d: whoami = %q, %v", i, user, err)
							}
						})
					}
				}
				wg.Wait()
				if got := fl.accessTokenCalls() - before; got != 1 {
					t.Errorf("%d renewals at the provider, want 1", got)
				}
			})
		}
	}
}

// failingLocker is a store whose LockToken fails (its database is gone).
type failingLocker struct {
	*token.MemoryStore
	err error
}

func (s failingLocker) LockToken(context.Context, token.Key) (token.Lock, error) { return nil, s.err }

// TestRenewalLockFailureKeepsToken: when the store cannot lock the renewal,
// the request fails with that error, nothing is sent to renew, and the
// stored token is kept (the next request can renew it).
func TestRenewalLockFailureKeepsToken(t *testing.T) {
	t.Parallel()
	mem := token.NewMemoryStore()
	lockErr := errors.New("database unreachable")
	fl := newFleet(t, []token.Store{failingLocker{mem, lockErr}}, nil)
	tok := fl.authorize(t, "alice")
	tok.ExpiresAt = time.Now().Add(-time.Minute)
	key := token.Key{LinkID: fl.link.ID, User: "alice"}
	if err := mem.PutAccessToken(t.Context(), key, tok); err != nil {
		t.Fatal(err)
	}
	before := fl.accessTokenCalls()
	_, _, err := whoami(t, fl.factory(t, 0, "alice"))
	var cre *CredentialsRequiredError
	if !errors.Is(err, lockErr) || errors.As(err, &cre) {
		t.Fatalf("whoami = %v, want the lock's error (not credentials required)", err)
	}
	if n := fl.accessTokenCalls() - before; n != 0 {
		t.Errorf("%d renewals sent without the lock", n)
	}
	if got, err := mem.AccessToken(t.Context(), key); err != nil || got.Token != tok.Token {
		t.Errorf("stored token after the lock failed: %v, %v; want it kept", got, err)
	}
}
