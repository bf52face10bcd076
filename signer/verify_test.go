package signer

import (
	"context"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// provNow is the provider's clock in these tests.
var provNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

var (
	provKeysOnce sync.Once
	provKeyA     *rsa.PrivateKey // the consumer's key
	provKeyB     *rsa.PrivateKey // another key, for "wrong key"
)

// provKeys loads two RSA test keys with crypto/x509 alone.
func provKeys(tb testing.TB) (a, b *rsa.PrivateKey) {
	tb.Helper()
	provKeysOnce.Do(func() {
		provKeyA = readPKCS1(tb, "testdata/keys-rsa2048-pkcs1-TEST-ONLY.pem")
		provKeyB = readPKCS1(tb, "testdata/keys-rsa1024-TEST-ONLY.pem")
	})
	if provKeyA == nil || provKeyB == nil {
		tb.Fatal("test keys failed to load")
	}
	return provKeyA, provKeyB
}

func readPKCS1(tb testing.TB, name string) *rsa.PrivateKey {
	data, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		tb.Fatalf("%s: no PEM block", name)
	}
	k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return k
}

const (
	hmacSecret  = "kd94hf93k423kf44"
	tokenSecret = "pfkkdhi9sl3r4s00"
)

// provider is a verifier over a fixed set of consumers and tokens.
type provider struct {
	consumers map[string]*Consumer
	tokens    map[string]string
}

func newProvider(tb testing.TB) *provider {
	a, b := provKeys(tb)
	both := NewRSAConsumer("both", &a.PublicKey)
	both.secret = NewSecret(hmacSecret)
	return &provider{
		consumers: map[string]*Consumer{
			"rsa":       NewRSAConsumer("rsa", &a.PublicKey),
			"rsa-other": NewRSAConsumer("rsa-other", &b.PublicKey),
			"hmac":      NewSecretConsumer("hmac", hmacSecret),
			"both":      both,
		},
		tokens: map[string]string{"tok-1": tokenSecret},
	}
}

func (p *provider) consumer(_ context.Context, key string) (*Consumer, error) {
	if c, ok := p.consumers[key]; ok {
		return c, nil
	}
	if key == "broken" {
		return nil, errors.New("database is down")
	}
	if key == "rejected" {
		return nil, &ProblemError{Problem: ProblemConsumerKeyRejected, Advice: "this consumer is disabled"}
	}
	return nil, ErrUnknownConsumer
}

func (p *provider) token(_ context.Context, _, token string) (string, error) {
	switch token {
	case "expired":
		return "", &ProblemError{Problem: ProblemTokenExpired}
	case "broken":
		return "", errors.New("database is down")
	}
	if s, ok := p.tokens[token]; ok {
		return s, nil
	}
	return "", ErrUnknownToken
}

