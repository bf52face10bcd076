package engine

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestWithRequestor(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ raw, user, want string }{
		{"", "alice", "xoauth_requestor_id=alice"},
		{"jql=project%20%3D%20OPS&b=1+2", "bob", "jql=project%20%3D%20OPS&b=1+2&xoauth_requestor_id=bob"},
		{"xoauth_requestor_id=admin&a=1", "bob", "a=1&xoauth_requestor_id=bob"},
		{"xoauth%5Frequestor%5Fid=admin", "bob", "xoauth_requestor_id=bob"},
		{"a=1&&b", "Jane Doe+x@example.com", "a=1&b&xoauth_requestor_id=Jane%20Doe%2Bx%40example.com"},
	} {
		if got := WithRequestor(tt.raw, tt.user); got != tt.want {
			t.Errorf("WithRequestor(%q, %q) = %q, want %q", tt.raw, tt.user, got, tt.want)
		}
	}
}

func TestHasRequestor(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]bool{
		"":                              false,
		"a=1&b=2":                       false,
		"xoauth_requestor_id=bob":       true,
		"a=1&xoauth%5Frequestor%5Fid=x": true,
		"a=%41":                         false,
		"xoauth_requestor_idx=bob":      false,
	} {
		if got := HasRequestor(raw); got != want {
			t.Errorf("HasRequestor(%q) = %v, want %v", raw, got, want)
		}
	}
}

// formParams is a test rule of a request's parameters: the query's, and a
// form body's.
func formParams(r *http.Request) (url.Values, error) {
	v := r.URL.Query()
	if r.Body == nil {
		return v, nil
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(strings.NewReader(string(data)))
	body, err := url.ParseQuery(string(data))
	for k, vs := range body {
		v[k] = append(v[k], vs...)
	}
	return v, err
}

// TestBodyNamesRequestor: a form body naming xoauth_requestor_id is found;
// the query's own is not the body's; a body that cannot be replayed is
// read once and carried by the request returned.
func TestBodyNamesRequestor(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, url, body string
		want            bool
	}{
		{"no body", "https://x.example/p?xoauth_requestor_id=a", "", false},
		{"body names one", "https://x.example/p", "a=1&xoauth_requestor_id=admin", true},
		{"query names one", "https://x.example/p?xoauth_requestor_id=a", "a=1", false},
		{"both", "https://x.example/p?xoauth_requestor_id=a", "xoauth_requestor_id=admin", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var body io.Reader
			if tt.body != "" {
				body = io.NopCloser(strings.NewReader(tt.body)) // no GetBody
			}
			req, err := http.NewRequest(http.MethodPost, tt.url, body)
			if err != nil {
				t.Fatal(err)
			}
			out, named, err := BodyNamesRequestor(req, formParams)
			if err != nil || named != tt.want {
				t.Fatalf("BodyNamesRequestor = %v, %v; want %v", named, err, tt.want)
			}
			if tt.body == "" {
				return
			}
			if out == req {
				t.Error("a body without GetBody was read from the caller's request, not a clone")
			}
			if data, _ := io.ReadAll(out.Body); string(data) != tt.body {
				t.Errorf("the request returned carries %q, want the body %q", data, tt.body)
			}
		})
	}
}
