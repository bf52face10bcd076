package applink

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/signer"
	"github.com/google/go-cmp/cmp"
)

func TestCredentialsRequiredWithoutToken(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth3LO}})
	req, err := fx.factory(t, "bob").NewRequest(http.MethodGet, "/rest/api/2/myself")
	if err != nil {
		t.Fatalf("NewRequest for a user without a token: %v (it is Do that needs the token)", err)
	}
	_, err = req.Do(t.Context())
	var cre *CredentialsRequiredError
	if !errors.As(err, &cre) {
		t.Fatalf("Do: got %v, want *CredentialsRequiredError", err)
	}
	if req.Auth() != "" {
		t.Errorf("Auth() after a send that chose no method = %q, want \"\"", req.Auth())
	}
	if cre.User != "bob" || cre.LinkID != fx.link.ID || cre.LinkName != "Jira" || cre.Cause != nil {
		t.Errorf("error fields: %+v", cre)
	}
	u, err := fx.factory(t, cre.User).AuthorizationURL(t.Context(), "")
	if err != nil {
		t.Fatalf("AuthorizationURL for the error's user: %v", err)
	}
	if u.Query().Get("oauth_token") == "" {
		t.Errorf("authorization URI %s has no oauth_token", u)
	}
	if len(recordsFor(fx.srv, "/rest/api/2/myself")) != 0 {
		t.Error("a request was sent without credentials")
	}
}

func TestCredentialsRequiredRevokedToken(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth3LO}})
	fx.authorize(t, "alice")
	if n := fx.srv.RevokeUser(coreConsumer, "alice"); n != 1 {
		t.Fatalf("RevokeUser revoked %d tokens, want 1", n)
	}
	f := fx.factory(t, "alice")
	req, err := f.NewRequest(http.MethodGet, "/rest/api/2/myself")
	if err != nil {
		t.Fatalf("NewRequest with a (revoked) token: %v", err)
	}
	_, err = req.Do(t.Context())
	var cre *CredentialsRequiredError
	if !errors.As(err, &cre) {
		t.Fatalf("Do: got %v, want *CredentialsRequiredError", err)
	}
	if p := oauthProblemIn(err); p == nil || !p.IsToken() {
		t.Errorf("cause %v is not a token problem", cre.Cause)
	}
	if _, err := fx.store.AccessToken(t.Context(), token.Key{LinkID: fx.link.ID, User: "alice"}); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("the rejected token is still stored (err %v)", err)
	}
	// Now the same request fails before sending, with no cause.
	before := len(recordsFor(fx.srv, "/rest/api/2/myself"))
	_, err = req.Do(t.Context())
	if !errors.As(err, &cre) || cre.Cause != nil {
		t.Errorf("Do after deletion: got %v, want *CredentialsRequiredError without a cause", err)
	}
	if after := len(recordsFor(fx.srv, "/rest/api/2/myself")); after != before {
		t.Errorf("Do without a token sent %d requests, want none", after-before)
	}
}

// TestCredentialsHandler: the handler's CredentialsRequired gets both
// cases through one path, a revoked token (after a 401) and no token at all
// (nothing sent), with the *CredentialsRequiredError that Execute would
// otherwise return.
func TestCredentialsHandler(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth3LO}})
	fx.authorize(t, "alice")
	fx.srv.RevokeUser(coreConsumer, "alice")
	var causes []error
	h := handler.WithCredentialsRequired(handler.JSON[myself](), func(err error) (myself, error) {
		var cre *CredentialsRequiredError
		if !errors.As(err, &cre) {
			t.Errorf("CredentialsRequired got %v, want a *CredentialsRequiredError", err)
			return myself{}, err
		}
		causes = append(causes, cre.Cause)
		return myself{Name: "(authorize first)"}, nil
	})
	for _, user := range []string{"alice", "bob"} { // revoked, never authorized
		req, err := fx.factory(t, user).NewRequest(http.MethodGet, "/rest/api/2/myself")
		if err != nil {
			t.Fatal(err)
		}
		got, err := Execute(t.Context(), req, h)
		if err != nil || got.Name != "(authorize first)" {
			t.Fatalf("Execute as %s = %+v, %v; want the handler's value", user, got, err)
		}
	}
	if len(causes) != 2 || oauthProblemIn(causes[0]) == nil || causes[1] != nil {
		t.Errorf("causes = %v, want [a token problem, nil]", causes)
	}
	if _, err := fx.store.AccessToken(t.Context(), token.Key{LinkID: fx.link.ID, User: "alice"}); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("the rejected token is still stored (err %v)", err)
	}
	if n := len(recordsFor(fx.srv, "/rest/api/2/myself")); n != 1 {
		t.Errorf("%d requests reached the remote, want 1 (bob has no token to send)", n)
	}
}

