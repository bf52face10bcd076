package applinktest_test

import (
	"crypto/rand"
	"crypto/rsa"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
)

// testKeys are made once per test binary: RSA key generation is slow.
var testKeys = sync.OnceValue(func() [2]*rsa.PrivateKey {
	var ks [2]*rsa.PrivateKey
	for i := range ks {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		ks[i] = k
	}
	return ks
})

const hmacSecret = "s3cret-TEST-ONLY"

// rsaConsumer returns an Atlassian consumer with every flow allowed.
func rsaConsumer(key string, i int) applinktest.Consumer {
	return applinktest.Consumer{Key: key, Name: "Consumer " + key, PublicKey: &testKeys()[i].PublicKey,
		ThreeLO: true, TwoLO: true, Impersonation: true}
}

func rsaSigner(t *testing.T, key string, i int) *signer.Signer {
	t.Helper()
	m, err := signer.NewRSASHA1(testKeys()[i])
	if err != nil {
		t.Fatal(err)
	}
	s, err := signer.New(key, m)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func hmacSigner(t *testing.T, key, secret string) *signer.Signer {
	t.Helper()
	m, err := signer.NewHMACSHA1(secret)
	if err != nil {
		t.Fatal(err)
	}
	s, err := signer.New(key, m)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// atlassian starts an Atlassian-shaped server with users alice and bob and
// consumer "app" (key 0), every flow allowed.
func atlassian(t *testing.T, opts ...applinktest.Option) (*applinktest.Server, *signer.Signer) {
	t.Helper()
	opts = append([]applinktest.Option{
		applinktest.WithUsers("alice", "bob"),
		applinktest.WithConsumer(rsaConsumer("app", 0)),
	}, opts...)
	return applinktest.NewServer(t, opts...), rsaSigner(t, "app", 0)
}

type response struct {
	status int
	header http.Header
	body   string
}

// do signs and sends a request; body, when set, is a form.
func do(t *testing.T, srv *applinktest.Server, s *signer.Signer, method, rawURL string, form url.Values, p signer.Params) response {
	t.Helper()
	req := newRequest(t, method, rawURL, form)
	if s != nil {
		if err := s.Sign(req, p); err != nil {
			t.Fatal(err)
		}
	}
	return send(t, srv, req)
}

func newRequest(t *testing.T, method, rawURL string, form url.Values) *http.Request {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, rawURL, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return req
}

// requestTimeout bounds every request a test sends (and every wait for
// something that must happen): generous, so a loaded machine does not fail
// a test, and short enough that a hang fails within a minute instead of at
// the test binary's timeout.
const requestTimeout = time.Minute

// await returns the next value from ch, and fails the test if none comes
// within requestTimeout; what says what was awaited.
func await[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	timer := time.NewTimer(requestTimeout)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("waited %s for %s", requestTimeout, what)
		panic("unreachable")
	}
}

// send sends req with the server's client (following no redirect), within
// requestTimeout.
func send(t *testing.T, srv *applinktest.Server, req *http.Request) response {
	t.Helper()
	c := *srv.Client()
	c.Timeout = requestTimeout
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, string(b)}
}

func parseForm(t *testing.T, body string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(body)
	if err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	return v
}

// problem returns the oauth_problem of a response ("" when none).
func problem(r response) string {
	p := signer.ParseProblem(r.status, r.header, []byte(r.body))
	if p == nil {
		return ""
	}
	return p.Problem
}

// requestToken gets a request token with the callback ("" for none).
func requestToken(t *testing.T, srv *applinktest.Server, s *signer.Signer, callback string) signer.Token {
	t.Helper()
	r := do(t, srv, s, http.MethodPost, srv.RequestTokenURL(), nil, signer.Params{OmitToken: true, Callback: callback})
	if r.status != http.StatusOK {
		t.Fatalf("request token: %d %s", r.status, r.body)
	}
	v := parseForm(t, r.body)
	return signer.NewToken(v.Get("oauth_token"), v.Get("oauth_token_secret"))
}

// dance runs the 3-legged dance in code for user and returns the access
// token and the access-token response.
func dance(t *testing.T, srv *applinktest.Server, s *signer.Signer, user string) (signer.Token, url.Values) {
	t.Helper()
	rt := requestToken(t, srv, s, "oob")
	verifier, err := srv.Approve(rt.Key(), user)
	if err != nil {
		t.Fatal(err)
	}
	r := do(t, srv, s, http.MethodPost, srv.AccessTokenURL(), nil, signer.Params{Token: rt, Verifier: signer.NewSecret(verifier)})
	if r.status != http.StatusOK {
		t.Fatalf("access token: %d %s", r.status, r.body)
	}
	v := parseForm(t, r.body)
	return signer.NewToken(v.Get("oauth_token"), v.Get("oauth_token_secret")), v
}

func readCloser(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }
