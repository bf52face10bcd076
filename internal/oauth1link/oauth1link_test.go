package oauth1link

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-applinks/applinks/internal/redact"
)

func TestParseTokenResponse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		body    string
		want    TokenResponse
		wantErr bool
	}{
		{name: "request token", body: "oauth_token=abc&oauth_token_secret=s3cr%2Bet&oauth_callback_confirmed=true",
			want: TokenResponse{Token: "abc", Secret: redact.NewSecret("s3cr+et"), CallbackConfirmed: true}},
		{name: "atlassian access token", body: "oauth_token=tok&oauth_token_secret=sec&oauth_expires_in=157680000&oauth_session_handle=h%20h&oauth_authorization_expires_in=160000000\n",
			want: TokenResponse{Token: "tok", Secret: redact.NewSecret("sec"), ExpiresIn: 157680000 * time.Second, SessionHandle: redact.NewSecret("h h"), AuthExpiresIn: 160000000 * time.Second}},
		{name: "empty secret (RSA-SHA1)", body: "oauth_token=tok&oauth_token_secret=",
			want: TokenResponse{Token: "tok"}},
		{name: "callback not confirmed", body: "oauth_token=tok&oauth_token_secret=x&oauth_callback_confirmed=false",
			want: TokenResponse{Token: "tok", Secret: redact.NewSecret("x")}},
		{name: "huge lifetime capped", body: "oauth_token=t&oauth_token_secret=x&oauth_expires_in=99999999999999999",
			want: TokenResponse{Token: "t", Secret: redact.NewSecret("x"), ExpiresIn: MaxLifetime}},
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
			got, err := ParseTokenResponse([]byte(tc.body))
			if tc.wantErr {
				if err == nil {
					t.Fatalf("ParseTokenResponse(%q) = %v, want an error", tc.body, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTokenResponse(%q): %v", tc.body, err)
			}
			if diff := cmp.Diff(tc.want, *got); diff != "" {
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
		_, err := ParseTokenResponse([]byte(body))
		if err == nil || strings.Contains(err.Error(), "TOPSECRET") {
			t.Errorf("ParseTokenResponse(%q) error = %v: want an error without the secret", body, err)
		}
	}
}

// TestTokenResponseRedaction prints a parsed token response every way: its
// secret and session handle never show.
func TestTokenResponseRedaction(t *testing.T) {
	t.Parallel()
	const secret, handle = "ACCESS-SECRET-7f3a", "SESSION-HANDLE-9b2c"
	r := TokenResponse{Token: "access-token-value", Secret: redact.NewSecret(secret), SessionHandle: redact.NewSecret(handle)}
	for _, v := range []any{r, &r} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%X", "%10v", "%-8s", "%t", "%o", "%e", "%+d", "%p", "%!"} { // not constant: vet refuses some
			out := fmt.Sprintf(verb, v)
			for _, s := range []string{secret, handle, fmt.Sprintf("%x", secret), fmt.Sprintf("%x", handle)} {
				if strings.Contains(out, s) {
					t.Errorf("%T under %s leaks %s: %s", v, verb, s, out)
				}
			}
		}
	}
}

