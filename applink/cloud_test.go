package applink

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/internal/testclock"
	"github.com/go-applinks/applinks/internal/testnet"
	"github.com/go-applinks/applinks/signer"
)

const (
	cloudTestClient = "cloud-client-TEST-ONLY"
	cloudTestSecret = "cloud-s3cret-TEST-ONLY"
)

// cloudFixture is a Cloud-shaped server (authorization server and gateway),
// two sites, a shared clock and token store, and a service with a Cloud
// link to the "acme" site.
type cloudFixture struct {
	srv   *applinktest.Server
	clock *testclock.Clock
	store *token.MemoryStore
	svc   *Service
	link  *Link
}

var betaSite = applinktest.CloudSite{ID: "99999999-8888-4777-8666-555555555555", Name: "beta", URL: "https://beta.atlassian.net"}

func newCloudFixture(t *testing.T, typ Type, scopes ...string) *cloudFixture {
	t.Helper()
	redirect := testnet.LoopbackCallbackURL(t)
	clock := testclock.New(testclock.Start)
	srv := applinktest.NewServer(t, applinktest.WithShape(applinktest.Cloud), applinktest.WithUsers("alice", "bob"),
		applinktest.WithClock(clock.Now), applinktest.WithReuseInterval(10*time.Minute),
		applinktest.WithCloudSite(applinktest.DefaultCloudSite), applinktest.WithCloudSite(betaSite),
		applinktest.WithCloudClient(applinktest.CloudClient{ID: cloudTestClient, Secret: signer.NewSecret(cloudTestSecret), RedirectURL: redirect}))
	if len(scopes) == 0 {
		scopes = []string{"read:jira-work", "read:jira-user", "write:jira-work", "offline_access"}
	}
	l := Link{ID: newLinkID(), Name: "acme", Type: typ, RPCURL: applinktest.DefaultCloudSite.URL, Auth: []Auth{AuthOAuth2},
		Cloud:  &CloudSite{AuthBase: srv.URL, APIBase: srv.URL},
		OAuth2: &OAuth2Client{ClientID: cloudTestClient, RedirectURL: redirect, Scopes: scopes, ClientSecret: token.NewSecret(cloudTestSecret)}}
	store := token.NewMemoryStore(token.WithClock(clock.Now))
	svc, err := NewService([]Link{l}, WithTokenStore(store), WithHTTPClient(srv.Client()), WithClock(clock.Now), WithRetry(RetryPolicy{Max: -1}))
	if err != nil {
		t.Fatal(err)
	}
	link, err := svc.Link("acme")
	if err != nil {
		t.Fatal(err)
	}
	return &cloudFixture{srv: srv, clock: clock, store: store, svc: svc, link: link}
}

