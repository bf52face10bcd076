package applink

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/handler"
)

// BenchmarkRequest compares, in one run: a signed 2LO GET through the whole
// stack (factory, request, retrying client, signing transport, RSA-SHA1
// with a 2048-bit key) to a loopback server; the same GET signed with
// HMAC-SHA1 and a shared secret (as Jenkins-style links sign); the same GET
// unsigned through the same stack (anonymous); a bare GET with the
// service's HTTP client; and a bare RSA-SHA1 signature. The stack's cost is
// signed - bare GET - RSA; without RSA, signed-2LO-HMAC / bare-GET and
// stack-anonymous / bare-GET (BENCHMARKS.md). The server does not verify
// signatures, so that only the client's cost is measured.
func BenchmarkRequest(b *testing.B) {
	// The server records the Authorization header only when asked (once,
	// before a case's loop), so that every case pays the same for it.
	var (
		record   atomic.Bool
		mu       sync.Mutex
		lastAuth string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if record.Load() {
			mu.Lock()
			lastAuth = r.Header.Get("Authorization")
			mu.Unlock()
		}
		_, _ = io.WriteString(w, "ok")
	}))
	b.Cleanup(srv.Close)
	key := testKey(b)
	l := Link{ID: newLinkID(), Name: "Bench", Type: TypeGeneric, RPCURL: srv.URL, ConsumerKey: "bench",
		Auth: []Auth{Auth2LO, AuthAnonymous}, PrivateKey: key}
	client := &http.Client{Transport: srv.Client().Transport}
	hmacLink := Link{ID: newLinkID(), Name: "Bench HMAC", Type: TypeGeneric, RPCURL: srv.URL, ConsumerKey: "bench-hmac",
		Auth: []Auth{Auth2LO}, Secret: token.NewSecret("bench-shared-secret-TEST-ONLY")}
	svc, err := NewService([]Link{l, hmacLink}, WithHTTPClient(client))
	if err != nil {
		b.Fatal(err)
	}
	bound, _ := svc.Link(l.ID)
	boundHMAC, _ := svc.Link(hmacLink.ID)
	ctx := b.Context()
	// authOf sends one request through f and returns its Authorization
	// header as the server saw it.
	authOf := func(b *testing.B, f *RequestFactory) string {
		record.Store(true)
		defer record.Store(false)
		req, err := f.NewRequest(http.MethodGet, "/rest/api/2/myself?expand=groups")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Execute(ctx, req, handler.Discard()); err != nil {
			b.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		return lastAuth
	}
	run := func(b *testing.B, f *RequestFactory) {
		b.ReportAllocs()
		loopCPU(b, func() {
			req, err := f.NewRequest(http.MethodGet, "/rest/api/2/myself?expand=groups")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := Execute(ctx, req, handler.Discard()); err != nil {
				b.Fatal(err)
			}
		})
	}
	b.Run("signed-2LO-RSA2048", func(b *testing.B) {
		f, _ := bound.RequestFactory("alice", WithAuth(Auth2LO))
		run(b, f)
	})
	b.Run("signed-2LO-HMAC", func(b *testing.B) {
		f, _ := boundHMAC.RequestFactory("alice", WithAuth(Auth2LO))
		if got := authOf(b, f); !strings.Contains(got, `oauth_signature_method="HMAC-SHA1"`) {
			b.Fatalf("Authorization %q: want an HMAC-SHA1 signature", got)
		}
		run(b, f)
	})
	b.Run("stack-anonymous", func(b *testing.B) {
		f, _ := bound.RequestFactory("", WithAuth(AuthAnonymous))
		if got := authOf(b, f); got != "" {
			b.Fatalf("Authorization %q on an anonymous request", got)
		}
		run(b, f)
	})
	b.Run("bare-GET", func(b *testing.B) {
		b.ReportAllocs()
		loopCPU(b, func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/rest/api/2/myself?expand=groups", nil)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		})
	})
	b.Run("bare-RSA-SHA1-2048", func(b *testing.B) {
		b.ReportAllocs()
		base := "GET&http%3A%2F%2F127.0.0.1%2Frest%2Fapi%2F2%2Fmyself&expand%3Dgroups%26oauth_consumer_key%3Dbench"
		for b.Loop() {
			h := sha1.Sum([]byte(base))
			if _, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA1, h[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// loopCPU runs body in b's loop and reports, beside the wall time, the
// process's CPU time per iteration as cpu-ns/op (where the OS tells it).
// The server runs in the process, so it is counted, as it is in ns/op; on
// a loaded machine this measure varies much less than the wall time, which
// includes waiting for a CPU.
func loopCPU(b *testing.B, body func()) {
	b.Helper()
	start, ok := processCPU()
	for b.Loop() {
		body()
	}
	if end, ok2 := processCPU(); ok && ok2 && b.N > 0 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

// answerAtOnce is a RoundTripper that answers every request with 200 "ok"
// in the process: BenchmarkStack measures the stack's own CPU with it, free
// of the network and of a server's scheduling.
type answerAtOnce struct{}

func (answerAtOnce) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"text/plain"}}, Body: io.NopCloser(strings.NewReader("ok")),
		ContentLength: 2, Request: r}, nil
}

// BenchmarkStack is BenchmarkRequest's three crypto-free cases with a
// transport that answers at once instead of a loopback server: what the
// stack itself costs in CPU (request, retrying client, transport,
// throttle, signature, handler), which varies far less from run to run
// than a round trip does. bare-Do is http.Client.Do with the same
// transport, the body read and closed.
func BenchmarkStack(b *testing.B) {
	client := &http.Client{Transport: answerAtOnce{}}
	const rpc = "http://127.0.0.1:1"
	l := Link{ID: newLinkID(), Name: "Bench", Type: TypeGeneric, RPCURL: rpc, ConsumerKey: "bench",
		Auth: []Auth{Auth2LO, AuthAnonymous}, Secret: token.NewSecret("bench-shared-secret-TEST-ONLY")}
	svc, err := NewService([]Link{l}, WithHTTPClient(client))
	if err != nil {
		b.Fatal(err)
	}
	bound, _ := svc.Link(l.ID)
	ctx := b.Context()
	run := func(b *testing.B, auth Auth, user string) {
		f, err := bound.RequestFactory(user, WithAuth(auth))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			req, err := f.NewRequest(http.MethodGet, "/rest/api/2/myself?expand=groups")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := Execute(ctx, req, handler.Discard()); err != nil {
				b.Fatal(err)
			}
			if got := req.Auth(); got != auth {
				b.Fatalf("sent with %s, want %s", got, auth)
			}
		}
	}
	b.Run("signed-2LO-HMAC", func(b *testing.B) { run(b, Auth2LO, "alice") })
	b.Run("stack-anonymous", func(b *testing.B) { run(b, AuthAnonymous, "") })
	// The same with a service client that has a Timeout, which the stack
	// applies itself (http.Client would start a goroutine per request).
	b.Run("stack-anonymous-client-Timeout", func(b *testing.B) {
		timed, err := NewService([]Link{l}, WithHTTPClient(&http.Client{Transport: answerAtOnce{}, Timeout: time.Minute}))
		if err != nil {
			b.Fatal(err)
		}
		tb, _ := timed.Link(l.ID)
		f, _ := tb.RequestFactory("", WithAuth(AuthAnonymous))
		b.ReportAllocs()
		for b.Loop() {
			req, _ := f.NewRequest(http.MethodGet, "/rest/api/2/myself?expand=groups")
			if _, err := Execute(ctx, req, handler.Discard()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bare-Do", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, rpc+"/rest/api/2/myself?expand=groups", nil)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}
