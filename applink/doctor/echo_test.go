package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/oauth2link"
)

// echoServer is an OAuth 2.0 remote that echoes, in every error it
// answers, the credentials the SDK sent it (as Spring-style servers and
// gateways do), and records them so that the test checks the values really
// sent. Its resource answers 403 insufficient_scope.
type echoServer struct {
	*httptest.Server
	mu   sync.Mutex
	sent []string
}

// record keeps every value of a request that may be secret: form values
// and the Authorization header's credentials.
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

func newEchoServer(t *testing.T) *echoServer {
	t.Helper()
	s := &echoServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		echo := s.record(r)
		switch r.URL.Path {
		case oauth2link.DefaultAuthorizePath:
			_, _ = io.WriteString(w, "<html>log in</html>")
		case oauth2link.DefaultTokenPath:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant",
				"error_description": "refused: " + echo, "error_uri": "https://idp.example/err?sent=" + url.QueryEscape(echo),
				"message": echo, "request": r.PostForm.Encode()})
		case "/rest/api/2/myself":
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="jira", error="insufficient_scope", error_description=%q, scope=%q`, "token "+echo+" refused", "WRITE "+echo))
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `{"errorMessages":["token %s refused"]}`, echo)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// TestDiagnoseEchoedBearerMasked: the doctor's evidence quotes the bodies
// of the remote's answers; a remote that echoes the bearer token in them
// has it masked there too.
func TestDiagnoseEchoedBearerMasked(t *testing.T) {
	t.Parallel()
	const bearer = "BEARER-SECRET-3f08"
	srv := newEchoServer(t)
	store := token.NewMemoryStore()
	l := applink.Link{ID: testLinkID, Name: "jira", Type: applink.TypeJira, RPCURL: srv.URL, Auth: []applink.Auth{applink.AuthOAuth2},
		OAuth2: &applink.OAuth2Client{ClientID: "client id", RedirectURL: "http://127.0.0.1:9/callback", ClientSecret: token.NewSecret("CLIENT-SECRET-9e51")}}
	svc, err := applink.NewService([]applink.Link{l}, applink.WithTokenStore(store), applink.WithHTTPClient(srv.Client()), applink.WithRetry(applink.RetryPolicy{Max: -1}))
	if err != nil {
		t.Fatal(err)
	}
	tok := token.NewOAuth2AccessToken(bearer, "REFRESH-SECRET-0c77")
	tok.ExpiresAt = time.Now().Add(time.Hour)
	if err := store.PutAccessToken(t.Context(), token.Key{LinkID: testLinkID, User: "alice"}, tok); err != nil {
		t.Fatal(err)
	}
	bound, err := svc.Link(testLinkID)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	rep, err := Diagnose(ctx, bound, "alice")
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	out := fmt.Sprintf("%+v %s", rep, js)
	for _, c := range rep.Checks {
		out += " " + c.Summary + " " + strings.Join(c.Evidence, " ")
	}
	for _, secret := range srv.secrets(bearer, "REFRESH-SECRET-0c77", "CLIENT-SECRET-9e51") {
		if strings.Contains(out, secret) {
			t.Errorf("the report shows the sent secret %q:\n%s", secret, out)
		}
	}
}
