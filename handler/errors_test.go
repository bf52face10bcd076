package handler

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/signer"
	"github.com/google/go-cmp/cmp"
)

func TestResponseErrorOAuthProblem(t *testing.T) {
	t.Parallel()
	srv := serve(t, reply(http.StatusUnauthorized, "text/plain",
		"oauth_problem=token_expired",
		"WWW-Authenticate", `OAuth realm="https%3A%2F%2Fjira.example.com", oauth_problem="token_expired"`,
		"Set-Cookie", "JSESSIONID=abc123; Path=/"))
	_, err := Handle(get(t, srv, "/rest/api/2/myself?oauth_token=tok&expand=groups"), JSON[user]())

	var re *ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("error %v is not a *ResponseError", err)
	}
	var problem *signer.ProblemError
	if !errors.As(err, &problem) {
		t.Fatalf("errors.As(%v, *signer.ProblemError) failed (signer.ParseProblem not implemented yet?)", err)
	}
	if problem.Problem != signer.ProblemTokenExpired || !problem.IsToken() {
		t.Errorf("problem = %q, want %q", problem.Problem, signer.ProblemTokenExpired)
	}
	if re.Problem != problem {
		t.Error("ResponseError.Problem is not what errors.As found")
	}
	if got, want := re.URL, srv.URL+"/rest/api/2/myself?oauth_token=REDACTED&expand=groups"; got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
	if got := re.Header.Get("Set-Cookie"); got != "JSESSIONID=REDACTED; Path=/" {
		t.Errorf("Set-Cookie = %q, want it redacted", got)
	}
	if !strings.Contains(err.Error(), "token_expired") {
		t.Errorf("message %q does not name the problem", err)
	}
}

func TestResponseErrorFields(t *testing.T) {
	t.Parallel()
	srv := serve(t, reply(http.StatusNotFound, "application/json", `{"errorMessages":["Issue does not exist"]}`))
	_, err := Handle(get(t, srv, "/rest/api/2/issue/X-1"), String())
	var re *ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("error %v is not a *ResponseError", err)
	}
	want := &ResponseError{
		Method:      http.MethodGet,
		URL:         srv.URL + "/rest/api/2/issue/X-1",
		StatusCode:  404,
		Status:      "404 Not Found",
		ContentType: "application/json",
		Body:        []byte(`{"errorMessages":["Issue does not exist"]}`),
		Header:      re.Header,
	}
	if diff := cmp.Diff(want, re); diff != "" {
		t.Errorf("ResponseError mismatch (-want +got):\n%s", diff)
	}
	wantMsg := "handler: GET " + srv.URL + `/rest/api/2/issue/X-1: 404 Not Found: {"errorMessages":["Issue does not exist"]}`
	if err.Error() != wantMsg {
		t.Errorf("message\n got %q\nwant %q", err.Error(), wantMsg)
	}
	if re.Unwrap() != nil {
		t.Errorf("Unwrap = %v, want nil without a problem", re.Unwrap())
	}
}

