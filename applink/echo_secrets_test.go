package applink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/internal/oauth2link"
	"github.com/go-applinks/applinks/internal/testclock"
	"github.com/go-applinks/applinks/signer"
)

// echoServer is a remote that echoes, in every error it answers, every
// value the SDK sent it: Spring-style servers put the refresh token or the
// bearer in error_description, and a gateway may echo the whole request
// (the client secret, the Basic credentials) in its error page. It records
// what was sent, so the test checks the values the SDK really sent.
type echoServer struct {
	*httptest.Server
	// token says how the token endpoint answers: "json" (400 with the echo
	// in error_description, error_uri and other members), "text" (502 with
	// the echo in a text body) or "broken" (200 with a body that is not
	// JSON, holding the echo).
	token string
	// resource is the status of /rest/api/2/myself: 401 invalid_token or
	// 403 insufficient_scope, the echo in the Bearer challenge and body.
	resource int

	mu   sync.Mutex
	sent []string
}

// record keeps every value of a request that may be secret: form values,
// the Authorization header and its credentials.
func (s *echoServer) record(r *http.Request) string {
	_ = r.ParseForm()
	s.mu.Lock()
	defer s.mu.Unlock()
	var vals []string
	for k, vs := range r.PostForm {
		if k == "grant_type" || k == "redirect_uri" || k == "client_id" || k == "scope" {
			continue
		}
		vals = append(vals, vs...)
	}
	if h := r.Header.Get("Authorization"); h != "" {
		_, cred, _ := strings.Cut(h, " ")
		vals = append(vals, cred)
	}
	s.sent = append(s.sent, vals...)
	return strings.Join(vals, " ")
}

