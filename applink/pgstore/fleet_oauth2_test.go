package pgstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/authorize"
	"github.com/go-applinks/applinks/applink/pgstore"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/pgtest"
	"github.com/go-applinks/applinks/internal/testclock"
	"github.com/go-applinks/applinks/internal/testnet"
	"github.com/go-applinks/applinks/signer"
)

// TestFleetOAuth2RefreshOnce: OAuth 2.0 refresh tokens rotate (each
// refresh returns a new one and the old one stops working), so two
// replicas that both refresh lose the user's token. 50 requests on each
// of two replicas on one pgstore find alice's bearer token expired: the
// provider sees exactly one refresh and every request succeeds.
func TestFleetOAuth2RefreshOnce(t *testing.T) {
	t.Parallel()
	const clientID, secret = "fleet-client-TEST-ONLY", "fleet-s3cret-TEST-ONLY"
	clock := testclock.New(testclock.Start)
	redirect := testnet.LoopbackCallbackURL(t)
	srv := applinktest.NewServer(t, applinktest.WithShape(applinktest.OAuth2), applinktest.WithClock(clock.Now),
		applinktest.WithUsers("alice"), applinktest.WithBearerTokenTTL(time.Hour),
		applinktest.WithOAuth2Client(applinktest.OAuth2Client{ID: clientID, Secret: signer.NewSecret(secret), RedirectURL: redirect}))
	link := applink.Link{ID: applink.DefaultLinkID("Jira OAuth2", srv.URL), Name: "Jira OAuth2", Type: applink.TypeJira, RPCURL: srv.URL,
		Auth:   []applink.Auth{applink.AuthOAuth2},
		OAuth2: &applink.OAuth2Client{ClientID: clientID, RedirectURL: redirect, Scopes: []string{"WRITE"}, ClientSecret: token.NewSecret(secret)},
	}

	url := pgtest.NewDatabase(t)
	var factories []*applink.RequestFactory
	for range 2 {
		store, err := pgstore.New(t.Context(), pgtest.Pool(t, url), pgstore.WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		svc, err := applink.NewService([]applink.Link{link}, applink.WithTokenStore(store), applink.WithClock(clock.Now),
			applink.WithHTTPClient(srv.Client()), applink.WithRetry(applink.RetryPolicy{Max: -1}))
		if err != nil {
			t.Fatal(err)
		}
		l, err := svc.Link(link.ID)
		if err != nil {
			t.Fatal(err)
		}
		f, err := l.RequestFactory("alice")
		if err != nil {
			t.Fatal(err)
		}
		factories = append(factories, f)
	}
	err := authorize.OutOfBand(t.Context(), factories[0], func(_ context.Context, authURL string) (string, error) {
		return srv.ApproveOAuth2(authURL, "alice")
	})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Hour) // the bearer token has expired; the refresh token lives
	refreshes := func() int {
		n := 0
		for _, r := range srv.Requests() {
			if r.Grant == applinktest.GrantRefreshToken {
				n++
			}
		}
		return n
	}
	var wg sync.WaitGroup
	for i, f := range factories {
		for range 50 {
			wg.Go(func() {
				if user, err := whoami(t.Context(), f); err != nil || user != "alice" {
					t.Errorf("replica %d: whoami = %q, %v", i, user, err)
				}
			})
		}
	}
	wg.Wait()
	if got := refreshes(); got != 1 {
		t.Errorf("%d refreshes at the provider, want exactly 1", got)
	}
}
