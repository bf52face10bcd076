package applink

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/internal/linkconf"
	"github.com/go-applinks/applinks/signer"
)

const coreConsumer = "core-app"

// coreFixture is an Atlassian-shaped provider (users alice, bob, bot) with
// a consumer allowing 3LO, 2LO (as bot) and 2LOi, and a service with one
// link to it.
type coreFixture struct {
	srv   *applinktest.Server
	svc   *Service
	link  *Link
	store *token.MemoryStore
	waits *waitLog
}

// waitLog records the waits between retries the service asked for.
type waitLog struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (w *waitLog) add(d time.Duration) { w.mu.Lock(); w.waits = append(w.waits, d); w.mu.Unlock() }
func (w *waitLog) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.waits...)
}

type coreConfig struct {
	auth    []Auth
	srvOpts []applinktest.Option
	svcOpts []Option
}

func newCoreFixture(t *testing.T, cfg coreConfig) *coreFixture {
	t.Helper()
	key := testKey(t)
	opts := append([]applinktest.Option{
		applinktest.WithUsers("alice", "bob", "bot"),
		applinktest.WithConsumer(applinktest.Consumer{Key: coreConsumer, PublicKey: &key.PublicKey,
			ThreeLO: true, TwoLO: true, TwoLOUser: "bot", Impersonation: true}),
	}, cfg.srvOpts...)
	srv := applinktest.NewServer(t, opts...)
	auth := cfg.auth
	if auth == nil {
		auth = []Auth{Auth3LO, Auth2LOi, Auth2LO}
	}
	l := Link{ID: newLinkID(), Name: "Jira", Type: TypeJira, RPCURL: srv.URL, ConsumerKey: coreConsumer, Auth: auth, PrivateKey: key}
	store := token.NewMemoryStore()
	waits := &waitLog{}
	svcOpts := append([]Option{WithHTTPClient(srv.Client()), WithTokenStore(store), withBackoff(waits.add)}, cfg.svcOpts...)
	svc, err := NewService([]Link{l}, svcOpts...)
	if err != nil {
		t.Fatalf("NewService: %v", err)
	}
	bound, err := svc.Link(l.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &coreFixture{srv: srv, svc: svc, link: bound, store: store, waits: waits}
}

// factory returns a factory for user.
func (fx *coreFixture) factory(t *testing.T, user string, opts ...Option) *RequestFactory {
	t.Helper()
	f, err := fx.link.RequestFactory(user, opts...)
	if err != nil {
		t.Fatalf("RequestFactory(%q): %v", user, err)
	}
	return f
}

// authorize runs the 3-legged dance for user, approving at the provider.
func (fx *coreFixture) authorize(t *testing.T, user string) {
	t.Helper()
	if err := authorizeOutOfBand(t.Context(), fx.factory(t, user), fx.srv.Approver(user)); err != nil {
		t.Fatalf("authorizing out of band: %v", err)
	}
}

// myself is what /rest/api/2/myself answers.
type myself struct {
	Name string `json:"name"`
}

// whoami makes GET /rest/api/2/myself through f and returns the user name.
func whoami(t *testing.T, f *RequestFactory) (string, Auth, error) {
	t.Helper()
	req, err := f.NewRequest(http.MethodGet, "/rest/api/2/myself")
	if err != nil {
		return "", "", err
	}
	me, err := Execute(t.Context(), req, handler.JSON[myself]())
	return me.Name, req.Auth(), err
}

// lastRecord returns the provider's last record.
func lastRecord(t *testing.T, srv *applinktest.Server) applinktest.Record {
	t.Helper()
	recs := srv.Requests()
	if len(recs) == 0 {
		t.Fatal("the provider saw no request")
	}
	return recs[len(recs)-1]
}

// recordsFor returns the provider's records for a path.
func recordsFor(srv *applinktest.Server, path string) []applinktest.Record {
	var out []applinktest.Record
	for _, r := range srv.Requests() {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// oauthProblemIn returns the *signer.ProblemError inside err, or nil.
func oauthProblemIn(err error) *signer.ProblemError {
	var p *signer.ProblemError
	if errors.As(err, &p) {
		return p
	}
	return nil
}

// authorizeOutOfBand plays the out-of-band dance with the two primitives,
// AuthorizationURL and CompleteAuthorization, as applink/authorize's
// OutOfBand does (applink's own tests cannot import that package).
func authorizeOutOfBand(ctx context.Context, f *RequestFactory, verifier func(context.Context, string) (string, error)) error {
	u, rt, err := f.startDance(ctx, "")
	if err != nil {
		return err
	}
	code, err := verifier(ctx, u.String())
	if err != nil {
		return err
	}
	return f.CompleteAuthorization(ctx, rt.Token, code)
}

// newLinkID returns a new random (version 4) UUID, for tests that need
// links with ids of their own.
func newLinkID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return linkconf.FormatUUID(b)
}

// factory returns a factory for user on the link, bound to this state.
func (st *linkState) factory(user string) *RequestFactory {
	l := st.link
	l.state = st
	return &RequestFactory{link: &l, user: user}
}
