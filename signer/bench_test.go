package signer

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dghubble/oauth1"
)

// The benchmarks of the issue, to be run in one go so that the ratios come
// from one run:
//
//	go test -run '^$' -bench . -benchmem -count 6 ./signer/
//
// They sign a GET with five query parameters, as a REST call to Jira does.
const benchURL = "https://jira.example.com/rest/api/2/search?jql=project%3DKEY%20AND%20status%3DOpen&startAt=0&maxResults=50&fields=summary%2Cstatus&expand=names"

func benchRequest(b *testing.B) *http.Request {
	b.Helper()
	r, err := http.NewRequest("GET", benchURL, nil)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

var benchParams = Params{Token: NewToken("AjGrdXo8ctfnRhmVnW8kPHeXDBNX2wGe", "")}

// BenchmarkSignRSASHA1 is Signer.Sign with a 2048-bit key: everything the
// package does plus one RSA signature.
func BenchmarkSignRSASHA1(b *testing.B) {
	m, err := NewRSASHA1(testKey(b))
	if err != nil {
		b.Fatal(err)
	}
	s := mustNew(b, "consumer", m)
	r := benchRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Sign(r, benchParams); err != nil {
			b.Fatal(err)
		}
	}
}

// noopMethod returns a fixed signature as long as a 2048-bit RSA one.
type noopMethod struct{}

func (noopMethod) Name() string { return MethodRSASHA1 }

func (noopMethod) Sign(_, _ string) (string, error) { return noopSignature, nil }

var noopSignature = strings.Repeat("A", 342) + "=="

// BenchmarkSignOverhead is Signer.Sign with a method that does no
// cryptography: exactly what the package adds around the RSA operation
// (parameters, nonce, base string, header).
func BenchmarkSignOverhead(b *testing.B) {
	s := mustNew(b, "consumer", noopMethod{})
	r := benchRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Sign(r, benchParams); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawRSASignPKCS1v15 is the RSA operation alone (SHA-1 and PKCS #1
// v1.5 signature of a base string of the same length), the floor of
// BenchmarkSignRSASHA1.
func BenchmarkRawRSASignPKCS1v15(b *testing.B) {
	key := testKey(b)
	base := benchBaseString(b)
	b.ReportAllocs()
	for b.Loop() {
		d := sha1.Sum([]byte(base))
		if _, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA1, d[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignHMACSHA1 is Signer.Sign with HMAC-SHA1: nearly all of it is
// this package's own work.
func BenchmarkSignHMACSHA1(b *testing.B) {
	s := mustNew(b, "consumer", mustHMAC(b, "consumer secret"))
	r := benchRequest(b)
	p := Params{Token: NewToken("AjGrdXo8ctfnRhmVnW8kPHeXDBNX2wGe", "token secret")}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Sign(r, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyRSASHA1 rebuilds the base string of a signed request and
// checks its RSA-SHA1 signature, as a provider does (without the nonce and
// timestamp checks of a Verifier).
func BenchmarkVerifyRSASHA1(b *testing.B) {
	m, err := NewRSASHA1(testKey(b))
	if err != nil {
		b.Fatal(err)
	}
	r := benchRequest(b)
	if err := mustNew(b, "consumer", m).Sign(r, benchParams); err != nil {
		b.Fatal(err)
	}
	p, err := ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		b.Fatal(err)
	}
	sig, pub := p.Get("oauth_signature"), m.PublicKey()
	b.ReportAllocs()
	for b.Loop() {
		base, err := BaseString(r)
		if err != nil {
			b.Fatal(err)
		}
		if err := VerifyRSASHA1(pub, base, sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawRSAVerifyPKCS1v15 is the RSA verification alone, the floor
// of BenchmarkVerifyRSASHA1.
func BenchmarkRawRSAVerifyPKCS1v15(b *testing.B) {
	key := testKey(b)
	base := benchBaseString(b)
	d := sha1.Sum([]byte(base))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA1, d[:])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		d := sha1.Sum([]byte(base))
		if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA1, d[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTransportRSASHA1 is one request through Transport.RoundTrip (clone
// and sign) to a Base that answers at once: the like-for-like comparison with
// dghubble's transport below.
func BenchmarkTransportRSASHA1(b *testing.B) {
	m, err := NewRSASHA1(testKey(b))
	if err != nil {
		b.Fatal(err)
	}
	origin, _ := url.Parse("https://jira.example.com")
	resp := &http.Response{StatusCode: 200, Body: http.NoBody}
	tr := &Transport{Signer: mustNew(b, "consumer", m), Origin: origin,
		Params: func(*http.Request) (Params, error) { return benchParams, nil },
		Base:   roundTripFunc(func(*http.Request) (*http.Response, error) { return resp, nil })}
	r := benchRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tr.RoundTrip(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDghubbleRSASHA1 is github.com/dghubble/oauth1 v0.7.3 producing the
// same header for the same request through its Transport (clone and sign).
func BenchmarkDghubbleRSASHA1(b *testing.B) {
	resp := &http.Response{StatusCode: 200, Body: http.NoBody}
	rec := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return resp, nil })}
	cfg := &oauth1.Config{ConsumerKey: "consumer", Signer: &oauth1.RSASigner{PrivateKey: testKey(b)}}
	tr := cfg.Client(context.WithValue(context.Background(), oauth1.HTTPClient, rec),
		oauth1.NewToken(benchParams.Token.Key(), "")).Transport
	r := benchRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tr.RoundTrip(r); err != nil {
			b.Fatal(err)
		}
	}
}

func benchBaseString(b *testing.B) string {
	b.Helper()
	r := benchRequest(b)
	if err := mustNew(b, "consumer", mustHMAC(b, "x")).Sign(r, benchParams); err != nil {
		b.Fatal(err)
	}
	base, err := BaseString(r)
	if err != nil {
		b.Fatal(err)
	}
	return base
}

// BenchmarkBaseString is the base string a provider rebuilds from a signed
// request: what verification adds to the RSA operation.
func BenchmarkBaseString(b *testing.B) {
	r := benchRequest(b)
	if err := mustNew(b, "consumer", noopMethod{}).Sign(r, benchParams); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := BaseString(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTransportOverhead and BenchmarkDghubbleOverhead compare the two
// transports without cryptography (a method that returns a fixed
// signature), so that the RSA time, and its noise, drop out.
func BenchmarkTransportOverhead(b *testing.B) {
	origin, _ := url.Parse("https://jira.example.com")
	resp := &http.Response{StatusCode: 200, Body: http.NoBody}
	tr := &Transport{Signer: mustNew(b, "consumer", noopMethod{}), Origin: origin,
		Params: func(*http.Request) (Params, error) { return benchParams, nil },
		Base:   roundTripFunc(func(*http.Request) (*http.Response, error) { return resp, nil })}
	r := benchRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tr.RoundTrip(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDghubbleOverhead(b *testing.B) {
	resp := &http.Response{StatusCode: 200, Body: http.NoBody}
	rec := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return resp, nil })}
	cfg := &oauth1.Config{ConsumerKey: "consumer", Signer: noopMethod{}}
	tr := cfg.Client(context.WithValue(context.Background(), oauth1.HTTPClient, rec),
		oauth1.NewToken(benchParams.Token.Key(), "")).Transport
	r := benchRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tr.RoundTrip(r); err != nil {
			b.Fatal(err)
		}
	}
}
