package applink

import (
	"context"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/signer"
	"github.com/google/go-cmp/cmp"
)

const (
	testConsumerKey = "go-applinks-test"
	testSecret      = "jenkins-shared-secret-TEST-ONLY"
	testLinkID      = "6f1c2a4e-0d8b-4c3e-9a57-2b1e8d0f4c11"
)

// shapes are the two kinds of remote every dance test runs against.
var shapes = []applinktest.Shape{applinktest.Atlassian, applinktest.Jenkins}

// danceFixture is a provider and a service with one link to it.
type danceFixture struct {
	srv   *applinktest.Server
	svc   *Service
	store *token.MemoryStore
	link  Link // as configured
}

// testKeys reads the test RSA key, once for all the package's tests.
var testKeys = sync.OnceValues(func() (*rsa.PrivateKey, error) {
	data, err := os.ReadFile("../signer/testdata/sign-rsa2048-TEST-ONLY.pem")
	if err != nil {
		return nil, err
	}
	return signer.ParsePrivateKey(data)
})

// testKey returns the RSA test key.
func testKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := testKeys()
	if err != nil {
		t.Fatalf("test key: %v", err)
	}
	return k
}

// newDanceFixture starts a provider of the shape with users alice and bob
// and a 3LO consumer (RSA-SHA1 for Atlassian, HMAC-SHA1 for Jenkins), and
// a service linked to it.
func newDanceFixture(t *testing.T, shape applinktest.Shape, opts ...applinktest.Option) *danceFixture {
	t.Helper()
	cons := applinktest.Consumer{Key: testConsumerKey, Name: "Go app", ThreeLO: true}
	link := Link{ID: testLinkID, ConsumerKey: testConsumerKey, Auth: []Auth{Auth3LO}}
	if shape == applinktest.Jenkins {
		cons.Secret = signer.NewSecret(testSecret)
		link.Name, link.Type = "Jenkins", TypeJenkins
		link.Secret = token.NewSecret(testSecret)
	} else {
		key := testKey(t)
		cons.PublicKey = &key.PublicKey
		link.Name, link.Type = "Jira", TypeJira
		link.PrivateKey = key
	}
	opts = append([]applinktest.Option{applinktest.WithShape(shape), applinktest.WithUsers("alice", "bob"),
		applinktest.WithConsumer(cons)}, opts...)
	srv := applinktest.NewServer(t, opts...)
	link.RPCURL = srv.URL
	store := token.NewMemoryStore()
	svc := newTestService(t, []Link{link}, WithHTTPClient(srv.Client()), WithTokenStore(store), WithRetry(RetryPolicy{Max: -1}))
	return &danceFixture{srv: srv, svc: svc, store: store, link: link}
}