func (p *provider) verifier(tb testing.TB, mod func(*VerifierConfig)) *Verifier {
	tb.Helper()
	cfg := VerifierConfig{
		Consumers:    p.consumer,
		TokenSecrets: p.token,
		Clock:        func() time.Time { return provNow },
	}
	if mod != nil {
		mod(&cfg)
	}
	v, err := NewVerifier(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// clientFor returns a signer for one of the provider's consumers.
func clientFor(tb testing.TB, consumer string, opts ...Option) *Signer {
	tb.Helper()
	a, b := provKeys(tb)
	var m Method
	var err error
	switch consumer {
	case "rsa", "both", "unknown", "rejected", "broken":
		m, err = NewRSASHA1(a)
	case "rsa-other":
		m, err = NewRSASHA1(b)
	case "hmac", "hmac-as-rsa":
		m, err = NewHMACSHA1(hmacSecret)
	case "plain":
		m, err = NewPlaintext(hmacSecret)
	default:
		tb.Fatalf("no such test consumer %q", consumer)
	}
	if err != nil {
		tb.Fatal(err)
	}
	opts = append([]Option{WithClock(func() time.Time { return provNow })}, opts...)
	s, err := New(consumer, m, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// signed returns a client request signed by s.
func signed(tb testing.TB, s *Signer, method, rawURL, form string, p Params) *http.Request {
	tb.Helper()
	var body io.Reader
	if form != "" {
		body = strings.NewReader(form)
	}
	r, err := http.NewRequest(method, rawURL, body)
	if err != nil {
		tb.Fatal(err)
	}
	if form != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	}
	if err := s.Sign(r, p); err != nil {
		tb.Fatal(err)
	}
	return r
}

// atServer turns a client request into what a server receives: a URL with
// only path and query, Host set, TLS set for https.
func atServer(tb testing.TB, c *http.Request) *http.Request {
	tb.Helper()
	var body io.Reader
	if c.GetBody != nil {
		rc, err := c.GetBody()
		if err != nil {
			tb.Fatal(err)
		}
		body = rc
	}
	r := httptest.NewRequest(c.Method, c.URL.RequestURI(), body)
	r.Host = c.URL.Host
	r.TLS = nil
	if c.URL.Scheme == "https" {
		r.TLS = &tls.ConnectionState{}
	}
	r.Header = c.Header.Clone()
	return r
}

// withAuth replaces the request's OAuth parameters after edit changes them.
func withAuth(tb testing.TB, r *http.Request, edit func([]pair) []pair) *http.Request {
	tb.Helper()
	ps, err := authorizationParams(r.Header, RFC5849)
	if err != nil {
		tb.Fatal(err)
	}
	r.Header.Set("Authorization", formatAuthorization("", edit(ps)))
	return r
}

func setParam(k, v string) func([]pair) []pair {
	return func(ps []pair) []pair {
		for i := range ps {
			if ps[i].k == k {
				ps[i].v = v
				return ps
			}
		}
		return append(ps, pair{k, v})
	}
}

func dropParam(k string) func([]pair) []pair {
	return func(ps []pair) []pair {
		out := ps[:0]
		for _, p := range ps {
			if p.k != k {
				out = append(out, p)
			}
		}
		return out
	}
}

func asProblem(t *testing.T, err error) *ProblemError {
	t.Helper()
	var pe *ProblemError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *ProblemError", err, err)
	}
	return pe
}

func TestVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	prov := newProvider(t)
	tok := NewToken("tok-1", tokenSecret)
	tests := []struct {
		name     string
		consumer string
		method   string
		url      string
		form     string
		params   Params
		want     Verified
	}{
		{name: "RSA-SHA1 2LO", consumer: "rsa", method: "GET",
			url:  "https://jira.example.com/rest/api/2/issue/ABC-1?expand=names&fields=summary",
			want: Verified{SignatureMethod: MethodRSASHA1}},
		{name: "RSA-SHA1 3LO token", consumer: "rsa", method: "GET",
			url:    "https://jira.example.com/rest/api/2/myself",
			params: Params{Token: tok},
			want:   Verified{SignatureMethod: MethodRSASHA1, Token: "tok-1"}},
		{name: "RSA-SHA1 2LOi", consumer: "rsa", method: "GET",
			url:  "https://jira.example.com/rest/api/2/myself?xoauth_requestor_id=j.smith%40example.com",
			want: Verified{SignatureMethod: MethodRSASHA1, RequestorID: "j.smith@example.com"}},
		{name: "RSA-SHA1 form body", consumer: "rsa", method: "POST",
			url:    "http://jira.example.com:8080/jira/rest/x?a=1",
			form:   "summary=a+b%20c&labels=x&labels=y",
			params: Params{Token: tok},
			want:   Verified{SignatureMethod: MethodRSASHA1, Token: "tok-1"}},
		{name: "RSA-SHA1 request token with callback", consumer: "rsa", method: "POST",
			url:    "https://jira.example.com/plugins/servlet/oauth/request-token",
			params: Params{OmitToken: true, Callback: "oob"},
			want:   Verified{SignatureMethod: MethodRSASHA1, Callback: "oob"}},
		{name: "RSA-SHA1 access token with verifier", consumer: "rsa", method: "POST",
			url:    "https://jira.example.com/plugins/servlet/oauth/access-token",
			params: Params{Token: tok, Verifier: NewSecret("s3cr3tv"), SessionHandle: NewSecret("sh-1")},
			want:   Verified{SignatureMethod: MethodRSASHA1, Token: "tok-1", SessionHandle: NewSecret("sh-1"), verifier: NewSecret("s3cr3tv")}},
		{name: "HMAC-SHA1 2LO", consumer: "hmac", method: "GET",
			url:  "https://jenkins.example.com/job/x/api/json?tree=jobs%5Bname%5D",
			want: Verified{SignatureMethod: MethodHMACSHA1}},
		{name: "HMAC-SHA1 token form body", consumer: "hmac", method: "POST",
			url:    "https://jenkins.example.com/job/x/build",
			form:   "delay=0sec&json=%7B%22a%22%3A1%7D",
			params: Params{Token: tok},
			want:   Verified{SignatureMethod: MethodHMACSHA1, Token: "tok-1"}},
		{name: "HMAC-SHA1 2LOi", consumer: "hmac", method: "GET",
			url:  "https://jenkins.example.com/me/api/json?xoauth_requestor_id=admin",
			want: Verified{SignatureMethod: MethodHMACSHA1, RequestorID: "admin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := prov.verifier(t, nil)
			c := signed(t, clientFor(t, tt.consumer), tt.method, tt.url, tt.form, tt.params)
			wantBase, err := BaseString(c)
			if err != nil {
				t.Fatal(err)
			}
			r := atServer(t, c)
			got, err := v.Verify(r)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got.Consumer != prov.consumers[tt.consumer] {
				t.Errorf("Verified.Consumer = %v, want %v", got.Consumer, prov.consumers[tt.consumer])
			}
			want := tt.want
			want.Consumer = got.Consumer
			want.Timestamp = provNow.Unix()
			want.Nonce = got.Nonce
			want.BaseString = NewSecret(wantBase)
			if got.Nonce == "" {
				t.Error("Verified.Nonce is empty")
			}
			if diff := cmp.Diff(want, *got, cmp.AllowUnexported(Verified{}), cmp.Comparer(func(a, b *Consumer) bool { return a == b })); diff != "" {
				t.Errorf("Verified (-want +got):\n%s", diff)
			}
			if tt.form != "" {
				b, err := io.ReadAll(r.Body)
				if err != nil || string(b) != tt.form {
					t.Errorf("body after Verify = %q, %v; want it put back: %q", b, err, tt.form)
				}
			}
		})
	}
}

func TestVerifyPlaintext(t *testing.T) {
	t.Parallel()
	prov := newProvider(t)
	prov.consumers["plain"] = NewSecretConsumer("plain", hmacSecret)
	v := prov.verifier(t, nil)
	c := signed(t, clientFor(t, "plain"), "GET", "https://ci.example.com/x", "", Params{Token: NewToken("tok-1", tokenSecret)})
	got, err := v.Verify(atServer(t, c))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got.SignatureMethod != MethodPlaintext || got.Token != "tok-1" {
		t.Errorf("Verified = %v", got)
	}

	// A wrong PLAINTEXT signature is refused and not echoed: it is the secrets.
	c = signed(t, clientFor(t, "plain"), "GET", "https://ci.example.com/x", "", Params{Token: NewToken("tok-1", "wrong")})
	_, err = v.Verify(atServer(t, c))
	pe := asProblem(t, err)
	if pe.Problem != ProblemSignatureInvalid || !pe.Signature.IsZero() || pe.SignatureMethod != MethodPlaintext {
		t.Errorf("problem = %#v, want signature_invalid with no signature echoed", pe)
	}
}

func TestVerifyProblems(t *testing.T) {
	t.Parallel()
	prov := newProvider(t)
	const u = "https://jira.example.com/rest/api/2/search?jql=project%3DABC&maxResults=5"
	sign := func(t *testing.T, consumer string, p Params, opts ...Option) *http.Request {
		return signed(t, clientFor(t, consumer, opts...), "GET", u, "", p)
	}
	tok := NewToken("tok-1", tokenSecret)
	tests := []struct {
		name    string
		cfg     func(*VerifierConfig)
		request func(t *testing.T) *http.Request // a server-side request
		want    ProblemError                     // Realm and base string checked separately
	}{
		{
			name: "no Authorization header",
			request: func(t *testing.T) *http.Request {
				return httptest.NewRequest("GET", "https://jira.example.com/rest", nil)
			},
			want: ProblemError{Status: 400, Problem: ProblemParameterAbsent,
				Advice:           "send the OAuth parameters in an \"Authorization: OAuth ...\" header",
				ParametersAbsent: []string{"oauth_consumer_key", "oauth_signature_method", "oauth_signature", "oauth_timestamp", "oauth_nonce"}},
		},
		{
			name: "missing nonce and timestamp",
			request: func(t *testing.T) *http.Request {
				r := atServer(t, sign(t, "rsa", Params{}))
				return withAuth(t, withAuth(t, r, dropParam("oauth_nonce")), dropParam("oauth_timestamp"))
			},
			want: ProblemError{Status: 400, Problem: ProblemParameterAbsent, ParametersAbsent: []string{"oauth_timestamp", "oauth_nonce"}},
		},
		{
			name: "malformed header",
			request: func(t *testing.T) *http.Request {
				r := atServer(t, sign(t, "rsa", Params{}))
				r.Header.Set("Authorization", `OAuth oauth_consumer_key="rsa`)
				return r
			},
			want: ProblemError{Status: 400, Problem: ProblemParameterRejected, Advice: "malformed Authorization header"},
		},
		{
			name: "repeated parameter in header",
			request: func(t *testing.T) *http.Request {
				r := atServer(t, sign(t, "rsa", Params{}))
				return withAuth(t, r, func(ps []pair) []pair { return append(ps, pair{"oauth_nonce", "again"}) })
			},
			want: ProblemError{Status: 400, Problem: ProblemParameterRejected, ParametersRejected: []string{"oauth_nonce"},
				Advice: "each OAuth parameter may be sent once"},
		},
		{
			name: "oauth parameter repeated in the query",
			request: func(t *testing.T) *http.Request {
				return atServer(t, signed(t, clientFor(t, "rsa"), "GET", u+"&oauth_token=tok-1", "", Params{Token: tok}))
			},
			want: ProblemError{Status: 400, Problem: ProblemParameterRejected, ParametersRejected: []string{"oauth_token"},
				Advice: "each OAuth parameter may be sent once"},
		},
		{
			name: "wrong version",
			request: func(t *testing.T) *http.Request {
				return withAuth(t, atServer(t, sign(t, "rsa", Params{})), setParam("oauth_version", "2.0"))
			},
			want: ProblemError{Status: 400, Problem: ProblemVersionRejected, AcceptableVersions: "1.0-1.0"},
		},
		{
			name:    "unknown consumer",
			request: func(t *testing.T) *http.Request { return atServer(t, sign(t, "unknown", Params{})) },
			want:    ProblemError{Status: 401, Problem: ProblemConsumerKeyUnknown},
		},
		{
			name:    "consumer lookup reports a problem",
			request: func(t *testing.T) *http.Request { return atServer(t, sign(t, "rejected", Params{})) },
			want:    ProblemError{Status: 401, Problem: ProblemConsumerKeyRejected, Advice: "this consumer is disabled"},
		},
		{
			name: "method not configured",
			cfg:  func(c *VerifierConfig) { c.Methods = []string{MethodRSASHA1} },
			request: func(t *testing.T) *http.Request {
				return atServer(t, sign(t, "hmac", Params{}))
			},
			want: ProblemError{Status: 400, Problem: ProblemSignatureMethodRejected, Advice: "accepted for this consumer: "},
		},
		{
			name: "consumer has no secret for HMAC-SHA1",
			request: func(t *testing.T) *http.Request {
				return withAuth(t, atServer(t, sign(t, "rsa", Params{})), setParam("oauth_signature_method", MethodHMACSHA1))
			},
			want: ProblemError{Status: 400, Problem: ProblemSignatureMethodRejected, Advice: "accepted for this consumer: RSA-SHA1"},
		},
		{
			name: "unknown method",
			request: func(t *testing.T) *http.Request {
				return withAuth(t, atServer(t, sign(t, "both", Params{})), setParam("oauth_signature_method", "RSA-SHA256"))
			},
			want: ProblemError{Status: 400, Problem: ProblemSignatureMethodRejected, Advice: "accepted for this consumer: RSA-SHA1, HMAC-SHA1, PLAINTEXT"},
		},
		{
			name: "timestamp too old",
			request: func(t *testing.T) *http.Request {
				return atServer(t, sign(t, "rsa", Params{Timestamp: provNow.Add(-301 * time.Second)}))
			},
			want: ProblemError{Status: 400, Problem: ProblemTimestampRefused,
				MinTimestamp: provNow.Unix() - 300, MaxTimestamp: provNow.Unix() + 300},
		},
		{
			name: "timestamp in the future, custom window",
			cfg:  func(c *VerifierConfig) { c.Window = time.Minute },
			request: func(t *testing.T) *http.Request {
				return atServer(t, sign(t, "rsa", Params{Timestamp: provNow.Add(61 * time.Second)}))
			},
			want: ProblemError{Status: 400, Problem: ProblemTimestampRefused,
				MinTimestamp: provNow.Unix() - 60, MaxTimestamp: provNow.Unix() + 60},
		},
		{
			name: "timestamp not a number",
			request: func(t *testing.T) *http.Request {
				return withAuth(t, atServer(t, sign(t, "rsa", Params{})), setParam("oauth_timestamp", "yesterday"))
			},
			want: ProblemError{Status: 400, Problem: ProblemParameterRejected, ParametersRejected: []string{"oauth_timestamp"},
				Advice: "oauth_timestamp must be a number of seconds since 1970"},
		},
		{
			name: "unknown token, RSA-SHA1",
			request: func(t *testing.T) *http.Request {
				return atServer(t, sign(t, "rsa", Params{Token: NewToken("nope", "")}))
			},
			want: ProblemError{Status: 401, Problem: ProblemTokenRejected},
		},
		{
			name: "unknown token, HMAC-SHA1",
			request: func(t *testing.T) *http.Request {
				return atServer(t, sign(t, "hmac", Params{Token: NewToken("nope", "x")}))
			},
			want: ProblemError{Status: 401, Problem: ProblemTokenRejected},
		},
		{
			name: "token lookup says expired",
			request: func(t *testing.T) *http.Request {
				return atServer(t, sign(t, "rsa", Params{Token: NewToken("expired", "")}))
			},
			want: ProblemError{Status: 401, Problem: ProblemTokenExpired},
		},
		{
			name:    "no token lookup, token sent",
			cfg:     func(c *VerifierConfig) { c.TokenSecrets = nil },
			request: func(t *testing.T) *http.Request { return atServer(t, sign(t, "rsa", Params{Token: tok})) },
			want:    ProblemError{Status: 401, Problem: ProblemTokenRejected},
		},
		{
			name: "changed query parameter",
			request: func(t *testing.T) *http.Request {
				r := atServer(t, sign(t, "rsa", Params{}))
				r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "maxResults=5", "maxResults=500", 1)
				return r
			},
			want: ProblemError{Status: 401, Problem: ProblemSignatureInvalid, SignatureMethod: MethodRSASHA1},
		},
		{
			name: "wrong key",
			request: func(t *testing.T) *http.Request {
				return withKey(t, atServer(t, sign(t, "rsa-other", Params{})), "rsa")
			},
			want: ProblemError{Status: 401, Problem: ProblemSignatureInvalid, SignatureMethod: MethodRSASHA1},
		},
		{
			name: "wrong token secret, HMAC-SHA1",
			request: func(t *testing.T) *http.Request {
				return atServer(t, sign(t, "hmac", Params{Token: NewToken("tok-1", "wrong")}))
			},
			want: ProblemError{Status: 401, Problem: ProblemSignatureInvalid, SignatureMethod: MethodHMACSHA1},
		},
		{
			name: "signature not Base64",
			request: func(t *testing.T) *http.Request {
				return withAuth(t, atServer(t, sign(t, "rsa", Params{})), setParam("oauth_signature", "!!!"))
			},
			want: ProblemError{Status: 401, Problem: ProblemSignatureInvalid, SignatureMethod: MethodRSASHA1,
				Advice: "oauth_signature is not valid Base64", Signature: NewSecret("!!!")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := prov.verifier(t, tt.cfg)
			r := tt.request(t)
			got, err := v.Verify(r)
			if got != nil {
				t.Errorf("Verify returned %v with its error", got)
			}
			pe := asProblem(t, err)
			if pe.Realm != "https://jira.example.com" {
				t.Errorf("Realm = %q, want https://jira.example.com", pe.Realm)
			}
			if tt.want.Problem == ProblemSignatureInvalid {
				if !strings.HasPrefix(pe.SignatureBaseString.Reveal(), "GET&https%3A%2F%2Fjira.example.com%2F") {
					t.Errorf("SignatureBaseString = %q, want the provider's base string", pe.SignatureBaseString.Reveal())
				}
				if tt.want.Signature.IsZero() && pe.Signature.IsZero() {
					t.Error("Signature not echoed")
				}
				tt.want.Signature = pe.Signature
			} else if !pe.SignatureBaseString.IsZero() {
				t.Errorf("SignatureBaseString = %q on %s", pe.SignatureBaseString.Reveal(), pe.Problem)
			}
			pe.Realm, pe.SignatureBaseString = "", Secret{}
			if diff := cmp.Diff(&tt.want, pe); diff != "" {
				t.Errorf("problem (-want +got):\n%s", diff)
			}
		})
	}
}

