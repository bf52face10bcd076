package signer_test

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dghubble/oauth1"
	"github.com/google/go-cmp/cmp"

	"github.com/go-applinks/applinks/signer"
)

// Our methods are dghubble signers, and dghubble's signers are our methods.
var (
	_ oauth1.Signer = (*signer.RSASHA1)(nil)
	_ oauth1.Signer = (*signer.HMACSHA1)(nil)
	_ oauth1.Signer = (*signer.Plaintext)(nil)
	_ signer.Method = (*oauth1.RSASigner)(nil)
	_ signer.Method = (*oauth1.HMACSigner)(nil)
)

func loadKey(tb testing.TB, name string) *rsa.PrivateKey {
	tb.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		tb.Fatalf("%s: no PEM block", name)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		tb.Fatal(err)
	}
	return k.(*rsa.PrivateKey)
}

type fixedNoncer string

func (n fixedNoncer) Nonce() string { return string(n) }

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// dghubbleSign sends req through a dghubble/oauth1 client and returns the
// request as dghubble signed it (nothing goes on the network).
func dghubbleSign(tb testing.TB, cfg *oauth1.Config, tok *oauth1.Token, req *http.Request) *http.Request {
	tb.Helper()
	var sent *http.Request
	rec := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent = r
		return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
	})}
	ctx := context.WithValue(context.Background(), oauth1.HTTPClient, rec)
	resp, err := cfg.Client(ctx, tok).Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	return sent
}

// oursLike signs req with our Signer using dghubble's nonce and timestamp.
func oursLike(tb testing.TB, s *signer.Signer, tok signer.Token, dg, req *http.Request) *http.Request {
	tb.Helper()
	p, err := signer.ParseAuthorization(dg.Header.Get("Authorization"))
	if err != nil {
		tb.Fatal(err)
	}
	ts, err := strconv.ParseInt(p.Get("oauth_timestamp"), 10, 64)
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.Sign(req, signer.Params{Token: tok, Nonce: p.Get("oauth_nonce"), Timestamp: time.Unix(ts, 0)}); err != nil {
		tb.Fatal(err)
	}
	return req
}

type interopCase struct {
	name, method, url, contentType, body, host string
}

func (c interopCase) request(tb testing.TB) *http.Request {
	tb.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	method := c.method
	if method == "" {
		method = "GET"
	}
	r, err := http.NewRequest(method, c.url, body)
	if err != nil {
		tb.Fatal(err)
	}
	if c.contentType != "" {
		r.Header.Set("Content-Type", c.contentType)
	}
	if c.host != "" {
		r.Host = c.host
	}
	return r
}

// TestInteropSameHeader signs requests where dghubble/oauth1 is right with
// both libraries, HMAC-SHA1 and RSA-SHA1 (PKCS #1 v1.5 is deterministic),
// and wants identical Authorization headers.
func TestInteropSameHeader(t *testing.T) {
	t.Parallel()
	key := loadKey(t, "sign-rsa2048-TEST-ONLY.pem")
	rsaM, err := signer.NewRSASHA1(key)
	if err != nil {
		t.Fatal(err)
	}
	hm, err := signer.NewHMACSHA1("consumer secret")
	if err != nil {
		t.Fatal(err)
	}
	methods := []struct {
		name string
		ours signer.Method
		dg   oauth1.Signer
	}{
		{"HMAC-SHA1", hm, &oauth1.HMACSigner{ConsumerSecret: "consumer secret"}},
		{"RSA-SHA1", rsaM, &oauth1.RSASigner{PrivateKey: key}},
	}
	cases := []interopCase{
		{name: "five query parameters", url: "https://jira.example.com/rest/api/2/search?jql=project%3DKEY&startAt=0&maxResults=50&fields=summary,status&expand=names"},
		{name: "form body", method: "POST", url: "https://jira.example.com/rest/x?a=1",
			contentType: "application/x-www-form-urlencoded", body: "b=2&c=x+y&d=%C3%BC"},
		{name: "reserved and space", url: "https://example.com/p%20q?a=%21%2A%27%28%29&b=c+d&e=f%20g&h=%2B"},
		{name: "non-default port and upper-case host", url: "https://Jira.Example.COM:8443/rest"},
		{name: "empty value", url: "https://example.com/?a=&b=1"},
		{name: "non-ascii", url: "https://example.com/ü?q=café"},
	}
	for _, m := range methods {
		for _, tok := range []signer.Token{{}, signer.NewToken("access token", "token secret")} {
			for _, c := range cases {
				t.Run(m.name+"/"+"token="+tok.Key()+"/"+c.name, func(t *testing.T) {
					t.Parallel()
					cfg := &oauth1.Config{ConsumerKey: "consumer key", Signer: m.dg, Noncer: fixedNoncer("nonce/+=")}
					dg := dghubbleSign(t, cfg, oauth1.NewToken(tok.Key(), tok.Secret()), c.request(t))
					s, err := signer.New("consumer key", m.ours)
					if err != nil {
						t.Fatal(err)
					}
					ours := oursLike(t, s, tok, dg, c.request(t))
					if diff := cmp.Diff(dg.Header.Get("Authorization"), ours.Header.Get("Authorization")); diff != "" {
						t.Errorf("Authorization (-dghubble +ours):\n%s", diff)
					}
				})
			}
		}
	}
}