func TestSignatureInvalid(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth2LO}})
	other, err := signer.GenerateKey(2048)
	if err != nil {
		t.Fatal(err)
	}
	l := *fx.link
	l.PrivateKey = other
	svc, err := NewService([]Link{l}, WithHTTPClient(fx.srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	bound, _ := svc.Link(l.ID)
	f, _ := bound.RequestFactory("alice")
	req, _ := f.NewRequest(http.MethodGet, "/rest/api/2/myself?expand=groups")
	_, err = req.Do(t.Context())
	var oe *OAuthError
	if !errors.As(err, &oe) {
		t.Fatalf("Do: got %v, want *OAuthError", err)
	}
	if oe.Problem.Problem != signer.ProblemSignatureInvalid || oe.Auth != Auth2LO || oe.Method != http.MethodGet || oe.LinkName != "Jira" {
		t.Errorf("OAuthError fields: %+v", oe)
	}
	if oe.BaseString == "" || !strings.HasPrefix(oe.BaseString, "GET&") {
		t.Errorf("our base string = %q", oe.BaseString)
	}
	msg := err.Error()
	for _, want := range []string{"\nours:", "\nprovider's:", "signature_invalid", "Jira"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

// TestSignatureInvalidBaseStringsAgree: with only the key wrong, the base
// string we report (form body included) is the one the provider echoes, so
// a difference between them always means a real disagreement.
func TestSignatureInvalidBaseStringsAgree(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth2LO}})
	other, err := signer.GenerateKey(2048)
	if err != nil {
		t.Fatal(err)
	}
	l := *fx.link
	l.PrivateKey = other
	svc, err := NewService([]Link{l}, WithHTTPClient(fx.srv.Client()), WithRetry(RetryPolicy{Max: -1}))
	if err != nil {
		t.Fatal(err)
	}
	bound, _ := svc.Link(fx.link.ID)
	f, _ := bound.RequestFactory("alice")
	req, _ := f.NewRequest(http.MethodPost, "/rest/api/2/issue?expand=x")
	req.AddForm("summary", "a b+c")
	_, err = req.Do(t.Context())
	var oe *OAuthError
	if !errors.As(err, &oe) || oe.Problem.SignatureBaseString.IsZero() {
		t.Fatalf("Do: got %v, want *OAuthError with the provider's base string", err)
	}
	if diff := cmp.Diff(oe.Problem.SignatureBaseString.Reveal(), oe.BaseString); diff != "" {
		t.Errorf("base strings (-provider's +ours):\n%s", diff)
	}
}

func TestClockSkewCorrected(t *testing.T) {
	t.Parallel()
	for _, skew := range []time.Duration{time.Hour, -time.Hour} {
		t.Run(skew.String(), func(t *testing.T) {
			t.Parallel()
			fx := newCoreFixture(t, coreConfig{srvOpts: []applinktest.Option{applinktest.WithSkew(skew)}})
			for i := range 2 {
				user, _, err := whoami(t, fx.factory(t, "bob"))
				if err != nil || user != "bob" {
					t.Fatalf("request %d: %q, %v", i, user, err)
				}
			}
			var statuses []string
			for _, r := range recordsFor(fx.srv, "/rest/api/2/myself") {
				statuses = append(statuses, r.Problem)
			}
			want := []string{signer.ProblemTimestampRefused, "", ""}
			if strings.Join(statuses, ",") != strings.Join(want, ",") {
				t.Errorf("problems seen by the provider = %q, want %q (refused once, then corrected for good)", statuses, want)
			}
			st := fx.link.state
			if off := st.clockOffset(); (off - skew).Abs() > 2*time.Second {
				t.Errorf("learnt offset %v, want about %v", off, skew)
			}
		})
	}
}

// refusingServer answers every request with timestamp_refused, its window
// an hour ahead of now.
func refusingServer(t *testing.T, calls *atomic.Int32) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		now := time.Now().Add(time.Hour).Unix()
		signer.WriteProblem(w, &signer.ProblemError{Problem: signer.ProblemTimestampRefused, MinTimestamp: now - 300, MaxTimestamp: now + 300})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestClockSkewRefusedTwice(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := refusingServer(t, &calls)
	f := plainFactory(t, srv.URL, "alice", []Auth{Auth2LO})
	req, _ := f.NewRequest(http.MethodGet, "/x")
	_, err := req.Do(t.Context())
	var oe *OAuthError
	if !errors.As(err, &oe) || oe.Problem == nil || oe.Problem.Problem != signer.ProblemTimestampRefused {
		t.Fatalf("Do: got %v, want *OAuthError with timestamp_refused", err)
	}
	if time.Until(time.Unix(oe.Problem.MaxTimestamp, 0)) < 50*time.Minute || oe.LinkName != "Plain" || !strings.Contains(oe.Error(), "NTP") {
		t.Errorf("OAuthError %+v: want the remote's range, the link and the advice", oe)
	}
	if p := oauthProblemIn(err); p == nil || p.Problem != signer.ProblemTimestampRefused {
		t.Errorf("errors.As finds no timestamp_refused problem in %v", err)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("the remote saw %d requests, want 2", n)
	}
}

