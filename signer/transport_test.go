package signer

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// recorder is a provider that checks every request's HMAC-SHA1 signature
// and records its nonce and body.
type recorder struct {
	t      *testing.T
	mu     sync.Mutex
	nonces []string
	bodies []string
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	base, err := BaseString(r)
	if err != nil {
		rec.t.Errorf("provider: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p, err := ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		rec.t.Errorf("provider: %v", err)
		return
	}
	if err := VerifyHMACSHA1("cs", "ts", base, p.Get("oauth_signature")); err != nil {
		rec.t.Errorf("provider: %s %s: signature does not verify over %s", r.Method, r.URL, base)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.nonces = append(rec.nonces, p.Get("oauth_nonce"))
	rec.bodies = append(rec.bodies, string(body))
	rec.mu.Unlock()
	if r.URL.Path == "/redirect" {
		http.Redirect(w, r, "/target", http.StatusTemporaryRedirect)
		return
	}
	io.WriteString(w, "ok")
}

func newTestTransport(t *testing.T, srvURL string, base http.RoundTripper) (*Transport, *atomic.Int32) {
	t.Helper()
	origin, err := url.Parse(srvURL)
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	return &Transport{
		Signer: mustNew(t, "ck", mustHMAC(t, "cs")),
		Origin: origin,
		Params: func(*http.Request) (Params, error) {
			calls.Add(1)
			return Params{Token: NewToken("tok", "ts")}, nil
		},
		Base: base,
	}, &calls
}

func TestTransportSignsEveryAttempt(t *testing.T) {
	t.Parallel()
	rec := &recorder{t: t}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	tr, calls := newTestTransport(t, srv.URL, nil)
	client := &http.Client{Transport: tr}

	req, err := http.NewRequestWithContext(t.Context(), "POST", srv.URL+"/redirect?q=a+b",
		strings.NewReader("field=x+y&field=%C3%BC"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if req.Header.Get("Authorization") != "" {
		t.Error("the caller's request was changed: it has an Authorization header")
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.nonces) != 2 {
		t.Fatalf("provider saw %d signed requests, want 2 (request and redirect)", len(rec.nonces))
	}
	if rec.nonces[0] == rec.nonces[1] {
		t.Error("the redirect reused the nonce")
	}
	for i, b := range rec.bodies {
		if b != "field=x+y&field=%C3%BC" {
			t.Errorf("attempt %d: body %q", i, b)
		}
	}
	if got := calls.Load(); got != 2 {
		t.Errorf("Params called %d times, want 2", got)
	}
}

func TestTransportRetryReplaysBody(t *testing.T) {
	t.Parallel()
	rec := &recorder{t: t}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	tr, _ := newTestTransport(t, srv.URL, srv.Client().Transport)

	req, err := http.NewRequestWithContext(t.Context(), "PUT", srv.URL+"/x", strings.NewReader("a=1"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for attempt := range 3 {
		// What a retrying client does: a fresh body from GetBody each time.
		if attempt > 0 {
			if req.Body, err = req.GetBody(); err != nil {
				t.Fatal(err)
			}
		}
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatalf("attempt %d: %v", attempt, err)
		}
		resp.Body.Close()
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	seen := map[string]bool{}
	for _, n := range rec.nonces {
		if seen[n] {
			t.Errorf("nonce %q reused across attempts", n)
		}
		seen[n] = true
	}
	if diff := strings.Join(rec.bodies, ","); diff != "a=1,a=1,a=1" {
		t.Errorf("bodies = %s", diff)
	}
}

// closeRecorder is a request body that records whether it was closed.
type closeRecorder struct {
	io.Reader
	closed atomic.Bool
}

func (c *closeRecorder) Close() error { c.closed.Store(true); return nil }

// failingBase fails the test when called.
type failingBase struct{ t *testing.T }

func (f failingBase) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("request to %s was sent", r.URL)
	return nil, errors.New("must not be sent")
}

func TestTransportRefusesForeignHosts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		origin  string
		url     string
		host    string
		allowed bool
	}{
		{"same", "https://jira.example.com", "https://jira.example.com/rest", "", true},
		{"origin path ignored", "https://jira.example.com/jira/", "https://jira.example.com/other", "", true},
		{"case differs", "https://jira.example.com", "HTTPS://JIRA.Example.COM/rest", "", true},
		{"explicit default port in request", "https://jira.example.com", "https://jira.example.com:443/rest", "", true},
		{"explicit default port in origin", "http://jira.example.com:80", "http://jira.example.com/rest", "", true},
		{"ipv6", "http://[2001:db8::1]:8080", "http://[2001:DB8::1]:8080/x", "", true},
		{"other host", "https://jira.example.com", "https://evil.example.com/rest", "", false},
		{"suffix host", "https://jira.example.com", "https://jira.example.com.evil.net/rest", "", false},
		{"other scheme", "https://jira.example.com", "http://jira.example.com/rest", "", false},
		{"other port", "https://jira.example.com", "https://jira.example.com:8443/rest", "", false},
		{"port 443 over http", "http://jira.example.com", "http://jira.example.com:443/rest", "", false},
		{"other ipv6", "http://[2001:db8::1]:8080", "http://[2001:db8::2]:8080/x", "", false},
		{"foreign Host header", "https://jira.example.com", "https://jira.example.com/rest", "evil.example.com", false},
		{"same Host header", "https://jira.example.com", "https://jira.example.com/rest", "JIRA.example.com:443", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			origin, err := url.Parse(tt.origin)
			if err != nil {
				t.Fatal(err)
			}
			var sent atomic.Bool
			base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				sent.Store(true)
				return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
			})
			tr := &Transport{Signer: mustNew(t, "ck", mustHMAC(t, "cs")), Origin: origin, Base: base}
			body := &closeRecorder{Reader: strings.NewReader("x")}
			req, err := http.NewRequest("POST", tt.url, body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.host != "" {
				req.Host = tt.host
			}
			_, err = tr.RoundTrip(req)
			if tt.allowed {
				if err != nil || !sent.Load() {
					t.Errorf("RoundTrip = %v, sent %v; want it sent", err, sent.Load())
				}
				return
			}
			if !errors.Is(err, ErrForeignHost) {
				t.Errorf("RoundTrip = %v, want ErrForeignHost", err)
			}
			if sent.Load() {
				t.Error("a request for a foreign host was sent")
			}
			if !body.closed.Load() {
				t.Error("the request body was not closed")
			}
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestTransportRedirectToForeignHost(t *testing.T) {
	t.Parallel()
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the foreign host got a request with Authorization %q", r.Header.Get("Authorization"))
	}))
	t.Cleanup(foreign.Close)
	home := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, foreign.URL+"/steal", http.StatusFound)
	}))
	t.Cleanup(home.Close)
	tr, _ := newTestTransport(t, home.URL, nil)
	req, _ := http.NewRequestWithContext(t.Context(), "GET", home.URL+"/", nil)
	_, err := (&http.Client{Transport: tr}).Do(req)
	if !errors.Is(err, ErrForeignHost) {
		t.Errorf("redirect to a foreign host: %v, want ErrForeignHost", err)
	}
}

