package applinktest_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
)

func TestFaultStatusAndRetryAfter(t *testing.T) {
	t.Parallel()
	srv, s := atlassian(t)
	srv.InjectFault(applinktest.Fault{Count: 2, Status: 429, RetryAfter: 1500 * time.Millisecond, Path: myself})
	url := srv.URL + myself + "?xoauth_requestor_id=alice"
	// Another path is not affected.
	if r := send(t, srv, newRequest(t, http.MethodGet, srv.URL+applinktest.AtlassianManifestPath, nil)); r.status != 200 {
		t.Errorf("manifest: %d", r.status)
	}
	for i := range 2 {
		r := do(t, srv, s, http.MethodGet, url, nil, signer.Params{})
		if r.status != 429 || r.header.Get("Retry-After") != "2" {
			t.Errorf("request %d: %d Retry-After %q, want 429 and 2", i, r.status, r.header.Get("Retry-After"))
		}
	}
	if r := do(t, srv, s, http.MethodGet, url, nil, signer.Params{}); r.status != 200 {
		t.Errorf("after the fault: %d %s", r.status, r.body)
	}
}

func TestFaultDrop(t *testing.T) {
	t.Parallel()
	srv, _ := atlassian(t)
	srv.InjectFault(applinktest.Fault{Drop: true})
	req := newRequest(t, http.MethodGet, srv.URL+applinktest.AtlassianManifestPath, nil)
	resp, err := srv.Client().Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("dropped request got %d", resp.StatusCode)
	}
	if r := send(t, srv, newRequest(t, http.MethodGet, srv.URL+applinktest.AtlassianManifestPath, nil)); r.status != 200 {
		t.Errorf("after the drop: %d", r.status)
	}
	recs := srv.Requests()
	if len(recs) != 2 || recs[0].Status != 0 {
		t.Errorf("records %+v: want the dropped one with status 0", recs)
	}
}

// TestFaultDelay holds a request on a one-hour delay and ends the delay the
// two ways it can end early. Nothing here depends on the machine's speed:
// the client gives up only once the server has taken the fault (Fault.Taken),
// and every wait has a generous deadline.
func TestFaultDelay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// end ends the held request early: the client gives up, or the
		// server closes.
		end func(cancel context.CancelFunc, srv *applinktest.Server)
		// wantErr is what the client's Do returns.
		wantErr error
	}{
		{"the client goes away", func(cancel context.CancelFunc, _ *applinktest.Server) { cancel() }, context.Canceled},
		{"the server closes", func(_ context.CancelFunc, srv *applinktest.Server) { srv.Close() }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			finished := make(chan string, 10) // the path of each request the server is done with
			srv, _ := atlassian(t, applinktest.WithLogger(slog.New(pathsHandler{finished})))
			manifest := srv.URL + applinktest.AtlassianManifestPath
			taken := make(chan struct{}, 1)
			srv.InjectFault(applinktest.Fault{Delay: time.Hour, Taken: func(*http.Request) { taken <- struct{}{} }})

			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			errc := make(chan error, 1)
			go func() {
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, manifest, nil)
				if err != nil {
					errc <- err
					return
				}
				resp, err := srv.Client().Do(req)
				if err == nil {
					resp.Body.Close()
					err = fmt.Errorf("answered %d", resp.StatusCode)
				}
				errc <- err
			}()
			await(t, taken, "the server to take the delay fault")
			select {
			case err := <-errc:
				t.Fatalf("the delayed request ended before the delay did: %v", err)
			default: // held, as it should be
			}

			tt.end(cancel, srv)
			err := await(t, errc, "the client to see the request end")
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Errorf("client: err = %v, want %v", err, cmp.Or[any](tt.wantErr, "a connection error"))
			}
			if got := await(t, finished, "the server to let the delayed request go"); got != applinktest.AtlassianManifestPath {
				t.Errorf("server finished %q, want %q", got, applinktest.AtlassianManifestPath)
			}
			recs := srv.Requests()
			if len(recs) != 1 || recs[0].Status != 0 {
				t.Errorf("records %+v: want the delayed request, unanswered (status 0)", recs)
			}
			if tt.wantErr == nil {
				return // closed
			}
			// The fault was used up by the request that took it: the next
			// request is served at once.
			if r := send(t, srv, newRequest(t, http.MethodGet, manifest, nil)); r.status != 200 {
				t.Errorf("after the delay: %d", r.status)
			}
			// A short delay alone serves normally afterwards.
			srv.InjectFault(applinktest.Fault{Delay: time.Millisecond})
			if r := send(t, srv, newRequest(t, http.MethodGet, manifest, nil)); r.status != 200 {
				t.Errorf("after a short delay: %d", r.status)
			}
		})
	}
}

// TestFaultTakenOnce checks that a fault is taken by exactly Count requests,
// whatever their timing: with many concurrent clients, no request gets a
// fault twice and none is left over.
func TestFaultTakenOnce(t *testing.T) {
	t.Parallel()
	srv, _ := atlassian(t)
	const faults, clients = 3, 8
	taken := make(chan struct{}, clients)
	srv.InjectFault(applinktest.Fault{Count: faults, Status: 503, Taken: func(*http.Request) { taken <- struct{}{} }})
	statuses := make(chan int, clients)
	for range clients {
		go func() {
			c := *srv.Client()
			c.Timeout = requestTimeout
			resp, err := c.Get(srv.URL + applinktest.AtlassianManifestPath)
			if err != nil {
				t.Error(err)
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	count := map[int]int{}
	for range clients {
		count[await(t, statuses, "a response")]++
	}
	if want := map[int]int{503: faults, 200: clients - faults}; !maps.Equal(count, want) {
		t.Errorf("statuses %v, want %v", count, want)
	}
	if len(taken) != faults {
		t.Errorf("Taken called %d times, want %d", len(taken), faults)
	}
}

// pathsHandler is a slog.Handler for applinktest.WithLogger that sends the
// path of each request the server has finished with.
type pathsHandler struct{ paths chan<- string }

func (h pathsHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h pathsHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h pathsHandler) WithGroup(string) slog.Handler            { return h }
func (h pathsHandler) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "path" {
			h.paths <- a.Value.String()
			return false
		}
		return true
	})
	return nil
}

func TestFaultAfterAuthSpendsTheNonce(t *testing.T) {
	t.Parallel()
	srv, s := atlassian(t)
	srv.InjectFault(applinktest.Fault{AfterAuth: true})
	// Unsigned requests do not match an after-auth fault.
	if r := send(t, srv, newRequest(t, http.MethodGet, srv.URL+applinktest.AtlassianManifestPath, nil)); r.status != 200 {
		t.Fatalf("unsigned: %d", r.status)
	}
	req := newRequest(t, http.MethodGet, srv.URL+myself+"?xoauth_requestor_id=alice", nil)
	if err := s.Sign(req, signer.Params{}); err != nil {
		t.Fatal(err)
	}
	if r := send(t, srv, req.Clone(t.Context())); r.status != 503 {
		t.Fatalf("after-auth fault: %d %s", r.status, r.body)
	}
	// Retrying the same signed request is a replay.
	if r := send(t, srv, req.Clone(t.Context())); problem(r) != signer.ProblemNonceUsed {
		t.Errorf("retry with the same nonce: %d %q, want nonce_used", r.status, problem(r))
	}
	if r := do(t, srv, s, http.MethodGet, srv.URL+myself+"?xoauth_requestor_id=alice", nil, signer.Params{}); r.status != 200 {
		t.Errorf("fresh signature: %d %s", r.status, r.body)
	}
}

func TestFaultAfterAuthOnTokenEndpoint(t *testing.T) {
	t.Parallel()
	srv, s := atlassian(t)
	srv.InjectFault(applinktest.Fault{AfterAuth: true, Status: 503, Path: applinktest.AtlassianRequestTokenPath})
	r := do(t, srv, s, http.MethodPost, srv.RequestTokenURL(), nil, signer.Params{OmitToken: true, Callback: "oob"})
	if r.status != 503 {
		t.Fatalf("request token: %d", r.status)
	}
	requestToken(t, srv, s, "oob") // then it works
}
