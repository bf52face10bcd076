package applinktest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/internal/testclock"
	"github.com/go-applinks/applinks/signer"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

const (
	o2ID       = "client-TEST-ONLY"
	o2Secret   = "client-secret-TEST-ONLY"
	o2Redirect = "http://127.0.0.1:9/callback"
)

// oauth2Server starts an OAuth2-shaped server with alice, bob and a client
// allowed WRITE whose service account is "robot".
func oauth2Server(t *testing.T, opts ...applinktest.Option) *applinktest.Server {
	t.Helper()
	base := []applinktest.Option{
		applinktest.WithShape(applinktest.OAuth2),
		applinktest.WithUsers("alice", "bob", "robot"),
		applinktest.WithOAuth2Client(applinktest.OAuth2Client{ID: o2ID, Name: "My App", Secret: signer.NewSecret(o2Secret),
			RedirectURL: o2Redirect, Scope: applinktest.ScopeWrite, ServiceUser: "robot"}),
	}
	return applinktest.NewServer(t, append(base, opts...)...)
}

// oauth2Config is golang.org/x/oauth2's configuration for the server.
func oauth2Config(srv *applinktest.Server, scopes ...string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: o2ID, ClientSecret: o2Secret, RedirectURL: o2Redirect, Scopes: scopes,
		Endpoint: oauth2.Endpoint{AuthURL: srv.OAuth2AuthorizationURL(), TokenURL: srv.OAuth2TokenURL()},
	}
}

// oauth2Ctx makes golang.org/x/oauth2 use the server's client.
func oauth2Ctx(t *testing.T, srv *applinktest.Server) context.Context {
	return context.WithValue(t.Context(), oauth2.HTTPClient, srv.Client())
}

