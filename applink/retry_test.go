package applink

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-applinks/applinks/internal/engine"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/handler"
	"github.com/google/go-cmp/cmp"
)

// statuses returns the statuses the provider answered for path.
func statuses(srv *applinktest.Server, path string) []int {
	var out []int
	for _, r := range recordsFor(srv, path) {
		out = append(out, r.Status)
	}
	return out
}

func TestRetry(t *testing.T) {
	t.Parallel()
	const myselfPath = "/rest/api/2/myself"
	tests := []struct {
		name      string
		fault     applinktest.Fault
		policy    RetryPolicy
		want      []int
		wantWaits []time.Duration
	}{
		{
			name:      "503 after the signature was accepted, then success",
			fault:     applinktest.Fault{Status: http.StatusServiceUnavailable, AfterAuth: true, Path: myselfPath},
			want:      []int{503, 200},
			wantWaits: []time.Duration{250 * time.Millisecond},
		},
		{
			name:      "twice 502, backing off",
			fault:     applinktest.Fault{Status: http.StatusBadGateway, Count: 2, Path: myselfPath},
			want:      []int{502, 502, 200},
			wantWaits: []time.Duration{250 * time.Millisecond, 500 * time.Millisecond},
		},
		{
			name:      "Retry-After honored",
			fault:     applinktest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 7 * time.Second, Path: myselfPath},
			want:      []int{429, 200},
			wantWaits: []time.Duration{7 * time.Second},
		},
		{
			name:   "Retry-After beyond the cap ends the retries",
			fault:  applinktest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 40 * time.Second, Path: myselfPath},
			want:   []int{429},
			policy: RetryPolicy{MaxRetryAfter: 30 * time.Second},
		},
		{
			name:      "attempts bounded, last response passed through",
			fault:     applinktest.Fault{Status: http.StatusServiceUnavailable, Count: 5, Path: myselfPath},
			policy:    RetryPolicy{Max: 2, WaitMin: time.Second, WaitMax: time.Second},
			want:      []int{503, 503, 503},
			wantWaits: []time.Duration{time.Second, time.Second},
		},
		{
			name:      "dropped connection",
			fault:     applinktest.Fault{Drop: true, Path: myselfPath},
			want:      []int{0, 200},
			wantWaits: []time.Duration{250 * time.Millisecond},
		},
		{
			name:      "total time bounded",
			fault:     applinktest.Fault{Status: http.StatusServiceUnavailable, Count: 5, Path: myselfPath},
			policy:    RetryPolicy{Max: 10, WaitMin: 40 * time.Second, WaitMax: 40 * time.Second, MaxElapsed: time.Minute},
			want:      []int{503, 503, 503},
			wantWaits: []time.Duration{40 * time.Second, 20 * time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			now := time.Now()
			fixed := func() time.Time { return now } // only the reported waits pass
			fx := newCoreFixture(t, coreConfig{svcOpts: []Option{WithRetry(tt.policy), WithClock(fixed)}})
			fx.srv.InjectFault(tt.fault)
			req, err := fx.factory(t, "bob").NewRequest(http.MethodGet, myselfPath)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := req.Do(t.Context())
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			checkFinal(t, resp, tt.want[len(tt.want)-1])
			if diff := cmp.Diff(tt.want, statuses(fx.srv, myselfPath)); diff != "" {
				t.Errorf("attempts (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantWaits, fx.waits.all()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
}

// checkFinal checks the final response is passed through whole: its
// status, and for a fault its body, readable by the caller; it closes it.
func checkFinal(t *testing.T, resp *http.Response, want int) {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the final response: %v", err)
	}
	if resp.StatusCode != want {
		t.Errorf("final status %d, want %d", resp.StatusCode, want)
	}
	if want != http.StatusOK && !strings.Contains(string(body), "injected fault") {
		t.Errorf("final %d body = %q, want the provider's own body", want, body)
	}
}

// TestClientViewRetryExhausted checks the Client view passes the last
// response through, body and all, when its attempts run out.
func TestClientViewRetryExhausted(t *testing.T) {
	t.Parallel()
	const path = "/rest/api/2/myself"
	fx := newCoreFixture(t, coreConfig{svcOpts: []Option{WithRetry(RetryPolicy{Max: 2})}})
	fx.srv.InjectFault(applinktest.Fault{Status: http.StatusServiceUnavailable, Count: 5, Path: path})
	resp, err := fx.factory(t, "bob").Client().Get(fx.link.RPCURL + path)
	if err != nil {
		t.Fatal(err)
	}
	checkFinal(t, resp, http.StatusServiceUnavailable)
	if diff := cmp.Diff([]int{503, 503, 503}, statuses(fx.srv, path)); diff != "" {
		t.Errorf("attempts (-want +got):\n%s", diff)
	}
}

func TestPostRetriedOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	const path = "/rest/api/2/issue"
	for _, tt := range []struct {
		name      string
		retryable bool
		policy    RetryPolicy
		want      []int
	}{
		{"not retried", false, RetryPolicy{}, []int{503}},
		{"Retryable", true, RetryPolicy{}, []int{503, 201}},
		{"policy NonIdempotent", false, RetryPolicy{NonIdempotent: true}, []int{503, 201}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fx := newCoreFixture(t, coreConfig{svcOpts: []Option{WithRetry(tt.policy)}})
			fx.srv.InjectFault(applinktest.Fault{Status: http.StatusServiceUnavailable, AfterAuth: true, Path: path})
			req, _ := fx.factory(t, "bob").NewRequest(http.MethodPost, path)
			req.SetJSON(map[string]any{"fields": map[string]any{"summary": "hello"}})
			if tt.retryable {
				req.Retryable()
			}
			resp, err := req.Do(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if diff := cmp.Diff(tt.want, statuses(fx.srv, path)); diff != "" {
				t.Errorf("attempts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRetryNone(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{svcOpts: []Option{WithRetry(RetryPolicy{Max: -1})}})
	fx.srv.InjectFault(applinktest.Fault{Status: http.StatusServiceUnavailable, Path: "/rest/api/2/myself"})
	_, _, err := whoami(t, fx.factory(t, "bob"))
	var re *handler.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("got %v, want the 503 as a *handler.ResponseError", err)
	}
}

func TestContextCancel(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	f := plainFactory(t, srv.URL, "alice", []Auth{Auth2LO})
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := f.NewRequest(http.MethodGet, "/slow")
	go func() {
		<-arrived
		cancel()
	}()
	_, err := req.Do(ctx)
	if err != context.Canceled {
		t.Fatalf("Do: got %v, want exactly context.Canceled", err)
	}
}

func TestRequestTimeout(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	f := plainFactory(t, srv.URL, "alice", []Auth{Auth2LO})
	req, _ := f.NewRequest(http.MethodGet, "/slow")
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := req.Do(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Do: got %v, want context.DeadlineExceeded", err)
	}
}

// TestTimeoutKeepsOtherErrors: a request with a timeout that fails for
// another reason reports that reason, not a timeout.
func TestTimeoutKeepsOtherErrors(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{})
	fx.srv.Handle("GET /away", http.RedirectHandler("http://example.invalid/", http.StatusFound))
	req, _ := fx.factory(t, "bob").NewRequest(http.MethodGet, "/away")
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	_, err := req.Do(ctx)
	if !errors.Is(err, ErrForeignURL) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Do: got %v, want ErrForeignURL", err)
	}
}

func TestRetryAfterHeader(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		value  string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"7", 7 * time.Second, true},
		{" 7 ", 7 * time.Second, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"86401", engine.MaxRetryAfterHeader, true},
		{"9223372036854775807", engine.MaxRetryAfterHeader, true},
		{"9223372036854775808", engine.MaxRetryAfterHeader, true},
		{"99999999999999999999", engine.MaxRetryAfterHeader, true},
		{"-99999999999999999999", 0, false},
		{"99999999999999999999x", 0, false},
		{"Thu, 01 Jan 2026 00:00:30 GMT", 30 * time.Second, true},
		{"Wed, 21 Oct 2015 07:28:00 GMT", 0, true},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, ok := engine.RetryAfter(http.Header{"Retry-After": {tt.value}}, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("retryAfter(%q) = %v, %t; want %v, %t", tt.value, got, ok, tt.want, tt.wantOK)
		}
	}
}

// TestRetryAfterOverflowEndsRetries: a Retry-After of 20 digits, valid but
// past int64, is too long to wait, like one over MaxRetryAfter: the
// response is returned at once and not retried.
func TestRetryAfterOverflowEndsRetries(t *testing.T) {
	t.Parallel()
	const path = "/busy"
	fx := newCoreFixture(t, coreConfig{svcOpts: []Option{WithRetry(RetryPolicy{Max: 3})}})
	fx.srv.Handle("GET "+path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "99999999999999999999")
		http.Error(w, "come back much later", http.StatusServiceUnavailable)
	}))
	req, err := fx.factory(t, "bob").NewRequest(http.MethodGet, path)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := req.Do(t.Context())
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", resp.StatusCode)
	}
	if diff := cmp.Diff([]int{503}, statuses(fx.srv, path)); diff != "" {
		t.Errorf("attempts (-want +got):\n%s", diff)
	}
	if waits := fx.waits.all(); len(waits) != 0 {
		t.Errorf("waited %v, want no wait", waits)
	}
}

