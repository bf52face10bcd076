package applinktest_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
)

const myself = "/rest/api/2/myself"

func TestResourceFlows(t *testing.T) {
	t.Parallel()
	limited := applinktest.Consumer{Key: "limited", PublicKey: &testKeys()[1].PublicKey, ThreeLO: true}
	as := applinktest.Consumer{Key: "as-bob", Secret: signer.NewSecret(hmacSecret), TwoLO: true, TwoLOUser: "bob"}
	ghost := applinktest.Consumer{Key: "ghost", Secret: signer.NewSecret(hmacSecret), TwoLO: true, TwoLOUser: "nobody"}
	srv, s := atlassian(t, applinktest.WithConsumer(limited), applinktest.WithConsumer(as), applinktest.WithConsumer(ghost))
	lim := rsaSigner(t, "limited", 1)
	at, _ := dance(t, srv, s, "alice")

	tests := []struct {
		name     string
		signer   *signer.Signer
		query    string
		params   signer.Params
		status   int
		user     string // for 200
		problem  string
		flow     string
		noSigner bool
	}{
		{name: "3lo", signer: s, params: signer.Params{Token: at}, status: 200, user: "alice", flow: "3lo"},
		{name: "2loi", signer: s, query: "?xoauth_requestor_id=bob", status: 200, user: "bob", flow: "2loi"},
		{name: "2lo anonymous user", signer: s, status: 401, flow: "2lo"}, // Jira's myself refuses anonymous
		{name: "2lo executing user", signer: hmacSigner(t, "as-bob", hmacSecret), status: 200, user: "bob", flow: "2lo"},
		{name: "2lo executing user missing", signer: hmacSigner(t, "ghost", hmacSecret), status: 401, problem: "User 'nobody' does not exist", flow: "2lo"},
		{name: "anonymous", noSigner: true, status: 401, flow: "anonymous"},
		{name: "impersonation not allowed", signer: lim, query: "?xoauth_requestor_id=bob", status: 401, problem: signer.ProblemPermissionDenied, flow: "2loi"},
		{name: "2lo not allowed", signer: lim, status: 401, problem: signer.ProblemPermissionDenied, flow: "2lo"},
		{name: "impersonating an unknown user", signer: s, query: "?xoauth_requestor_id=mallory", status: 401, problem: "User 'mallory' does not exist", flow: "2loi"},
		{name: "unknown token", signer: s, params: signer.Params{Token: signer.NewToken("nope", "x")}, status: 401, problem: signer.ProblemTokenRejected, flow: "3lo"},
		{name: "another consumer's token", signer: lim, params: signer.Params{Token: at}, status: 401, problem: signer.ProblemTokenRejected, flow: "3lo"},
		{name: "unknown consumer", signer: rsaSigner(t, "stranger", 0), status: 401, problem: signer.ProblemConsumerKeyUnknown, flow: "2lo"},
		{name: "wrong key", signer: rsaSigner(t, "app", 1), status: 401, problem: signer.ProblemSignatureInvalid, flow: "2lo"},
		{name: "timestamp far behind", signer: s, params: signer.Params{ClockOffset: -time.Hour}, status: 400, problem: signer.ProblemTimestampRefused, flow: "2lo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sg := tt.signer
			if tt.noSigner {
				sg = nil
			}
			r := do(t, srv, sg, http.MethodGet, srv.URL+myself+tt.query, nil, tt.params)
			if r.status != tt.status || problem(r) != tt.problem {
				t.Fatalf("got %d %q, want %d %q (%s)", r.status, problem(r), tt.status, tt.problem, r.body)
			}
			if tt.status == 200 {
				var u struct{ Name string }
				if err := json.Unmarshal([]byte(r.body), &u); err != nil || u.Name != tt.user {
					t.Errorf("myself = %s, want user %q", r.body, tt.user)
				}
			}
			if tt.problem != "" {
				ch := r.header.Get("WWW-Authenticate")
				if !strings.HasPrefix(ch, `OAuth realm="`+signer.Encode(srv.URL)+`"`) {
					t.Errorf("WWW-Authenticate = %q, want the percent-encoded realm %s first", ch, srv.URL)
				}
			}
		})
	}
}