// withKey changes the consumer key of an already signed request.
func withKey(t *testing.T, r *http.Request, key string) *http.Request {
	return withAuth(t, r, setParam("oauth_consumer_key", key))
}

func TestVerifySignatureInvalidEchoesProviderBaseString(t *testing.T) {
	t.Parallel()
	prov := newProvider(t)
	c := signed(t, clientFor(t, "rsa"), "GET", "https://jira.example.com/rest/x?a=1", "", Params{})
	r := atServer(t, c)
	r.URL.RawQuery = "a=2"
	want, err := BaseString(r)
	if err != nil {
		t.Fatal(err)
	}
	_, err = prov.verifier(t, nil).Verify(r)
	pe := asProblem(t, err)
	if pe.SignatureBaseString.Reveal() != want {
		t.Errorf("SignatureBaseString = %q\nwant %q", pe.SignatureBaseString.Reveal(), want)
	}
}

func TestVerifyLookupErrors(t *testing.T) {
	t.Parallel()
	prov := newProvider(t)
	for _, tc := range []struct{ name, consumer, token string }{
		{"consumer", "broken", ""},
		{"token", "rsa", "broken"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := signed(t, clientFor(t, tc.consumer), "GET", "https://jira.example.com/", "", Params{Token: NewToken(tc.token, "")})
			_, err := prov.verifier(t, nil).Verify(atServer(t, c))
			var pe *ProblemError
			if err == nil || errors.As(err, &pe) {
				t.Fatalf("Verify error = %v, want a lookup failure that is not a problem", err)
			}
			if !strings.HasPrefix(err.Error(), "signer: looking up ") || !strings.Contains(err.Error(), "database is down") {
				t.Errorf("error = %q", err)
			}
		})
	}
}

