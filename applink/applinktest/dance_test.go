package applinktest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestThreeLeggedDanceOverHTTP(t *testing.T) {
	t.Parallel()
	srv, s := atlassian(t)
	const callback = "https://consumer.example/cb?x=1"

	r := do(t, srv, s, http.MethodPost, srv.RequestTokenURL(), nil, signer.Params{OmitToken: true, Callback: callback})
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("request token: %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	form := parseForm(t, r.body)
	if form.Get("oauth_callback_confirmed") != "true" {
		t.Errorf("oauth_callback_confirmed = %q, want true", form.Get("oauth_callback_confirmed"))
	}
	rt := signer.NewToken(form.Get("oauth_token"), form.Get("oauth_token_secret"))

	// The page without approve is a form.
	page := send(t, srv, newRequest(t, http.MethodGet, srv.AuthorizationURL(rt.Key()), nil))
	if page.status != http.StatusOK || !strings.Contains(page.body, "<form") {
		t.Fatalf("authorize page: %d %s", page.status, page.body)
	}

	// Exchanging before approval: permission_unknown.
	early := do(t, srv, s, http.MethodPost, srv.AccessTokenURL(), nil, signer.Params{Token: rt, Verifier: signer.NewSecret("nope00")})
	if got := problem(early); got != signer.ProblemPermissionUnknown || early.status != http.StatusUnauthorized {
		t.Errorf("early exchange: %d %q, want 401 permission_unknown", early.status, got)
	}

	ok := send(t, srv, newRequest(t, http.MethodGet, srv.AuthorizationURL(rt.Key())+"&user=alice&approve=1", nil))
	if ok.status != http.StatusFound {
		t.Fatalf("approve: %d %s", ok.status, ok.body)
	}
	loc, err := url.Parse(ok.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	q := loc.Query()
	if loc.Host != "consumer.example" || q.Get("x") != "1" || q.Get("oauth_token") != rt.Key() || len(q.Get("oauth_verifier")) != 6 {
		t.Fatalf("redirect to %s", loc)
	}

	r = do(t, srv, s, http.MethodPost, srv.AccessTokenURL(), nil, signer.Params{Token: rt, Verifier: signer.NewSecret(q.Get("oauth_verifier"))})
	if r.status != http.StatusOK {
		t.Fatalf("access token: %d %s", r.status, r.body)
	}
	form = parseForm(t, r.body)
	for _, k := range []string{"oauth_token", "oauth_token_secret", "oauth_expires_in", "oauth_session_handle", "oauth_authorization_expires_in"} {
		if form.Get(k) == "" {
			t.Errorf("access-token response lacks %s: %s", k, r.body)
		}
	}
	if got, want := form.Get("oauth_expires_in"), "157680000"; got != want {
		t.Errorf("oauth_expires_in = %s, want %s (5 years)", got, want)
	}
	at := signer.NewToken(form.Get("oauth_token"), form.Get("oauth_token_secret"))
	if got := srv.AccessTokens("app", "alice"); !cmp.Equal(got, []string{at.Key()}) {
		t.Errorf("AccessTokens = %v, want [%s]", got, at.Key())
	}

	me := do(t, srv, s, http.MethodGet, srv.URL+"/rest/api/2/myself", nil, signer.Params{Token: at})
	var user struct {
		Name, DisplayName, Self string
		Active                  bool
	}
	if err := json.Unmarshal([]byte(me.body), &user); err != nil || me.status != http.StatusOK {
		t.Fatalf("myself: %d %s %v", me.status, me.body, err)
	}
	if user.Name != "alice" || user.DisplayName != "Alice" || !user.Active || !strings.HasPrefix(user.Self, srv.URL) {
		t.Errorf("myself = %+v", user)
	}

	// The request token is spent: the products forget it.
	again := do(t, srv, s, http.MethodPost, srv.AccessTokenURL(), nil, signer.Params{Token: rt, Verifier: signer.NewSecret(q.Get("oauth_verifier"))})
	if got := problem(again); got != signer.ProblemTokenRejected {
		t.Errorf("second exchange: %q, want token_rejected", got)
	}

	want := []applinktest.Record{
		{Method: "POST", Path: applinktest.AtlassianRequestTokenPath, Flow: applinktest.FlowRequestToken, Consumer: "app", Status: 200},
		{Method: "GET", Path: applinktest.AtlassianAuthorizePath, Flow: applinktest.FlowAuthorize, Consumer: "app", Status: 200},
		{Method: "POST", Path: applinktest.AtlassianAccessTokenPath, Flow: applinktest.FlowAccessToken, Consumer: "app", Status: 401, Problem: "permission_unknown"},
		{Method: "GET", Path: applinktest.AtlassianAuthorizePath, Flow: applinktest.FlowAuthorize, Consumer: "app", User: "alice", Status: 302},
		{Method: "POST", Path: applinktest.AtlassianAccessTokenPath, Flow: applinktest.FlowAccessToken, Consumer: "app", User: "alice", Status: 200},
		{Method: "GET", Path: "/rest/api/2/myself", Flow: applinktest.FlowThreeLO, Consumer: "app", User: "alice", Status: 200},
		{Method: "POST", Path: applinktest.AtlassianAccessTokenPath, Flow: applinktest.FlowAccessToken, Consumer: "app", Status: 401, Problem: "token_rejected"},
	}
	if diff := cmp.Diff(want, srv.Requests(), cmpopts.IgnoreFields(applinktest.Record{}, "Time")); diff != "" {
		t.Errorf("Requests() (-want +got):\n%s", diff)
	}
}

func TestOOBApprovalAndDenial(t *testing.T) {
	t.Parallel()
	srv, s := atlassian(t)

	rt := requestToken(t, srv, s, "oob")
	r := send(t, srv, newRequest(t, http.MethodGet, srv.AuthorizationURL(rt.Key())+"&user=bob&approve=1", nil))
	v := r.header.Get("X-OAuth-Verifier")
	if r.status != http.StatusOK || v == "" || parseForm(t, r.body).Get("oauth_verifier") != v {
		t.Fatalf("oob approval: %d %q %s", r.status, v, r.body)
	}
	x := do(t, srv, s, http.MethodPost, srv.AccessTokenURL(), nil, signer.Params{Token: rt, Verifier: signer.NewSecret(v)})
	if x.status != http.StatusOK {
		t.Fatalf("exchange: %d %s", x.status, x.body)
	}

	rt = requestToken(t, srv, s, "https://consumer.example/cb")
	r = send(t, srv, newRequest(t, http.MethodGet, srv.AuthorizationURL(rt.Key())+"&approve=0", nil))
	loc, _ := url.Parse(r.header.Get("Location"))
	if r.status != http.StatusFound || loc.Query().Get("oauth_verifier") != "denied" {
		t.Fatalf("deny: %d %s", r.status, r.header.Get("Location"))
	}
	x = do(t, srv, s, http.MethodPost, srv.AccessTokenURL(), nil, signer.Params{Token: rt, Verifier: signer.NewSecret("denied")})
	if got := problem(x); got != signer.ProblemPermissionDenied || x.status != http.StatusUnauthorized {
		t.Errorf("denied exchange: %d %q, want 401 permission_denied", x.status, got)
	}

	// Approving as an unknown user is refused.
	rt = requestToken(t, srv, s, "oob")
	r = send(t, srv, newRequest(t, http.MethodGet, srv.AuthorizationURL(rt.Key())+"&user=mallory&approve=1", nil))
	if r.status != http.StatusBadRequest {
		t.Errorf("approve as unknown user: %d, want 400", r.status)
	}
}

func TestAccessTokenProblems(t *testing.T) {
	t.Parallel()
	srv, s := atlassian(t, applinktest.WithConsumer(rsaConsumer("other", 1)))
	other := rsaSigner(t, "other", 1)

	tests := []struct {
		name   string
		setup  func(t *testing.T) (*signer.Signer, signer.Params)
		status int
		want   string
	}{
		{"wrong verifier", func(t *testing.T) (*signer.Signer, signer.Params) {
			rt := requestToken(t, srv, s, "oob")
			if _, err := srv.Approve(rt.Key(), "alice"); err != nil {
				t.Fatal(err)
			}
			return s, signer.Params{Token: rt, Verifier: signer.NewSecret("AAAAAA")}
		}, 401, signer.ProblemTokenRejected},
		{"missing verifier", func(t *testing.T) (*signer.Signer, signer.Params) {
			rt := requestToken(t, srv, s, "oob")
			if _, err := srv.Approve(rt.Key(), "alice"); err != nil {
				t.Fatal(err)
			}
			return s, signer.Params{Token: rt}
		}, 400, signer.ProblemParameterAbsent},
		{"expired request token", func(t *testing.T) (*signer.Signer, signer.Params) {
			rt := requestToken(t, srv, s, "oob")
			v, err := srv.Approve(rt.Key(), "alice")
			if err != nil {
				t.Fatal(err)
			}
			if err := srv.Expire(rt.Key()); err != nil {
				t.Fatal(err)
			}
			return s, signer.Params{Token: rt, Verifier: signer.NewSecret(v)}
		}, 401, signer.ProblemTokenExpired},
		{"another consumer's request token", func(t *testing.T) (*signer.Signer, signer.Params) {
			rt := requestToken(t, srv, s, "oob")
			v, err := srv.Approve(rt.Key(), "alice")
			if err != nil {
				t.Fatal(err)
			}
			return other, signer.Params{Token: signer.NewToken(rt.Key(), ""), Verifier: signer.NewSecret(v)}
		}, 401, signer.ProblemTokenRejected},
		{"unknown token", func(t *testing.T) (*signer.Signer, signer.Params) {
			return s, signer.Params{Token: signer.NewToken("nope", "nope"), Verifier: signer.NewSecret("AAAAAA")}
		}, 401, signer.ProblemTokenRejected},
		{"no token", func(t *testing.T) (*signer.Signer, signer.Params) {
			return s, signer.Params{}
		}, 400, signer.ProblemParameterAbsent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sg, p := tt.setup(t)
			r := do(t, srv, sg, http.MethodPost, srv.AccessTokenURL(), nil, p)
			if got := problem(r); r.status != tt.status || got != tt.want {
				t.Errorf("got %d %q, want %d %q (%s)", r.status, got, tt.status, tt.want, r.body)
			}
		})
	}
}

func TestOAuth10TokenNeedsNoVerifier(t *testing.T) {
	t.Parallel()
	srv, s := atlassian(t)
	r := do(t, srv, s, http.MethodPost, srv.RequestTokenURL(), nil, signer.Params{OmitToken: true})
	form := parseForm(t, r.body)
	if r.status != http.StatusOK || form.Has("oauth_callback_confirmed") {
		t.Fatalf("1.0 request token: %d %s", r.status, r.body)
	}
	rt := signer.NewToken(form.Get("oauth_token"), form.Get("oauth_token_secret"))
	if _, err := srv.Approve(rt.Key(), "alice"); err != nil {
		t.Fatal(err)
	}
	x := do(t, srv, s, http.MethodPost, srv.AccessTokenURL(), nil, signer.Params{Token: rt})
	if x.status != http.StatusOK {
		t.Errorf("1.0 exchange without verifier: %d %s", x.status, x.body)
	}
}

func TestRenewal(t *testing.T) {
	t.Parallel()
	srv, s := atlassian(t)
	at, form := dance(t, srv, s, "alice")
	if err := srv.Expire(at.Key()); err != nil {
		t.Fatal(err)
	}
	r := do(t, srv, s, http.MethodGet, srv.URL+"/rest/api/2/myself", nil, signer.Params{Token: at})
	if got := problem(r); got != signer.ProblemTokenExpired {
		t.Fatalf("expired token: %d %q", r.status, got)
	}
	bad := do(t, srv, s, http.MethodPost, srv.AccessTokenURL(), nil, signer.Params{Token: at, SessionHandle: signer.NewSecret("wrong")})
	if got := problem(bad); got != signer.ProblemTokenRejected {
		t.Errorf("renewal with a wrong handle: %q, want token_rejected", got)
	}
	r = do(t, srv, s, http.MethodPost, srv.AccessTokenURL(), nil, signer.Params{Token: at, SessionHandle: signer.NewSecret(form.Get("oauth_session_handle"))})
	if r.status != http.StatusOK {
		t.Fatalf("renewal: %d %s", r.status, r.body)
	}
	nf := parseForm(t, r.body)
	nt := signer.NewToken(nf.Get("oauth_token"), nf.Get("oauth_token_secret"))
	if nt.Key() == at.Key() {
		t.Fatal("renewal returned the same token")
	}
	if me := do(t, srv, s, http.MethodGet, srv.URL+"/rest/api/2/myself", nil, signer.Params{Token: nt}); me.status != 200 {
		t.Errorf("renewed token: %d %s", me.status, me.body)
	}
	if old := do(t, srv, s, http.MethodGet, srv.URL+"/rest/api/2/myself", nil, signer.Params{Token: at}); problem(old) != signer.ProblemTokenRejected {
		t.Errorf("old token after renewal: %d %q, want token_rejected", old.status, problem(old))
	}
}

// TestCallbackConfirmed checks that both shapes confirm the callback (a URL
// or oob) as OAuth 1.0a requires, and that WithOAuth10Callback leaves the
// confirmation out.
func TestCallbackConfirmed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		jenkins  bool
		oauth10  bool
		callback string
		want     string
	}{
		{"atlassian url", false, false, "https://consumer.example/cb", "true"},
		{"atlassian oob", false, false, "oob", "true"},
		{"jenkins url", true, false, "https://consumer.example/cb", "true"},
		{"jenkins oob", true, false, "oob", "true"},
		{"atlassian oauth 1.0", false, true, "https://consumer.example/cb", ""},
		{"jenkins oauth 1.0", true, true, "oob", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var opts []applinktest.Option
			if tc.oauth10 {
				opts = append(opts, applinktest.WithOAuth10Callback())
			}
			var (
				srv *applinktest.Server
				s   *signer.Signer
			)
			if tc.jenkins {
				srv, s = jenkins(t, opts...)
			} else {
				srv, s = atlassian(t, opts...)
			}
			r := do(t, srv, s, http.MethodPost, srv.RequestTokenURL(), nil, signer.Params{OmitToken: true, Callback: tc.callback})
			form := parseForm(t, r.body)
			if r.status != http.StatusOK || form.Get("oauth_token") == "" {
				t.Fatalf("request token: %d %s", r.status, r.body)
			}
			if got := form.Get("oauth_callback_confirmed"); got != tc.want {
				t.Errorf("oauth_callback_confirmed = %q, want %q", got, tc.want)
			}
		})
	}
}
