package applink

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/signer"
)

// TestWireAndLogs checks what goes on the wire (User-Agent, the 2LOi
// query, the query left as written) and that debug logs name the request
// without secrets.
func TestWireAndLogs(t *testing.T) {
	t.Parallel()
	var seen *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Clone(r.Context())
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for _, ua := range []string{"", "my-app/1.0"} {
		opts := []Option{WithLogger(logger)}
		if ua != "" {
			opts = append(opts, WithUserAgent(ua))
		}
		f := plainFactory(t, srv.URL, "Jane Doe", []Auth{Auth2LOi}, opts...)
		req, err := f.NewRequest(http.MethodGet, "/rest/search?jql=a%20%3D%20b&api_key=TOPSECRET")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Execute(t.Context(), req, handler.Discard()); err != nil {
			t.Fatal(err)
		}
		want := ua
		if want == "" {
			want = defaultUserAgent
		}
		if got := seen.Header.Get("User-Agent"); got != want {
			t.Errorf("User-Agent %q, want %q", got, want)
		}
		if got, want := seen.URL.RawQuery, "jql=a%20%3D%20b&api_key=TOPSECRET&xoauth_requestor_id=Jane%20Doe"; got != want {
			t.Errorf("query %q, want %q", got, want)
		}
		if p, err := signer.ParseAuthorization(seen.Header.Get("Authorization")); err != nil || !p.Has("oauth_token") || p.Get("oauth_token") != "" {
			t.Errorf("2LOi must send an empty oauth_token: %v, %v", p, err)
		}
	}
	out := logs.String()
	if !strings.Contains(out, `"msg":"applink: request"`) || !strings.Contains(out, `"status":200`) {
		t.Errorf("no request logged at debug:\n%s", out)
	}
	for _, leak := range []string{"TOPSECRET", "oauth_signature", "Authorization", "OAuth "} {
		if strings.Contains(out, leak) {
			t.Errorf("the log shows %q:\n%s", leak, out)
		}
	}
}

func TestRequestMisuse(t *testing.T) {
	t.Parallel()
	var zero Request
	zero.SetHeader("X-A", "1").AddHeader("X-B", "2")
	if _, err := zero.Do(t.Context()); err == nil {
		t.Error("a zero Request was sent")
	}
	fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth2LO}})
	f := fx.factory(t, "alice")
	for name, build := range map[string]func(*Request) error{
		"Authorization header":  func(r *Request) error { r.SetHeader("authorization", "OAuth x"); return nil },
		"form after body":       func(r *Request) error { r.SetBody("text/plain", strings.NewReader("x")).AddForm("a", "b"); return nil },
		"body after form":       func(r *Request) error { r.AddForm("a", "b").SetBody("text/plain", strings.NewReader("x")); return nil },
		"JSON after form":       func(r *Request) error { r.AddForm("a", "b").SetJSON(1); return nil },
		"unencodable JSON":      func(r *Request) error { r.SetJSON(func() {}).SetHeader("X-A", "1"); return nil },
		"form after empty body": func(r *Request) error { r.SetBody("text/plain", nil).AddForm("a", "b"); return nil },
		"empty body after form": func(r *Request) error { r.AddForm("a", "b").SetBody("text/plain", nil); return nil },
		"form on GET":           nil,
	} {
		method := http.MethodPost
		if build == nil {
			method = http.MethodGet
			build = func(r *Request) error { r.AddForm("a", "b"); return nil }
		}
		req, err := f.NewRequest(method, "/x")
		if err != nil {
			t.Fatal(err)
		}
		buildErr := build(req)
		if _, err := req.Do(t.Context()); err == nil && buildErr == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