func TestVerifyNonceReplay(t *testing.T) {
	t.Parallel()
	prov := newProvider(t)
	v := prov.verifier(t, nil)
	c := signed(t, clientFor(t, "hmac"), "POST", "https://ci.example.com/build", "a=1", Params{Token: NewToken("tok-1", tokenSecret)})
	if _, err := v.Verify(atServer(t, c)); err != nil {
		t.Fatalf("first Verify: %v", err)
	}
	_, err := v.Verify(atServer(t, c))
	pe := asProblem(t, err)
	if pe.Problem != ProblemNonceUsed || pe.StatusCode() != 401 {
		t.Errorf("replay: %#v, want nonce_used 401", pe)
	}

	// A bad signature does not burn the nonce.
	v = prov.verifier(t, nil)
	c = signed(t, clientFor(t, "hmac"), "GET", "https://ci.example.com/x", "", Params{Nonce: "n-1"})
	bad := atServer(t, c)
	bad.URL.RawQuery = "tampered=1"
	if _, err := v.Verify(bad); asProblem(t, err).Problem != ProblemSignatureInvalid {
		t.Fatalf("tampered: %v", err)
	}
	if _, err := v.Verify(atServer(t, c)); err != nil {
		t.Errorf("Verify after a failed attempt with the same nonce: %v", err)
	}
}