// authorize runs the consent as user, granting the sites named (none: all).
func (fx *cloudFixture) authorize(t *testing.T, user string, sites ...string) {
	t.Helper()
	f := fx.factory(t, user)
	u, err := f.AuthorizationURL(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for k, want := range map[string]string{"audience": "api.atlassian.com", "prompt": "consent", "response_type": "code", "code_challenge_method": "S256"} {
		if q.Get(k) != want {
			t.Errorf("consent URL: %s=%q, want %q", k, q.Get(k), want)
		}
	}
	if !strings.HasPrefix(u.String(), fx.srv.URL+"/authorize?") {
		t.Errorf("consent URL %s is not on the auth base", u)
	}
	redirect, err := fx.srv.ApproveCloud(u.String(), user, sites...)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.CompleteAuthorization(t.Context(), q.Get("state"), redirect); err != nil {
		t.Fatal(err)
	}
}

func (fx *cloudFixture) factory(t *testing.T, user string) *RequestFactory {
	t.Helper()
	f, err := fx.link.RequestFactory(user)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

type cloudMe struct {
	AccountID   string `json:"accountId"`
	DisplayName string `json:"displayName"`
}

// myself sends GET /rest/api/3/myself as user, as written on the site.
func (fx *cloudFixture) myself(t *testing.T, user string) (cloudMe, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	req, err := fx.factory(t, user).NewRequest(http.MethodGet, "/rest/api/3/myself")
	if err != nil {
		t.Fatal(err)
	}
	return Execute(ctx, req, handler.JSON[cloudMe]())
}

func (fx *cloudFixture) grants(grant string) int {
	n := 0
	for _, r := range fx.srv.Requests() {
		if r.Flow == applinktest.FlowOAuth2Token && r.Grant == grant && r.Status == http.StatusOK {
			n++
		}
	}
	return n
}

// TestCloudTwoUsers: the consent (audience, prompt, PKCE sent), a JSON
// code exchange, the cloud id found in the accessible resources and
// cached, and requests routed to /ex/jira/{cloudId}/ as each user.
func TestCloudTwoUsers(t *testing.T) {
	t.Parallel()
	fx := newCloudFixture(t, TypeJira)
	fx.authorize(t, "alice")
	fx.authorize(t, "bob")
	for _, user := range []string{"alice", "bob", "alice"} {
		me, err := fx.myself(t, user)
		if err != nil || me.AccountID != applinktest.CloudAccountID(user) {
			t.Fatalf("as %s: got %+v, %v; want accountId %s", user, me, err, applinktest.CloudAccountID(user))
		}
	}
	var resources, gateway int
	for _, r := range fx.srv.Requests() {
		switch {
		case r.Path == applinktest.CloudResourcesPath:
			resources++
		case strings.HasPrefix(r.Path, "/ex/jira/"+applinktest.DefaultCloudSite.ID+"/rest/api/3/myself"):
			gateway++
		}
	}
	if resources != 2 || gateway != 3 {
		t.Errorf("accessible resources asked %d times (want once per token: 2), gateway requests %d (want 3)", resources, gateway)
	}
}

// TestCloudConfluenceRouting: a Confluence site's /wiki paths go to
// /ex/confluence/{cloudId}/wiki/....
func TestCloudConfluenceRouting(t *testing.T) {
	t.Parallel()
	fx := newCloudFixture(t, TypeConfluence, "read:confluence-user", "offline_access")
	fx.authorize(t, "alice")
	req, _ := fx.factory(t, "alice").NewRequest(http.MethodGet, "/wiki/rest/api/user/current")
	me, err := Execute(t.Context(), req, handler.JSON[cloudMe]())
	if err != nil || me.AccountID != applinktest.CloudAccountID("alice") {
		t.Fatalf("got %+v, %v", me, err)
	}
	if p := lastRecord(t, fx.srv).Path; p != "/ex/confluence/"+applinktest.DefaultCloudSite.ID+"/wiki/rest/api/user/current" {
		t.Errorf("the gateway saw %s", p)
	}
}

// TestCloudConfluenceWikiSite: a Confluence link whose URL has /wiki names
// the same site, and paths with or without /wiki reach /ex/confluence/{id}/wiki/.
func TestCloudConfluenceWikiSite(t *testing.T) {
	t.Parallel()
	fx := newCloudFixture(t, TypeConfluence, "read:confluence-user", "offline_access")
	l := fx.svc.links[0].link
	l.RPCURL = applinktest.DefaultCloudSite.URL + "/wiki"
	l.ID = newLinkID()
	svc, err := NewService([]Link{l}, WithTokenStore(fx.store), WithHTTPClient(fx.srv.Client()), WithClock(fx.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	fx.svc = svc
	fx.link, _ = svc.Link("acme")
	fx.authorize(t, "alice")
	for _, path := range []string{"/rest/api/user/current", "/wiki/rest/api/user/current"} {
		req, _ := fx.factory(t, "alice").NewRequest(http.MethodGet, path)
		me, err := Execute(t.Context(), req, handler.JSON[cloudMe]())
		if err != nil || me.AccountID != applinktest.CloudAccountID("alice") {
			t.Errorf("%s: got %+v, %v", path, me, err)
		}
		if p := lastRecord(t, fx.srv).Path; p != "/ex/confluence/"+applinktest.DefaultCloudSite.ID+"/wiki/rest/api/user/current" {
			t.Errorf("%s: the gateway saw %s", path, p)
		}
	}
}

// TestCloudRotatingRefresh: an expired token is refreshed with a JSON
// body and no redirect_uri; the rotated refresh token still works within
// the reuse interval and is refused after it, which deletes the token
// (credentials required).
func TestCloudRotatingRefresh(t *testing.T) {
	t.Parallel()
	fx := newCloudFixture(t, TypeJira)
	fx.authorize(t, "alice")
	key := token.Key{LinkID: fx.link.ID, User: "alice"}
	first, _ := fx.store.AccessToken(t.Context(), key)
	fx.clock.Advance(61 * time.Minute)
	if _, err := fx.myself(t, "alice"); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	second, _ := fx.store.AccessToken(t.Context(), key)
	if fx.grants(applinktest.GrantRefreshToken) != 1 || second.RefreshToken.Reveal() == first.RefreshToken.Reveal() {
		t.Fatalf("refreshes %d, rotated %v; want one refresh and a new refresh token", fx.grants(applinktest.GrantRefreshToken), second.RefreshToken.Reveal() != first.RefreshToken.Reveal())
	}
	// A replica that still holds the first token refreshes within the
	// reuse interval: Atlassian accepts it.
	fx.clock.Advance(5 * time.Minute)
	stale := first.Clone()
	stale.ExpiresAt = fx.clock.Now().Add(-time.Second)
	if err := fx.store.PutAccessToken(t.Context(), key, stale); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.myself(t, "alice"); err != nil {
		t.Fatalf("refresh within the reuse interval: %v", err)
	}
	// After the reuse interval the old refresh token is refused (and the
	// family revoked): the token is deleted, credentials required.
	fx.clock.Advance(11 * time.Minute)
	if err := fx.store.PutAccessToken(t.Context(), key, stale); err != nil {
		t.Fatal(err)
	}
	_, err := fx.myself(t, "alice")
	var cr *CredentialsRequiredError
	if !errors.As(err, &cr) || cr.Cause == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("refresh after the reuse interval: got %v, want credentials required with invalid_grant", err)
	}
	if _, err := fx.store.AccessToken(t.Context(), key); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("the refused token is still stored (%v)", err)
	}
	for _, r := range fx.srv.Requests() {
		if r.Flow == applinktest.FlowOAuth2Token && r.Grant == applinktest.GrantRefreshToken && r.Status == http.StatusBadRequest {
			t.Errorf("a refresh was refused as a bad request (form body or redirect_uri?): %+v", r)
		}
	}
}

// TestCloudConcurrentRefresh: many requests of one process after expiry
// refresh once.
func TestCloudConcurrentRefresh(t *testing.T) {
	t.Parallel()
	fx := newCloudFixture(t, TypeJira)
	fx.authorize(t, "alice")
	fx.clock.Advance(2 * time.Hour)
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for range 10 {
		wg.Go(func() {
			if _, err := fx.myself(t, "alice"); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := fx.grants(applinktest.GrantRefreshToken); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
}

// TestCloudSiteNotGranted: a user who granted another site only gets an
// error naming the sites they did grant; the token is kept.
func TestCloudSiteNotGranted(t *testing.T) {
	t.Parallel()
	fx := newCloudFixture(t, TypeJira)
	fx.authorize(t, "alice", "beta")
	_, err := fx.myself(t, "alice")
	var sn *SiteNotGrantedError
	if !errors.As(err, &sn) || !strings.Contains(err.Error(), betaSite.URL) || !strings.Contains(err.Error(), applinktest.DefaultCloudSite.URL) {
		t.Fatalf("got %v, want *SiteNotGrantedError naming %s and the granted %s", err, applinktest.DefaultCloudSite.URL, betaSite.URL)
	}
	if _, err := fx.store.AccessToken(t.Context(), token.Key{LinkID: fx.link.ID, User: "alice"}); err != nil {
		t.Errorf("the token was deleted: %v", err)
	}
	sites, err := fx.factory(t, "alice").CloudSites(t.Context())
	if err != nil || len(sites) != 1 || sites[0].ID != betaSite.ID {
		t.Errorf("CloudSites: %+v, %v", sites, err)
	}
}

// TestCloudMissingScope: the gateway's 401 "scope does not match" keeps the
// token and sends no refresh; without offline_access there is no refresh
// token, and an expired token then requires credentials.
func TestCloudMissingScope(t *testing.T) {
	t.Parallel()
	t.Run("scope does not match", func(t *testing.T) {
		t.Parallel()
		fx := newCloudFixture(t, TypeJira, "read:jira-work", "offline_access")
		fx.authorize(t, "alice")
		_, err := fx.myself(t, "alice")
		var oe *OAuth2Error
		if !errors.As(err, &oe) || oe.Code != "insufficient_scope" || !strings.Contains(err.Error(), "scope does not match") {
			t.Fatalf("got %v, want *OAuth2Error insufficient_scope quoting the gateway", err)
		}
		if _, err := fx.store.AccessToken(t.Context(), token.Key{LinkID: fx.link.ID, User: "alice"}); err != nil {
			t.Errorf("the token was deleted on a missing scope: %v", err)
		}
		if n := fx.grants(applinktest.GrantRefreshToken); n != 0 {
			t.Errorf("%d refreshes on a missing scope, want none", n)
		}
	})
	t.Run("no offline_access", func(t *testing.T) {
		t.Parallel()
		fx := newCloudFixture(t, TypeJira, "read:jira-work", "read:jira-user")
		fx.authorize(t, "alice")
		tok, _ := fx.store.AccessToken(t.Context(), token.Key{LinkID: fx.link.ID, User: "alice"})
		if !tok.RefreshToken.IsZero() {
			t.Fatal("a refresh token without offline_access")
		}
		if _, err := fx.myself(t, "alice"); err != nil {
			t.Fatal(err)
		}
		fx.clock.Advance(2 * time.Hour)
		_, err := fx.myself(t, "alice")
		var cr *CredentialsRequiredError
		if !errors.As(err, &cr) {
			t.Fatalf("got %v, want credentials required", err)
		}
	})
}

// TestCloudRevoked: a revoked grant's token is refused by the gateway (a
// 401 with no Bearer challenge); the refresh is refused too: deleted.
func TestCloudRevoked(t *testing.T) {
	t.Parallel()
	fx := newCloudFixture(t, TypeJira)
	fx.authorize(t, "alice")
	if _, err := fx.myself(t, "alice"); err != nil {
		t.Fatal(err)
	}
	fx.srv.RevokeCloud("alice")
	_, err := fx.myself(t, "alice")
	var cr *CredentialsRequiredError
	if !errors.As(err, &cr) || cr.Cause == nil {
		t.Fatalf("got %v, want credentials required with the refusal", err)
	}
	if strings.Contains(fmt.Sprintf("%v %+v", err, cr), cloudTestSecret) {
		t.Error("the client secret is in the error")
	}
}

// TestCloudLinkValidate: what a Cloud link refuses.
func TestCloudLinkValidate(t *testing.T) {
	t.Parallel()
	base := func() Link {
		return Link{ID: newLinkID(), Name: "c", Type: TypeJira, RPCURL: "https://acme.atlassian.net", Auth: []Auth{AuthOAuth2}, Cloud: &CloudSite{},
			OAuth2: &OAuth2Client{ClientID: "id", ClientSecretEnv: "X", RedirectURL: "http://127.0.0.1:1/cb", Scopes: []string{"read:jira-work"}}}
	}
	for _, tt := range []struct {
		name string
		edit func(*Link)
		want string
	}{
		{"ok", func(*Link) {}, ""},
		{"2loi", func(l *Link) { l.Auth = []Auth{AuthOAuth2, Auth2LOi} }, "no 2LO, 2LOi (impersonation)"},
		{"bitbucket", func(l *Link) { l.Type = TypeBitbucket }, "jira or confluence"},
		{"token path", func(l *Link) { l.OAuth2.TokenPath = "/t" }, "cloud.authBase"},
		{"bad api base", func(l *Link) { l.Cloud.APIBase = "ftp://x" }, "cloud.apiBase"},
	} {
		l := base()
		tt.edit(&l)
		err := l.Validate()
		if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
}