// plainFactory links to an arbitrary server (RSA key, consumer coreConsumer)
// and returns a factory for user, without retries.
func plainFactory(t *testing.T, rpcURL, user string, auth []Auth, opts ...Option) *RequestFactory {
	t.Helper()
	l := Link{ID: newLinkID(), Name: "Plain", Type: TypeGeneric, RPCURL: rpcURL, ConsumerKey: coreConsumer, Auth: auth, PrivateKey: testKey(t)}
	svc, err := NewService([]Link{l}, append([]Option{WithRetry(RetryPolicy{Max: -1})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	bound, _ := svc.Link(l.ID)
	f, err := bound.RequestFactory(user)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestNonceUsedRecovered(t *testing.T) {
	t.Parallel()
	var nonces []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		params, err := signer.ParseAuthorization(r.Header.Get("Authorization"))
		if err != nil {
			t.Errorf("unsigned request: %v", err)
		}
		nonces = append(nonces, params.Get("oauth_nonce"))
		if len(nonces) == 1 {
			signer.WriteProblem(w, &signer.ProblemError{Problem: signer.ProblemNonceUsed})
			return
		}
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	f := plainFactory(t, srv.URL, "alice", []Auth{Auth2LO})
	req, _ := f.NewRequest(http.MethodGet, "/x")
	body, err := Execute(t.Context(), req, handler.String())
	if err != nil || body != "ok" {
		t.Fatalf("Execute = %q, %v", body, err)
	}
	if len(nonces) != 2 || nonces[0] == nonces[1] {
		t.Errorf("nonces %q: want two different", nonces)
	}
}

// TestOAuthProblemNotRetried: a 503 carrying an OAuth problem (user_refused)
// is a refusal, not an outage: no retry, an *OAuthError.
func TestOAuthProblemNotRetried(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		signer.WriteProblem(w, &signer.ProblemError{Problem: signer.ProblemUserRefused})
	}))
	t.Cleanup(srv.Close)
	waits := &waitLog{}
	f := plainFactory(t, srv.URL, "alice", []Auth{Auth2LOi}, WithRetry(RetryPolicy{}), withBackoff(waits.add))
	req, _ := f.NewRequest(http.MethodGet, "/x")
	_, err := req.Do(t.Context())
	var oe *OAuthError
	if !errors.As(err, &oe) || oe.Problem.Problem != signer.ProblemUserRefused || oe.Problem.StatusCode() != http.StatusServiceUnavailable {
		t.Fatalf("Do: got %v, want *OAuthError(user_refused, 503)", err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

// TestDanceErrorReasons: errors.Is tells each reason of a *DanceError
// from the others, also wrapped, and each message names the link and says
// what to do.
func TestDanceErrorReasons(t *testing.T) {
	t.Parallel()
	reasons := []struct {
		reason error
		advice string
	}{
		{ErrDanceDenied, "start the authorization again if that was a mistake"},
		{ErrDanceExpired, "start the authorization again"},
		{ErrDanceNotApproved, "approve it at the authorization URL, then complete again"},
		{ErrDanceWrongUser, "start the authorization again as that user"},
		{ErrDanceCallbackNotConfirmed, "check that the link's RPC URL and request-token endpoint are the remote application's"},
		{ErrDanceIssuerMismatch, "set the link's rpcUrl or displayUrl to it"},
	}
	for _, r := range reasons {
		t.Run(r.reason.Error(), func(t *testing.T) {
			t.Parallel()
			cause := errors.New("the cause")
			err := fmt.Errorf("wrapped: %w", &DanceError{Reason: r.reason, LinkName: "Jira", User: "alice", Cause: cause,
				Issuer: "https://evil.example", WantIssuer: "https://jira.example.com"})
			for _, other := range reasons {
				if got, want := errors.Is(err, other.reason), other.reason == r.reason; got != want {
					t.Errorf("errors.Is(err, %v) = %v, want %v", other.reason, got, want)
				}
			}
			if !errors.Is(err, cause) {
				t.Errorf("errors.Is(err, cause) = false: Unwrap must give Cause")
			}
			if msg := err.Error(); !strings.Contains(msg, `link "Jira"`) || !strings.Contains(msg, r.advice) {
				t.Errorf("message %q: want the link and %q", msg, r.advice)
			}
		})
	}
}