func TestResponseErrorMessage(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 300)
	tests := []struct {
		name string
		e    *ResponseError
		want string
	}{
		{"no request", &ResponseError{StatusCode: 502}, "handler: 502 Bad Gateway"},
		{"unknown status", &ResponseError{StatusCode: 599}, "handler: status 599"},
		{"status line kept", &ResponseError{Method: "POST", URL: "https://h/x", StatusCode: 403, Status: "403 Forbidden",
			Body: []byte("No valid crumb was included in the request\n")},
			"handler: POST https://h/x: 403 Forbidden: No valid crumb was included in the request"},
		{"one line, cut at 200", &ResponseError{StatusCode: 500, Body: []byte("line1\r\n\tline2 " + long)},
			"handler: 500 Internal Server Error: line1 line2 " + strings.Repeat("a", 200-12) + "..."},
		{"truncated marked", &ResponseError{StatusCode: 500, Body: []byte("short"), Truncated: true},
			"handler: 500 Internal Server Error: short..."},
		{"secrets in body redacted", &ResponseError{StatusCode: 400, Body: []byte(`{"access_token":"zzz"}`)},
			`handler: 400 Bad Request: {"access_token":"REDACTED"}`},
		{"problem appended", &ResponseError{StatusCode: 401, Problem: &signer.ProblemError{Problem: "timestamp_refused", Status: 401}},
			`handler: 401 Unauthorized (oauth problem "timestamp_refused" (HTTP 401))`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.e.Error(); got != tt.want {
				t.Errorf("Error()\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestResponseErrorBodyCap(t *testing.T) {
	t.Parallel()
	for _, size := range []int{MaxErrorBody, MaxErrorBody + 1, 3 * MaxErrorBody} {
		body := newCountingBody(strings.Repeat("e", size))
		_, err := Handle(memResponse(t, 500, "text/plain", body), Discard())
		var re *ResponseError
		if !errors.As(err, &re) {
			t.Fatalf("size %d: error %v is not a *ResponseError", size, err)
		}
		if len(re.Body) != MaxErrorBody || re.Truncated != (size > MaxErrorBody) {
			t.Errorf("size %d: len(Body) = %d, Truncated = %v", size, len(re.Body), re.Truncated)
		}
		if read, closed := body.state(); read != size || !closed {
			t.Errorf("size %d: read %d bytes, closed %v; want all read (drained) and closed", size, read, closed)
		}
	}
}

func TestCheckResponse(t *testing.T) {
	t.Parallel()
	if err := CheckResponse(memResponse(t, 201, "", io.NopCloser(strings.NewReader("ok")))); err != nil {
		t.Errorf("201: %v", err)
	}
	body := newCountingBody("gone")
	err := CheckResponse(memResponse(t, 410, "text/plain", body))
	var re *ResponseError
	if !errors.As(err, &re) || re.StatusCode != 410 || string(re.Body) != "gone" {
		t.Fatalf("410: error %v, want a *ResponseError with the body", err)
	}
	if _, closed := body.state(); closed {
		t.Error("CheckResponse closed the body: the caller owns it")
	}
	if !strings.Contains(re.URL, "oauth_token=REDACTED") {
		t.Errorf("URL %q not redacted", re.URL)
	}
	if err := CheckResponse(nil); err == nil {
		t.Error("nil response: no error")
	}
}

func TestTooLargeError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		e    *TooLargeError
		want string
	}{
		{&TooLargeError{Limit: 10 << 20}, "handler: response body exceeds the limit of 10485760 bytes (10 MiB); raise it with handler.MaxBytes"},
		{&TooLargeError{Limit: 2048, Method: "GET", URL: "https://h/x"},
			"handler: GET https://h/x: response body exceeds the limit of 2048 bytes (2 KiB); raise it with handler.MaxBytes"},
		{&TooLargeError{Limit: 1000}, "handler: response body exceeds the limit of 1000 bytes; raise it with handler.MaxBytes"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	// The handlers name the request.
	srv := serve(t, reply(200, "text/plain", `"`+strings.Repeat("x", 3000)))
	for name, h := range map[string]func(*http.Response) error{
		"JSON":   func(r *http.Response) error { _, err := Handle(r, JSON[user](MaxBytes(1024))); return err },
		"XML":    func(r *http.Response) error { _, err := Handle(r, XML[user](MaxBytes(1024))); return err },
		"String": func(r *http.Response) error { _, err := Handle(r, String(MaxBytes(1024))); return err },
		"CopyTo": func(r *http.Response) error { _, err := Handle(r, CopyTo(io.Discard, MaxBytes(1024))); return err },
	} {
		err := h(get(t, srv, "/big?oauth_token=tok"))
		var tl *TooLargeError
		if !errors.As(err, &tl) || tl.Limit != 1024 || tl.URL != srv.URL+"/big?oauth_token=REDACTED" || tl.Method != "GET" {
			t.Errorf("%s: error %#v, want a *TooLargeError naming the request", name, err)
		}
	}
}
