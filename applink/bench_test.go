package applink

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-applinks/applinks/handler"
)

// BenchmarkRequest compares, in one run: a signed 2LO GET through the whole
// stack (factory, request, retrying client, signing transport, RSA-SHA1
// with a 2048-bit key) to a loopback server; the same GET unsigned through
// the same stack (anonymous); a bare GET with the service's HTTP client; and
// a bare RSA-SHA1 signature. The stack's cost is signed - bare GET - RSA.
func BenchmarkRequest(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	b.Cleanup(srv.Close)
	key := coreKey(b)
	l := Link{ID: newLinkID(), Name: "Bench", Type: TypeGeneric, RPCURL: srv.URL, ConsumerKey: "bench",
		Auth: []Auth{Auth2LO, AuthAnonymous}}.WithPrivateKey(key)
	client := &http.Client{Transport: srv.Client().Transport}
	svc, err := NewService([]Link{l}, WithHTTPClient(client))
	if err != nil {
		b.Fatal(err)
	}
	bound, _ := svc.Link(l.ID)
	ctx := b.Context()
	run := func(b *testing.B, f *RequestFactory) {
		b.ReportAllocs()
		for b.Loop() {
			req, err := f.NewRequest(http.MethodGet, "/rest/api/2/myself?expand=groups")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := Execute(ctx, req, handler.Discard()); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("signed-2LO-RSA2048", func(b *testing.B) {
		f, _ := bound.RequestFactory("alice", WithAuth(Auth2LO))
		run(b, f)
	})
	b.Run("stack-anonymous", func(b *testing.B) {
		f, _ := bound.RequestFactory("", WithAuth(AuthAnonymous))
		run(b, f)
	})
	b.Run("bare-GET", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/rest/api/2/myself?expand=groups", nil)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
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
