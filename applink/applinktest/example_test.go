package applinktest_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"time"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
)

// In a test, the server is three lines: start it (closed when the test
// ends), point the code under test at srv.URL, assert on what it saw:
//
//	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"), applinktest.WithConsumer(consumer))
//	runCodeUnderTest(srv.URL)
//	if got := srv.Requests(); ... { t.Errorf(...) }
//
// Outside a test, Start it and Close it.
func Example() {
	srv, err := applinktest.Start(
		applinktest.WithUsers("alice"),
		applinktest.WithConsumer(applinktest.Consumer{Key: "my-app", Secret: signer.NewSecret("TEST-ONLY"), Impersonation: true}))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	// The code under test: a 2-legged request impersonating alice.
	m, _ := signer.NewHMACSHA1("TEST-ONLY")
	s, _ := signer.New("my-app", m)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/rest/api/2/myself?xoauth_requestor_id=alice", nil)
	if err := s.Sign(req, signer.Params{}); err != nil {
		log.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var me struct{ Name, DisplayName string }
	_ = json.NewDecoder(resp.Body).Decode(&me)
	fmt.Println(resp.StatusCode, me.Name, me.DisplayName)

	// The assertions.
	for _, r := range srv.Requests() {
		fmt.Println(r.Method, r.Path, r.Flow, r.Consumer, r.User, r.Status)
	}
	// Output:
	// 200 alice Alice
	// GET /rest/api/2/myself 2loi my-app alice 200
}

// The 3-legged dance, with the user's approval given in code.
func ExampleServer_Approve() {
	srv, err := applinktest.Start(
		applinktest.WithUsers("alice"),
		applinktest.WithConsumer(applinktest.Consumer{Key: "my-app", Secret: signer.NewSecret("TEST-ONLY"), ThreeLO: true}))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	m, _ := signer.NewHMACSHA1("TEST-ONLY")
	s, _ := signer.New("my-app", m)
	post := func(u string, p signer.Params) url.Values {
		req, _ := http.NewRequest(http.MethodPost, u, nil)
		if err := s.Sign(req, p); err != nil {
			log.Fatal(err)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			log.Fatal(err)
		}
		defer resp.Body.Close()
		var b [1024]byte
		n, _ := resp.Body.Read(b[:])
		v, _ := url.ParseQuery(string(b[:n]))
		return v
	}

	rt := post(srv.RequestTokenURL(), signer.Params{OmitToken: true, Callback: "oob"})
	verifier, err := srv.Approve(rt.Get("oauth_token"), "alice")
	if err != nil {
		log.Fatal(err)
	}
	at := post(srv.AccessTokenURL(), signer.Params{
		Token:    signer.NewToken(rt.Get("oauth_token"), rt.Get("oauth_token_secret")),
		Verifier: signer.NewSecret(verifier),
	})
	fmt.Println(len(srv.AccessTokens("my-app", "alice")), at.Get("oauth_token") == srv.AccessTokens("my-app", "alice")[0])
	for _, r := range srv.Requests() {
		fmt.Println(r.Flow, r.User, r.Status)
	}
	// Output:
	// 1 true
	// request-token  200
	// access-token alice 200
}

// A fault: the next request gets 503 with Retry-After.
func ExampleServer_InjectFault() {
	srv, err := applinktest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	srv.InjectFault(applinktest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: 30 * time.Second})
	for range 2 {
		resp, err := srv.Client().Get(srv.URL + applinktest.AtlassianManifestPath)
		if err != nil {
			log.Fatal(err)
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Output:
	// 503 30
	// 200
}
