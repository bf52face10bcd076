package applink_test

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
	"github.com/go-applinks/applinks/applink/authorize"
)

// syncBuffer is a log output safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestFallbackFrom3LOToImpersonationIsVisible: on a link that allows 3LO
// then 2LOi, a user without a 3LO token is acted as with 2LOi: the request
// says so (Auth), the service logs it at level Info, and WithAuth(Auth3LO)
// forbids it.
func TestFallbackFrom3LOToImpersonationIsVisible(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"))
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	jira := testlink.Bound(t, srv, "Jira", testlink.WithKeyBits(1024), testlink.WithAuth(applink.Auth3LO, applink.Auth2LOi),
		testlink.WithServiceOptions(applink.WithLogger(logger)))

	send := func(opts ...applink.Option) (*applink.Request, error) {
		t.Helper()
		f, err := jira.RequestFactory("alice", opts...)
		if err != nil {
			t.Fatal(err)
		}
		req, err := f.NewRequest("GET", "/rest/api/2/myself")
		if err != nil {
			t.Fatal(err)
		}
		resp, err := req.Do(t.Context())
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return req, err
	}

	// No token: 2LOi, visible.
	req, err := send()
	if err != nil {
		t.Fatal(err)
	}
	if req.Auth() != applink.Auth2LOi {
		t.Errorf("Auth() = %q, want 2LOi", req.Auth())
	}
	line := logs.String()
	for _, want := range []string{"level=INFO", "falling back from 3LO to 2LOi", "link=Jira", "user=alice", "WithAuth(Auth3LO)"} {
		if !strings.Contains(line, want) {
			t.Errorf("log %q lacks %q", line, want)
		}
	}

	// Forbidden per call: credentials required, nothing sent as alice.
	before := len(srv.Requests())
	if _, err := send(applink.WithAuth(applink.Auth3LO)); !errors.As(err, new(*applink.CredentialsRequiredError)) {
		t.Errorf("WithAuth(Auth3LO) without a token: %v, want *CredentialsRequiredError", err)
	}
	if n := len(srv.Requests()) - before; n != 0 {
		t.Errorf("WithAuth(Auth3LO) without a token sent %d requests", n)
	}

	// Authorized: 3LO, and no more fallback lines.
	f, _ := jira.RequestFactory("alice")
	if err := authorize.OutOfBand(t.Context(), f, srv.Approver("alice")); err != nil {
		t.Fatal(err)
	}
	n := strings.Count(logs.String(), "falling back")
	if req, err := send(); err != nil || req.Auth() != applink.Auth3LO {
		t.Errorf("authorized: Auth() = %q, %v; want 3LO", req.Auth(), err)
	}
	if strings.Count(logs.String(), "falling back") != n {
		t.Errorf("a 3LO request logged a fallback: %s", logs.String())
	}
}

// TestNoFallbackLogWhen2LOiIsFirst: a link that prefers 2LOi is not
// falling back, and logs nothing.
func TestNoFallbackLogWhen2LOiIsFirst(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"))
	var logs syncBuffer
	jira := testlink.Bound(t, srv, "Jira", testlink.WithKeyBits(1024), testlink.WithAuth(applink.Auth2LOi, applink.Auth3LO),
		testlink.WithServiceOptions(applink.WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))))
	f, _ := jira.RequestFactory("alice")
	req, _ := f.NewRequest("GET", "/rest/api/2/myself")
	resp, err := req.Do(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if req.Auth() != applink.Auth2LOi || strings.Contains(logs.String(), "falling back") {
		t.Errorf("Auth() = %q, log %q; want 2LOi and no fallback line", req.Auth(), logs.String())
	}
}
