package applinktest_test

import (
	"context"
	"errors"
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

func TestFaultDelay(t *testing.T) {
	t.Parallel()
	srv, _ := atlassian(t)
	srv.InjectFault(applinktest.Fault{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+applinktest.AtlassianManifestPath, nil)
	resp, err := srv.Client().Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("delayed request answered %d before the delay", resp.StatusCode)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want deadline exceeded", err)
	}
	// A short delay alone serves normally afterwards.
	srv.InjectFault(applinktest.Fault{Delay: time.Millisecond})
	if r := send(t, srv, newRequest(t, http.MethodGet, srv.URL+applinktest.AtlassianManifestPath, nil)); r.status != 200 {
		t.Errorf("after a short delay: %d", r.status)
	}
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
