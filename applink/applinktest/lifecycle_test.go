package applinktest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/internal/testclock"
	"github.com/go-applinks/applinks/signer"
)

func TestTokenLifetimes(t *testing.T) {
	t.Parallel()
	clock := testclock.New(testclock.Start)
	srv, _ := atlassian(t,
		applinktest.WithClock(clock.Now),
		applinktest.WithRequestTokenTTL(time.Minute),
		applinktest.WithAccessTokenTTL(time.Hour))
	m, err := signer.NewRSASHA1(testKeys()[0])
	if err != nil {
		t.Fatal(err)
	}
	s, err := signer.New("app", m, signer.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}

	// A request token lives a minute.
	rt := requestToken(t, srv, s, "oob")
	clock.Advance(time.Minute)
	if _, err := srv.Approve(rt.Key(), "alice"); err == nil {
		t.Error("approved an expired request token")
	}
	r := do(t, srv, s, http.MethodPost, srv.AccessTokenURL(), nil, signer.Params{Token: rt, Verifier: signer.NewSecret("AAAAAA")})
	if problem(r) != signer.ProblemTokenExpired {
		t.Errorf("exchange of an expired request token: %d %q, want token_expired", r.status, problem(r))
	}

	// An access token lives an hour, and so does its session.
	at, form := dance(t, srv, s, "alice")
	if got := form.Get("oauth_expires_in"); got != "3600" {
		t.Errorf("oauth_expires_in = %s, want 3600", got)
	}
	clock.Advance(59 * time.Minute)
	if r := do(t, srv, s, http.MethodGet, srv.URL+myself, nil, signer.Params{Token: at}); r.status != 200 {
		t.Errorf("within its life: %d %s", r.status, r.body)
	}
	clock.Advance(time.Minute)
	if r := do(t, srv, s, http.MethodGet, srv.URL+myself, nil, signer.Params{Token: at}); problem(r) != signer.ProblemTokenExpired {
		t.Errorf("after its life: %d %q, want token_expired", r.status, problem(r))
	}
	r = do(t, srv, s, http.MethodPost, srv.AccessTokenURL(), nil, signer.Params{Token: at, SessionHandle: signer.NewSecret(form.Get("oauth_session_handle"))})
	if r.status != 401 || problem(r) != signer.ProblemPermissionDenied {
		t.Errorf("renewal after the session expired: %d %q, want 401 permission_denied", r.status, problem(r))
	}
}

func TestAddConsumerWhileRunning(t *testing.T) {
	t.Parallel()
	srv, _ := atlassian(t)
	late := hmacSigner(t, "late", hmacSecret)
	if r := do(t, srv, late, http.MethodGet, srv.URL+myself+"?xoauth_requestor_id=alice", nil, signer.Params{}); problem(r) != signer.ProblemConsumerKeyUnknown {
		t.Fatalf("before AddConsumer: %d %q", r.status, problem(r))
	}
	if err := srv.AddConsumer(applinktest.Consumer{Key: "late", Secret: signer.NewSecret(hmacSecret), Impersonation: true}); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddConsumer(applinktest.Consumer{Key: "late", Secret: signer.NewSecret(hmacSecret)}); err == nil {
		t.Error("AddConsumer accepted a duplicate key")
	}
	if r := do(t, srv, late, http.MethodGet, srv.URL+myself+"?xoauth_requestor_id=alice", nil, signer.Params{}); r.status != 200 {
		t.Errorf("after AddConsumer: %d %s", r.status, r.body)
	}
}