// logRecorder is a slog.Handler that keeps the records it is given.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r.Clone())
	return nil
}
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecorder) WithGroup(string) slog.Handler      { return l }

// messages returns the records with message msg, each as its attributes.
func (l *logRecorder) messages(msg string) []map[string]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]string
	for _, r := range l.records {
		if r.Message != msg {
			continue
		}
		m := map[string]string{"level": r.Level.String()}
		r.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value.String(); return true })
		out = append(out, m)
	}
	return out
}

// refusedURL returns an http URL on which nothing listens.
func refusedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// TestRetryRefusedConnection: a refused connection is retried with each
// retry logged by number, and the final error says how many attempts were
// made and over how long, for Do and for the Client view alike.
func TestRetryRefusedConnection(t *testing.T) {
	t.Parallel()
	rpc := refusedURL(t)
	now := time.Now()
	fixed := func() time.Time { return now } // only the reported waits pass
	logs := &logRecorder{}
	waits := &waitLog{}
	l := Link{ID: newLinkID(), Name: "down", Type: TypeGeneric, RPCURL: rpc, Auth: []Auth{AuthAnonymous}}
	svc, err := NewService([]Link{l}, WithClock(fixed), withBackoff(waits.add), WithLogger(slog.New(logs)),
		WithRetry(RetryPolicy{Max: 3}))
	if err != nil {
		t.Fatal(err)
	}
	bound, err := svc.Link(l.ID)
	if err != nil {
		t.Fatal(err)
	}
	f, err := bound.RequestFactory("")
	if err != nil {
		t.Fatal(err)
	}
	req, err := f.NewRequest(http.MethodGet, "/status?oauth_verifier=secret")
	if err != nil {
		t.Fatal(err)
	}
	_, doErr := req.Do(t.Context())
	_, clientErr := f.Client().Get(rpc + "/status")
	for name, err := range map[string]error{"Do": doErr, "Client": clientErr} {
		var re *RetryError
		if !errors.As(err, &re) {
			t.Fatalf("%s: got %v, want a *RetryError", name, err)
		}
		if re.Attempts != 4 || re.Elapsed != 1750*time.Millisecond {
			t.Errorf("%s: %d attempts over %v, want 4 over 1.75s", name, re.Attempts, re.Elapsed)
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("%s: errors.Is(err, ECONNREFUSED) is false for %v", name, err)
		}
		if msg := err.Error(); !strings.Contains(msg, "gave up after 4 attempts over 1.75s") || strings.Contains(msg, "secret") {
			t.Errorf("%s: message %q does not say the attempts, or shows the query", name, msg)
		}
	}
	if !strings.HasPrefix(doErr.Error(), `applink: link "down": GET `) {
		t.Errorf("Do's error %q does not name the link and request", doErr)
	}
	var want []map[string]string
	for range 2 { // Do, then the Client view
		for i, wait := range []string{"250ms", "500ms", "1s"} {
			want = append(want, map[string]string{"level": "INFO", "link": "down", "method": "GET",
				"attempt": strconv.Itoa(i + 2), "max_attempts": "4", "wait": wait})
		}
	}
	got := logs.messages("applink: retrying a request")
	for _, m := range got {
		if !strings.Contains(m["after"], "connection refused") || strings.Contains(m["url"], "secret") {
			t.Errorf("retry record: after %q, url %q", m["after"], m["url"])
		}
		delete(m, "after")
		delete(m, "url")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("retry log (-want +got):\n%s", diff)
	}
}