// newTestService builds a service.
func newTestService(t *testing.T, links []Link, opts ...Option) *Service {
	t.Helper()
	svc, err := NewService(links, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// factory returns the request factory for user on the fixture's link.
func (fx *danceFixture) factory(t *testing.T, user string) *RequestFactory {
	t.Helper()
	l, err := fx.svc.Link(fx.link.ID)
	if err != nil {
		t.Fatal(err)
	}
	f, err := l.RequestFactory(user)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// start runs AuthorizationURL for user and returns the URL and the
// request token in it.
func (fx *danceFixture) start(t *testing.T, user, callback string) (*url.URL, string) {
	t.Helper()
	u, err := fx.factory(t, user).AuthorizationURL(t.Context(), callback)
	if err != nil {
		t.Fatalf("AuthorizationURL: %v", err)
	}
	return u, u.Query().Get("oauth_token")
}

// authorized plays the dance for user (approving in code) and returns the
// key and the access token stored for them.
func (fx *danceFixture) authorized(t *testing.T, user string) (token.Key, *token.AccessToken) {
	t.Helper()
	_, tokValue := fx.start(t, user, "")
	verifier, err := fx.srv.Approve(tokValue, user)
	if err != nil {
		t.Fatal(err)
	}
	key, err := fx.svc.completeAuthorization(t.Context(), tokValue, verifier)
	if err != nil {
		t.Fatal(err)
	}
	at, err := fx.store.AccessToken(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	return key, at
}

// approveOverHTTP approves (or denies) at the provider as a browser would,
// without following the redirect, and returns the provider's answer.
func approveOverHTTP(t *testing.T, client *http.Client, authURL, user string, approve bool) *http.Response {
	t.Helper()
	u := authURL + "&user=" + url.QueryEscape(user) + "&approve=1"
	if !approve {
		u = authURL + "&approve=0"
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp
}

// approveOOB approves an out-of-band dance as alice over HTTP, as a person
// would on the remote's page, and returns the verification code the remote
// shows her. Both shapes answer oauth_callback=oob with 200 and the code in
// an X-OAuth-Verifier header.
func approveOOB(t *testing.T, fx *danceFixture, authURL string) string {
	t.Helper()
	resp := approveOverHTTP(t, fx.srv.Client(), authURL, "alice", true)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("approval answered %s, want 200", resp.Status)
	}
	v := resp.Header.Get("X-OAuth-Verifier")
	if v == "" {
		t.Fatalf("the %s-shaped remote answered oob approval with no X-OAuth-Verifier", fx.srv.Shape())
	}
	return v
}

func TestAuthorizationURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		shape    applinktest.Shape
		callback string
		path     string
		// wantCallback is the oauth_callback in the authorize URL ("" none).
		wantCallback string
	}{
		{applinktest.Atlassian, "", applinktest.AtlassianAuthorizePath, ""},
		{applinktest.Atlassian, "https://app.example.com/cb?state=1", applinktest.AtlassianAuthorizePath, ""},
		{applinktest.Jenkins, "", applinktest.JenkinsAuthorizePath, "oob"},
		{applinktest.Jenkins, "https://app.example.com/cb?state=1", applinktest.JenkinsAuthorizePath, "https://app.example.com/cb?state=1"},
	} {
		t.Run(string(tc.shape)+"/"+tc.callback, func(t *testing.T) {
			t.Parallel()
			fx := newDanceFixture(t, tc.shape)
			u, tokValue := fx.start(t, "alice", tc.callback)
			if got, want := u.Scheme+"://"+u.Host+u.Path, fx.srv.URL+tc.path; got != want {
				t.Errorf("authorize URL = %s, want %s", got, want)
			}
			if got := u.Query().Get("oauth_callback"); got != tc.wantCallback {
				t.Errorf("oauth_callback in the authorize URL = %q, want %q", got, tc.wantCallback)
			}
			rt, err := fx.store.RequestToken(t.Context(), tokValue)
			if err != nil {
				t.Fatalf("pending request token not stored: %v", err)
			}
			wantCB := tc.callback
			if wantCB == "" {
				wantCB = "oob"
			}
			got := struct{ LinkID, User, Callback string }{rt.LinkID, rt.User, rt.Callback}
			want := struct{ LinkID, User, Callback string }{testLinkID, "alice", wantCB}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("pending token (-want +got):\n%s", diff)
			}
			if d := rt.ExpiresAt.Sub(rt.CreatedAt); d != 10*time.Minute {
				t.Errorf("pending token lives %s, want 10m", d)
			}
			if rt.Secret.Reveal() == "" {
				t.Error("pending token has no secret")
			}
		})
	}
}

func TestAuthorizationURLDisplayURL(t *testing.T) {
	t.Parallel()
	fx := newDanceFixture(t, applinktest.Atlassian)
	fx.link.DisplayURL = "https://jira.example.com/jira"
	fx.link.Endpoints.Authorize = "/custom/authorize"
	svc := newTestService(t, []Link{fx.link}, WithHTTPClient(fx.srv.Client()), WithTokenStore(fx.store))
	f := svc.stateByID(testLinkID).factory("alice")
	u, err := f.AuthorizationURL(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := u.Scheme+"://"+u.Host+u.Path, "https://jira.example.com/jira/custom/authorize"; got != want {
		t.Errorf("authorize URL = %s, want %s (display URL and the link's authorize path)", got, want)
	}
}

func TestAuthorizationURLRefuses(t *testing.T) {
	t.Parallel()
	fx := newDanceFixture(t, applinktest.Atlassian)
	for _, tc := range []struct {
		name, user, callback string
	}{
		{"no user", "", ""},
		{"relative callback", "alice", "/callback"},
		{"ftp callback", "alice", "ftp://x/cb"},
		{"fragment", "alice", "https://x/cb#frag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if u, err := fx.factory(t, tc.user).AuthorizationURL(t.Context(), tc.callback); err == nil {
				t.Errorf("AuthorizationURL = %s, want an error", u)
			}
		})
	}
	t.Run("not 3LO", func(t *testing.T) {
		t.Parallel()
		l := fx.link
		l.Auth = []Auth{Auth2LO}
		svc := newTestService(t, []Link{l}, WithHTTPClient(fx.srv.Client()), WithTokenStore(fx.store))
		_, err := svc.stateByID(testLinkID).factory("alice").AuthorizationURL(t.Context(), "")
		var nc *AuthNotConfiguredError
		if !errors.As(err, &nc) {
			t.Fatalf("err = %v, want *AuthNotConfiguredError", err)
		}
	})
}