// consent approves authURL over HTTP as user and returns the redirect.
func consent(t *testing.T, srv *applinktest.Server, authURL, approve string) *url.URL {
	t.Helper()
	r := send(t, srv, newRequest(t, http.MethodGet, authURL+approve, nil))
	if r.status != http.StatusFound {
		t.Fatalf("consent: status %d, body %q; want 302", r.status, r.body)
	}
	u, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// authorizeCode runs the authorization code grant with PKCE as user.
func authorizeCode(t *testing.T, srv *applinktest.Server, cfg *oauth2.Config, user string) *oauth2.Token {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	authURL := cfg.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier))
	to := consent(t, srv, authURL, "&user="+user+"&approve=1")
	if got := to.Query().Get("state"); got != "state-1" {
		t.Fatalf("state = %q, want state-1", got)
	}
	if to.Scheme+"://"+to.Host+to.Path != o2Redirect {
		t.Fatalf("redirected to %s, want %s", to.Redacted(), o2Redirect)
	}
	tok, err := cfg.Exchange(oauth2Ctx(t, srv), to.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func bearerGet(t *testing.T, srv *applinktest.Server, method, path, token string) response {
	t.Helper()
	req := newRequest(t, method, srv.URL+path, nil)
	if method == http.MethodPost {
		req.Body = readCloser(`{"fields":{"summary":"s"}}`)
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return send(t, srv, req)
}

func errorCode(t *testing.T, err error) string {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("error %v is not *oauth2.RetrieveError", err)
	}
	return re.ErrorCode
}

func TestOAuth2CodeFlowWithXOAuth2(t *testing.T) {
	t.Parallel()
	srv := oauth2Server(t)
	tok := authorizeCode(t, srv, oauth2Config(srv, "WRITE"), "alice")
	if tok.RefreshToken == "" || tok.TokenType != "bearer" || tok.Expiry.IsZero() {
		t.Fatalf("token lacks a refresh token, type or expiry: type %q, expiry %v", tok.TokenType, tok.Expiry)
	}
	if got := tok.Extra("scope"); got != "WRITE" {
		t.Errorf("scope = %v, want WRITE", got)
	}
	r := bearerGet(t, srv, http.MethodGet, "/rest/api/2/myself", tok.AccessToken)
	var me struct{ Name string }
	if err := json.Unmarshal([]byte(r.body), &me); err != nil || r.status != http.StatusOK || me.Name != "alice" {
		t.Fatalf("myself: %d %q", r.status, r.body)
	}
	if r := bearerGet(t, srv, http.MethodPost, "/rest/api/2/issue", tok.AccessToken); r.status != http.StatusCreated {
		t.Fatalf("create issue with WRITE: %d %q", r.status, r.body)
	}
	if got := srv.AccessTokens(o2ID, "alice"); len(got) != 1 || got[0] != tok.AccessToken {
		t.Errorf("AccessTokens = %d tokens, want the one issued", len(got))
	}
	var flows []string
	for _, rec := range srv.Requests() {
		flows = append(flows, rec.Flow+"/"+rec.Grant+"/"+rec.User+"/"+rec.Consumer)
	}
	want := []string{"oauth2-authorize//alice/" + o2ID, "oauth2-token/authorization_code/alice/" + o2ID,
		"oauth2//alice/" + o2ID, "oauth2//alice/" + o2ID}
	if diff := cmp.Diff(want, flows); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestOAuth2Scopes(t *testing.T) {
	t.Parallel()
	srv := oauth2Server(t)
	tok := authorizeCode(t, srv, oauth2Config(srv, "READ"), "alice")
	if r := bearerGet(t, srv, http.MethodGet, "/rest/api/2/myself", tok.AccessToken); r.status != http.StatusOK {
		t.Fatalf("GET with READ: %d", r.status)
	}
	r := bearerGet(t, srv, http.MethodPost, "/rest/api/2/issue", tok.AccessToken)
	if r.status != http.StatusForbidden || !strings.Contains(r.header.Get("WWW-Authenticate"), `error="insufficient_scope"`) {
		t.Fatalf("POST with READ: %d %q, want 403 insufficient_scope", r.status, r.header.Get("WWW-Authenticate"))
	}
	if got, err := srv.OAuth2Scope(tok.AccessToken); err != nil || got != "READ" {
		t.Errorf("OAuth2Scope = %q, %v; want READ", got, err)
	}
	// More than the link allows is refused at the consent page.
	to := consent(t, srv, oauth2Config(srv, "ADMIN").AuthCodeURL("s"), "&user=alice&approve=1")
	if got := to.Query().Get("error"); got != "invalid_scope" || to.Query().Get("code") != "" {
		t.Errorf("ADMIN on a WRITE link: error %q, want invalid_scope and no code", got)
	}
}

func TestOAuth2AuthorizeRefusals(t *testing.T) {
	t.Parallel()
	srv := oauth2Server(t)
	cfg := oauth2Config(srv)
	good := cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
	t.Run("denied", func(t *testing.T) {
		t.Parallel()
		to := consent(t, srv, good, "&approve=0")
		if diff := cmp.Diff(url.Values{"error": {"access_denied"}, "state": {"st"}}, to.Query()); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("page", func(t *testing.T) {
		t.Parallel()
		r := send(t, srv, newRequest(t, http.MethodGet, good, nil))
		if r.status != http.StatusOK || !strings.Contains(r.body, "My App wants WRITE access") || !strings.Contains(r.body, `name="code_challenge"`) {
			t.Errorf("consent page: %d %q", r.status, r.body)
		}
	})
	for name, mod := range map[string]func(url.Values){
		"redirect mismatch": func(q url.Values) { q.Set("redirect_uri", o2Redirect+"/other") },
		"unknown client":    func(q url.Values) { q.Set("client_id", "nobody") },
		"no redirect":       func(q url.Values) { q.Del("redirect_uri") },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u, _ := url.Parse(good)
			q := u.Query()
			mod(q)
			u.RawQuery = q.Encode()
			r := send(t, srv, newRequest(t, http.MethodGet, u.String()+"&user=alice&approve=1", nil))
			if r.status != http.StatusBadRequest || r.header.Get("Location") != "" {
				t.Errorf("status %d, Location %q; want 400 and no redirect", r.status, r.header.Get("Location"))
			}
			if _, err := srv.ApproveOAuth2(u.String(), "alice"); err == nil {
				t.Error("ApproveOAuth2 succeeded")
			}
		})
	}
	t.Run("plain PKCE", func(t *testing.T) {
		t.Parallel()
		to := consent(t, srv, cfg.AuthCodeURL("st", oauth2.SetAuthURLParam("code_challenge", strings.Repeat("a", 43)),
			oauth2.SetAuthURLParam("code_challenge_method", "plain")), "&user=alice&approve=1")
		if got := to.Query().Get("error"); got != "invalid_request" {
			t.Errorf("error %q, want invalid_request", got)
		}
	})
	t.Run("ApproveURL", func(t *testing.T) {
		t.Parallel()
		to, err := srv.ApproveURL(good, "alice")
		if err != nil || !strings.HasPrefix(to, o2Redirect+"?") || !strings.Contains(to, "code=") || !strings.Contains(to, "state=st") {
			t.Errorf("ApproveURL of a consent URL = %q, %v; want the redirect with code and state", to, err)
		}
	})
	t.Run("unknown user", func(t *testing.T) {
		t.Parallel()
		if _, err := srv.ApproveOAuth2(good, "mallory"); err == nil {
			t.Error("approved as an unknown user")
		}
	})
}

func TestOAuth2ExchangeRefusals(t *testing.T) {
	t.Parallel()
	clock := testclock.New(testclock.Start)
	srv := oauth2Server(t, applinktest.WithClock(clock.Now), applinktest.WithAuthorizationCodeTTL(10*time.Second))
	cfg := oauth2Config(srv)
	ctx := oauth2Ctx(t, srv)
	code := func(t *testing.T, verifier string) string {
		var opts []oauth2.AuthCodeOption
		if verifier != "" {
			opts = append(opts, oauth2.S256ChallengeOption(verifier))
		}
		to, err := srv.ApproveOAuth2(cfg.AuthCodeURL("st", opts...), "alice")
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(to)
		return u.Query().Get("code")
	}
	v := oauth2.GenerateVerifier()
	tests := []struct {
		name string
		run  func(t *testing.T) error
		want string
	}{
		{"wrong verifier", func(t *testing.T) error {
			_, err := cfg.Exchange(ctx, code(t, v), oauth2.VerifierOption(oauth2.GenerateVerifier()))
			return err
		}, "invalid_grant"},
		{"missing verifier", func(t *testing.T) error { _, err := cfg.Exchange(ctx, code(t, v)); return err }, "invalid_grant"},
		{"reused code", func(t *testing.T) error {
			c := code(t, v)
			if _, err := cfg.Exchange(ctx, c, oauth2.VerifierOption(v)); err != nil {
				t.Fatal(err)
			}
			_, err := cfg.Exchange(ctx, c, oauth2.VerifierOption(v))
			return err
		}, "invalid_grant"},
		{"other redirect", func(t *testing.T) error {
			c := *cfg
			c.RedirectURL = o2Redirect + "?x=1"
			_, err := c.Exchange(ctx, code(t, v), oauth2.VerifierOption(v))
			return err
		}, "invalid_grant"},
		{"wrong secret", func(t *testing.T) error {
			c := *cfg
			c.ClientSecret = "wrong"
			_, err := c.Exchange(ctx, code(t, v), oauth2.VerifierOption(v))
			return err
		}, "invalid_client"},
		{"no PKCE at all", func(t *testing.T) error { _, err := cfg.Exchange(ctx, code(t, "")); return err }, ""},
		{"secret in the body", func(t *testing.T) error {
			c := *cfg
			c.Endpoint.AuthStyle = oauth2.AuthStyleInParams
			_, err := c.Exchange(ctx, code(t, v), oauth2.VerifierOption(v))
			return err
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run(t)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if got := errorCode(t, err); got != tt.want {
				t.Errorf("error code %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("expired code", func(t *testing.T) {
		c := code(t, v)
		clock.Advance(11 * time.Second)
		_, err := cfg.Exchange(ctx, c, oauth2.VerifierOption(v))
		if got := errorCode(t, err); got != "invalid_grant" {
			t.Errorf("error code %q, want invalid_grant", got)
		}
	})
}

// refreshForm posts a refresh_token grant as Data Center wants it.
func refreshForm(t *testing.T, srv *applinktest.Server, refresh, redirect string) response {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}
	if redirect != "" {
		form.Set("redirect_uri", redirect)
	}
	req := newRequest(t, http.MethodPost, srv.OAuth2TokenURL(), form)
	req.SetBasicAuth(o2ID, o2Secret)
	return send(t, srv, req)
}

func TestOAuth2ExpiryRefreshRotation(t *testing.T) {
	t.Parallel()
	clock := testclock.New(testclock.Start)
	srv := oauth2Server(t, applinktest.WithClock(clock.Now), applinktest.WithBearerTokenTTL(time.Minute))
	cfg := oauth2Config(srv)
	tok := authorizeCode(t, srv, cfg, "alice")
	if got := time.Until(tok.Expiry); got > time.Minute+time.Second || got < 50*time.Second {
		t.Errorf("expires in %v, want about a minute", got)
	}
	clock.Advance(time.Minute)
	r := bearerGet(t, srv, http.MethodGet, "/rest/api/2/myself", tok.AccessToken)
	if r.status != http.StatusUnauthorized || !strings.Contains(r.header.Get("WWW-Authenticate"), `Bearer realm=`) ||
		!strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Fatalf("expired token: %d %q, want 401 Bearer error=\"invalid_token\"", r.status, r.header.Get("WWW-Authenticate"))
	}

	// golang.org/x/oauth2's own refresh leaves out redirect_uri: Data Center
	// answers invalid_grant and nothing more.
	_, err := cfg.TokenSource(oauth2Ctx(t, srv), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" || re.ErrorDescription != "" {
		t.Fatalf("refresh without redirect_uri: %v, want invalid_grant without a description", err)
	}

	r = refreshForm(t, srv, tok.RefreshToken, o2Redirect)
	var fresh struct {
		Access  string `json:"access_token"`
		Refresh string `json:"refresh_token"`
		Scope   string `json:"scope"`
	}
	if err := json.Unmarshal([]byte(r.body), &fresh); err != nil || r.status != http.StatusOK {
		t.Fatalf("refresh: %d %q", r.status, r.body)
	}
	if fresh.Refresh == "" || fresh.Refresh == tok.RefreshToken || fresh.Scope != "WRITE" {
		t.Fatalf("the refresh token did not rotate, or the scope changed to %q", fresh.Scope)
	}
	if r := bearerGet(t, srv, http.MethodGet, "/rest/api/2/myself", fresh.Access); r.status != http.StatusOK {
		t.Fatalf("refreshed token: %d", r.status)
	}
	// The old refresh token stopped working.
	r = refreshForm(t, srv, tok.RefreshToken, o2Redirect)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, `"invalid_grant"`) {
		t.Fatalf("old refresh token: %d %q, want 400 invalid_grant", r.status, r.body)
	}
	n := 0
	for _, rec := range srv.Requests() {
		if rec.Grant == applinktest.GrantRefreshToken && rec.Status == http.StatusOK {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d successful refreshes recorded, want 1", n)
	}
}

func TestOAuth2Revocation(t *testing.T) {
	t.Parallel()
	srv := oauth2Server(t)
	cfg := oauth2Config(srv)
	tests := []struct {
		name   string
		revoke func(tok *oauth2.Token) error
	}{
		{"access token", func(tok *oauth2.Token) error { return srv.Revoke(tok.AccessToken) }},
		{"refresh token", func(tok *oauth2.Token) error { return srv.Revoke(tok.RefreshToken) }},
		{"user", func(*oauth2.Token) error {
			if n := srv.RevokeUser(o2ID, "bob"); n != 1 {
				return fmt.Errorf("RevokeUser revoked %d, want 1", n)
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := authorizeCode(t, srv, cfg, "bob")
			if err := tt.revoke(tok); err != nil {
				t.Fatal(err)
			}
			r := bearerGet(t, srv, http.MethodGet, "/rest/api/2/myself", tok.AccessToken)
			if r.status != http.StatusUnauthorized || !strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Errorf("revoked token: %d %q", r.status, r.header.Get("WWW-Authenticate"))
			}
			if r := refreshForm(t, srv, tok.RefreshToken, o2Redirect); !strings.Contains(r.body, `"invalid_grant"`) {
				t.Errorf("refresh of a revoked consent: %d %q", r.status, r.body)
			}
			if got := srv.AccessTokens(o2ID, "bob"); len(got) != 0 {
				t.Errorf("%d live tokens after revocation", len(got))
			}
		})
	}
	t.Run("removed user", func(t *testing.T) {
		tok := authorizeCode(t, srv, cfg, "alice")
		srv.RemoveUser("alice")
		t.Cleanup(func() { srv.AddUser("alice") })
		r := bearerGet(t, srv, http.MethodGet, "/rest/api/2/myself", tok.AccessToken)
		if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "No user associated") {
			t.Errorf("token of a removed user: %d %q", r.status, r.body)
		}
	})
}

func TestOAuth2ClientCredentials(t *testing.T) {
	t.Parallel()
	srv := oauth2Server(t, applinktest.WithOAuth2Client(applinktest.OAuth2Client{
		ID: "no-service", Secret: signer.NewSecret(o2Secret), RedirectURL: o2Redirect}))
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		cc := clientcredentials.Config{ClientID: o2ID, ClientSecret: o2Secret, TokenURL: srv.OAuth2TokenURL(), AuthStyle: style}
		tok, err := cc.Token(oauth2Ctx(t, srv))
		if err != nil {
			t.Fatal(err)
		}
		if tok.RefreshToken != "" {
			t.Error("client_credentials gave a refresh token")
		}
		r := bearerGet(t, srv, http.MethodGet, "/rest/api/2/myself", tok.AccessToken)
		if r.status != http.StatusOK || !strings.Contains(r.body, `"name":"robot"`) {
			t.Errorf("service account request: %d %q", r.status, r.body)
		}
	}
	cc := clientcredentials.Config{ClientID: "no-service", ClientSecret: o2Secret, TokenURL: srv.OAuth2TokenURL()}
	if _, err := cc.Token(oauth2Ctx(t, srv)); errorCode(t, err) != "unauthorized_client" {
		t.Errorf("a client without a service account: %v, want unauthorized_client", err)
	}
}

func TestOAuth2TokenEndpointErrors(t *testing.T) {
	t.Parallel()
	srv := oauth2Server(t)
	tests := []struct {
		name       string
		form       url.Values
		basic      bool
		wantStatus int
		wantError  string
		wantBasic  bool
	}{
		{"no client", url.Values{"grant_type": {"client_credentials"}}, false, 401, "invalid_client", false},
		{"bad basic", url.Values{"grant_type": {"client_credentials"}}, true, 401, "invalid_client", true},
		{"unknown grant", url.Values{"grant_type": {"password"}, "client_id": {o2ID}, "client_secret": {o2Secret}}, false, 400, "unsupported_grant_type", false},
		{"no grant", url.Values{"client_id": {o2ID}, "client_secret": {o2Secret}}, false, 400, "invalid_request", false},
		{"no code", url.Values{"grant_type": {"authorization_code"}, "client_id": {o2ID}, "client_secret": {o2Secret}}, false, 400, "invalid_request", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := newRequest(t, http.MethodPost, srv.OAuth2TokenURL(), tt.form)
			if tt.basic {
				req.SetBasicAuth(o2ID, "wrong")
			}
			r := send(t, srv, req)
			var body struct{ Error string }
			_ = json.Unmarshal([]byte(r.body), &body)
			if r.status != tt.wantStatus || body.Error != tt.wantError || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
				t.Errorf("got %d %q, want %d %q as JSON", r.status, r.body, tt.wantStatus, tt.wantError)
			}
			if got := strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic"); got != tt.wantBasic {
				t.Errorf("WWW-Authenticate %q, Basic wanted: %t", r.header.Get("WWW-Authenticate"), tt.wantBasic)
			}
		})
	}
}

