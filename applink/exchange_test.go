package applink

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/redact"

	"github.com/go-applinks/applinks/signer"
	"github.com/google/go-cmp/cmp"
)

func TestParseTokenResponse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		body    string
		want    tokenResponse
		wantErr bool
	}{
		{name: "request token", body: "oauth_token=abc&oauth_token_secret=s3cr%2Bet&oauth_callback_confirmed=true",
			want: tokenResponse{token: "abc", secret: redact.NewSecret("s3cr+et"), callbackConfirmed: true}},
		{name: "atlassian access token", body: "oauth_token=tok&oauth_token_secret=sec&oauth_expires_in=157680000&oauth_session_handle=h%20h&oauth_authorization_expires_in=160000000\n",
			want: tokenResponse{token: "tok", secret: redact.NewSecret("sec"), expiresIn: 157680000 * time.Second, sessionHandle: redact.NewSecret("h h"), authExpiresIn: 160000000 * time.Second}},
		{name: "empty secret (RSA-SHA1)", body: "oauth_token=tok&oauth_token_secret=",
			want: tokenResponse{token: "tok"}},
		{name: "callback not confirmed", body: "oauth_token=tok&oauth_token_secret=x&oauth_callback_confirmed=false",
			want: tokenResponse{token: "tok", secret: redact.NewSecret("x")}},
		{name: "huge lifetime capped", body: "oauth_token=t&oauth_token_secret=x&oauth_expires_in=99999999999999999",
			want: tokenResponse{token: "t", secret: redact.NewSecret("x"), expiresIn: maxTokenLifetime}},
		{name: "no token", body: "oauth_token_secret=x", wantErr: true},
		{name: "no secret", body: "oauth_token=t", wantErr: true},
		{name: "empty", body: "", wantErr: true},
		{name: "html", body: "<html><body>Login</body></html>", wantErr: true},
		{name: "bad escape", body: "oauth_token=%zz&oauth_token_secret=x", wantErr: true},
		{name: "negative lifetime", body: "oauth_token=t&oauth_token_secret=x&oauth_expires_in=-1", wantErr: true},
		{name: "lifetime not a number", body: "oauth_token=t&oauth_token_secret=x&oauth_authorization_expires_in=soon", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseTokenResponse([]byte(tc.body))
			if tc.wantErr {
				if err == nil {
					t.Fatalf("parseTokenResponse(%q) = %v, want an error", tc.body, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseTokenResponse(%q): %v", tc.body, err)
			}
			if diff := cmp.Diff(tc.want, *got, cmp.AllowUnexported(tokenResponse{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseTokenResponseErrorsDoNotLeak(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		"oauth_token_secret=TOPSECRET",
		"oauth_token=t&oauth_token_secret=TOPSECRET&oauth_expires_in=TOPSECRET",
		"oauth_token=%zz&oauth_token_secret=TOPSECRET",
	} {
		_, err := parseTokenResponse([]byte(body))
		if err == nil || strings.Contains(err.Error(), "TOPSECRET") {
			t.Errorf("parseTokenResponse(%q) error = %v: want an error without the secret", body, err)
		}
	}
}

func FuzzParseTokenResponse(f *testing.F) {
	for _, s := range []string{
		"oauth_token=abc&oauth_token_secret=s&oauth_callback_confirmed=true",
		"oauth_token=tok&oauth_token_secret=sec&oauth_expires_in=157680000&oauth_session_handle=h&oauth_authorization_expires_in=1",
		"oauth_token=%zz", "", "oauth_expires_in=-5", "oauth_token=t&oauth_token_secret=&oauth_expires_in=9223372036854775807",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := parseTokenResponse(body)
		if err != nil {
			return
		}
		if r.token == "" {
			t.Error("accepted a response without oauth_token")
		}
		if r.expiresIn < 0 || r.expiresIn > maxTokenLifetime || r.authExpiresIn < 0 || r.authExpiresIn > maxTokenLifetime {
			t.Errorf("lifetimes out of range: %s, %s", r.expiresIn, r.authExpiresIn)
		}
		// What the parser accepts, a store accepts.
		at := r.accessToken(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		if err := at.Validate(token.Key{LinkID: "l", User: "u"}); err != nil {
			t.Errorf("parsed token not storable: %v", err)
		}
	})
}

func TestJoinBase(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ base, path, want string }{
		{"https://jira.example.com", "/plugins/servlet/oauth/authorize", "https://jira.example.com/plugins/servlet/oauth/authorize"},
		{"https://jira.example.com/", "/a", "https://jira.example.com/a"},
		{"https://example.com/jira/", "/a", "https://example.com/jira/a"},
		{"http://127.0.0.1:8080/jenkins", "bbs-oauth/authorize", "http://127.0.0.1:8080/jenkins/bbs-oauth/authorize"},
		{"https://u:p@example.com/x?q=1#f", "/a", "https://example.com/x/a"},
	} {
		u, err := joinBase(tc.base, tc.path)
		if err != nil {
			t.Errorf("joinBase(%q, %q): %v", tc.base, tc.path, err)
			continue
		}
		if u.String() != tc.want {
			t.Errorf("joinBase(%q, %q) = %s, want %s", tc.base, tc.path, u, tc.want)
		}
	}
	for _, base := range []string{"", "/relative", "ftp://x", "http://", "::"} {
		if u, err := joinBase(base, "/a"); err == nil {
			t.Errorf("joinBase(%q) = %s, want an error", base, u)
		}
	}
}

func TestEndpointsDefaults(t *testing.T) {
	t.Parallel()
	st := &linkState{link: Link{Type: TypeJenkins, Endpoints: Endpoints{AccessToken: "/custom/access"}}}
	want := Endpoints{RequestToken: "/bitbucket/oauth/request-token", Authorize: "/bbs-oauth/authorize", AccessToken: "/custom/access"}
	if diff := cmp.Diff(want, st.endpoints()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// fakeTokenEndpoint is a service whose one link points at a handler.
func fakeTokenEndpoint(t *testing.T, h http.HandlerFunc) *linkState {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	l := Link{ID: testLinkID, Name: "Jira", Type: TypeJira, RPCURL: ts.URL, ConsumerKey: testConsumerKey, Auth: []Auth{Auth3LO}, Secret: token.NewSecret("s")}
	svc := newTestService(t, []Link{l}, WithHTTPClient(ts.Client()), WithTokenStore(token.NewMemoryStore()), WithRetry(RetryPolicy{Max: -1}),
		WithUserAgent("dance-test/1"))
	return svc.stateByID(testLinkID)
}

func TestPostTokenRequest(t *testing.T) {
	t.Parallel()
	var got *http.Request
	st := fakeTokenEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(r.Context())
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true")
	})
	if _, err := st.fetchRequestToken(t.Context(), "oob"); err != nil {
		t.Fatal(err)
	}
	if got.Method != http.MethodPost || got.URL.Path != "/plugins/servlet/oauth/request-token" {
		t.Errorf("request = %s %s, want POST /plugins/servlet/oauth/request-token", got.Method, got.URL.Path)
	}
	if ua := got.Header.Get("User-Agent"); ua != "dance-test/1" {
		t.Errorf("User-Agent = %q", ua)
	}
	params, err := signer.ParseAuthorization(got.Header.Get("Authorization"))
	if err != nil {
		t.Fatal(err)
	}
	if params.Has("oauth_token") {
		t.Error("the request-token call sent oauth_token")
	}
	if cb := params.Get("oauth_callback"); cb != "oob" {
		t.Errorf("oauth_callback = %q, want oob", cb)
	}
}

func TestPostTokenErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		status      int
		header      map[string]string
		body        string
		wantProblem string
		wantIn      []string
	}{
		{"consumer unknown", 401, map[string]string{"WWW-Authenticate": `OAuth realm="x", oauth_problem="consumer_key_unknown"`}, "",
			signer.ProblemConsumerKeyUnknown, []string{"consumer_key_unknown", testConsumerKey, "incoming link"}},
		{"signature invalid with echo", 401, map[string]string{"Content-Type": "text/plain"},
			"oauth_problem=signature_invalid&oauth_signature_base_string=POST%26http%253A%252F%252Fproxy%26oauth_verifier%253DSECRETV",
			signer.ProblemSignatureInvalid, []string{"signature_invalid", "reverse proxy", "proxy"}},
		{"timestamp refused", 400, map[string]string{"WWW-Authenticate": `OAuth oauth_problem="timestamp_refused", oauth_acceptable_timestamps="1-2"`}, "",
			signer.ProblemTimestampRefused, []string{"clocks"}},
		{"html login page", 200, map[string]string{"Content-Type": "text/html"}, "<html>log in</html>", "", []string{"no oauth_token", "endpoint paths"}},
		{"not found", 404, nil, "nope", "", []string{"HTTP 404", "/plugins/servlet/oauth/request-token"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := fakeTokenEndpoint(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			})
			_, err := st.fetchRequestToken(t.Context(), "oob")
			if err == nil {
				t.Fatal("no error")
			}
			if got := problemOf(err); got != tc.wantProblem {
				t.Errorf("problem = %q, want %q (err %v)", got, tc.wantProblem, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "applink: ") {
				t.Errorf("message lacks the package prefix: %s", msg)
			}
			for _, w := range tc.wantIn {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not say %q", msg, w)
				}
			}
			if strings.Contains(msg, "SECRETV") {
				t.Errorf("message shows the verifier: %s", msg)
			}
		})
	}
}

func TestPostTokenContextAndNetwork(t *testing.T) {
	t.Parallel()
	st := fakeTokenEndpoint(t, func(w http.ResponseWriter, r *http.Request) {})
	ctx, cancel := contextWithCancel(t)
	cancel()
	if _, err := st.fetchRequestToken(ctx, "oob"); !errors.Is(err, ctx.Err()) || err != ctx.Err() {
		t.Errorf("canceled: err = %v, want ctx.Err()", err)
	}
	st.link.RPCURL = "http://127.0.0.1:1"
	if _, err := st.fetchRequestToken(t.Context(), "oob"); err == nil || !strings.Contains(err.Error(), "RPC URL") {
		t.Errorf("unreachable: err = %v, want a message about the RPC URL", err)
	}
	st.signer = nil
	if _, err := st.fetchRequestToken(t.Context(), "oob"); err == nil {
		t.Error("a link without a signer made a token call")
	}
}

// TestTokenResponseRedaction prints a parsed token response every way: its
// secret and session handle never show.
func TestTokenResponseRedaction(t *testing.T) {
	t.Parallel()
	const secret, handle = "ACCESS-SECRET-7f3a", "SESSION-HANDLE-9b2c"
	r := tokenResponse{token: "access-token-value", secret: redact.NewSecret(secret), sessionHandle: redact.NewSecret(handle)}
	for _, v := range []any{r, &r} {
		for _, verb := range redactionVerbs {
			out := fmt.Sprintf(verb, v)
			for _, s := range []string{secret, handle, fmt.Sprintf("%x", secret), fmt.Sprintf("%x", handle)} {
				if strings.Contains(out, s) {
					t.Errorf("%T under %s leaks %s: %s", v, verb, s, out)
				}
			}
		}
	}
}
