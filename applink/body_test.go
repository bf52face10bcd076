package applink

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/go-applinks/applinks/handler"
	"github.com/google/go-cmp/cmp"
)

// uploadLog records what each attempt at an upload endpoint carried.
type uploadLog struct {
	mu      sync.Mutex
	bodies  []string
	lengths []int64
}

func (u *uploadLog) add(body string, n int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.bodies = append(u.bodies, body)
	u.lengths = append(u.lengths, n)
}

func (u *uploadLog) get() ([]string, []int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.bodies...), append([]int64(nil), u.lengths...)
}

// uploadFixture serves PUT /upload (503 for the first attempt, then 307 to
// /upload2) and PUT /upload2 (204), recording every body and
// Content-Length (-1 for chunked).
func uploadFixture(t *testing.T) (*coreFixture, *uploadLog) {
	t.Helper()
	fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth2LO}})
	log := &uploadLog{}
	var first sync.Once
	record := func(r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("reading the upload: %v", err)
		}
		log.add(string(b), r.ContentLength)
	}
	fx.srv.Handle("PUT /upload", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record(r)
		busy := false
		first.Do(func() { busy = true })
		if busy {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		http.Redirect(w, r, "/upload2", http.StatusTemporaryRedirect)
	}))
	fx.srv.Handle("PUT /upload2", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record(r)
		w.WriteHeader(http.StatusNoContent)
	}))
	return fx, log
}

// TestSetBodyReplays: a body given as a reader is sent whole on
// every attempt: the first, a retry after 503, and a 307 redirect, each
// signed afresh (the provider verifies every one). A seekable body is sent
// from where it stood, with its Content-Length; any other is buffered.
func TestSetBodyReplays(t *testing.T) {
	t.Parallel()
	const content = "line one\nline two\n"
	file := func(t *testing.T) io.Reader {
		p := filepath.Join(t.TempDir(), "body.txt")
		if err := os.WriteFile(p, []byte("SKIPPED"+content), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		if _, err := f.Seek(int64(len("SKIPPED")), io.SeekStart); err != nil {
			t.Fatal(err)
		}
		return f
	}
	tests := []struct {
		name       string
		body       func(t *testing.T) io.Reader
		wantLength int64
	}{
		{"file, from its position", file, int64(len(content))},
		{"strings.Reader", func(*testing.T) io.Reader { return strings.NewReader(content) }, int64(len(content))},
		{"stream, buffered", func(*testing.T) io.Reader {
			return io.MultiReader(strings.NewReader(content[:5]), iotest.OneByteReader(strings.NewReader(content[5:])))
		}, int64(len(content))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fx, log := uploadFixture(t)
			req, err := fx.factory(t, "", WithAuth(Auth2LO)).NewRequest(http.MethodPut, "/upload")
			if err != nil {
				t.Fatal(err)
			}
			req.SetBody("text/plain", tt.body(t))
			if _, err := Execute(t.Context(), req, handler.Status(http.StatusNoContent)); err != nil {
				t.Fatalf("Execute: %v", err)
			}
			bodies, lengths := log.get()
			if diff := cmp.Diff([]string{content, content, content}, bodies); diff != "" {
				t.Errorf("bodies of the first attempt, the retry and the redirect (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]int64{tt.wantLength, tt.wantLength, tt.wantLength}, lengths); diff != "" {
				t.Errorf("Content-Lengths (-want +got):\n%s", diff)
			}
			if got := statuses(fx.srv, "/upload"); !cmp.Equal(got, []int{503, 307}) {
				t.Errorf("statuses of /upload = %v, want [503 307]", got)
			}

			// Sent again, the request sends the same body again.
			if _, err := Execute(t.Context(), req, handler.Status(http.StatusTemporaryRedirect, http.StatusNoContent)); err != nil {
				t.Fatalf("Execute again: %v", err)
			}
			if bodies, _ := log.get(); len(bodies) != 5 || bodies[3] != content || bodies[4] != content {
				t.Errorf("bodies when sent again = %q, want the content twice more", bodies[3:])
			}
		})
	}
}

// TestSetBodyFormSigned: a form body given as a reader is signed
// over exactly the bytes sent (POST).
func TestSetBodyFormSigned(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth2LO}})
	var got string
	fx.srv.Handle("POST /form", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.PostFormValue("summary")
	}))
	req, err := fx.factory(t, "", WithAuth(Auth2LO)).NewRequest(http.MethodPost, "/form")
	if err != nil {
		t.Fatal(err)
	}
	req.SetBody("application/x-www-form-urlencoded", strings.NewReader("summary=a+b%21&x=1"))
	if _, err := Execute(t.Context(), req, handler.Discard()); err != nil || req.Auth() != Auth2LO {
		t.Fatalf("Execute: %v (sent with %q, want 2lo)", err, req.Auth())
	}
	if got != "a b!" {
		t.Errorf("the provider read summary %q, want %q", got, "a b!")
	}
}

// TestSetBodyErrors: a read error, a stream over the buffer cap and
// an unencodable JSON value are reported by Do, and nothing is sent.
func TestSetBodyErrors(t *testing.T) {
	t.Parallel()
	errRead := errors.New("disk on fire")
	tests := []struct {
		name  string
		build func(*Request)
		check func(error) bool
	}{
		{"read error", func(r *Request) {
			r.SetBody("text/plain", io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(errRead)))
		}, func(err error) bool { return errors.Is(err, errRead) }},
		{"stream over the cap", func(r *Request) {
			r.SetBody("application/octet-stream", io.LimitReader(zeros{}, maxBufferedBody+1))
		}, func(err error) bool { return err != nil && strings.Contains(err.Error(), "larger than 32 MiB") }},
		{"unencodable JSON, chained", func(r *Request) {
			r.SetJSON(map[string]any{"f": func() {}}).SetHeader("Accept", "application/json")
		}, func(err error) bool {
			var ute *json.UnsupportedTypeError
			return errors.As(err, &ute)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth2LO}})
			req, err := fx.factory(t, "").NewRequest(http.MethodPut, "/upload")
			if err != nil {
				t.Fatal(err)
			}
			tt.build(req)
			for i := range 2 { // the error sticks: the reader was consumed
				_, err = req.Do(t.Context())
				if !tt.check(err) {
					t.Errorf("Do #%d: got %v", i+1, err)
				}
			}
			if n := len(recordsFor(fx.srv, "/upload")); n != 0 {
				t.Errorf("%d requests were sent, want none", n)
			}
		})
	}
}

// TestSetJSONChains: SetJSON returns the request, and its body is sent.
func TestSetJSONChains(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth2LO}})
	var ctype, body string
	fx.srv.Handle("PUT /json", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ctype, body = r.Header.Get("Content-Type"), string(b)
	}))
	req, err := fx.factory(t, "").NewRequest(http.MethodPut, "/json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Execute(t.Context(), req.SetJSON(map[string]int{"n": 1}).SetHeader("X-Trace", "1"), handler.Discard()); err != nil {
		t.Fatal(err)
	}
	if ctype != "application/json" || body != `{"n":1}` {
		t.Errorf("the provider got %s %q", ctype, body)
	}
}

// zeros reads zero bytes forever.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }
