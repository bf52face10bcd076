package oauth2link_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/internal/oauth2link"
	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/signer"
)

const redirect = "http://127.0.0.1:9/callback"

func setup(t *testing.T, basic bool) (*applinktest.Server, *oauth2link.Config) {
	t.Helper()
	srv := applinktest.NewServer(t, applinktest.WithShape(applinktest.OAuth2), applinktest.WithUsers("alice", "robot"),
		applinktest.WithOAuth2Client(applinktest.OAuth2Client{ID: "app", Secret: signer.NewSecret("s3cret-TEST-ONLY"), RedirectURL: redirect, ServiceUser: "robot"}))
	return srv, &oauth2link.Config{
		ClientID: "app", ClientSecret: redact.NewSecret("s3cret-TEST-ONLY"), RedirectURL: redirect, Scopes: []string{"WRITE"},
		AuthorizationURL: srv.OAuth2AuthorizationURL(), TokenURL: srv.OAuth2TokenURL(), BasicAuth: basic, Client: srv.Client(),
	}
}

func code(t *testing.T, srv *applinktest.Server, authURL string) string {
	t.Helper()
	to, err := srv.ApproveOAuth2(authURL, "alice")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(to)
	if u.Query().Get("state") != "st" {
		t.Fatalf("state not echoed: %s", u.Redacted())
	}
	return u.Query().Get("code")
}

func TestFlow(t *testing.T) {
	t.Parallel()
	for _, basic := range []bool{false, true} {
		t.Run(fmt.Sprint("basic=", basic), func(t *testing.T) {
			t.Parallel()
			srv, cfg := setup(t, basic)
			v := oauth2link.GenerateVerifier()
			authURL := cfg.AuthCodeURL("st", v)
			if q, _ := url.Parse(authURL); q.Query().Get("code_challenge_method") != "S256" {
				t.Fatalf("no S256 challenge in %s", authURL)
			}
			tok, err := cfg.Exchange(t.Context(), code(t, srv, authURL), v)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"WRITE"}, tok.Scopes); diff != "" || tok.Refresh.IsZero() || tok.ExpiresIn != time.Hour {
				t.Fatalf("token: scopes (-want +got) %s, refresh set %t, expires in %v", diff, !tok.Refresh.IsZero(), tok.ExpiresIn)
			}
			fresh, err := cfg.Refresh(t.Context(), tok.Refresh.Reveal())
			if err != nil {
				t.Fatalf("refresh (redirect_uri must be sent): %v", err)
			}
			if fresh.Refresh.Equal(tok.Refresh) || fresh.Access.Equal(tok.Access) {
				t.Fatal("the tokens did not rotate")
			}
			_, err = cfg.Refresh(t.Context(), tok.Refresh.Reveal())
			var e *oauth2link.Error
			if !errors.As(err, &e) || e.Code != oauth2link.CodeInvalidGrant || e.Status != http.StatusBadRequest {
				t.Fatalf("reusing the old refresh token: %v, want invalid_grant", err)
			}
			if strings.Contains(err.Error(), tok.Refresh.Reveal()) {
				t.Error("the error shows the refresh token")
			}
			cc, err := cfg.ClientCredentials(t.Context())
			if err != nil || cc.Access.IsZero() || !cc.Refresh.IsZero() {
				t.Fatalf("client credentials: %v", err)
			}
			n := 0
			for _, r := range srv.Requests() {
				if r.Grant == applinktest.GrantRefreshToken {
					n++
				}
			}
			if n != 2 {
				t.Errorf("%d refresh requests, want 2 (no retry with another auth style)", n)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	srv, cfg := setup(t, false)
	bad := *cfg
	bad.ClientSecret = redact.NewSecret("wrong")
	_, err := bad.ClientCredentials(t.Context())
	var e *oauth2link.Error
	if !errors.As(err, &e) || e.Code != oauth2link.CodeInvalidClient || strings.Contains(err.Error(), "wrong") {
		t.Errorf("wrong secret: %v", err)
	}
	v := oauth2link.GenerateVerifier()
	_, err = cfg.Exchange(t.Context(), code(t, srv, cfg.AuthCodeURL("st", v)), oauth2link.GenerateVerifier())
	if !errors.As(err, &e) || e.Code != oauth2link.CodeInvalidGrant {
		t.Errorf("wrong verifier: %v", err)
	}
	if _, err := cfg.Refresh(t.Context(), ""); !errors.As(err, &e) || e.Code != oauth2link.CodeInvalidGrant {
		t.Errorf("no refresh token: %v", err)
	}
	// A redirect from the token endpoint is not followed.
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.OAuth2TokenURL(), http.StatusTemporaryRedirect)
	})
	redir := applinktest.NewServer(t)
	redir.Handle("/token", mux)
	moved := *cfg
	moved.TokenURL, moved.Client = redir.URL+"/token", nil
	if _, err := moved.ClientCredentials(t.Context()); err == nil {
		t.Error("a redirected token request succeeded")
	}
}

