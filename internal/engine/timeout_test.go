package engine

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"
)

// TestDoWithin holds DoWithin to what an http.Client's Timeout promises: a
// remote that does not answer, or stops in the body, ends the request
// after the limit with a timeout error; one that answers in time is read
// whole; the caller's own context keeps its error.
func TestDoWithin(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/body": // the header, three of ten bytes, then nothing
			w.Header().Set("Content-Length", "10")
			_, _ = w.Write([]byte("abc"))
			w.(http.Flusher).Flush()
		case "/ok":
			_, _ = io.WriteString(w, "ok")
			return
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	client := srv.Client()
	const limit = 200 * time.Millisecond
	get := func(ctx context.Context, path string) (string, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		resp, err := DoWithin(client.Do, req, limit)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	for _, tt := range []struct {
		path     string
		wantBody bool // the timeout comes while the body is read
	}{{"/silent", false}, {"/body", true}} {
		start := time.Now()
		_, err := get(context.Background(), tt.path)
		var te *TimeoutError
		var ne net.Error
		switch {
		case !errors.As(err, &te) || te.Limit != limit || te.Body != tt.wantBody:
			t.Errorf("%s: %v, want a *TimeoutError (limit %v, body %v)", tt.path, err, limit, tt.wantBody)
		case !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout():
			t.Errorf("%s: %v is not context.DeadlineExceeded and a net.Error timeout", tt.path, err)
		}
		if d := time.Since(start); d > limit+30*time.Second {
			t.Errorf("%s: ended after %v, limit %v", tt.path, d, limit)
		}
	}
	if got, err := get(context.Background(), "/ok"); err != nil || got != "ok" {
		t.Errorf("/ok: %q, %v", got, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	if _, err := get(ctx, "/silent"); !errors.Is(err, context.Canceled) {
		t.Errorf("caller's canceled context: %v, want context.Canceled", err)
	}
}

// TestDoWithinStartsNoGoroutine: unlike http.Client's Timeout with a
// RoundTripper net/http does not know, DoWithin leaves no goroutine
// behind a request whose body is closed.
func TestDoWithinStartsNoGoroutine(t *testing.T) {
	do := func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Body: io.NopCloser(nil), Request: r}, nil
	}
	before := runtime.NumGoroutine()
	for range 100 {
		req, _ := http.NewRequest(http.MethodGet, "http://example.com/", nil)
		resp, err := DoWithin(do, req, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if after := runtime.NumGoroutine(); after > before+5 {
		t.Errorf("%d goroutines after 100 requests, %d before", after, before)
	}
}
