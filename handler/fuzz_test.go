package handler

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// FuzzHandleJSON runs arbitrary responses through Handle(JSON) and checks
// the invariants of checkHandleInvariants.
func FuzzHandleJSON(f *testing.F) {
	f.Add(200, "application/json", `{"name":"bob"}`)
	f.Add(200, "text/html", "<html>")
	f.Add(401, "text/plain", "oauth_problem=token_rejected&oauth_token_secret=s3cr3t")
	f.Add(200, "", `{"name":"bob"} x`)
	f.Add(204, "application/json", "")
	f.Add(500, "application/json", `{"access_token":"s3cr3t"}`)
	f.Fuzz(func(t *testing.T, status int, contentType, body string) {
		checkHandleInvariants(t, status, contentType, body, func(resp *http.Response) error {
			_, err := Handle(resp, JSON[user](MaxBytes(4096)))
			return err
		})
	})
}

// FuzzHandleXML is FuzzHandleJSON for Handle(XML).
func FuzzHandleXML(f *testing.F) {
	f.Add(200, "application/xml", `<consumer><key>k</key></consumer>`)
	f.Add(200, "text/html", "<html>")
	f.Add(200, "application/xml", "   ")
	f.Add(200, "application/xml", "<a><b>")
	f.Add(204, "application/xml", "")
	f.Add(401, "text/plain", "oauth_problem=token_rejected&oauth_token_secret=s3cr3t")
	f.Fuzz(func(t *testing.T, status int, contentType, body string) {
		checkHandleInvariants(t, status, contentType, body, func(resp *http.Response) error {
			_, err := Handle(resp, XML[struct {
				Key string `xml:"key"`
			}](MaxBytes(4096)))
			return err
		})
	})
}

// checkHandleInvariants runs handle on a response and checks: no panic, the
// body always closed, every error one of the documented types, and
// messages on one line without the URL's token.
func checkHandleInvariants(t *testing.T, status int, contentType, body string, handle func(*http.Response) error) {
	t.Helper()
	if status < 100 || status > 999 {
		return
	}
	b := newCountingBody(body)
	resp := memResponse(t, status, contentType, b)
	err := handle(resp)
	if _, closed := b.state(); !closed {
		t.Fatal("body not closed")
	}
	if err == nil {
		return
	}
	var (
		re *ResponseError
		de *DecodeError
		tl *TooLargeError
	)
	if !errors.As(err, &re) && !errors.As(err, &de) && !errors.As(err, &tl) {
		t.Errorf("error %v (%T) is of no documented type", err, err)
	}
	if msg := err.Error(); strings.Contains(msg, "oauth_token=tok") {
		t.Errorf("message %q leaks the request's token", msg)
	}
	if strings.ContainsAny(err.Error(), "\r\n") {
		t.Errorf("message %q is not one line", err)
	}
}

// TestErrorsPrintRedacted prints every error type that can hold a secret in
// every fmt verb and checks that none leaks.
func TestErrorsPrintRedacted(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t"
	errs := map[string]error{
		"ResponseError": &ResponseError{
			Method: "POST", URL: "https://jira/plugins/servlet/oauth/access-token", StatusCode: 401,
			Body:   []byte("oauth_token=t&oauth_token_secret=" + secret + "&oauth_verifier=" + secret),
			Header: map[string][]string{"Set-Cookie": {"JSESSIONID=REDACTED"}},
		},
		"DecodeError":      &DecodeError{Format: "JSON", Prefix: []byte(`{"password":"` + secret + `"}`), StatusCode: 200},
		"DecodeError form": &DecodeError{Format: "JSON", Prefix: []byte("oauth_token_secret=" + secret), StatusCode: 200},
	}
	for name, err := range errs {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			if got := fmt.Sprintf(verb, err); strings.Contains(got, secret) {
				t.Errorf("%s printed with %s leaks the secret: %s", name, verb, got)
			}
		}
	}
}
