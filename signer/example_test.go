package signer_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/go-applinks/applinks/signer"
)

// Signing one request with HMAC-SHA1, as a Jenkins consumer does. The fixed
// nonce and timestamp make the output stable; real code leaves them unset.
func Example() {
	method, err := signer.NewHMACSHA1("consumer secret")
	if err != nil {
		log.Fatal(err)
	}
	s, err := signer.New("jenkins", method)
	if err != nil {
		log.Fatal(err)
	}
	req, err := http.NewRequest("GET", "https://ci.example.com/me/api/json?tree=id", nil)
	if err != nil {
		log.Fatal(err)
	}
	err = s.Sign(req, signer.Params{
		Token:     signer.NewToken("access token", "token secret"),
		Nonce:     "fixed-nonce",
		Timestamp: time.Unix(1700000000, 0),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(req.Header.Get("Authorization"))
	// Output:
	// OAuth oauth_consumer_key="jenkins", oauth_nonce="fixed-nonce", oauth_signature="egtoKT0SZZC9LZEoLWlSXpyktRM%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1700000000", oauth_token="access%20token", oauth_version="1.0"
}

// Two-legged OAuth with impersonation (2LOi): the empty token is sent as
// oauth_token="" and the user goes in the query as xoauth_requestor_id,
// where it is signed.
func ExampleSigner_Sign_impersonation() {
	method, _ := signer.NewHMACSHA1("consumer secret")
	s, _ := signer.New("consumer", method)
	req, _ := http.NewRequest("GET", "https://jira.example.com/rest/api/2/myself?xoauth_requestor_id=alice", nil)
	if err := s.Sign(req, signer.Params{Nonce: "n", Timestamp: time.Unix(1700000000, 0)}); err != nil {
		log.Fatal(err)
	}
	base, _ := signer.BaseString(req)
	fmt.Println(base)
	// Output:
	// GET&https%3A%2F%2Fjira.example.com%2Frest%2Fapi%2F2%2Fmyself&oauth_consumer_key%3Dconsumer%26oauth_nonce%3Dn%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1700000000%26oauth_token%3D%26oauth_version%3D1.0%26xoauth_requestor_id%3Dalice
}

// The signature base string a provider rebuilds from a request, here the
// example of RFC 5849 §3.4.1.1.
func ExampleBaseString() {
	req, _ := http.NewRequest("POST", "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b",
		stringsReader("c2&a3=2+q"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", `OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", `+
		`oauth_token="kkk9d7dh3k39sjv7", oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", `+
		`oauth_nonce="7d8f3e4a", oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"`)
	base, err := signer.BaseString(req)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(base)
	// Output:
	// POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7
}

// A Transport signs every request of an http.Client for one remote
// application and refuses to sign for any other host.
func ExampleTransport() {
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := signer.ParseAuthorization(r.Header.Get("Authorization"))
		base, _ := signer.BaseString(r)
		err := signer.VerifyHMACSHA1("consumer secret", "token secret", base, p.Get("oauth_signature"))
		fmt.Fprintf(w, "token %q, signature ok: %v", p.Get("oauth_token"), err == nil)
	}))
	defer provider.Close()

	method, _ := signer.NewHMACSHA1("consumer secret")
	s, _ := signer.New("consumer", method)
	origin, _ := url.Parse(provider.URL)
	client := &http.Client{Transport: &signer.Transport{
		Signer: s,
		Origin: origin,
		Params: func(*http.Request) (signer.Params, error) {
			return signer.Params{Token: signer.NewToken("access token", "token secret")}, nil
		},
	}}

	resp, err := client.Get(provider.URL + "/rest/api/latest/myself")
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(string(body))

	_, err = client.Get("https://elsewhere.example.com/")
	fmt.Println(errors.Is(err, signer.ErrForeignHost))
	// Output:
	// token "access token", signature ok: true
	// true
}

// Percent-encoding by RFC 5849 §3.6: only unreserved characters stay.
func ExampleEncode() {
	fmt.Println(signer.Encode("a b+c/ü~"))
	// Output: a%20b%2Bc%2F%C3%BC~
}

// Reading the parameters of an Authorization or WWW-Authenticate header.
func ExampleParseAuthorization() {
	p, err := signer.ParseAuthorization(`OAuth realm="https%3A%2F%2Fjira.example.com", oauth_problem="token_rejected"`)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Get("realm"), p.Get("oauth_problem"))
	// Output: https://jira.example.com token_rejected
}

// Secrets never print: a Secret field prints REDACTED under every verb,
// and a Params or Token printed whole shows no secret either.
func ExampleSecret() {
	p := signer.Params{Token: signer.NewToken("a1b2c3d4e5f6", "token secret"), Verifier: signer.NewSecret("123456")}
	fmt.Println(p.Verifier)
	fmt.Printf("%q %x\n", p.Verifier, p.Verifier)
	fmt.Println(strings.Contains(fmt.Sprintf("%+v %#v", p, &p), "123456"))
	// Output:
	// REDACTED
	// "REDACTED" REDACTED
	// false
}

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

// The same PUT with a form body, signed for a provider that follows RFC
// 5849 and for Jira (net.oauth behind Tomcat, which signs form bodies for
// POST only): only the first base string covers the body's parameters.
func ExampleWithDialect() {
	method, err := signer.NewHMACSHA1("consumer secret")
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range []signer.Dialect{signer.RFC5849, signer.Servlet} {
		s, err := signer.New("app", method, signer.WithDialect(d))
		if err != nil {
			log.Fatal(err)
		}
		req, err := http.NewRequest(http.MethodPut, "https://jira.example.com/rest/x", strings.NewReader("summary=a+b"))
		if err != nil {
			log.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if err := s.Sign(req, signer.Params{Nonce: "n", Timestamp: time.Unix(1700000000, 0)}); err != nil {
			log.Fatal(err)
		}
		base, err := s.Dialect().BaseString(req)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(d, base)
	}
	// Output:
	// rfc5849 PUT&https%3A%2F%2Fjira.example.com%2Frest%2Fx&oauth_consumer_key%3Dapp%26oauth_nonce%3Dn%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1700000000%26oauth_token%3D%26oauth_version%3D1.0%26summary%3Da%2520b
	// servlet PUT&https%3A%2F%2Fjira.example.com%2Frest%2Fx&oauth_consumer_key%3Dapp%26oauth_nonce%3Dn%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1700000000%26oauth_token%3D%26oauth_version%3D1.0
}