func TestOAuth2Faults(t *testing.T) {
	t.Parallel()
	srv := oauth2Server(t)
	cfg := oauth2Config(srv)
	srv.InjectFault(applinktest.Fault{Path: applinktest.OAuth2TokenPath, AfterAuth: true})
	// AuthStyleInHeader: auto-detection would try again with the secret in
	// the body.
	cc := clientcredentials.Config{ClientID: o2ID, ClientSecret: o2Secret, TokenURL: srv.OAuth2TokenURL(), AuthStyle: oauth2.AuthStyleInHeader}
	if _, err := cc.Token(oauth2Ctx(t, srv)); err == nil {
		t.Fatal("the after-auth fault did not strike the token endpoint")
	}
	tok := authorizeCode(t, srv, cfg, "alice")
	srv.InjectFault(applinktest.Fault{Status: http.StatusTooManyRequests, Path: "/rest/api/2/myself", AfterAuth: true})
	if r := bearerGet(t, srv, http.MethodGet, "/rest/api/2/myself", tok.AccessToken); r.status != http.StatusTooManyRequests {
		t.Errorf("after-auth fault on a bearer request: %d", r.status)
	}
	if r := bearerGet(t, srv, http.MethodGet, "/rest/api/2/myself", tok.AccessToken); r.status != http.StatusOK {
		t.Errorf("after the fault: %d", r.status)
	}
}