type failingNonces struct{}

func (failingNonces) Record(context.Context, string, string, int64, string) (bool, error) {
	return false, errors.New("redis is down")
}

func TestVerifyNonceStoreError(t *testing.T) {
	t.Parallel()
	prov := newProvider(t)
	v := prov.verifier(t, func(c *VerifierConfig) { c.Nonces = failingNonces{} })
	c := signed(t, clientFor(t, "rsa"), "GET", "https://jira.example.com/", "", Params{})
	_, err := v.Verify(atServer(t, c))
	var pe *ProblemError
	if err == nil || errors.As(err, &pe) || !strings.Contains(err.Error(), "redis is down") {
		t.Errorf("Verify error = %v, want the nonce store's error", err)
	}
}

func TestVerifyTimestampWindowEdges(t *testing.T) {
	t.Parallel()
	prov := newProvider(t)
	v := prov.verifier(t, nil)
	for _, d := range []time.Duration{-300 * time.Second, 300 * time.Second} {
		c := signed(t, clientFor(t, "rsa"), "GET", "https://jira.example.com/", "", Params{Timestamp: provNow.Add(d)})
		if _, err := v.Verify(atServer(t, c)); err != nil {
			t.Errorf("timestamp now%+v: %v", d, err)
		}
	}
}

func TestVerifyBaseURL(t *testing.T) {
	t.Parallel()
	prov := newProvider(t)
	public := &url.URL{Scheme: "https", Host: "jira.example.com", Path: "/jira/"}
	v := prov.verifier(t, func(c *VerifierConfig) { c.BaseURL = public })

	t.Run("client signs the public URL", func(t *testing.T) {
		t.Parallel()
		c := signed(t, clientFor(t, "rsa"), "GET", "https://jira.example.com/jira/rest/api/2/myself?x=1", "", Params{})
		// Behind the proxy the server sees http, another host, and no context path.
		r := httptest.NewRequest("GET", "/rest/api/2/myself?x=1", nil)
		r.Host = "10.0.0.7:8080"
		r.Header = c.Header.Clone()
		if _, err := v.Verify(r); err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if got := v.Realm(r); got != "https://jira.example.com/jira" {
			t.Errorf("Realm = %q", got)
		}
	})
	t.Run("client signs the internal URL", func(t *testing.T) {
		t.Parallel()
		c := signed(t, clientFor(t, "rsa"), "GET", "http://10.0.0.7:8080/rest/api/2/myself?x=1", "", Params{})
		_, err := v.Verify(atServer(t, c))
		pe := asProblem(t, err)
		const want = "GET&https%3A%2F%2Fjira.example.com%2Fjira%2Frest%2Fapi%2F2%2Fmyself&"
		if pe.Problem != ProblemSignatureInvalid || !strings.HasPrefix(pe.SignatureBaseString.Reveal(), want) {
			t.Errorf("problem %q with base string %q, want signature_invalid with %q...", pe.Problem, pe.SignatureBaseString.Reveal(), want)
		}
		if pe.Realm != "https://jira.example.com/jira" {
			t.Errorf("Realm = %q", pe.Realm)
		}
	})
}

