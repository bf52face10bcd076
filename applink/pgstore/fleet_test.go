package pgstore_test

// Two replicas of one service (two Services, two pools) on one pgstore
// against one applinktest provider: dances, renewals and revocations cross
// from one to the other.

import (
	"context"
	"errors"
	"github.com/go-applinks/applinks/applink/token"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
	"github.com/go-applinks/applinks/applink/authorize"
	"github.com/go-applinks/applinks/applink/pgstore"
	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/internal/pgtest"
)

type fleet struct {
	srv      *applinktest.Server
	link     applink.Link
	stores   []*pgstore.Store
	replicas []*applink.Service
}

// newFleet starts a provider and two replicas, each with a pool of its own
// on one database.
func newFleet(t *testing.T) *fleet {
	t.Helper()
	return newFleetWith(t, nil, nil)
}

// newFleetWith is newFleet where wrap, when set, wraps replica i's
// transport and storeFor, when set, gives the token store replica i uses.
func newFleetWith(t *testing.T, wrap func(i int, rt http.RoundTripper) http.RoundTripper, storeFor func(i int, s *pgstore.Store) token.Store) *fleet {
	t.Helper()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice", "bob"))
	link, err := testlink.New(srv, "Jira", testlink.WithKeyBits(1024))
	if err != nil {
		t.Fatal(err)
	}
	url := pgtest.NewDatabase(t)
	fl := &fleet{srv: srv, link: link}
	for i := range 2 {
		store, err := pgstore.New(t.Context(), pgtest.Pool(t, url))
		if err != nil {
			t.Fatal(err)
		}
		c := *srv.Client()
		if wrap != nil {
			c.Transport = wrap(i, c.Transport)
		}
		var ts token.Store = store
		if storeFor != nil {
			ts = storeFor(i, store)
		}
		svc, err := applink.NewService([]applink.Link{link}, applink.WithHTTPClient(&c),
			applink.WithTokenStore(ts), applink.WithRetry(applink.RetryPolicy{Max: -1}))
		if err != nil {
			t.Fatal(err)
		}
		fl.stores = append(fl.stores, store)
		fl.replicas = append(fl.replicas, svc)
	}
	return fl
}