// secrets returns what the SDK sent, with what the test gave it.
func (s *echoServer) secrets(known ...string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, v := range append(append([]string(nil), s.sent...), known...) {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

func newEchoServer(t *testing.T, token string, resource int) *echoServer {
	t.Helper()
	s := &echoServer{token: token, resource: resource}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		echo := s.record(r)
		switch r.URL.Path {
		case oauth2link.DefaultAuthorizePath:
			_, _ = io.WriteString(w, "<html>log in</html>")
		case oauth2link.DefaultTokenPath:
			switch s.token {
			case "json":
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant",
					"error_description": "refused: " + echo, "error_uri": "https://idp.example/err?sent=" + url.QueryEscape(echo),
					"message": echo, "request": r.PostForm.Encode()})
			case "text":
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(http.StatusBadGateway)
				fmt.Fprintf(w, "gateway error for %s: %s %s", r.Header.Get("Authorization"), echo, r.PostForm.Encode())
			case "broken":
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, "{not json %s %s", echo, r.PostForm.Encode())
			}
		case "/rest/api/2/myself":
			if s.resource == http.StatusNotFound {
				http.Error(w, "no such page for the token "+echo, http.StatusNotFound)
				return
			}
			if s.resource == 0 {
				t.Errorf("a request reached the resource without a token")
				w.WriteHeader(http.StatusTeapot)
				return
			}
			code := "invalid_token"
			if s.resource == http.StatusForbidden {
				code = "insufficient_scope"
			}
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="jira", error=%q, error_description=%q, scope=%q`, code, "token "+echo+" refused", "WRITE "+echo))
			w.WriteHeader(s.resource)
			fmt.Fprintf(w, `{"errorMessages":["token %s refused"]}`, echo)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// TestRemoteEchoedSecretsMasked: whatever a remote echoes of what the SDK
// sent it in an exchange (bearer, refresh token, client secret, Basic
// credentials, authorization code, PKCE verifier) appears in no error
// message, no fmt verb of the error, and no log line.
func TestRemoteEchoedSecretsMasked(t *testing.T) {
	t.Parallel()
	const (
		clientSecret = "CLIENT-SECRET-e4a1"
		bearer       = "BEARER-SECRET-77b2"
		refresh      = "REFRESH-SECRET-c93f"
		code         = "CODE-SECRET-51d0"
	)
	type exchange func(ctx context.Context, f *RequestFactory) error
	request := func(ctx context.Context, f *RequestFactory) error {
		req, err := f.NewRequest(http.MethodGet, "/rest/api/2/myself")
		if err != nil {
			return err
		}
		resp, err := req.Do(ctx)
		if err == nil {
			resp.Body.Close()
			return errors.New("the request succeeded")
		}
		return err
	}
	authorize := func(ctx context.Context, f *RequestFactory) error {
		return authorizeOutOfBand(ctx, f, func(_ context.Context, authURL string) (string, error) {
			u, err := url.Parse(authURL)
			if err != nil {
				return "", err
			}
			q := u.Query()
			return q.Get("redirect_uri") + "?" + url.Values{"code": {code}, "state": {q.Get("state")}}.Encode(), nil
		})
	}
	tests := []struct {
		name     string
		token    string // how the token endpoint answers
		resource int
		auth     Auth
		basic    bool
		stored   string // "": none; "expired": a bearer that has expired; "valid": one that has not
		run      exchange
	}{
		{"code exchange, JSON", "json", 0, AuthOAuth2, false, "", authorize},
		{"code exchange, Basic, JSON", "json", 0, AuthOAuth2, true, "", authorize},
		{"code exchange, gateway text", "text", 0, AuthOAuth2, true, "", authorize},
		{"code exchange, broken JSON", "broken", 0, AuthOAuth2, false, "", authorize},
		{"refresh, JSON", "json", 0, AuthOAuth2, false, "expired", request},
		{"refresh, Basic, gateway text", "text", 0, AuthOAuth2, true, "expired", request},
		{"refresh, broken JSON", "broken", 0, AuthOAuth2, false, "expired", request},
		{"client credentials, JSON", "json", 0, AuthClientCredentials, false, "", request},
		{"client credentials, Basic, text", "text", 0, AuthClientCredentials, true, "", request},
		{"bearer 403 insufficient_scope", "json", http.StatusForbidden, AuthOAuth2, false, "valid", request},
		{"bearer 401 invalid_token, then refresh", "json", http.StatusUnauthorized, AuthOAuth2, false, "valid", request},
		{"bearer 401 invalid_token, then refresh, Basic text", "text", http.StatusUnauthorized, AuthOAuth2, true, "valid", request},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			srv := newEchoServer(t, tt.token, tt.resource)
			clock := testclock.New(testclock.Start)
			store := token.NewMemoryStore(token.WithClock(clock.Now))
			var logs bytes.Buffer
			var logMu sync.Mutex
			logger := slog.New(slog.NewTextHandler(lockedWriter{&logMu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
			clientAuth := ""
			if tt.basic {
				clientAuth = "basic"
			}
			l := Link{ID: testLinkID, Name: "jira", Type: TypeJira, RPCURL: srv.URL, Auth: []Auth{tt.auth},
				OAuth2: &OAuth2Client{ClientID: "client id", ClientAuth: clientAuth, RedirectURL: "http://127.0.0.1:9/callback", ClientSecret: token.NewSecret(clientSecret)},
			}
			svc := newTestService(t, []Link{l}, WithTokenStore(store), WithClock(clock.Now), WithHTTPClient(srv.Client()),
				WithLogger(logger), WithRetry(RetryPolicy{Max: -1}))
			if tt.stored != "" {
				tok := token.NewOAuth2AccessToken(bearer, refresh)
				tok.CreatedAt, tok.ExpiresAt = clock.Now().Add(-2*time.Hour), clock.Now().Add(time.Hour)
				if tt.stored == "expired" {
					tok.ExpiresAt = clock.Now().Add(-time.Hour)
				}
				if err := store.PutAccessToken(ctx, token.Key{LinkID: testLinkID, User: "alice"}, tok); err != nil {
					t.Fatal(err)
				}
			}
			bound, err := svc.Link(testLinkID)
			if err != nil {
				t.Fatal(err)
			}
			user, opts := "alice", []Option(nil)
			if tt.auth == AuthClientCredentials {
				user, opts = "", []Option{WithNonImpersonatingOnly()}
			}
			f, err := bound.RequestFactory(user, opts...)
			if err != nil {
				t.Fatal(err)
			}
			err = tt.run(ctx, f)
			if err == nil {
				t.Fatal("no error")
			}
			secrets := srv.secrets(clientSecret)
			if tt.stored != "" {
				secrets = append(secrets, bearer, refresh)
			}
			if len(secrets) < 2 {
				t.Fatalf("the server recorded nothing sent: %q", secrets)
			}
			logMu.Lock()
			logged := logs.String()
			logMu.Unlock()
			outs := map[string]string{"Error()": err.Error(), "logs": logged}
			for _, verb := range []string{"%v", "%+v", "%#v", "%q"} {
				outs[verb] = fmt.Sprintf(verb, err)
			}
			for e := err; e != nil; e = errors.Unwrap(e) {
				outs[fmt.Sprintf("%T in the chain", e)] += e.Error() + fmt.Sprintf(" %+v", e)
			}
			for where, out := range outs {
				for _, s := range secrets {
					if strings.Contains(out, s) {
						t.Errorf("%s shows the sent secret %q:\n%s", where, s, out)
					}
				}
			}
			t.Logf("error: %v", err)
		})
	}
}

// lockedWriter serializes writes to a buffer that the test reads.
type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestRemoteEchoedOAuth10SecretsMasked: an OAuth 1.0a access token
// endpoint that echoes the verifier and the request token's secret in its
// problem advice, problem and extra parameters has them masked in the
// error, every fmt verb, the problem's fields and the logs.
func TestRemoteEchoedOAuth10SecretsMasked(t *testing.T) {
	t.Parallel()
	const (
		requestSecret = "REQUEST-TOKEN-SECRET-0d3e"
		verifier      = "VERIFIER-SECRET-a7c2"
	)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/plugins/servlet/oauth/request-token":
			fmt.Fprint(w, url.Values{"oauth_token": {"rt-1"}, "oauth_token_secret": {requestSecret}, "oauth_callback_confirmed": {"true"}}.Encode())
		case "/plugins/servlet/oauth/access-token":
			echo := r.Header.Get("Authorization") + " " + requestSecret
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, url.Values{"oauth_problem": {"permission_denied " + verifier}, "oauth_problem_advice": {"you sent " + echo},
				"oauth_parameters_rejected": {"oauth_verifier=" + verifier}, "xoauth_echo": {echo}}.Encode())
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(ts.Close)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var logs bytes.Buffer
	var logMu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&logMu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	l := Link{ID: testLinkID, Name: "Jira", Type: TypeJira, RPCURL: ts.URL, ConsumerKey: testConsumerKey, Auth: []Auth{Auth3LO}, PrivateKey: testKey(t)}
	svc := newTestService(t, []Link{l}, WithHTTPClient(ts.Client()), WithTokenStore(token.NewMemoryStore()), WithRetry(RetryPolicy{Max: -1}), WithLogger(logger))
	bound, err := svc.Link(testLinkID)
	if err != nil {
		t.Fatal(err)
	}
	f, err := bound.RequestFactory("alice")
	if err != nil {
		t.Fatal(err)
	}
	u, err := f.AuthorizationURL(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	err = f.CompleteAuthorization(ctx, u.Query().Get("oauth_token"), verifier)
	var pe *signer.ProblemError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a *signer.ProblemError inside", err)
	}
	logMu.Lock()
	logged := logs.String()
	logMu.Unlock()
	outs := map[string]string{"Error()": err.Error(), "logs": logged, "problem fields": fmt.Sprint(pe.Problem, pe.Advice, pe.ParametersRejected, pe.Extra)}
	for _, verb := range []string{"%v", "%+v", "%#v", "%q"} {
		outs[verb] = fmt.Sprintf(verb, err)
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		outs[fmt.Sprintf("%T in the chain", e)] += e.Error()
	}
	for where, out := range outs {
		for _, s := range []string{requestSecret, verifier} {
			if strings.Contains(out, s) {
				t.Errorf("%s shows the sent secret %q:\n%s", where, s, out)
			}
		}
	}
	t.Logf("error: %v", err)
}

// TestExecuteEchoedBearerMasked: a resource's error page that echoes the
// bearer token is quoted by *handler.ResponseError with the token masked.
func TestExecuteEchoedBearerMasked(t *testing.T) {
	t.Parallel()
	const bearer = "BEARER-SECRET-d41a"
	srv := newEchoServer(t, "json", http.StatusNotFound)
	store := token.NewMemoryStore()
	l := Link{ID: testLinkID, Name: "jira", Type: TypeJira, RPCURL: srv.URL, Auth: []Auth{AuthOAuth2},
		OAuth2: &OAuth2Client{ClientID: "client id", RedirectURL: "http://127.0.0.1:9/callback", ClientSecret: token.NewSecret("CLIENT-SECRET-77aa")}}
	svc := newTestService(t, []Link{l}, WithTokenStore(store), WithHTTPClient(srv.Client()), WithRetry(RetryPolicy{Max: -1}))
	tok := token.NewOAuth2AccessToken(bearer, "REFRESH-SECRET-5b2c")
	tok.ExpiresAt = time.Now().Add(time.Hour)
	if err := store.PutAccessToken(t.Context(), token.Key{LinkID: testLinkID, User: "alice"}, tok); err != nil {
		t.Fatal(err)
	}
	bound, err := svc.Link(testLinkID)
	if err != nil {
		t.Fatal(err)
	}
	f, err := bound.RequestFactory("alice")
	if err != nil {
		t.Fatal(err)
	}
	req, err := f.NewRequest(http.MethodGet, "/rest/api/2/myself")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	_, err = Execute(ctx, req, handler.JSON[map[string]any]())
	var re *handler.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusNotFound {
		t.Fatalf("err = %v, want a 404 *handler.ResponseError", err)
	}
	out := fmt.Sprintf("%v %+v %#v %s", err, err, err, re.Body)
	if strings.Contains(out, bearer) {
		t.Errorf("the error shows the bearer token:\n%s", out)
	}
	if !strings.Contains(string(re.Body), "no such page for the token REDACTED") {
		t.Errorf("Body = %q, want the page with the token masked", re.Body)
	}
}
