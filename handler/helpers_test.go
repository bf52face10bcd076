package handler

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// serve starts an httptest server with h, closed when the test ends.
func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// reply returns an http.HandlerFunc that answers with status, content type
// (none when ""), extra headers and body.
func reply(status int, contentType, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Add(header[i], header[i+1])
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// get sends GET srv.URL+path with the test's context.
func get(t *testing.T, srv *httptest.Server, path string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// countingBody is a response body that records how much was read and
// whether it was closed.
type countingBody struct {
	mu     sync.Mutex
	r      io.Reader
	size   int
	n      int
	closed bool
}

func newCountingBody(s string) *countingBody {
	return &countingBody{r: strings.NewReader(s), size: len(s)}
}

func (c *countingBody) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, io.ErrClosedPipe
	}
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func (c *countingBody) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return nil
}

func (c *countingBody) state() (read int, closed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n, c.closed
}

// memResponse builds an in-memory response to a GET of a Jira URL whose
// query carries a token.
func memResponse(t testing.TB, status int, contentType string, body io.ReadCloser) *http.Response {
	t.Helper()
	u, err := url.Parse("https://jira.example.com/rest/api/2/myself?oauth_token=tok&expand=x")
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return &http.Response{
		Status:     fmt.Sprintf("%d %s", status, http.StatusText(status)),
		StatusCode: status,
		Header:     h,
		Body:       body,
		Request:    &http.Request{Method: http.MethodGet, URL: u, Header: http.Header{}},
	}
}