func TestCompleteAuthorization(t *testing.T) {
	t.Parallel()
	for _, shape := range shapes {
		t.Run(string(shape), func(t *testing.T) {
			t.Parallel()
			fx := newDanceFixture(t, shape)
			_, tokValue := fx.start(t, "alice", "")
			verifier, err := fx.srv.Approve(tokValue, "alice")
			if err != nil {
				t.Fatal(err)
			}
			key, err := fx.svc.completeAuthorization(t.Context(), tokValue, verifier)
			if err != nil {
				t.Fatalf("CompleteAuthorization: %v", err)
			}
			if diff := cmp.Diff(token.Key{LinkID: testLinkID, User: "alice"}, key); diff != "" {
				t.Errorf("key (-want +got):\n%s", diff)
			}
			at, err := fx.store.AccessToken(t.Context(), key)
			if err != nil {
				t.Fatalf("access token not stored: %v", err)
			}
			if live := fx.srv.AccessTokens(testConsumerKey, "alice"); len(live) != 1 || live[0] != at.Token {
				t.Errorf("stored token %s is not alice's token at the provider (%d live)", signer.Abbrev(at.Token), len(live))
			}
			if shape == applinktest.Atlassian {
				if d := at.ExpiresAt.Sub(at.CreatedAt); d != applinktest.DefaultAccessTokenTTL {
					t.Errorf("expires after %s, want %s (oauth_expires_in)", d, applinktest.DefaultAccessTokenTTL)
				}
				if d := at.AuthorizationExpiresAt.Sub(at.CreatedAt); d != applinktest.DefaultAccessTokenTTL {
					t.Errorf("authorization expires after %s, want %s", d, applinktest.DefaultAccessTokenTTL)
				}
				if at.SessionHandle.IsZero() {
					t.Error("no session handle stored")
				}
			}
			if _, err := fx.store.RequestToken(t.Context(), tokValue); !errors.Is(err, token.ErrNotFound) {
				t.Errorf("pending token still stored after success (err %v)", err)
			}
			// The token cannot be completed twice.
			_, err = fx.svc.completeAuthorization(t.Context(), tokValue, verifier)
			if !errors.Is(err, ErrDanceExpired) || !errors.Is(err, token.ErrNotFound) {
				t.Errorf("second completion: err = %v, want ErrDanceExpired wrapping token.ErrNotFound", err)
			}
		})
	}
}

// TestCompleteAuthorizationPastedBody: a script that pastes the body the
// remote answers an oob approval with ("oauth_token=T&oauth_verifier=V")
// completes the dance, as a person pasting the code alone does.
func TestCompleteAuthorizationPastedBody(t *testing.T) {
	t.Parallel()
	for _, shape := range shapes {
		t.Run(string(shape), func(t *testing.T) {
			t.Parallel()
			fx := newDanceFixture(t, shape)
			authURL, tokValue := fx.start(t, "alice", "")
			verifier := approveOOB(t, fx, authURL.String())
			pasted := "oauth_token=" + url.QueryEscape(tokValue) + "&oauth_verifier=" + url.QueryEscape(verifier) + "\n"
			if err := fx.factory(t, "alice").CompleteAuthorization(t.Context(), tokValue, pasted); err != nil {
				t.Fatalf("CompleteAuthorization with the pasted oob body: %v", err)
			}
			if _, err := fx.store.AccessToken(t.Context(), token.Key{LinkID: testLinkID, User: "alice"}); err != nil {
				t.Errorf("access token not stored: %v", err)
			}
		})
	}
}

func TestCompleteBeforeApproval(t *testing.T) {
	t.Parallel()
	for _, shape := range shapes {
		t.Run(string(shape), func(t *testing.T) {
			t.Parallel()
			fx := newDanceFixture(t, shape)
			_, tokValue := fx.start(t, "alice", "")
			f := fx.factory(t, "alice")
			if err := f.CompleteAuthorization(t.Context(), tokValue, "123456"); !errors.Is(err, ErrDanceNotApproved) {
				t.Fatalf("before approval: err = %v, want ErrDanceNotApproved", err)
			}
			verifier, err := fx.srv.Approve(tokValue, "alice")
			if err != nil {
				t.Fatal(err)
			}
			if err := f.CompleteAuthorization(t.Context(), tokValue, verifier); err != nil {
				t.Fatalf("after approval: %v", err)
			}
		})
	}
}

func TestCompleteFailures(t *testing.T) {
	t.Parallel()
	type check func(t *testing.T, err error)
	isDenied := func(t *testing.T, err error) {
		var d *DanceError
		if !errors.As(err, &d) || !errors.Is(err, ErrDanceDenied) || d.User != "alice" || d.LinkName == "" {
			t.Errorf("err = %v, want ErrDanceDenied for alice", err)
		}
	}
	isExpired := func(t *testing.T, err error) {
		var e *DanceError
		if !errors.As(err, &e) || !errors.Is(err, ErrDanceExpired) || e.User != "alice" {
			t.Errorf("err = %v, want ErrDanceExpired for alice", err)
		}
	}
	for _, tc := range []struct {
		name string
		// prepare acts at the provider and returns the verifier to send.
		prepare     func(t *testing.T, fx *danceFixture, tokValue string) string
		check       check
		keepPending bool
	}{
		{"denied verifier", func(*testing.T, *danceFixture, string) string { return "denied" }, isDenied, false},
		{"denied at the provider", func(t *testing.T, fx *danceFixture, tokValue string) string {
			if err := fx.srv.Deny(tokValue); err != nil {
				t.Fatal(err)
			}
			return "whatever"
		}, isDenied, false},
		{"expired at the provider", func(t *testing.T, fx *danceFixture, tokValue string) string {
			v, err := fx.srv.Approve(tokValue, "alice")
			if err != nil {
				t.Fatal(err)
			}
			if err := fx.srv.Expire(tokValue); err != nil {
				t.Fatal(err)
			}
			return v
		}, isExpired, false},
		{"wrong verifier", func(t *testing.T, fx *danceFixture, tokValue string) string {
			if _, err := fx.srv.Approve(tokValue, "alice"); err != nil {
				t.Fatal(err)
			}
			return "not-it"
		}, func(t *testing.T, err error) {
			if problemOf(err) != signer.ProblemTokenRejected {
				t.Errorf("err = %v, want the provider's token_rejected", err)
			}
		}, true},
		{"not approved", func(*testing.T, *danceFixture, string) string { return "abc" }, func(t *testing.T, err error) {
			if !errors.Is(err, ErrDanceNotApproved) {
				t.Errorf("err = %v, want ErrDanceNotApproved", err)
			}
		}, true},
	} {
		for _, shape := range shapes {
			t.Run(tc.name+"/"+string(shape), func(t *testing.T) {
				t.Parallel()
				fx := newDanceFixture(t, shape)
				_, tokValue := fx.start(t, "alice", "")
				v := tc.prepare(t, fx, tokValue)
				_, err := fx.svc.completeAuthorization(t.Context(), tokValue, v)
				if err == nil {
					t.Fatal("CompleteAuthorization succeeded, want an error")
				}
				tc.check(t, err)
				_, perr := fx.store.RequestToken(t.Context(), tokValue)
				if pending := perr == nil; pending != tc.keepPending {
					t.Errorf("pending token kept = %v, want %v", pending, tc.keepPending)
				}
				if keys, _ := fx.store.AccessTokens(t.Context()); len(keys) != 0 {
					t.Errorf("access tokens stored after a failure: %v", keys)
				}
			})
		}
	}
}