func TestVerifierRealm(t *testing.T) {
	t.Parallel()
	prov := newProvider(t)
	r := httptest.NewRequest("GET", "/x", nil)
	r.Host = "Jira.Example.com:8443"
	if got := prov.verifier(t, nil).Realm(r); got != "http://Jira.Example.com:8443" {
		t.Errorf("Realm = %q", got)
	}
	if got := prov.verifier(t, func(c *VerifierConfig) { c.Realm = "jira" }).Realm(r); got != "jira" {
		t.Errorf("Realm with Realm set = %q", got)
	}
}

func TestNewVerifierValidates(t *testing.T) {
	t.Parallel()
	ok := func(context.Context, string) (*Consumer, error) { return nil, ErrUnknownConsumer }
	for _, tc := range []struct {
		name string
		cfg  VerifierConfig
	}{
		{"no consumers", VerifierConfig{}},
		{"negative window", VerifierConfig{Consumers: ok, Window: -time.Second}},
		{"unknown method", VerifierConfig{Consumers: ok, Methods: []string{"RSA-SHA256"}}},
		{"relative base URL", VerifierConfig{Consumers: ok, BaseURL: &url.URL{Path: "/jira"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if v, err := NewVerifier(tc.cfg); err == nil || !strings.HasPrefix(err.Error(), "signer: ") {
				t.Errorf("NewVerifier = %v, %v; want a signer: error", v, err)
			}
		})
	}
}

func TestNewVerifierDoesNotAliasConfig(t *testing.T) {
	t.Parallel()
	prov := newProvider(t)
	methods := []string{MethodHMACSHA1}
	base := &url.URL{Scheme: "https", Host: "ci.example.com"}
	v := prov.verifier(t, func(c *VerifierConfig) { c.Methods, c.BaseURL = methods, base })
	methods[0] = MethodRSASHA1
	base.Host = "evil.example.com"
	c := signed(t, clientFor(t, "hmac"), "GET", "https://ci.example.com/x", "", Params{})
	if _, err := v.Verify(atServer(t, c)); err != nil {
		t.Errorf("Verify after the caller changed its config: %v", err)
	}
}

// TestVerifyOverHTTP runs the provider as a server: problems go out with
// WriteProblem and come back through ParseProblem.
func TestVerifyOverHTTP(t *testing.T) {
	t.Parallel()
	prov := newProvider(t)
	v := prov.verifier(t, nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, err := v.Verify(r)
		var pe *ProblemError
		switch {
		case errors.As(err, &pe):
			WriteProblem(w, pe)
		case err != nil:
			http.Error(w, err.Error(), http.StatusInternalServerError)
		default:
			io.WriteString(w, "hello "+got.Consumer.Key+" as "+got.RequestorID)
		}
	}))
	t.Cleanup(srv.Close)

	do := func(t *testing.T, s *Signer, p Params, path string) (*http.Response, []byte) {
		t.Helper()
		r := signed(t, s, "POST", srv.URL+path, "a=b+c", p)
		resp, err := srv.Client().Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}
	t.Run("ok", func(t *testing.T) {
		t.Parallel()
		resp, body := do(t, clientFor(t, "rsa"), Params{}, "/rest?xoauth_requestor_id=admin")
		if resp.StatusCode != 200 || string(body) != "hello rsa as admin" {
			t.Errorf("got %d %q", resp.StatusCode, body)
		}
	})
	t.Run("old timestamp", func(t *testing.T) {
		t.Parallel()
		resp, body := do(t, clientFor(t, "hmac", WithClock(func() time.Time { return provNow.Add(-time.Hour) })), Params{}, "/rest")
		pe := ParseProblem(resp.StatusCode, resp.Header, body)
		want := &ProblemError{Status: 400, Problem: ProblemTimestampRefused, Realm: srv.URL,
			MinTimestamp: provNow.Unix() - 300, MaxTimestamp: provNow.Unix() + 300}
		if diff := cmp.Diff(want, pe); diff != "" {
			t.Errorf("parsed problem (-want +got):\n%s", diff)
		}
	})
	t.Run("bad signature", func(t *testing.T) {
		t.Parallel()
		resp, body := do(t, clientFor(t, "hmac"), Params{Token: NewToken("tok-1", "wrong")}, "/rest")
		pe := ParseProblem(resp.StatusCode, resp.Header, body)
		if pe == nil || pe.Problem != ProblemSignatureInvalid || pe.Status != 401 || pe.SignatureMethod != MethodHMACSHA1 {
			t.Fatalf("parsed problem = %#v", pe)
		}
		if !strings.HasPrefix(pe.SignatureBaseString.Reveal(), "POST&http%3A%2F%2F127.0.0.1") || !strings.Contains(pe.SignatureBaseString.Reveal(), "a%3Db%2520c") {
			t.Errorf("base string = %q", pe.SignatureBaseString.Reveal())
		}
	})
}