func TestOAuth2ShapeOptions(t *testing.T) {
	t.Parallel()
	c := applinktest.OAuth2Client{ID: "x", Secret: signer.NewSecret("s3cret-TEST-ONLY"), RedirectURL: o2Redirect}
	if _, err := applinktest.Start(applinktest.WithOAuth2Client(c)); err == nil {
		t.Error("an OAuth 2.0 client on the Atlassian shape was accepted")
	}
	for name, bad := range map[string]applinktest.OAuth2Client{
		"no id":        {Secret: signer.NewSecret("s"), RedirectURL: o2Redirect},
		"no secret":    {ID: "x", RedirectURL: o2Redirect},
		"bad redirect": {ID: "x", Secret: signer.NewSecret("s"), RedirectURL: "/callback"},
		"bad scope":    {ID: "x", Secret: signer.NewSecret("s"), RedirectURL: o2Redirect, Scope: "ALL"},
	} {
		if _, err := applinktest.Start(applinktest.WithShape(applinktest.OAuth2), applinktest.WithOAuth2Client(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	printed := []string{fmt.Sprint(c)}
	for _, verb := range []string{"%#v", "%+v", "%d", "%x", "%p"} { // not constant: vet refuses %d and %p of a struct
		printed = append(printed, fmt.Sprintf(verb, c))
	}
	for _, s := range printed {
		if strings.Contains(s, "s3cret") {
			t.Errorf("the client secret printed: %s", s)
		}
	}
	// The OAuth2 shape is Jira: the 1.0a endpoints work beside OAuth 2.0.
	srv := oauth2Server(t, applinktest.WithConsumer(rsaConsumer("app", 0)))
	s := rsaSigner(t, "app", 0)
	tok, _ := dance(t, srv, s, "alice")
	if tok.Key() == "" {
		t.Fatal("no OAuth 1.0a token from the OAuth2 shape")
	}
}