func TestTamperingIsRejected(t *testing.T) {
	t.Parallel()
	srv, s := atlassian(t)
	at, _ := dance(t, srv, s, "alice")
	tests := []struct {
		name    string
		tamper  func(r *http.Request)
		status  int
		problem string
	}{
		{"query parameter added", func(r *http.Request) { r.URL.RawQuery = "expand=groups" }, 401, signer.ProblemSignatureInvalid},
		{"method changed", func(r *http.Request) { r.Method = http.MethodDelete }, 401, signer.ProblemSignatureInvalid},
		{"path changed", func(r *http.Request) { r.URL.Path = "/rest/api/2/myselff" }, 401, signer.ProblemSignatureInvalid},
		{"signature changed", func(r *http.Request) { replaceParam(r, "oauth_signature", "AAAA") }, 401, signer.ProblemSignatureInvalid},
		{"nonce changed", func(r *http.Request) { replaceParam(r, "oauth_nonce", "other") }, 401, signer.ProblemSignatureInvalid},
		{"token changed", func(r *http.Request) { replaceParam(r, "oauth_token", "forged") }, 401, signer.ProblemTokenRejected},
		{"version rejected", func(r *http.Request) { replaceParam(r, "oauth_version", "2.0") }, 400, signer.ProblemVersionRejected},
		{"signature method rejected", func(r *http.Request) { replaceParam(r, "oauth_signature_method", "PLAINTEXT") }, 400, signer.ProblemSignatureMethodRejected},
		{"nonce absent", func(r *http.Request) { replaceParam(r, "oauth_nonce", "") }, 400, signer.ProblemParameterAbsent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := newRequest(t, http.MethodGet, srv.URL+myself, nil)
			if err := s.Sign(req, signer.Params{Token: at}); err != nil {
				t.Fatal(err)
			}
			tt.tamper(req)
			r := send(t, srv, req)
			if r.status != tt.status || problem(r) != tt.problem {
				t.Errorf("got %d %q, want %d %q (%s)", r.status, problem(r), tt.status, tt.problem, r.body)
			}
		})
	}
}

// replaceParam rewrites one parameter of the Authorization header ("" drops it).
func replaceParam(r *http.Request, name, value string) {
	params, err := signer.ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		panic(err)
	}
	var parts []string
	for k, vs := range params {
		if k == name {
			if value == "" {
				continue
			}
			vs = []string{value}
		}
		parts = append(parts, signer.Encode(k)+`="`+signer.Encode(vs[0])+`"`)
	}
	r.Header.Set("Authorization", "OAuth "+strings.Join(parts, ", "))
}

func TestReplayIsNonceUsed(t *testing.T) {
	t.Parallel()
	srv, s := atlassian(t)
	req := newRequest(t, http.MethodGet, srv.URL+myself+"?xoauth_requestor_id=alice", nil)
	if err := s.Sign(req, signer.Params{}); err != nil {
		t.Fatal(err)
	}
	if r := send(t, srv, req.Clone(t.Context())); r.status != 200 {
		t.Fatalf("first: %d %s", r.status, r.body)
	}
	if r := send(t, srv, req.Clone(t.Context())); problem(r) != signer.ProblemNonceUsed {
		t.Errorf("replay: %d %q, want nonce_used", r.status, problem(r))
	}
}