func TestVerifyMalformedQuery(t *testing.T) {
	t.Parallel()
	prov := newProvider(t)
	c := signed(t, clientFor(t, "rsa"), "GET", "https://jira.example.com/x", "", Params{})
	r := atServer(t, c)
	r.URL.RawQuery = "a=%zz"
	_, err := prov.verifier(t, nil).Verify(r)
	pe := asProblem(t, err)
	if pe.Problem != ProblemParameterRejected || !strings.HasPrefix(pe.Advice, "query: ") {
		t.Errorf("problem = %#v, want parameter_rejected about the query", pe)
	}
}

// FuzzVerify sends arbitrary Authorization headers, queries and bodies: the
// verifier answers with a problem or a Verified, never panics, and is
// deterministic (the nonce store is fresh for each run).
func FuzzVerify(f *testing.F) {
	prov := newProvider(f)
	c := signed(f, clientFor(f, "hmac"), "POST", "https://ci.example.com/x?a=1", "b=2", Params{Token: NewToken("tok-1", tokenSecret)})
	f.Add(c.Header.Get("Authorization"), "a=1", "b=2")
	f.Add(`OAuth oauth_consumer_key="hmac", oauth_nonce="n", oauth_nonce="m"`, "oauth_token=x", "")
	f.Add(`OAuth realm="x", oauth_version="2.0"`, "%", "%zz=")
	f.Fuzz(func(t *testing.T, auth, query, body string) {
		run := func() (string, error) {
			v := prov.verifier(t, nil)
			r := httptest.NewRequest("POST", "https://ci.example.com/x", strings.NewReader(body))
			r.URL.RawQuery = query
			r.Header.Set("Authorization", auth)
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			got, err := v.Verify(r)
			if got != nil {
				return got.BaseString.Reveal(), err
			}
			return "", err
		}
		b1, err1 := run()
		b2, err2 := run()
		if b1 != b2 || (err1 == nil) != (err2 == nil) || (err1 != nil && err1.Error() != err2.Error()) {
			t.Fatalf("not deterministic: %v / %v", err1, err2)
		}
		var pe *ProblemError
		if err1 != nil && !errors.As(err1, &pe) && !strings.Contains(err1.Error(), "database is down") {
			t.Fatalf("error %v is not a problem", err1)
		}
	})
}