func TestParseBearerChallenge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header string
		want   oauth2link.BearerChallenge
		ok     bool
	}{
		{`Bearer realm="x", error="invalid_token", error_description="The access token expired"`,
			oauth2link.BearerChallenge{Code: "invalid_token", Description: "The access token expired"}, true},
		{`Bearer error="insufficient_scope", scope="WRITE"`, oauth2link.BearerChallenge{Code: "insufficient_scope", Scope: "WRITE"}, true},
		{`Bearer error=invalid_token`, oauth2link.BearerChallenge{Code: "invalid_token"}, true},
		{`bearer error="a \"quoted\" one"`, oauth2link.BearerChallenge{Code: `a "quoted" one`}, true},
		{`Bearer`, oauth2link.BearerChallenge{}, true},
		{`OAuth realm="x", oauth_problem="token_expired"`, oauth2link.BearerChallenge{}, false},
		{``, oauth2link.BearerChallenge{}, false},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.header != "" {
			h.Set("WWW-Authenticate", tt.header)
		}
		got, ok := oauth2link.ParseBearerChallenge(h)
		if ok != tt.ok || got != tt.want {
			t.Errorf("%q: got %+v, %t; want %+v, %t", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzParseBearerChallenge(f *testing.F) {
	f.Add(`Bearer realm="x", error="invalid_token"`)
	f.Add(`Bearer error="\`)
	f.Fuzz(func(t *testing.T, s string) {
		h := http.Header{"Www-Authenticate": {s}}
		_, _ = oauth2link.ParseBearerChallenge(h)
	})
}

// TestRefusal: a 401 or 403 with a Bearer challenge, masked of the bearer
// the request carried; a 401 without a code is invalid_token.
func TestRefusal(t *testing.T) {
	t.Parallel()
	const bearer = "bearer-TEST-ONLY"
	req, _ := http.NewRequest(http.MethodGet, "https://jira.example.com/rest", nil)
	req.Header.Set("Authorization", "Bearer "+bearer)
	for _, tt := range []struct {
		status    int
		challenge string
		want      oauth2link.BearerChallenge
		ok        bool
	}{
		{401, `Bearer error="invalid_token", error_description="token ` + bearer + ` expired"`,
			oauth2link.BearerChallenge{Code: "invalid_token", Description: "token REDACTED expired"}, true},
		{401, `Bearer realm="jira"`, oauth2link.BearerChallenge{Code: "invalid_token"}, true},
		{403, `Bearer error="insufficient_scope", scope="ADMIN"`, oauth2link.BearerChallenge{Code: "insufficient_scope", Scope: "ADMIN"}, true},
		{403, `Bearer realm="jira"`, oauth2link.BearerChallenge{}, true},
		{401, `OAuth oauth_problem="token_rejected"`, oauth2link.BearerChallenge{}, false},
		{500, `Bearer error="invalid_token"`, oauth2link.BearerChallenge{}, false},
	} {
		resp := &http.Response{StatusCode: tt.status, Header: http.Header{"Www-Authenticate": {tt.challenge}}, Request: req}
		got, ok := oauth2link.Refusal(resp)
		if ok != tt.ok || got != tt.want {
			t.Errorf("%d %s: got %+v, %v; want %+v, %v", tt.status, tt.challenge, got, ok, tt.want, tt.ok)
		}
	}
	if got := oauth2link.SentBearer(nil); got != "" {
		t.Errorf("SentBearer(nil) = %q", got)
	}
}