// TestPost: a signed POST without a body, its answer read up to
// MaxResponse; a client's error says what failed and unwraps to the cause.
func TestPost(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Authorization") != "OAuth signed" || r.Header.Get("User-Agent") != "agent" || r.ContentLength != 0 {
			t.Errorf("unexpected request %s %v", r.Method, r.Header)
		}
		if r.URL.Path == "/big" {
			_, _ = io.WriteString(w, strings.Repeat("x", MaxResponse+10))
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	sign := func(r *http.Request) error { r.Header.Set("Authorization", "OAuth signed"); return nil }
	resp, body, err := Post(t.Context(), srv.Client(), srv.URL+"/big", "agent", sign)
	if err != nil || resp.StatusCode != http.StatusOK || len(body) != MaxResponse {
		t.Fatalf("Post = %v, %d bytes, %v", resp, len(body), err)
	}
	refused := errors.New("refused redirect")
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return refused }}
	if _, _, err := Post(t.Context(), c, srv.URL+"/token", "agent", sign); !errors.Is(err, refused) || !strings.Contains(err.Error(), "POST "+srv.URL+"/token") {
		t.Errorf("Post through a client that refuses redirects = %v", err)
	}
	signErr := errors.New("no key")
	if _, _, err := Post(t.Context(), c, srv.URL, "", func(*http.Request) error { return signErr }); err != signErr {
		t.Errorf("Post with a failing signer = %v, want %v", err, signErr)
	}
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if e, a := (&TokenResponse{ExpiresIn: time.Hour}).Expiry(now); !e.Equal(now.Add(time.Hour)) || !a.IsZero() {
		t.Errorf("Expiry = %v, %v; want an hour from now and zero", e, a)
	}
	if e, a := (&TokenResponse{AuthExpiresIn: time.Minute}).Expiry(now); !e.IsZero() || !a.Equal(now.Add(time.Minute)) {
		t.Errorf("Expiry = %v, %v; want zero and a minute from now", e, a)
	}
}

func TestCheckCallback(t *testing.T) {
	t.Parallel()
	for in, ok := range map[string]bool{
		"": true, "oob": true, "https://app.example.com/cb?x=1": true, "http://127.0.0.1:8080/cb": true,
		"/cb": false, "ftp://app.example.com/cb": false, "https://app.example.com/cb#f": false, "https://": false,
		"https://app.example.com/a-long-callback-path-that-is-cut#f": false,
	} {
		err := CheckCallback(in)
		if (err == nil) != ok {
			t.Errorf("CheckCallback(%q) = %v, want ok %v", in, err, ok)
		}
		if err != nil && strings.Contains(err.Error(), "that-is-cut") {
			t.Errorf("CheckCallback(%q) = %v: the callback is quoted whole", in, err)
		}
	}
}

func TestAuthorizeURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ base, path, callback, want string }{
		{"https://jira.example.com/jira/", "/plugins/servlet/oauth/authorize", "", "https://jira.example.com/jira/plugins/servlet/oauth/authorize?oauth_token=t+1"},
		{"https://ci.example.com", "/bbs-oauth/authorize", "https://app.example.com/cb?a=1", "https://ci.example.com/bbs-oauth/authorize?oauth_callback=https%3A%2F%2Fapp.example.com%2Fcb%3Fa%3D1&oauth_token=t+1"},
	} {
		u, err := AuthorizeURL(tt.base, tt.path, "t 1", tt.callback)
		if err != nil || u.String() != tt.want {
			t.Errorf("AuthorizeURL(%q, %q, %q) = %v, %v; want %s", tt.base, tt.path, tt.callback, u, err, tt.want)
		}
	}
	if _, err := AuthorizeURL("::", "/a", "t", ""); err == nil {
		t.Error("AuthorizeURL with a bad base: no error")
	}
}

func TestVerifierFromInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"abc123", "abc123"},
		{"  abc123\n", "abc123"},
		{"http://jenkins:8080/bbs-oauth/authorize/oob?oauth_token=T&oauth_verifier=Xy12Zq", "Xy12Zq"},
		{"oauth_token=T&oauth_verifier=Xy12Zq&x=1", "Xy12Zq"},
		{"oauth_verifier=", "oauth_verifier="},
		{"", ""},
	} {
		if got := VerifierFromInput(tc.in); got != tc.want {
			t.Errorf("VerifierFromInput(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzVerifierFromInput(f *testing.F) {
	f.Add("abc123")
	f.Add("http://j/oob?oauth_token=T&oauth_verifier=Xy12Zq")
	f.Add("oauth_verifier=%zz")
	f.Fuzz(func(t *testing.T, s string) {
		got := VerifierFromInput(s)
		if got != strings.TrimSpace(got) && !strings.Contains(s, "oauth_verifier=") {
			t.Errorf("VerifierFromInput(%q) = %q: not trimmed", s, got)
		}
	})
}