// TestNoRetryErrorForOneAttempt: without retries the error is the
// network's, not a *RetryError.
func TestNoRetryErrorForOneAttempt(t *testing.T) {
	t.Parallel()
	l := Link{ID: newLinkID(), Name: "down", Type: TypeGeneric, RPCURL: refusedURL(t), Auth: []Auth{AuthAnonymous}}
	svc, err := NewService([]Link{l}, WithRetry(RetryPolicy{Max: -1}))
	if err != nil {
		t.Fatal(err)
	}
	bound, _ := svc.Link(l.ID)
	f, _ := bound.RequestFactory("")
	req, _ := f.NewRequest(http.MethodPost, "/x")
	_, err = req.Do(t.Context())
	var re *RetryError
	if errors.As(err, &re) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("got %v, want the refused connection alone", err)
	}
}

// TestExecuteRetryExhausted: when the retries run out on a retried status,
// Execute's error says how many attempts were made and over how long, and
// still holds the handler's *handler.ResponseError; a handler error after a
// retry that succeeded is not dressed up as one.
func TestExecuteRetryExhausted(t *testing.T) {
	t.Parallel()
	const path = "/rest/api/2/myself"
	now := time.Now()
	fixed := func() time.Time { return now } // only the reported waits pass
	fx := newCoreFixture(t, coreConfig{svcOpts: []Option{WithRetry(RetryPolicy{Max: 2}), WithClock(fixed)}})
	fx.srv.InjectFault(applinktest.Fault{Status: http.StatusServiceUnavailable, Count: 3, Path: path})
	req, err := fx.factory(t, "bob").NewRequest(http.MethodGet, path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Execute(t.Context(), req, handler.Discard())
	var re *RetryError
	var rerr *handler.ResponseError
	if !errors.As(err, &re) || !errors.As(err, &rerr) {
		t.Fatalf("Execute: got %v, want a *RetryError holding a *handler.ResponseError", err)
	}
	if re.Attempts != 3 || re.Elapsed != 750*time.Millisecond || rerr.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("%d attempts over %v, last status %d; want 3 over 750ms, 503", re.Attempts, re.Elapsed, rerr.StatusCode)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, `applink: link "Jira": GET `) || !strings.Contains(msg, "gave up after 3 attempts over 750ms") {
		t.Errorf("message %q", msg)
	}

	// The fault is spent: 503 once more, then 200 refused by the handler.
	fx.srv.InjectFault(applinktest.Fault{Status: http.StatusServiceUnavailable, Count: 1, Path: path})
	_, err = Execute(t.Context(), req, handler.Status(http.StatusCreated))
	if errors.As(err, &re) || !errors.As(err, &rerr) || rerr.StatusCode != http.StatusOK {
		t.Errorf("a retry that got 200, refused by the handler: got %v, want the handler's error alone", err)
	}
}
