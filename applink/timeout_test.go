package applink

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestClientTimeoutBoundsRequests: the Timeout of the service's HTTP client
// bounds a request as it would bound client.Do (the answer, then its body),
// and the error names the link, the request and the limit, says what to do,
// and is a timeout for errors.Is and net.Error alike.
func TestClientTimeoutBoundsRequests(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/rest/ok":
			_, _ = io.WriteString(w, "ok")
			return
		case "/rest/body":
			w.Header().Set("Content-Length", "10")
			_, _ = w.Write([]byte("abc"))
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	l := Link{ID: newLinkID(), Name: "Slow", Type: TypeGeneric, RPCURL: srv.URL, ConsumerKey: "c", Auth: []Auth{AuthAnonymous}}
	const limit = 300 * time.Millisecond
	svc, err := NewService([]Link{l}, WithHTTPClient(&http.Client{Timeout: limit}))
	if err != nil {
		t.Fatal(err)
	}
	bound, _ := svc.Link(l.ID)
	f, err := bound.RequestFactory("", WithAuth(AuthAnonymous))
	if err != nil {
		t.Fatal(err)
	}
	send := func(path string) (string, error) {
		req, err := f.NewRequest(http.MethodGet, path)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := req.Do(t.Context())
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	if got, err := send("/rest/ok"); err != nil || got != "ok" {
		t.Fatalf("/rest/ok: %q, %v", got, err)
	}
	for _, tt := range []struct{ path, want string }{
		{"/rest/silent", `applink: link "Slow": GET ` + srv.URL + `/rest/silent: the HTTP client's Timeout of 300ms passed before the remote answered: check that the remote is up`},
		{"/rest/body", "the HTTP client's Timeout of 300ms passed while the answer's body was read"},
	} {
		start := time.Now()
		_, err := send(tt.path)
		var ne net.Error
		switch {
		case err == nil || !strings.Contains(err.Error(), tt.want):
			t.Errorf("%s: %v, want %q", tt.path, err, tt.want)
		case !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout():
			t.Errorf("%s: %v: not context.DeadlineExceeded and a net.Error timeout", tt.path, err)
		}
		if d := time.Since(start); d > time.Minute {
			t.Errorf("%s: took %v with a %v Timeout", tt.path, d, limit)
		}
	}
}