func (fl *fleet) factory(t *testing.T, replica int, user string) *applink.RequestFactory {
	t.Helper()
	l, err := fl.replicas[replica].Link(fl.link.ID)
	if err != nil {
		t.Fatal(err)
	}
	f, err := l.RequestFactory(user)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (fl *fleet) count(flow, user string) int {
	n := 0
	for _, r := range fl.srv.Requests() {
		if r.Flow == flow && (user == "" || r.User == user) {
			n++
		}
	}
	return n
}

type myself struct {
	Name string `json:"name"`
}

func whoami(ctx context.Context, f *applink.RequestFactory) (string, error) {
	req, err := f.NewRequest(http.MethodGet, "/rest/api/2/myself")
	if err != nil {
		return "", err
	}
	me, err := applink.Execute(ctx, req, handler.JSON[myself]())
	return me.Name, err
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// signalingStore reports each LockToken call on entered before it waits.
type signalingStore struct {
	*pgstore.Store
	entered chan<- struct{}
}

func (s signalingStore) LockToken(ctx context.Context, key token.Key) (token.Lock, error) {
	s.entered <- struct{}{}
	return s.Store.LockToken(ctx, key)
}

// TestFleetRenewOrdered makes the race deterministic: replica A's renewal
// is held at the provider's door until replica B, which found the same
// token expired, either waits for the store's lock (then it must use A's
// new token) or sends a renewal of its own (which the lock must have
// prevented).
func TestFleetRenewOrdered(t *testing.T) {
	t.Parallel()
	renewing := make(chan struct{}, 4) // replica A is at the provider
	release := make(chan struct{})     // let A's renewal through
	bRenews := make(chan struct{}, 4)  // replica B sends a renewal
	entered := make(chan struct{}, 4)  // replica B asks the store's lock
	var armed atomic.Bool
	fl := newFleetWith(t, func(i int, next http.RoundTripper) http.RoundTripper {
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
	}, func(i int, s *pgstore.Store) token.Store {
		if i == 1 {
			return signalingStore{Store: s, entered: entered}
		}
		return s
	})
	ctx := t.Context()
	if err := authorize.OutOfBand(ctx, fl.factory(t, 0, "alice"), fl.srv.Approver("alice")); err != nil {
		t.Fatal(err)
	}
	tok, err := fl.stores[0].AccessToken(ctx, token.Key{LinkID: fl.link.ID, User: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if err := fl.srv.Expire(tok.Token); err != nil {
		t.Fatal(err)
	}
	armed.Store(true)
	before := fl.count(applinktest.FlowAccessToken, "")
	errs := make(chan error, 2)
	go func() { _, err := whoami(ctx, fl.factory(t, 0, "alice")); errs <- err }()
	<-renewing
	go func() { _, err := whoami(ctx, fl.factory(t, 1, "alice")); errs <- err }()
	select {
	case <-entered: // B waits for A's lock
	case <-bRenews: // B renews on its own: the count below fails
	}
	close(release)
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("whoami: %v", err)
		}
	}
	if got := fl.count(applinktest.FlowAccessToken, "") - before; got != 1 {
		t.Errorf("%d renewals at the provider, want 1", got)
	}
}

// TestFleetRenewOnce: 50 requests on each replica race a token the remote
// expired; the provider sees exactly one renewal and every request
// succeeds.
func TestFleetRenewOnce(t *testing.T) {
	t.Parallel()
	fl := newFleet(t)
	ctx := t.Context()
	if err := authorize.OutOfBand(ctx, fl.factory(t, 0, "alice"), fl.srv.Approver("alice")); err != nil {
		t.Fatal(err)
	}
	key := token.Key{LinkID: fl.link.ID, User: "alice"}
	tok, err := fl.stores[1].AccessToken(ctx, key)
	if err != nil {
		t.Fatalf("replica B does not see the token replica A obtained: %v", err)
	}
	if err := fl.srv.Expire(tok.Token); err != nil {
		t.Fatal(err)
	}
	before := fl.count(applinktest.FlowAccessToken, "")
	var wg sync.WaitGroup
	for i := range 2 {
		f := fl.factory(t, i, "alice")
		for range 50 {
			wg.Go(func() {
				if user, err := whoami(ctx, f); err != nil || user != "alice" {
					t.Errorf("replica %d: whoami = %q, %v", i, user, err)
				}
			})
		}
	}
	wg.Wait()
	if got := fl.count(applinktest.FlowAccessToken, "") - before; got != 1 {
		t.Errorf("%d renewals at the provider, want exactly 1", got)
	}
	renewed, err := fl.stores[0].AccessToken(ctx, key)
	if err != nil || renewed.Token == tok.Token {
		t.Errorf("the stored token after the renewal: %v, %v; want a new one", renewed, err)
	}
}

// TestFleetRevokedNeverSentAgain: the remote revokes alice's token; replica
// A learns it (401 token_revoked) and deletes it; replica B then never
// sends it, but asks for credentials without a request.
func TestFleetRevokedNeverSentAgain(t *testing.T) {
	t.Parallel()
	fl := newFleet(t)
	ctx := t.Context()
	if err := authorize.OutOfBand(ctx, fl.factory(t, 0, "alice"), fl.srv.Approver("alice")); err != nil {
		t.Fatal(err)
	}
	// B uses the token first, so that anything B could cache, it has.
	if _, err := whoami(ctx, fl.factory(t, 1, "alice")); err != nil {
		t.Fatal(err)
	}
	tok, err := fl.stores[0].AccessToken(ctx, token.Key{LinkID: fl.link.ID, User: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if err := fl.srv.Revoke(tok.Token); err != nil {
		t.Fatal(err)
	}
	var cr *applink.CredentialsRequiredError
	if _, err := whoami(ctx, fl.factory(t, 0, "alice")); !errors.As(err, &cr) {
		t.Fatalf("replica A after the revocation: %v, want *CredentialsRequiredError", err)
	}
	sent := len(fl.srv.Requests())
	for range 3 {
		if _, err := whoami(ctx, fl.factory(t, 1, "alice")); !errors.As(err, &cr) {
			t.Fatalf("replica B after A deleted the revoked token: %v, want *CredentialsRequiredError", err)
		}
	}
	if got := fl.srv.Requests()[sent:]; len(got) != 0 {
		t.Errorf("replica B sent %d requests after A deleted the revoked token, want none: %+v", len(got), got)
	}
}

// TestFleetDanceAcrossReplicas: the web dance starts on replica A's
// handler; the load balancer sends the callback to replica B, which
// completes it; both then act as alice. A replayed callback is refused on
// either replica.
func TestFleetDanceAcrossReplicas(t *testing.T) {
	t.Parallel()
	fl := newFleet(t)
	var apps []*url.URL
	for _, svc := range fl.replicas {
		h, err := authorize.NewHandler(svc, func(r *http.Request) (string, error) {
			c, err := r.Cookie("session")
			if err != nil {
				return "", err
			}
			return c.Value, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		mux.Handle(authorize.DefaultPrefix+"/", h)
		mux.HandleFunc("/done", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "back in the app") })
		app := httptest.NewServer(mux)
		t.Cleanup(app.Close)
		u, err := url.Parse(app.URL)
		if err != nil {
			t.Fatal(err)
		}
		apps = append(apps, u)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	// Cookies ignore ports: alice is signed in on both replicas.
	jar.SetCookies(apps[0], []*http.Cookie{{Name: "session", Value: "alice"}})
	var callback *url.URL
	browser := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		switch {
		case strings.HasPrefix(req.URL.String(), fl.srv.AuthorizationURL("")):
			req.URL.RawQuery += "&user=alice&approve=1" // alice clicks Allow
		case req.URL.Host == apps[0].Host && strings.HasPrefix(req.URL.Path, authorize.DefaultPrefix):
			req.URL.Host = apps[1].Host // the load balancer picks B
			c := *req.URL
			callback = &c
		}
		return nil
	}}
	do := func(method, u string) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		if method == http.MethodPost {
			req.Header.Set("Origin", apps[0].Scheme+"://"+apps[0].Host)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
		}
		resp, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := do(http.MethodPost, apps[0].String()+authorize.StartURL("", fl.link.ID, "/done"))
	if status != http.StatusOK || body != "back in the app" {
		t.Fatalf("the dance started on A and called back on B ended with %d %q", status, body)
	}
	if callback == nil {
		t.Fatal("the callback never went to replica B")
	}
	for i := range fl.replicas {
		if user, err := whoami(t.Context(), fl.factory(t, i, "alice")); err != nil || user != "alice" {
			t.Errorf("replica %d after the dance: %q, %v", i, user, err)
		}
	}
	for i, app := range apps {
		replay := *callback
		replay.Host = app.Host
		if status, body := do(http.MethodGet, replay.String()); status != http.StatusBadRequest {
			t.Errorf("replayed callback on replica %d: %d %q, want 400", i, status, body)
		}
	}
}
