package applinktest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
)

func jenkins(t *testing.T, opts ...applinktest.Option) (*applinktest.Server, *signer.Signer) {
	t.Helper()
	srv := applinktest.NewServer(t, append([]applinktest.Option{
		applinktest.WithShape(applinktest.Jenkins),
		applinktest.WithUsers("alice", "bob"),
		applinktest.WithConsumer(applinktest.Consumer{Key: "ci", Secret: signer.NewSecret(hmacSecret), ThreeLO: true, TwoLO: true, Impersonation: true})}, opts...)...)
	return srv, hmacSigner(t, "ci", hmacSecret)
}

func TestJenkinsRefusesTwoLeggedAndRSA(t *testing.T) {
	t.Parallel()
	srv, s := jenkins(t)
	for _, q := range []string{"", "?xoauth_requestor_id=alice"} {
		r := do(t, srv, s, http.MethodGet, srv.URL+"/me/api/json"+q, nil, signer.Params{})
		if r.status != 401 || problem(r) != signer.ProblemTokenRejected {
			t.Errorf("2LO%s: %d %q, want 401 token_rejected as the plugin answers", q, r.status, problem(r))
		}
	}
	// Without oauth_token at all the plugin's filter lets the request
	// through as anonymous.
	req := newRequest(t, http.MethodGet, srv.URL+"/me/api/json", nil)
	if err := s.Sign(req, signer.Params{OmitToken: true}); err != nil {
		t.Fatal(err)
	}
	if r := send(t, srv, req); r.status != 403 || !strings.Contains(r.body, "not logged in") {
		t.Errorf("no oauth_token: %d %s, want 403 for anonymous", r.status, r.body)
	}
	if _, err := applinktest.Start(applinktest.WithShape(applinktest.Jenkins), applinktest.WithConsumer(rsaConsumer("rsa", 0))); err == nil {
		t.Error("Start accepted an RSA consumer for the Jenkins shape")
	}
}

