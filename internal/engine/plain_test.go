package engine

import (
	"net/url"
	"reflect"
	"testing"
)

// plainScopes are RPC URLs of every shape plainBase must judge: with and
// without a context path, a trailing slash, a port, an escaped path, and
// ones that must send every reference the general way.
var plainScopes = []string{
	"https://jira.example.com",
	"https://jira.example.com/",
	"http://127.0.0.1:8080/jira",
	"https://example.com/jira/",
	"https://example.com/my%20jira",
	"https://example.com/a%2Fb",
	"https://example.com/x/../jira",
	"https://user@example.com/jira",
}

// plainRefs name what callers give NewRequest, plain and not.
var plainRefs = []string{
	"/rest/api/2/myself?expand=groups", "rest/api/2/myself", "/", "", "/rest/api/2/", "/a.b/c~d_e-f",
	"/x?", "/x?a=%20b&c=d+e", "/x?a=%zz", "/x?a=%2", "/x?a b", "/x?a=é", "/x#frag", "/x?q#f",
	"/./x", "/../x", "/x/..", "/x/.", "/x//y", "//evil.example/x", "x:y", "http://jira.example.com/x",
	"/x%20y", "/x y", "/x;p", "/x!", "/%2e%2e/x", "/x?a=b?c", "/x?a=[1]", "/..x/y", "/x/.../y",
}

// TestResolvePlainTakesThePlainOnes checks that the fast way is taken for
// the references most requests use, so that it cannot silently go unused.
func TestResolvePlainTakesThePlainOnes(t *testing.T) {
	s := NewScope("Jira", mustParse(t, "https://jira.example.com/jira"))
	for _, ref := range []string{"/rest/api/2/myself?expand=groups", "rest/api/2/issue/ABC-1", "/", "/x?jql=project%20%3D%20X&maxResults=50"} {
		if _, ok := s.resolvePlain(ref); !ok {
			t.Errorf("resolvePlain(%q) went the general way", ref)
		}
	}
	for _, ref := range []string{"/x/../y", "/x?a b", "/x#f", "https://jira.example.com/jira/x", "/x%20y", "//h/x", ""} {
		if _, ok := s.resolvePlain(ref); ok {
			t.Errorf("resolvePlain(%q) took the fast way", ref)
		}
	}
	if _, ok := NewScope("Jira", mustParse(t, "https://example.com/a%2Fb")).resolvePlain("/x"); ok {
		t.Error("a scope whose RPC path has a RawPath took the fast way")
	}
}

// FuzzResolvePlain holds resolvePlain to the general way: for every
// reference it accepts, the URL is the one Scope.resolve returns.
func FuzzResolvePlain(f *testing.F) {
	for i := range plainScopes {
		for _, ref := range plainRefs {
			f.Add(i, ref)
		}
	}
	f.Fuzz(func(t *testing.T, i int, ref string) {
		if i < 0 {
			i = -i
		}
		rpc, err := url.Parse(plainScopes[i%len(plainScopes)])
		if err != nil {
			t.Fatal(err)
		}
		s := NewScope("Jira", rpc)
		fast, ok := s.resolvePlain(ref)
		if !ok {
			return
		}
		slow, err := s.resolve(ref)
		if err != nil {
			t.Fatalf("%s: resolvePlain(%q) = %s, the general way refuses it: %v", rpc, ref, fast, err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%s: resolvePlain(%q) = %#v, the general way gives %#v", rpc, ref, fast, slow)
		}
	})
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