func TestTransportErrorsCloseBody(t *testing.T) {
	t.Parallel()
	origin, _ := url.Parse("https://jira.example.com")
	s := mustNew(t, "ck", mustHMAC(t, "cs"))
	paramsErr := errors.New("no token for user")
	tests := []struct {
		name string
		tr   *Transport
		ct   string
		want error
	}{
		{name: "no signer", tr: &Transport{Origin: origin}},
		{name: "no origin", tr: &Transport{Signer: s}},
		{name: "params fail", want: paramsErr, tr: &Transport{Signer: s, Origin: origin,
			Params: func(*http.Request) (Params, error) { return Params{}, paramsErr }}},
		{name: "bad extra", tr: &Transport{Signer: s, Origin: origin,
			Params: func(*http.Request) (Params, error) { return Params{Extra: map[string]string{"x": "y"}}, nil }}},
		{name: "malformed form", ct: "application/x-www-form-urlencoded", tr: &Transport{Signer: s, Origin: origin}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.tr.Base = failingBase{t}
			body := &closeRecorder{Reader: strings.NewReader("a=%zz")}
			req, _ := http.NewRequest("POST", "https://jira.example.com/x?secret=1", body)
			if tt.ct != "" {
				req.Header.Set("Content-Type", tt.ct)
			}
			resp, err := tt.tr.RoundTrip(req)
			if err == nil || resp != nil {
				t.Fatalf("RoundTrip = %v, %v; want an error", resp, err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v does not wrap %v", err, tt.want)
			}
			if strings.Contains(err.Error(), "secret=1") {
				t.Errorf("error shows the query: %v", err)
			}
			if !body.closed.Load() {
				t.Error("the request body was not closed")
			}
		})
	}
	var tr Transport
	if _, err := tr.RoundTrip(nil); err == nil {
		t.Error("RoundTrip(nil) succeeded")
	}
}

func TestTransportNilParamsIs2LO(t *testing.T) {
	t.Parallel()
	var got string
	origin, _ := url.Parse("https://jira.example.com")
	tr := &Transport{Signer: mustNew(t, "ck", mustHMAC(t, "cs")), Origin: origin,
		Base: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			got = r.Header.Get("Authorization")
			return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
		})}
	req, _ := http.NewRequest("GET", "https://jira.example.com/rest?xoauth_requestor_id=alice", nil)
	if _, err := tr.RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, `oauth_token=""`) {
		t.Errorf("2LO header lacks oauth_token=\"\": %s", got)
	}
}

func TestOrigin(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ scheme, host, want string }{
		{"https", "Jira.Example.com", "https://jira.example.com:443"},
		{"HTTP", "example.com:80", "http://example.com:80"},
		{"http", "example.com", "http://example.com:80"},
		{"http", "example.com:8080", "http://example.com:8080"},
		{"https", "[2001:DB8::1]", "https://[2001:db8::1]:443"},
		{"https", "[2001:db8::1]:8443", "https://[2001:db8::1]:8443"},
		{"ftp", "example.com", "ftp://example.com"},
		{"ftp", "example.com:", "ftp://example.com"},
		{"ftp", "[::1]", "ftp://[::1]"},
		{"ftp", "example.com:21", "ftp://example.com:21"},
	} {
		if got := Origin(tt.scheme, tt.host); got != tt.want {
			t.Errorf("Origin(%q, %q) = %q, want %q", tt.scheme, tt.host, got, tt.want)
		}
	}
}
