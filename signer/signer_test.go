package signer

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// loadTestKey reads a PEM test key from testdata with crypto/x509 alone, so
// these tests do not depend on ParsePrivateKey.
func loadTestKey(tb testing.TB, name string) *rsa.PrivateKey {
	tb.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		tb.Fatalf("%s: no PEM block", name)
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return k.(*rsa.PrivateKey)
}

var (
	key2048Once sync.Once
	key2048     *rsa.PrivateKey
)

func testKey(tb testing.TB) *rsa.PrivateKey {
	key2048Once.Do(func() { key2048 = loadTestKey(tb, "sign-rsa2048-TEST-ONLY.pem") })
	return key2048
}

func mustNew(tb testing.TB, key string, m Method, opts ...Option) *Signer {
	tb.Helper()
	s, err := New(key, m, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func mustHMAC(tb testing.TB, secret string) *HMACSHA1 {
	tb.Helper()
	m, err := NewHMACSHA1(secret)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func mustRequest(tb testing.TB, method, rawURL, contentType, body string) *http.Request {
	tb.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r, err := http.NewRequest(method, rawURL, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

func authParams(tb testing.TB, r *http.Request) map[string]string {
	tb.Helper()
	v, err := ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		tb.Fatalf("ParseAuthorization(%q): %v", r.Header.Get("Authorization"), err)
	}
	m := make(map[string]string, len(v))
	for k, vs := range v {
		if len(vs) != 1 {
			tb.Fatalf("parameter %q appears %d times", k, len(vs))
		}
		m[k] = vs[0]
	}
	return m
}

var fixedTime = time.Unix(1700000000, 0)

func fixedClock() time.Time { return fixedTime }

func TestSignHeaderParameters(t *testing.T) {
	t.Parallel()
	hm := mustHMAC(t, "cs")
	tests := []struct {
		name string
		p    Params
		opts []Option
		want map[string]string
	}{
		{
			name: "2LO sends an empty oauth_token",
			p:    Params{Nonce: "n"},
			want: map[string]string{"oauth_token": ""},
		},
		{
			name: "OmitToken leaves oauth_token out",
			p:    Params{Nonce: "n", OmitToken: true, Callback: "oob"},
			want: map[string]string{"oauth_callback": "oob"},
		},
		{
			name: "3LO access token with verifier",
			p:    Params{Nonce: "n", Token: NewToken("rt", "rs"), Verifier: NewSecret("v 1")},
			want: map[string]string{"oauth_token": "rt", "oauth_verifier": "v 1"},
		},
		{
			name: "renewal and extras",
			p: Params{Nonce: "n", Token: NewToken("at", "as"), SessionHandle: NewSecret("sh"),
				Extra: map[string]string{"xoauth_requestor_id": "alice", "oauth_body_x": "1"}},
			want: map[string]string{"oauth_token": "at", "oauth_session_handle": "sh",
				"xoauth_requestor_id": "alice", "oauth_body_x": "1"},
		},
		{
			name: "realm is sent first and not signed",
			p:    Params{Nonce: "n"},
			opts: []Option{WithRealm("https://jira.example.com/")},
			want: map[string]string{"oauth_token": "", "realm": "https://jira.example.com/"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := mustNew(t, "ck", hm, append([]Option{WithClock(fixedClock)}, tt.opts...)...)
			r := mustRequest(t, "GET", "https://jira.example.com/rest/api/2/myself", "", "")
			if err := s.Sign(r, tt.p); err != nil {
				t.Fatal(err)
			}
			got := authParams(t, r)
			if got["oauth_signature"] == "" {
				t.Fatal("no oauth_signature")
			}
			delete(got, "oauth_signature")
			want := map[string]string{
				"oauth_consumer_key":     "ck",
				"oauth_nonce":            "n",
				"oauth_signature_method": "HMAC-SHA1",
				"oauth_timestamp":        "1700000000",
				"oauth_version":          "1.0",
			}
			for k, v := range tt.want {
				want[k] = v
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("header parameters (-want +got):\n%s", diff)
			}
			if _, hasRealm := tt.want["realm"]; hasRealm && !strings.HasPrefix(r.Header.Get("Authorization"), `OAuth realm="`) {
				t.Errorf("realm is not first: %s", r.Header.Get("Authorization"))
			}
			base, err := BaseString(r)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(base, "realm") {
				t.Errorf("realm was signed: %s", base)
			}
			if err := VerifyHMACSHA1("cs", tt.p.Token.Secret(), base, authParams(t, r)["oauth_signature"]); err != nil {
				t.Errorf("signature does not verify over BaseString: %v", err)
			}
		})
	}
}

func TestSignRejectsBadExtra(t *testing.T) {
	t.Parallel()
	s := mustNew(t, "ck", mustHMAC(t, "cs"))
	for _, name := range []string{"foo", "realm", "oauth_signature", "oauth_nonce", "oauth_token", "oauth_version"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := mustRequest(t, "GET", "https://example.com/", "", "")
			if err := s.Sign(r, Params{Extra: map[string]string{name: "x"}}); err == nil {
				t.Errorf("Sign accepted extra parameter %q", name)
			}
			if r.Header.Get("Authorization") != "" {
				t.Error("a failed Sign set the Authorization header")
			}
		})
	}
}

func TestSignTimestamp(t *testing.T) {
	t.Parallel()
	s := mustNew(t, "ck", mustHMAC(t, "cs"), WithClock(fixedClock))
	tests := []struct {
		name string
		p    Params
		want string
	}{
		{"clock", Params{}, "1700000000"},
		{"clock with positive offset", Params{ClockOffset: 90 * time.Second}, "1700000090"},
		{"clock with negative offset", Params{ClockOffset: -time.Hour}, "1699996400"},
		{"fixed timestamp wins", Params{Timestamp: time.Unix(137131202, 0), ClockOffset: time.Hour}, "137131202"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := mustRequest(t, "GET", "https://example.com/", "", "")
			if err := s.Sign(r, tt.p); err != nil {
				t.Fatal(err)
			}
			if got := authParams(t, r)["oauth_timestamp"]; got != tt.want {
				t.Errorf("oauth_timestamp = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSignNonce(t *testing.T) {
	t.Parallel()
	s := mustNew(t, "ck", mustHMAC(t, "cs"))
	seen := map[string]bool{}
	for range 1000 {
		r := mustRequest(t, "GET", "https://example.com/", "", "")
		if err := s.Sign(r, Params{}); err != nil {
			t.Fatal(err)
		}
		n := authParams(t, r)["oauth_nonce"]
		if len(n) < 16 {
			t.Fatalf("nonce %q is too short", n)
		}
		if seen[n] {
			t.Fatalf("nonce %q repeated", n)
		}
		seen[n] = true
	}

	det := mustNew(t, "ck", mustHMAC(t, "cs"), withRand(bytes.NewReader(bytes.Repeat([]byte{0xab}, 16))))
	r := mustRequest(t, "GET", "https://example.com/", "", "")
	if err := det.Sign(r, Params{}); err != nil {
		t.Fatal(err)
	}
	if got, want := authParams(t, r)["oauth_nonce"], strings.Repeat("ab", 16); got != want {
		t.Errorf("nonce from injected source = %q, want %q", got, want)
	}
	// The source is exhausted now: the error must surface, not an empty nonce.
	r = mustRequest(t, "GET", "https://example.com/", "", "")
	if err := det.Sign(r, Params{}); err == nil {
		t.Error("Sign succeeded with an exhausted nonce source")
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	if _, err := New("", mustHMAC(t, "s")); err == nil {
		t.Error("New accepted an empty consumer key")
	}
	if _, err := New("ck", nil); err == nil {
		t.Error("New accepted a nil method")
	}
	if _, err := NewHMACSHA1(""); err == nil {
		t.Error("NewHMACSHA1 accepted an empty secret")
	}
	if _, err := NewPlaintext(""); err == nil {
		t.Error("NewPlaintext accepted an empty secret")
	}
	if _, err := NewRSASHA1(nil); err == nil {
		t.Error("NewRSASHA1 accepted a nil key")
	}
	if _, err := NewRSASHA1(&rsa.PrivateKey{}); err == nil {
		t.Error("NewRSASHA1 accepted a key without modulus")
	}
	var zero Signer
	if err := zero.Sign(mustRequest(t, "GET", "https://example.com/", "", ""), Params{}); err == nil {
		t.Error("a zero Signer signed")
	}
	s := mustNew(t, "ck", mustHMAC(t, "s"))
	if err := s.Sign(nil, Params{}); err == nil {
		t.Error("Sign accepted a nil request")
	}
	// A request built by hand, without a header map, is signed too.
	r := &http.Request{Method: "GET", URL: mustRequest(t, "GET", "https://example.com/", "", "").URL}
	if err := s.Sign(r, Params{}); err != nil {
		t.Errorf("Sign of a request with a nil Header: %v", err)
	}
	r = &http.Request{Method: "GET", URL: mustRequest(t, "GET", "/relative", "", "").URL}
	if err := s.Sign(r, Params{}); err == nil {
		t.Error("Sign accepted a request without host")
	}
}

func TestNewRSASHA1KeySize(t *testing.T) {
	t.Parallel()
	if _, err := NewRSASHA1(loadTestKey(t, "sign-rsa1024-TEST-ONLY.pem")); err != nil {
		t.Errorf("1024-bit key refused: %v", err)
	}
	if _, err := NewRSASHA1(testKey(t)); err != nil {
		t.Errorf("2048-bit key refused: %v", err)
	}
	small := smallKey(t)
	_, err := NewRSASHA1(small)
	var kse *KeySizeError
	if !errors.As(err, &kse) {
		t.Fatalf("NewRSASHA1(512-bit key) = %v, want a *KeySizeError", err)
	}
	if kse.Bits != 512 {
		t.Errorf("KeySizeError.Bits = %d, want 512", kse.Bits)
	}
}

func TestNewRSASHA1FailsWhenSigningFails(t *testing.T) {
	t.Parallel()
	// A key that passes the size check but cannot sign (its private
	// exponent is broken) stands in for an environment that refuses
	// RSA-SHA1: the probe signature must fail in NewRSASHA1.
	k := *testKey(t)
	k.Primes = nil
	k.D = nil
	k.Precomputed = rsa.PrecomputedValues{}
	if _, err := NewRSASHA1(&k); err == nil {
		t.Error("NewRSASHA1 accepted a key that cannot sign")
	}
}

func TestRSASHA1SignVerify(t *testing.T) {
	t.Parallel()
	m, err := NewRSASHA1(testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	s := mustNew(t, "ck", m)
	r := mustRequest(t, "POST", "https://bitbucket.example.com/rest/x?b=2&a=1", "application/x-www-form-urlencoded", "q=x+y")
	if err := s.Sign(r, Params{Token: NewToken("tok", "ignored")}); err != nil {
		t.Fatal(err)
	}
	base, err := BaseString(r)
	if err != nil {
		t.Fatal(err)
	}
	sig := authParams(t, r)["oauth_signature"]
	if err := VerifyRSASHA1(m.PublicKey(), base, sig); err != nil {
		t.Errorf("signature does not verify: %v", err)
	}
	var pe *ProblemError
	if err := VerifyRSASHA1(m.PublicKey(), base+"x", sig); !errors.As(err, &pe) || pe.Problem != ProblemSignatureInvalid {
		t.Errorf("changed base string: got %v, want signature_invalid", err)
	}
	if err := VerifyRSASHA1(m.PublicKey(), base, "%%%"); !errors.As(err, &pe) {
		t.Errorf("bad Base64: got %v, want a *ProblemError", err)
	}
	other := loadTestKey(t, "sign-rsa1024-TEST-ONLY.pem")
	if err := VerifyRSASHA1(&other.PublicKey, base, sig); err == nil {
		t.Error("signature verifies with another key")
	}
	// The body is still there to send.
	b, _ := io.ReadAll(r.Body)
	if string(b) != "q=x+y" {
		t.Errorf("body after Sign = %q", b)
	}
}

func TestPlaintextAndHMACKnownAnswers(t *testing.T) {
	t.Parallel()
	pt, err := NewPlaintext("kd94hf93k423kf44")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := pt.Sign("pfkkdhi9sl3r4s00", "ignored")
	if want := "kd94hf93k423kf44&pfkkdhi9sl3r4s00"; got != want {
		t.Errorf("PLAINTEXT = %q, want %q", got, want)
	}
	got, _ = pt.Sign("", "ignored")
	if want := "kd94hf93k423kf44&"; got != want {
		t.Errorf("PLAINTEXT without token = %q, want %q", got, want)
	}
	pt2, _ := NewPlaintext("a b&c")
	if got, _ := pt2.Sign("d+e", ""); got != "a%20b%26c&d%2Be" {
		t.Errorf("PLAINTEXT encodes its secrets: got %q", got)
	}
	if err := VerifyPlaintext("a b&c", "d+e", "a%20b%26c&d%2Be"); err != nil {
		t.Error(err)
	}
	if err := VerifyPlaintext("a b&c", "d+e", "a b&c&d+e"); err == nil {
		t.Error("VerifyPlaintext accepted an unencoded key")
	}
	// HMAC-SHA1 of the RFC 2202 test case 2 key "Jefe" and message: the key
	// here is Encode("Jefe")+"&"+"" so the reference is computed over
	// "Jefe&"; checked against a value from openssl:
	// printf 'what do ya want for nothing?' | openssl dgst -sha1 -hmac 'Jefe&' -binary | base64
	h := mustHMAC(t, "Jefe")
	if got, _ := h.Sign("", "what do ya want for nothing?"); got != hmacJefe {
		t.Errorf("HMAC-SHA1 = %q, want %q", got, hmacJefe)
	}
}

const hmacJefe = "/k0g9aDVnhS67tsWyuxJqU4jDC0="

// smallKey returns a 512-bit key. Since Go 1.24 crypto/rsa refuses to
// generate keys under 1024 bits unless GODEBUG=rsa1024min=0, so the key is
// built by hand: only its size matters to NewRSASHA1's check.
func smallKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	n := new(big.Int).Lsh(big.NewInt(1), 511)
	n.Add(n, big.NewInt(1))
	return &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: 65537}, D: big.NewInt(3)}
}

// TestNewRSASHA1RefusesGeneratedSmallKey generates a real 512-bit key with
// GODEBUG=rsa1024min=0 (t.Setenv: this test cannot run in parallel).
func TestNewRSASHA1RefusesGeneratedSmallKey(t *testing.T) {
	t.Setenv("GODEBUG", "rsa1024min=0")
	k, err := rsa.GenerateKey(rand.Reader, 512)
	if err != nil {
		t.Skipf("crypto/rsa does not generate a 512-bit key even with rsa1024min=0: %v", err)
	}
	var kse *KeySizeError
	if _, err := NewRSASHA1(k); !errors.As(err, &kse) || kse.Bits != 512 {
		t.Errorf("NewRSASHA1(512-bit key) = %v, want *KeySizeError{Bits: 512}", err)
	}
}

// TestNewRSASHA1FIPSOnly runs itself in a child process with
// GODEBUG=fips140=only (the mode cannot be switched on in a running
// program): there NewRSASHA1 must fail when it is built.
func TestNewRSASHA1FIPSOnly(t *testing.T) {
	if os.Getenv("SIGNER_TEST_FIPS_CHILD") == "1" {
		_, err := NewRSASHA1(testKey(t))
		if err == nil {
			t.Fatal("NewRSASHA1 succeeded in FIPS 140-only mode")
		}
		if !strings.Contains(err.Error(), "FIPS") {
			t.Fatalf("the error does not name FIPS mode: %v", err)
		}
		if _, err := NewHMACSHA1("s"); err == nil {
			t.Error("NewHMACSHA1 succeeded in FIPS 140-only mode")
		}
		// Nothing panics (crypto/sha1 does in this mode): errors instead.
		if _, err := (&HMACSHA1{consumerSecret: NewSecret("s")}).Sign("", "m"); err == nil {
			t.Error("HMACSHA1.Sign succeeded in FIPS 140-only mode")
		}
		if err := VerifyRSASHA1(&testKey(t).PublicKey, "m", "c2ln"); err == nil {
			t.Error("VerifyRSASHA1 succeeded in FIPS 140-only mode")
		}
		if err := VerifyHMACSHA1("s", "", "m", "x"); err == nil {
			t.Error("VerifyHMACSHA1 succeeded in FIPS 140-only mode")
		}
		return
	}
	t.Parallel()
	if testing.Short() {
		t.Skip("starts a child process")
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestNewRSASHA1FIPSOnly$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SIGNER_TEST_FIPS_CHILD=1", "GODEBUG=fips140=only")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child in FIPS 140-only mode: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "PASS") {
		t.Fatalf("child did not run the test:\n%s", out)
	}
}

// TestSignConcurrently shares one Signer between goroutines (run with -race).
func TestSignConcurrently(t *testing.T) {
	t.Parallel()
	m, err := NewRSASHA1(testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	s := mustNew(t, "ck", m)
	var wg sync.WaitGroup
	nonces := make([]string, 8)
	for i := range nonces {
		wg.Go(func() {
			r, err := http.NewRequest("GET", "https://example.com/?i=1", nil)
			if err != nil {
				t.Error(err)
				return
			}
			if err := s.Sign(r, Params{}); err != nil {
				t.Error(err)
				return
			}
			p, err := ParseAuthorization(r.Header.Get("Authorization"))
			if err != nil {
				t.Error(err)
				return
			}
			base, err := BaseString(r)
			if err != nil {
				t.Error(err)
				return
			}
			if err := VerifyRSASHA1(m.PublicKey(), base, p.Get("oauth_signature")); err != nil {
				t.Error(err)
			}
			nonces[i] = p.Get("oauth_nonce")
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, n := range nonces {
		if seen[n] {
			t.Errorf("nonce %q used twice", n)
		}
		seen[n] = true
	}
}
