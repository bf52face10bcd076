package authorize

// Test fixtures of the flows: remotes of package applinktest and services
// linked to them, built with applink's exported API.

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/testclock"
	"github.com/go-applinks/applinks/internal/testnet"
	"github.com/go-applinks/applinks/signer"
)

const (
	testConsumerKey = "go-applinks-test"
	testLinkID      = "6f1c2a4e-0d8b-4c3e-9a57-2b1e8d0f4c11"
)

// shapes are the two kinds of remote every dance test runs against.
var shapes = []applinktest.Shape{applinktest.Atlassian, applinktest.Jenkins}

// danceFixture is a provider and a service with one link to it.
type danceFixture struct {
	srv   *applinktest.Server
	svc   *applink.Service
	store *token.MemoryStore
	link  applink.Link // as configured
	// skew shifts the service's clock (which the dance handler reads for
	// the expiry of a pending dance).
	skew *atomic.Int64
}

// testKeys makes the RSA key the package's links sign with, once: the
// tests need a key, not a particular one, and a key of its own for every
// link would take long to make.
var testKeys = sync.OnceValues(func() (*rsa.PrivateKey, error) { return signer.GenerateKey(0) })

// newTestLink makes a link named name to srv with package testlink, as a
// user's integration test would, signing with the package's RSA key (the
// Jenkins shape takes a shared secret of its own instead).
func newTestLink(t *testing.T, srv *applinktest.Server, name string, opts ...testlink.Option) applink.Link {
	t.Helper()
	key, err := testKeys()
	if err != nil {
		t.Fatal(err)
	}
	link, err := testlink.New(srv, name, append([]testlink.Option{testlink.WithPrivateKey(key)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return link
}

// newDanceFixture starts a provider of the shape with users alice and bob
// and a service with the link testLinkID to it: a 3LO consumer
// testConsumerKey, RSA-SHA1 for Atlassian, HMAC-SHA1 for Jenkins.
func newDanceFixture(t *testing.T, shape applinktest.Shape, opts ...applinktest.Option) *danceFixture {
	t.Helper()
	srv := applinktest.NewServer(t, append([]applinktest.Option{applinktest.WithShape(shape), applinktest.WithUsers("alice", "bob")}, opts...)...)
	name := "Jira"
	if shape == applinktest.Jenkins {
		name = "Jenkins"
	}
	link := newTestLink(t, srv, name, testlink.WithConsumerKey(testConsumerKey))
	link.ID = testLinkID
	store := token.NewMemoryStore()
	skew := new(atomic.Int64)
	clock := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	svc := newTestService(t, []applink.Link{link}, applink.WithHTTPClient(srv.Client()), applink.WithTokenStore(store),
		applink.WithRetry(applink.RetryPolicy{Max: -1}), applink.WithClock(clock))
	return &danceFixture{srv: srv, svc: svc, store: store, link: link, skew: skew}
}

// newTestService builds a service.
func newTestService(t *testing.T, links []applink.Link, opts ...applink.Option) *applink.Service {
	t.Helper()
	svc, err := applink.NewService(links, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// factory returns the request factory for user on the fixture's link.
func (fx *danceFixture) factory(t *testing.T, user string) *applink.RequestFactory {
	t.Helper()
	return factoryOn(t, fx.svc, fx.link.ID, user)
}

// factoryOn returns the request factory for user on svc's link id.
func factoryOn(t *testing.T, svc *applink.Service, id, user string) *applink.RequestFactory {
	t.Helper()
	l, err := svc.Link(id)
	if err != nil {
		t.Fatal(err)
	}
	f, err := l.RequestFactory(user)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// factoryFor returns the request factory for user on svc's link
// testLinkID.
func factoryFor(t *testing.T, svc *applink.Service, user string) *applink.RequestFactory {
	t.Helper()
	return factoryOn(t, svc, testLinkID, user)
}

// newStartRequest is the browser's request that starts the dance for link
// at the app at base: the start form posted from the app's own page.
func newStartRequest(t *testing.T, base, link, redirect string) *http.Request {
	t.Helper()
	form := url.Values{"link": {link}, "redirect": {redirect}}
	r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, base+DefaultPrefix+"/start", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", base)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	return r
}

// storedTokens counts the access and request tokens in s, as its String
// says.
func storedTokens(s *token.MemoryStore) int {
	var access, request int
	if _, err := fmt.Sscanf(s.String(), "MemoryStore(%d access tokens, %d request tokens)", &access, &request); err != nil {
		panic("storedTokens: " + err.Error())
	}
	return access + request
}

// newLinkID returns a new random (version 4) UUID, for tests that need
// links with ids of their own.
func newLinkID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// sessionUser is the web apps' currentUser: the "session" cookie holds the
// user name.
func sessionUser(r *http.Request) (string, error) {
	c, err := r.Cookie("session")
	if err != nil {
		return "", err
	}
	return c.Value, nil
}

// whoamiPath is a resource that answers with the user a request acts as.
func whoamiPath(shape applinktest.Shape) string {
	if shape == applinktest.Jenkins {
		return "/me/api/json"
	}
	return "/rest/api/2/myself"
}

// whoami makes a request as user and returns the body, or the error.
func (fx *danceFixture) whoami(t *testing.T, user string) (string, error) {
	t.Helper()
	req, err := fx.factory(t, user).NewRequest(http.MethodGet, whoamiPath(fx.srv.Shape()))
	if err != nil {
		return "", err
	}
	resp, err := req.Do(t.Context())
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("whoami: %s %s", resp.Status, b)
	}
	return string(b), nil
}

// credentialsRequired asserts err is *CredentialsRequiredError and returns it.
func credentialsRequired(t *testing.T, err error) *applink.CredentialsRequiredError {
	t.Helper()
	var cre *applink.CredentialsRequiredError
	if !errors.As(err, &cre) {
		t.Fatalf("err = %v, want *CredentialsRequiredError", err)
	}
	return cre
}

const (
	o2TestClientID = "client-TEST-ONLY"
	o2TestSecret   = "client-s3cret-TEST-ONLY"
)

// o2Fixture is an OAuth2-shaped server, a shared token store and a clock.
type o2Fixture struct {
	srv      *applinktest.Server
	clock    *testclock.Clock
	store    token.Store
	redirect string
}

func newO2Fixture(t *testing.T, redirect string) *o2Fixture {
	t.Helper()
	clock := testclock.New(testclock.Start)
	if redirect == "" {
		redirect = testnet.LoopbackCallbackURL(t)
	}
	srv := applinktest.NewServer(t, applinktest.WithShape(applinktest.OAuth2), applinktest.WithClock(clock.Now),
		applinktest.WithUsers("alice", "bob", "robot"), applinktest.WithBearerTokenTTL(time.Hour),
		applinktest.WithOAuth2Client(applinktest.OAuth2Client{ID: o2TestClientID, Secret: signer.NewSecret(o2TestSecret),
			RedirectURL: redirect, ServiceUser: "robot"}))
	return &o2Fixture{srv: srv, clock: clock, store: token.NewMemoryStore(token.WithClock(clock.Now)), redirect: redirect}
}

// service returns a new Service with an OAuth 2.0 link to the fixture's
// server.
func (fx *o2Fixture) service(t *testing.T) *applink.Service {
	t.Helper()
	l := applink.Link{ID: testLinkID, Name: "Jira OAuth2", Type: applink.TypeJira, RPCURL: fx.srv.URL, Auth: []applink.Auth{applink.AuthOAuth2},
		OAuth2: &applink.OAuth2Client{ClientID: o2TestClientID, RedirectURL: fx.redirect, Scopes: []string{"WRITE"}, ClientSecret: token.NewSecret(o2TestSecret)},
	}
	return newTestService(t, []applink.Link{l}, applink.WithTokenStore(fx.store), applink.WithClock(fx.clock.Now), applink.WithHTTPClient(fx.srv.Client()))
}

// whoAmI gets /rest/api/2/myself and returns the user name, or the error.
func whoAmI(t *testing.T, f *applink.RequestFactory) (string, error) {
	t.Helper()
	req, err := f.NewRequest(http.MethodGet, "/rest/api/2/myself")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := req.Do(t.Context())
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	var me struct{ Name string }
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return "", fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(&me); err != nil {
		return "", err
	}
	return me.Name, nil
}