// TestInteropMethodsCrossOver uses dghubble's signers as our Method and our
// methods as dghubble's Signer.
func TestInteropMethodsCrossOver(t *testing.T) {
	t.Parallel()
	key := loadKey(t, "sign-rsa2048-TEST-ONLY.pem")
	c := interopCase{url: "https://bitbucket.example.com/rest/api/1.0/projects?limit=5"}

	for _, m := range []signer.Method{&oauth1.RSASigner{PrivateKey: key}, &oauth1.HMACSigner{ConsumerSecret: "cs"}} {
		s, err := signer.New("ck", m)
		if err != nil {
			t.Fatal(err)
		}
		r := c.request(t)
		if err := s.Sign(r, signer.Params{Token: signer.NewToken("t", "ts")}); err != nil {
			t.Fatal(err)
		}
		base, err := signer.BaseString(r)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := signer.ParseAuthorization(r.Header.Get("Authorization"))
		switch m.Name() {
		case signer.MethodRSASHA1:
			err = signer.VerifyRSASHA1(&key.PublicKey, base, p.Get("oauth_signature"))
		default:
			err = signer.VerifyHMACSHA1("cs", "ts", base, p.Get("oauth_signature"))
		}
		if err != nil {
			t.Errorf("dghubble %s as our Method: %v", m.Name(), err)
		}
	}

	ours, err := signer.NewRSASHA1(key)
	if err != nil {
		t.Fatal(err)
	}
	withOurs := dghubbleSign(t, &oauth1.Config{ConsumerKey: "ck", Signer: ours, Noncer: fixedNoncer("n")}, oauth1.NewToken("t", ""), c.request(t))
	base, err := signer.BaseString(withOurs)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := signer.ParseAuthorization(withOurs.Header.Get("Authorization"))
	if err := signer.VerifyRSASHA1(&key.PublicKey, base, p.Get("oauth_signature")); err != nil {
		t.Errorf("our RSASHA1 in dghubble's Config: %v", err)
	}
}

// TestInteropDifferences pins down where dghubble/oauth1 v0.7.3 and this
// package sign differently (see "Compatibility" in the package doc). In each
// case our base string is the one RFC 5849 §3.4.1 gives; the test fails if
// dghubble starts agreeing, so the documentation can be updated.
func TestInteropDifferences(t *testing.T) {
	t.Parallel()
	hm, err := signer.NewHMACSHA1("cs")
	if err != nil {
		t.Fatal(err)
	}
	s, err := signer.New("ck", hm, signer.WithRealm("https://jira.example.com"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		interopCase
		why string
	}{
		{interopCase{name: "repeated query parameters", url: "https://example.com/?a=1&a=2"},
			"dghubble signs only the first value of a repeated name"},
		{interopCase{name: "form body with charset", method: "POST", url: "https://example.com/",
			contentType: "application/x-www-form-urlencoded; charset=UTF-8", body: "a=1"},
			"dghubble signs a form body only when Content-Type is exactly application/x-www-form-urlencoded"},
		{interopCase{name: "port 443 over http", url: "http://example.com:443/"},
			"dghubble drops port 80 and 443 whatever the scheme"},
		{interopCase{name: "Host header differs from URL", url: "http://10.0.0.7:8080/", host: "jira.example.com"},
			"dghubble ignores req.Host, which is the host the provider sees"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dg := dghubbleSign(t, &oauth1.Config{ConsumerKey: "ck", ConsumerSecret: "cs", Realm: "https://jira.example.com",
				Noncer: fixedNoncer("n")}, oauth1.NewToken("", ""), c.request(t))
			ours := oursLike(t, s, signer.Token{}, dg, c.request(t))
			dp, _ := signer.ParseAuthorization(dg.Header.Get("Authorization"))
			op, _ := signer.ParseAuthorization(ours.Header.Get("Authorization"))
			if dp.Get("oauth_signature") == op.Get("oauth_signature") {
				t.Errorf("dghubble now agrees (%s): update the Compatibility section", c.why)
			}
			// Ours verifies over the base string a provider rebuilds.
			base, err := signer.BaseString(ours)
			if err != nil {
				t.Fatal(err)
			}
			if err := signer.VerifyHMACSHA1("cs", "", base, op.Get("oauth_signature")); err != nil {
				t.Error(err)
			}
			// Both send the realm, unsigned, and oauth_version="1.0".
			for _, p := range []map[string][]string{dp, op} {
				if p["realm"] == nil || p["oauth_version"] == nil {
					t.Errorf("realm or oauth_version missing: %v", p)
				}
			}
		})
	}
}
