package applinktest_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
)

// FuzzServeHTTP sends arbitrary requests (method, target, Authorization
// header, form body) and checks that the provider never fails with a 5xx
// or panics: every bad input is a 4xx.
func FuzzServeHTTP(f *testing.F) {
	srv, err := applinktest.Start(
		applinktest.WithUsers("alice"),
		applinktest.WithConsumer(applinktest.Consumer{Key: "app", Secret: signer.NewSecret(hmacSecret), ThreeLO: true, TwoLO: true, Impersonation: true}))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(srv.Close)
	m, _ := signer.NewHMACSHA1(hmacSecret)
	s, _ := signer.New("app", m)
	seed := func(method, target, body string, p signer.Params) {
		req, _ := http.NewRequest(method, "http://127.0.0.1"+target, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		_ = s.Sign(req, p)
		f.Add(method, target, req.Header.Get("Authorization"), body)
	}
	seed("POST", applinktest.AtlassianRequestTokenPath, "", signer.Params{OmitToken: true, Callback: "oob"})
	seed("POST", applinktest.AtlassianAccessTokenPath, "", signer.Params{Token: signer.NewToken("t", "s"), Verifier: signer.NewSecret("abc")})
	seed("GET", "/rest/api/2/myself?xoauth_requestor_id=alice", "", signer.Params{})
	seed("POST", "/rest/api/2/issue", "a=b&c=%zz", signer.Params{})
	seed("GET", applinktest.AtlassianAuthorizePath+"?oauth_token=x&user=alice&approve=1", "", signer.Params{})
	f.Add("GET", "/", `OAuth oauth_consumer_key="app", oauth_token=`, "")
	f.Add("POST", applinktest.AtlassianAuthorizePath, "OAuth realm", "oauth_token=%&approve=1")

	f.Fuzz(func(t *testing.T, method, target, authz, body string) {
		req, err := http.NewRequest(method, "http://127.0.0.1"+target, strings.NewReader(body))
		if err != nil || req.URL.Path == "" || req.URL.Path[0] != '/' {
			return
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", authz)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Errorf("%s %q with Authorization %q: %d %s", method, target, authz, rec.Code, rec.Body)
		}
	})
}
