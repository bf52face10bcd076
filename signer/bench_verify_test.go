package signer

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"strconv"
	"testing"
)

// acceptAllNonces lets one signed request be verified b.N times; the cost of
// MemoryNonceStore is measured by BenchmarkMemoryNonceStore.
type acceptAllNonces struct{}

func (acceptAllNonces) Record(context.Context, string, string, int64, string) (bool, error) {
	return false, nil
}

// BenchmarkVerifyRSASHA1Request verifies a GET with five query parameters
// signed with a 2048-bit key; compare with BenchmarkVerifyRSASHA1Raw, the
// bare rsa.VerifyPKCS1v15 of the same signature, run in the same go test.
func BenchmarkVerifyRSASHA1Request(b *testing.B) {
	prov := newProvider(b)
	v := prov.verifier(b, func(c *VerifierConfig) { c.Nonces = acceptAllNonces{} })
	c := signed(b, clientFor(b, "rsa"), "GET",
		"https://jira.example.com/rest/api/2/search?jql=project%3DABC&startAt=0&maxResults=50&fields=summary&expand=names", "", Params{})
	r, err := http.NewRequest("GET", c.URL.RequestURI(), nil)
	if err != nil {
		b.Fatal(err)
	}
	r.Host, r.Header = c.URL.Host, c.Header
	r.URL.Scheme = "https"
	if _, err := v.Verify(r); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyRSASHA1Raw is the baseline: SHA-1 and rsa.VerifyPKCS1v15 of
// the same base string and signature, nothing else.
func BenchmarkVerifyRSASHA1Raw(b *testing.B) {
	c := signed(b, clientFor(b, "rsa"), "GET",
		"https://jira.example.com/rest/api/2/search?jql=project%3DABC&startAt=0&maxResults=50&fields=summary&expand=names", "", Params{})
	base, err := BaseString(c)
	if err != nil {
		b.Fatal(err)
	}
	ps, err := authorizationParams(c.Header, RFC5849)
	if err != nil {
		b.Fatal(err)
	}
	var sig64 string
	for _, p := range ps {
		if p.k == "oauth_signature" {
			sig64 = p.v
		}
	}
	sig, err := base64.StdEncoding.DecodeString(sig64)
	if err != nil {
		b.Fatal(err)
	}
	a, _ := provKeys(b)
	pub := &a.PublicKey
	b.ReportAllocs()
	for b.Loop() {
		d := sha1.Sum([]byte(base))
		if err := rsaVerify(pub, crypto.SHA1, d[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMemoryNonceStore records fresh nonces in a store that sweeps.
func BenchmarkMemoryNonceStore(b *testing.B) {
	s := NewMemoryNonceStore(0, nil)
	ctx := b.Context()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if _, err := s.Record(ctx, "consumer", "token", 1767323045, strconv.Itoa(i)); err != nil {
			b.Fatal(err)
		}
	}
}

var rsaVerify = rsa.VerifyPKCS1v15

// BenchmarkVerifyHMACSHA1Request verifies the same GET signed with
// HMAC-SHA1: nearly all of it is what Verify adds around the signature check
// (parsing, lookups, base string), so it bounds the overhead on RSA-SHA1.
func BenchmarkVerifyHMACSHA1Request(b *testing.B) {
	prov := newProvider(b)
	v := prov.verifier(b, func(c *VerifierConfig) { c.Nonces = acceptAllNonces{} })
	c := signed(b, clientFor(b, "hmac"), "GET",
		"https://jira.example.com/rest/api/2/search?jql=project%3DABC&startAt=0&maxResults=50&fields=summary&expand=names", "", Params{})
	r, err := http.NewRequest("GET", c.URL.RequestURI(), nil)
	if err != nil {
		b.Fatal(err)
	}
	r.Host, r.Header = c.URL.Host, c.Header
	r.URL.Scheme = "https"
	if _, err := v.Verify(r); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r); err != nil {
			b.Fatal(err)
		}
	}
}
