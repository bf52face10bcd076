package signer

import (
	"bufio"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func FuzzEncodeDecode(f *testing.F) {
	for _, s := range []string{"", "abc", "a b+c", "%", "%zz", "%4", "ü€😀", "-._~", "%41%2b%2B", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc := Encode(s)
		for i := 0; i < len(enc); i++ {
			if c := enc[i]; !unreserved(c) && c != '%' {
				t.Fatalf("Encode(%q) = %q has unencoded byte %q", s, enc, c)
			}
		}
		dec, err := Decode(enc)
		if err != nil || dec != s {
			t.Fatalf("Decode(Encode(%q)) = %q, %v", s, dec, err)
		}
		if Encode(s) != enc {
			t.Fatal("Encode is not deterministic")
		}
		// Decode of arbitrary input never panics; when it succeeds the
		// canonical encoding decodes to the same bytes.
		if d, err := Decode(s); err == nil {
			if d2, err := Decode(Encode(d)); err != nil || d2 != d {
				t.Fatalf("Decode(Encode(Decode(%q))) = %q, %v; want %q", s, d2, err, d)
			}
		}
	})
}

func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		`OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"`,
		`oauth a=b,c="d"`, `OAuth`, `OAuth ,,, `, `OAuth a="`, `OAuth ="x"`, `OAuth a=%zz`, `Basic abc`,
		"OAuth a=\"1\"\t,\tb=2", `OAuth a="x"b="y"`, `OAuth a="%E2%82%AC", a="2"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		ps, err := parseOAuthHeader(header, false)
		if err != nil {
			return
		}
		v, err := ParseAuthorization(header)
		if err != nil {
			t.Fatalf("parseOAuthHeader accepted what ParseAuthorization refused: %v", err)
		}
		// Format what was parsed and parse it again: the same parameters.
		again, err := ParseAuthorization(formatAuthorization("", ps))
		if err != nil {
			t.Fatalf("parsing the formatted header of %q: %v", header, err)
		}
		if len(v) == 0 && len(again) == 0 {
			return
		}
		sortValues(v)
		sortValues(again)
		if diff := cmp.Diff(v, again); diff != "" {
			t.Fatalf("format → parse round trip of %q (-first +second):\n%s", header, diff)
		}
	})
}

func sortValues(v url.Values) {
	for _, vs := range v {
		for i := 1; i < len(vs); i++ {
			for j := i; j > 0 && vs[j] < vs[j-1]; j-- {
				vs[j], vs[j-1] = vs[j-1], vs[j]
			}
		}
	}
}

func FuzzBaseString(f *testing.F) {
	for _, c := range hardCases {
		u, _ := url.Parse(c.url)
		if u == nil {
			continue
		}
		f.Add(c.method, c.url, u.RawQuery, c.contentType, c.body)
	}
	f.Add("POST", "http://example.com/request", "b5=%3D%253D&a3=a&c%40=&a2=r%20b", "application/x-www-form-urlencoded", "c2&a3=2+q")
	f.Add("", "//[::1]:80", "a;b=c&&=", "application/x-www-form-urlencoded;;", "%")
	s, err := New("ck", &HMACSHA1{consumerSecret: NewSecret("cs")})
	if err != nil {
		f.Fatal(err)
	}
	p := Params{Token: NewToken("t", "ts"), Nonce: "n", Timestamp: time.Unix(1, 0)}
	f.Fuzz(func(t *testing.T, method, rawURL, query, contentType, body string) {
		build := func() *http.Request {
			u, err := url.Parse(rawURL)
			if err != nil {
				return nil
			}
			u.RawQuery = query
			h := http.Header{}
			if contentType != "" {
				h.Set("Content-Type", contentType)
			}
			return &http.Request{Method: method, URL: u, Header: h, Body: io.NopCloser(strings.NewReader(body))}
		}
		r1, r2 := build(), build()
		if r1 == nil {
			return
		}
		err1, err2 := s.Sign(r1, p), s.Sign(r2, p)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("Sign is not deterministic: %v vs %v", err1, err2)
		}
		if err1 != nil {
			return
		}
		if a, b := r1.Header.Get("Authorization"), r2.Header.Get("Authorization"); a != b {
			t.Fatalf("Sign is not deterministic:\n%s\n%s", a, b)
		}
		base, err := BaseString(r1)
		if err != nil {
			t.Fatalf("BaseString of a signed request: %v", err)
		}
		sig, _ := ParseAuthorization(r1.Header.Get("Authorization"))
		if err := VerifyHMACSHA1("cs", "ts", base, sig.Get("oauth_signature")); err != nil {
			t.Fatalf("the signature does not verify over BaseString: %s", base)
		}
		if b, _ := io.ReadAll(r1.Body); string(b) != body {
			t.Fatalf("Sign changed the body: %q, want %q", b, body)
		}
	})
}

// FuzzBaseStringWire signs a request, writes it as a client sends it, reads
// it back as a server does and wants the same base string on both sides:
// what we sign is what a provider rebuilds.
func FuzzBaseStringWire(f *testing.F) {
	for _, c := range hardCases {
		u, _ := url.Parse(c.url)
		if u == nil {
			continue
		}
		f.Add(u.Host, u.EscapedPath(), u.RawQuery, c.contentType, c.body)
	}
	s, err := New("ck", &HMACSHA1{consumerSecret: NewSecret("cs")})
	if err != nil {
		f.Fatal(err)
	}
	p := Params{Nonce: "n", Timestamp: time.Unix(1, 0)}
	f.Fuzz(func(t *testing.T, host, path, query, contentType, body string) {
		r, err := http.NewRequest("POST", "http://"+host+path+"?"+query, strings.NewReader(body))
		if err != nil || r.URL.Host == "" || r.URL.User != nil || r.URL.Opaque != "" {
			return
		}
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		if err := s.Sign(r, p); err != nil {
			return
		}
		client, err := BaseString(r)
		if err != nil {
			t.Fatal(err)
		}
		var wire strings.Builder
		if err := r.Write(&wire); err != nil {
			return // not a request net/http would send
		}
		sr, err := http.ReadRequest(bufio.NewReader(strings.NewReader(wire.String())))
		if err != nil {
			return // not a request a server would accept
		}
		if sr.Host != r.Host {
			// Request.Write cut an invalid Host header short; http.Transport
			// refuses to send such a request ("invalid Host header").
			return
		}
		server, err := BaseString(sr)
		if err != nil {
			t.Fatalf("server side: %v\n%s", err, wire.String())
		}
		if client != server {
			t.Fatalf("client and server base strings differ:\n%s\n%s\nwire:\n%s", client, server, wire.String())
		}
	})
}