func TestJenkinsAlwaysRequiresVerifier(t *testing.T) {
	t.Parallel()
	srv, s := jenkins(t)
	// No oauth_callback: still OAuth 1.0a.
	r := do(t, srv, s, http.MethodPost, srv.RequestTokenURL(), nil, signer.Params{OmitToken: true})
	form := parseForm(t, r.body)
	if r.status != 200 || form.Get("oauth_callback_confirmed") != "true" {
		t.Fatalf("request token: %d %s", r.status, r.body)
	}
	rt := signer.NewToken(form.Get("oauth_token"), form.Get("oauth_token_secret"))
	v, err := srv.Approve(rt.Key(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 6 || strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != "" {
		t.Errorf("verifier %q is not 6 alphanumerics", v)
	}
	x := do(t, srv, s, http.MethodPost, srv.AccessTokenURL(), nil, signer.Params{Token: rt})
	if x.status != 400 || problem(x) != signer.ProblemParameterAbsent {
		t.Errorf("exchange without verifier: %d %q, want 400 parameter_absent", x.status, problem(x))
	}
	x = do(t, srv, s, http.MethodPost, srv.AccessTokenURL(), nil, signer.Params{Token: rt, Verifier: signer.NewSecret(v)})
	if x.status != 200 || !parseForm(t, x.body).Has("oauth_session_handle") {
		t.Errorf("exchange: %d %s (the plugin gives a session handle too)", x.status, x.body)
	}
}

func TestJenkinsAuthorizeForm(t *testing.T) {
	t.Parallel()
	srv, s := jenkins(t)
	rt := requestToken(t, srv, s, "oob")
	page := send(t, srv, newRequest(t, http.MethodGet, srv.AuthorizationURL(rt.Key()), nil))
	if !strings.Contains(page.body, `action="`+applinktest.JenkinsAuthorizeSubmit+`"`) {
		t.Fatalf("authorize page does not post to performSubmit: %s", page.body)
	}
	r := send(t, srv, newRequest(t, http.MethodPost, srv.URL+applinktest.JenkinsAuthorizeSubmit,
		url.Values{"oauth_token": {rt.Key()}, "user": {"bob"}, "approve": {"1"}}))
	if r.status != 200 || r.header.Get("X-OAuth-Verifier") == "" {
		t.Errorf("performSubmit: %d %s", r.status, r.body)
	}
	// Approving twice: token_used.
	r = send(t, srv, newRequest(t, http.MethodGet, srv.AuthorizationURL(rt.Key())+"&user=bob&approve=1", nil))
	if r.status != 400 {
		t.Errorf("second approval: %d, want 400", r.status)
	}

	// oob given to the page: the verifier is shown.
	rt = requestToken(t, srv, s, "oob")
	r = send(t, srv, newRequest(t, http.MethodGet, srv.AuthorizationURL(rt.Key())+"&oauth_callback=oob&user=alice&approve=1", nil))
	if r.status != 200 || r.header.Get("X-OAuth-Verifier") == "" {
		t.Errorf("oob on the page: %d %s", r.status, r.body)
	}

	// The plugin's own buttons, and the callback given to the page.
	rt = requestToken(t, srv, s, "oob")
	page = send(t, srv, newRequest(t, http.MethodGet, srv.AuthorizationURL(rt.Key())+"&oauth_callback="+url.QueryEscape("https://bbs.example/cb"), nil))
	if !strings.Contains(page.body, `name="oauth_callback" value="https://bbs.example/cb"`) {
		t.Errorf("the page does not carry the callback: %s", page.body)
	}
	r = send(t, srv, newRequest(t, http.MethodPost, srv.URL+applinktest.JenkinsAuthorizeSubmit,
		url.Values{"oauth_token": {rt.Key()}, "user": {"bob"}, "cancel": {""}, "oauth_callback": {"https://bbs.example/cb"}}))
	loc, _ := url.Parse(r.header.Get("Location"))
	if r.status != 302 || loc.Host != "bbs.example" || loc.Query().Get("oauth_verifier") != "denied" {
		t.Errorf("cancel: %d Location %q, want a redirect to the page's callback with oauth_verifier=denied", r.status, r.header.Get("Location"))
	}
}

func TestJenkinsCrumbs(t *testing.T) {
	t.Parallel()
	srv, s := jenkins(t)
	alice, _ := dance(t, srv, s, "alice")
	bob, _ := dance(t, srv, s, "bob")

	crumbOf := func(tok signer.Token) string {
		r := do(t, srv, s, http.MethodGet, srv.URL+"/crumbIssuer/api/json", nil, signer.Params{Token: tok})
		var c struct{ Crumb, CrumbRequestField string }
		if err := json.Unmarshal([]byte(r.body), &c); err != nil || c.CrumbRequestField != "Jenkins-Crumb" || c.Crumb == "" {
			t.Fatalf("crumb: %d %s", r.status, r.body)
		}
		return c.Crumb
	}
	aliceCrumb, bobCrumb := crumbOf(alice), crumbOf(bob)
	if aliceCrumb == bobCrumb || aliceCrumb != srv.Crumb("alice") {
		t.Fatalf("crumbs are not bound to the identity: alice %s bob %s", aliceCrumb, bobCrumb)
	}

	post := func(tok signer.Token, path, crumb string, form url.Values) response {
		req := newRequest(t, http.MethodPost, srv.URL+path, form)
		if crumb != "" {
			req.Header.Set("Jenkins-Crumb", crumb)
		}
		if err := s.Sign(req, signer.Params{Token: tok}); err != nil {
			t.Fatal(err)
		}
		return send(t, srv, req)
	}
	params := url.Values{"ENV": {"staging"}}
	tests := []struct {
		name   string
		tok    signer.Token
		path   string
		crumb  string
		status int
	}{
		{"build over OAuth needs no crumb", alice, "/job/deploy/build", "", 201},
		{"buildWithParameters without crumb", alice, "/job/deploy/buildWithParameters", "", 403},
		{"buildWithParameters with another user's crumb", alice, "/job/deploy/buildWithParameters", bobCrumb, 403},
		{"buildWithParameters with the user's crumb", alice, "/job/deploy/buildWithParameters", aliceCrumb, 201},
	}
	for _, tt := range tests {
		r := post(tt.tok, tt.path, tt.crumb, params)
		if r.status != tt.status {
			t.Errorf("%s: %d %s, want %d", tt.name, r.status, r.body, tt.status)
		}
		if tt.status == 403 && !strings.Contains(r.body, "No valid crumb was included in the request") {
			t.Errorf("%s: body %q", tt.name, r.body)
		}
		if tt.status == 201 && !strings.HasPrefix(r.header.Get("Location"), srv.URL+"/queue/item/") {
			t.Errorf("%s: Location %q", tt.name, r.header.Get("Location"))
		}
	}
	// Anonymous POSTs need the anonymous crumb even for /build.
	anon := send(t, srv, newRequest(t, http.MethodPost, srv.URL+"/job/deploy/build", url.Values{}))
	if anon.status != 403 {
		t.Errorf("anonymous build without crumb: %d, want 403", anon.status)
	}
	want := []applinktest.Build{
		{Job: "deploy", User: "alice", Params: url.Values{}},
		{Job: "deploy", User: "alice", Params: url.Values{"ENV": {"staging"}}},
	}
	if diff := cmp.Diff(want, srv.Builds()); diff != "" {
		t.Errorf("Builds() (-want +got):\n%s", diff)
	}
	if r := send(t, srv, newRequest(t, http.MethodGet, srv.URL+"/me/api/json", nil)); r.status != 403 {
		t.Errorf("anonymous /me: %d, want 403", r.status)
	}
}

// oobAnswer is what a test can rely on in an oob answer of the authorize
// page; the verifier itself is random.
type oobAnswer struct {
	Status                     int
	ContentType, CacheControl  string
	Location, HeaderVerifier   string
	VerifierMatches, TokenSent bool
}

func oobAnswerOf(r response, token string) oobAnswer {
	body, _ := url.ParseQuery(r.body)
	hv := r.header.Get("X-OAuth-Verifier")
	if hv != "denied" && hv != "" {
		hv = "<verifier>"
	}
	return oobAnswer{
		Status: r.status, ContentType: r.header.Get("Content-Type"), CacheControl: r.header.Get("Cache-Control"),
		Location: r.header.Get("Location"), HeaderVerifier: hv,
		VerifierMatches: body.Get("oauth_verifier") == r.header.Get("X-OAuth-Verifier"),
		TokenSent:       body.Get("oauth_token") == token,
	}
}

// TestJenkinsAuthorizeOOB: oauth_callback=oob given to the Jenkins page (GET
// or the performSubmit post) is answered as the Atlassian shape answers oob,
// not with a redirect and not with 400.
func TestJenkinsAuthorizeOOB(t *testing.T) {
	t.Parallel()
	// The Atlassian shape's answers for an oob token, approved and denied.
	asrv, as := atlassian(t)
	want := map[bool]oobAnswer{}
	for _, approve := range []bool{true, false} {
		rt := requestToken(t, asrv, as, "oob")
		q := "&approve=0"
		if approve {
			q = "&user=alice&approve=1"
		}
		r := send(t, asrv, newRequest(t, http.MethodGet, asrv.AuthorizationURL(rt.Key())+q, nil))
		want[approve] = oobAnswerOf(r, rt.Key())
	}
	if want[true].Status != 200 || want[true].HeaderVerifier != "<verifier>" || want[false].HeaderVerifier != "denied" ||
		!want[true].VerifierMatches || !want[true].TokenSent {
		t.Fatalf("the Atlassian shape's oob answers changed: %+v", want)
	}

	// The page carries oob into its form, which posts it to performSubmit.
	{
		srv, s := jenkins(t)
		rt := requestToken(t, srv, s, "oob")
		page := send(t, srv, newRequest(t, http.MethodGet, srv.AuthorizationURL(rt.Key())+"&oauth_callback=oob", nil))
		if page.status != 200 || !strings.Contains(page.body, `name="oauth_callback" value="oob"`) {
			t.Errorf("the page does not carry oob: %d %s", page.status, page.body)
		}
	}

	tests := []struct {
		name     string
		tokenCB  string // the callback given with the request token
		method   string
		query    string     // added to the authorize URL (GET)
		form     url.Values // posted to performSubmit, oauth_token added
		approved bool
	}{
		{name: "GET approve=1", tokenCB: "oob", method: http.MethodGet, query: "&oauth_callback=oob&user=alice&approve=1", approved: true},
		{name: "GET approve=0", tokenCB: "oob", method: http.MethodGet, query: "&oauth_callback=oob&approve=0"},
		{name: "performSubmit authorize", tokenCB: "oob", method: http.MethodPost,
			form: url.Values{"oauth_callback": {"oob"}, "user": {"alice"}, "authorize": {""}}, approved: true},
		{name: "performSubmit cancel", tokenCB: "oob", method: http.MethodPost,
			form: url.Values{"oauth_callback": {"oob"}, "user": {"alice"}, "cancel": {""}}},
		{name: "performSubmit approve=0", tokenCB: "oob", method: http.MethodPost,
			form: url.Values{"oauth_callback": {"oob"}, "approve": {"0"}}},
		// The page's callback wins over the token's, oob included.
		{name: "oob page, URL token callback", tokenCB: "https://bbs.example/cb", method: http.MethodGet,
			query: "&oauth_callback=oob&user=bob&approve=1", approved: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, s := jenkins(t)
			rt := requestToken(t, srv, s, tt.tokenCB)
			var r response
			if tt.method == http.MethodGet {
				r = send(t, srv, newRequest(t, http.MethodGet, srv.AuthorizationURL(rt.Key())+tt.query, nil))
			} else {
				form := url.Values{"oauth_token": {rt.Key()}}
				for k, v := range tt.form {
					form[k] = v
				}
				r = send(t, srv, newRequest(t, http.MethodPost, srv.URL+applinktest.JenkinsAuthorizeSubmit, form))
			}
			if diff := cmp.Diff(want[tt.approved], oobAnswerOf(r, rt.Key())); diff != "" {
				t.Fatalf("answer differs from the Atlassian shape's oob answer (-want +got):\n%s\nbody: %s", diff, r.body)
			}
			// The verifier shown is the one the exchange needs.
			v := r.header.Get("X-OAuth-Verifier")
			x := do(t, srv, s, http.MethodPost, srv.AccessTokenURL(), nil, signer.Params{Token: rt, Verifier: signer.NewSecret(v)})
			switch {
			case tt.approved && x.status != 200:
				t.Errorf("exchange with the shown verifier: %d %s", x.status, x.body)
			case !tt.approved && (x.status != 401 || problem(x) != signer.ProblemPermissionDenied):
				t.Errorf("exchange after denial: %d %q, want 401 permission_denied", x.status, problem(x))
			}
		})
	}
}
