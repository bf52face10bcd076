package handler_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/signer"
)

// jira is a stand-in for a Jira server: /myself answers JSON, /old a 401
// with an OAuth problem, /login an HTML page, /issue/X-1 a 404.
func jira() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/rest/api/2/myself":
			w.Header().Set("Content-Type", "application/json;charset=UTF-8")
			fmt.Fprint(w, `{"name":"bob","displayName":"Bob Smith","active":true}`)
		case "/old":
			w.Header().Set("WWW-Authenticate", `OAuth realm="https%3A%2F%2Fjira.example.com", oauth_problem="token_rejected"`)
			w.WriteHeader(http.StatusUnauthorized)
		case "/login":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><title>Log in - Jira</title></html>")
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"errorMessages":["Issue does not exist or you do not have permission to see it."]}`)
		}
	}))
}

func ExampleJSON() {
	srv := jira()
	defer srv.Close()

	type myself struct {
		Name        string `json:"name"`
		DisplayName string `json:"displayName"`
	}
	resp, err := srv.Client().Get(srv.URL + "/rest/api/2/myself")
	if err != nil {
		fmt.Println(err)
		return
	}
	me, err := handler.Handle(resp, handler.JSON[myself]())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s (%s)\n", me.DisplayName, me.Name)
	// Output: Bob Smith (bob)
}

func ExampleJSON_htmlPage() {
	srv := jira()
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL + "/login")
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = handler.Handle(resp, handler.JSON[map[string]any]())
	var decodeErr *handler.DecodeError
	if errors.As(err, &decodeErr) {
		fmt.Printf("not JSON: %s, starts %q\n", decodeErr.ContentType, decodeErr.Prefix[:13])
	}
	// Output: not JSON: text/html, starts "<html><title>"
}

func ExampleResponseError() {
	srv := jira()
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL + "/rest/api/2/issue/X-1")
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = handler.Handle(resp, handler.JSON[map[string]any]())
	var respErr *handler.ResponseError
	if errors.As(err, &respErr) {
		fmt.Println(respErr.Status)
		fmt.Println(strings.TrimPrefix(err.Error(), "handler: GET "+srv.URL+"/rest/api/2/issue/X-1: "))
	}
	// Output:
	// 404 Not Found
	// 404 Not Found: {"errorMessages":["Issue does not exist or you do not have permission to see it."]}
}

func ExampleResponseError_oauthProblem() {
	srv := jira()
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL + "/old")
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = handler.Handle(resp, handler.Discard())
	var problem *signer.ProblemError
	if errors.As(err, &problem) {
		fmt.Println(problem.Problem, problem.IsToken())
	}
	// Output: token_rejected true
}

func ExampleStatus() {
	srv := jira()
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL + "/rest/api/2/issue/X-1")
	if err != nil {
		fmt.Println(err)
		return
	}
	// Does the issue exist? 200 and 404 are both answers, not errors.
	code, err := handler.Handle(resp, handler.Status(http.StatusOK, http.StatusNotFound))
	fmt.Println(code, err)
	// Output: 404 <nil>
}

func ExampleFunc() {
	srv := jira()
	defer srv.Close()

	// A Func sees only 2xx responses unless it opts in to more.
	firstLine := handler.Func[string](func(resp *http.Response) (string, error) {
		b, err := io.ReadAll(io.LimitReader(resp.Body, 39))
		return fmt.Sprintf("%d %s", resp.StatusCode, b), err
	})
	resp, err := srv.Client().Get(srv.URL + "/rest/api/2/issue/X-1")
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := handler.Handle(resp, handler.AcceptingStatuses(firstLine, http.StatusOK, http.StatusNotFound))
	fmt.Println(s, err)
	// Output: 404 {"errorMessages":["Issue does not exist <nil>
}

func ExampleWithCredentialsRequired() {
	// applink calls CredentialsRequired, instead of failing, when the user
	// has no token yet or the remote rejected it; err is applink's
	// *CredentialsRequiredError (errors.As); the factory's AuthorizationURL
	// starts the dance.
	h := handler.WithCredentialsRequired(handler.String(), func(err error) (string, error) {
		return "(log in to Jira to see this)", nil
	})
	if ch, ok := h.(handler.CredentialsHandler[string]); ok {
		s, _ := ch.CredentialsRequired(errors.New("applink: credentials required"))
		fmt.Println(s)
	}
	// Output: (log in to Jira to see this)
}

func ExampleXML() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, `<consumer><key>jira:4521</key><name>Jira</name><publicKey>MIIBIjANBgkq</publicKey></consumer>`)
	}))
	defer srv.Close()

	// The consumer-info document every Atlassian OAuth provider serves.
	type consumerInfo struct {
		Key       string `xml:"key"`
		Name      string `xml:"name"`
		PublicKey string `xml:"publicKey"`
	}
	resp, err := srv.Client().Get(srv.URL + "/plugins/servlet/oauth/consumer-info")
	if err != nil {
		fmt.Println(err)
		return
	}
	info, err := handler.Handle(resp, handler.XML[consumerInfo]())
	fmt.Println(info.Key, info.Name, err)
	// Output: jira:4521 Jira <nil>
}

func ExampleCopyTo() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, strings.Repeat("log line\n", 1000))
	}))
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL + "/job/build/1/consoleText")
	if err != nil {
		fmt.Println(err)
		return
	}
	var log strings.Builder
	// Cap the copy at 4 KiB: what fits is kept, the rest is an error.
	n, err := handler.Handle(resp, handler.CopyTo(&log, handler.MaxBytes(4<<10)))
	var tooLarge *handler.TooLargeError
	fmt.Println(n, errors.As(err, &tooLarge))
	// Output: 4096 true
}

func ExampleMaxBytes() {
	resp := &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(strings.NewReader(`{"values":[` + strings.Repeat(`1,`, 100) + `1]}`)),
	}
	_, err := handler.Handle(resp, handler.JSON[map[string][]int](handler.MaxBytes(100)))
	fmt.Println(err)
	// Output: handler: response body exceeds the limit of 100 bytes; raise it with handler.MaxBytes
}
