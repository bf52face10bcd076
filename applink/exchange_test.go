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
	"github.com/go-applinks/applinks/internal/oauth1link"

	"github.com/go-applinks/applinks/signer"
	"github.com/google/go-cmp/cmp"
)

func FuzzParseTokenResponse(f *testing.F) {
	for _, s := range []string{
		"oauth_token=abc&oauth_token_secret=s&oauth_callback_confirmed=true",
		"oauth_token=tok&oauth_token_secret=sec&oauth_expires_in=157680000&oauth_session_handle=h&oauth_authorization_expires_in=1",
		"oauth_token=%zz", "", "oauth_expires_in=-5", "oauth_token=t&oauth_token_secret=&oauth_expires_in=9223372036854775807",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := oauth1link.ParseTokenResponse(body)
		if err != nil {
			return
		}
		if r.Token == "" {
			t.Error("accepted a response without oauth_token")
		}
		if r.ExpiresIn < 0 || r.ExpiresIn > oauth1link.MaxLifetime || r.AuthExpiresIn < 0 || r.AuthExpiresIn > oauth1link.MaxLifetime {
			t.Errorf("lifetimes out of range: %s, %s", r.ExpiresIn, r.AuthExpiresIn)
		}
		// What the parser accepts, a store accepts.
		at := oauth1AccessToken(r, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		if err := at.Validate(token.Key{LinkID: "l", User: "u"}); err != nil {
			t.Errorf("parsed token not storable: %v", err)
		}
	})
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