func TestCompleteAuthorizationRefusesAnotherUsersToken(t *testing.T) {
	t.Parallel()
	fx := newDanceFixture(t, applinktest.Atlassian)
	_, tokValue := fx.start(t, "alice", "")
	verifier, err := fx.srv.Approve(tokValue, "alice")
	if err != nil {
		t.Fatal(err)
	}
	err = fx.factory(t, "bob").CompleteAuthorization(t.Context(), tokValue, verifier)
	var mm *DanceError
	if !errors.As(err, &mm) || !errors.Is(err, ErrDanceWrongUser) || mm.TokenUser != "alice" || mm.User != "bob" {
		t.Fatalf("err = %v, want ErrDanceWrongUser (token of alice, factory of bob)", err)
	}
	if strings.Contains(err.Error(), "alice") {
		t.Errorf("the message names the other user: %v", err)
	}
	// Nothing changed: alice can still complete.
	if err := fx.factory(t, "alice").CompleteAuthorization(t.Context(), tokValue, verifier); err != nil {
		t.Fatalf("alice after bob's refusal: %v", err)
	}
}

func TestCompleteAuthorizationUnknownToken(t *testing.T) {
	t.Parallel()
	fx := newDanceFixture(t, applinktest.Jenkins)
	err := fx.factory(t, "alice").CompleteAuthorization(t.Context(), "nope", "123456")
	if !errors.Is(err, ErrDanceExpired) || !errors.Is(err, token.ErrNotFound) {
		t.Fatalf("err = %v, want ErrDanceExpired wrapping token.ErrNotFound", err)
	}
}

func TestRenewAccessToken(t *testing.T) {
	t.Parallel()
	fx := newDanceFixture(t, applinktest.Atlassian)
	key, old := fx.authorized(t, "alice")
	if err := fx.srv.Expire(old.Token); err != nil {
		t.Fatal(err)
	}
	st := fx.svc.stateByID(testLinkID)
	renewed, err := fx.factory(t, "alice").source().Rejected(t.Context(), old, nil)
	if err != nil {
		t.Fatalf("renewing through the token source: %v", err)
	}
	if renewed.Token == old.Token || renewed.Secret.Reveal() == "" || renewed.SessionHandle.IsZero() {
		t.Errorf("renewed token %v is not a new token with a secret and a session handle", renewed)
	}
	stored, err := fx.store.AccessToken(t.Context(), key)
	if err != nil || stored.Token != renewed.Token {
		t.Errorf("store holds %v (err %v), want the renewed token", stored, err)
	}
	if live := fx.srv.AccessTokens(testConsumerKey, "alice"); len(live) != 1 || live[0] != renewed.Token {
		t.Errorf("the provider's live tokens are not the renewed one")
	}
	// The old session is gone: renewing the old token again fails.
	if _, err := st.renewOAuth1(t.Context(), old); problemOf(err) != signer.ProblemTokenRejected {
		t.Errorf("renewing a replaced token: err = %v, want token_rejected", err)
	}
	if _, err := st.renewOAuth1(t.Context(), token.NewAccessToken("x", "y")); err == nil {
		t.Error("renewing a token without a session handle succeeded")
	}
}

func TestRenewAccessTokenRevoked(t *testing.T) {
	t.Parallel()
	fx := newDanceFixture(t, applinktest.Atlassian)
	_, old := fx.authorized(t, "alice")
	if err := fx.srv.Revoke(old.Token); err != nil {
		t.Fatal(err)
	}
	_, err := fx.svc.stateByID(testLinkID).renewOAuth1(t.Context(), old)
	var pe *signer.ProblemError
	if !errors.As(err, &pe) || pe.Problem != signer.ProblemTokenRevoked {
		t.Fatalf("err = %v, want the provider's token_revoked", err)
	}
}

// contextWithCancel returns a child of the test's context.
func contextWithCancel(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithCancel(t.Context())
}