func TestRevokedAndExpired(t *testing.T) {
	t.Parallel()
	srv, s := atlassian(t)
	revoked, _ := dance(t, srv, s, "alice")
	expired, _ := dance(t, srv, s, "alice")
	byUser, _ := dance(t, srv, s, "bob")
	if err := srv.Revoke(revoked.Key()); err != nil {
		t.Fatal(err)
	}
	if err := srv.Expire(expired.Key()); err != nil {
		t.Fatal(err)
	}
	if n := srv.RevokeUser("app", "bob"); n != 1 {
		t.Errorf("RevokeUser = %d, want 1", n)
	}
	for _, tc := range []struct {
		tok  signer.Token
		want string
	}{{revoked, signer.ProblemTokenRevoked}, {expired, signer.ProblemTokenExpired}, {byUser, signer.ProblemTokenRevoked}} {
		r := do(t, srv, s, http.MethodGet, srv.URL+myself, nil, signer.Params{Token: tc.tok})
		if r.status != 401 || problem(r) != tc.want {
			t.Errorf("%v: %d %q, want 401 %q", tc.tok, r.status, problem(r), tc.want)
		}
	}
	if got := srv.AccessTokens("app", "alice"); len(got) != 0 {
		t.Errorf("AccessTokens after revoke and expire = %v, want none", got)
	}
	if err := srv.Revoke("nope"); err == nil {
		t.Error("Revoke(unknown) = nil, want an error")
	}
}

func TestRequestTokenUsedAsAccessToken(t *testing.T) {
	t.Parallel()
	srv, s := atlassian(t)
	rt := requestToken(t, srv, s, "oob")
	if _, err := srv.Approve(rt.Key(), "alice"); err != nil {
		t.Fatal(err)
	}
	r := do(t, srv, s, http.MethodGet, srv.URL+myself, nil, signer.Params{Token: rt})
	if r.status != 401 || problem(r) != signer.ProblemTokenRejected {
		t.Errorf("request token on a resource: %d %q, want 401 token_rejected", r.status, problem(r))
	}
}

func TestSkew(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { return now }
	srv, _ := atlassian(t, applinktest.WithClock(clock), applinktest.WithSkew(10*time.Minute))
	m, _ := signer.NewRSASHA1(testKeys()[0])
	s, _ := signer.New("app", m, signer.WithClock(clock))

	r := do(t, srv, s, http.MethodGet, srv.URL+myself+"?xoauth_requestor_id=alice", nil, signer.Params{})
	p := signer.ParseProblem(r.status, r.header, []byte(r.body))
	if p == nil || p.Problem != signer.ProblemTimestampRefused {
		t.Fatalf("skewed: %d %s", r.status, r.body)
	}
	server := now.Add(10 * time.Minute).Unix()
	if p.MinTimestamp != server-300 || p.MaxTimestamp != server+300 {
		t.Errorf("acceptable timestamps %d-%d, want %d-%d", p.MinTimestamp, p.MaxTimestamp, server-300, server+300)
	}
	// A client that corrects its clock by the offset gets through.
	r = do(t, srv, s, http.MethodGet, srv.URL+myself+"?xoauth_requestor_id=alice", nil, signer.Params{ClockOffset: 10 * time.Minute})
	if r.status != 200 {
		t.Errorf("corrected: %d %s", r.status, r.body)
	}
	srv.SetSkew(0)
	if r := do(t, srv, s, http.MethodGet, srv.URL+myself+"?xoauth_requestor_id=alice", nil, signer.Params{}); r.status != 200 {
		t.Errorf("after SetSkew(0): %d %s", r.status, r.body)
	}
}

func TestRemovedUser(t *testing.T) {
	t.Parallel()
	srv, s := atlassian(t)
	at, _ := dance(t, srv, s, "bob")
	srv.RemoveUser("bob")
	r := do(t, srv, s, http.MethodGet, srv.URL+myself, nil, signer.Params{Token: at})
	p := signer.ParseProblem(r.status, r.header, []byte(r.body))
	if r.status != 401 || p == nil || !p.IsToken() {
		t.Errorf("token of a removed user: %d %s, want 401 with a token problem", r.status, r.body)
	}
	rt := requestToken(t, srv, s, "oob")
	if _, err := srv.Approve(rt.Key(), "bob"); err == nil {
		t.Error("a removed user approved a token")
	}
	var se *applinktest.TokenStateError
	if _, err := srv.Approve(at.Key(), "alice"); !errors.As(err, &se) || se.State != "not a request token" {
		t.Errorf("Approve(access token) = %v, want a *TokenStateError", err)
	}
	if err := srv.Deny("nope"); !errors.Is(err, applinktest.ErrUnknownToken) {
		t.Errorf("Deny(unknown) = %v, want ErrUnknownToken", err)
	}
}
