package page

import (
	"testing"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
)

// A Confluence next link becomes a path under the link's RPC URL, however
// the server writes it.
func TestConfluenceNext(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"), applinktest.WithContextPath("/wiki"))
	l := testlink.Bound(t, srv, "Wiki", testlink.WithKeyBits(1024), testlink.WithAuth(applink.Auth2LOi))
	f, err := l.RequestFactory("alice")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, next, base, want string }{
		{"data center: relative to base", "/rest/api/content?limit=25&start=25", "https://wiki.example.com/wiki", "/rest/api/content?limit=25&start=25"},
		{"cloud v2: with the context path", "/wiki/api/v2/pages?cursor=abc", "https://x.atlassian.net/wiki", "/api/v2/pages?cursor=abc"},
		{"absolute under base", "https://proxy.example.com/wiki/rest/api/content?start=5", "https://proxy.example.com/wiki", "/rest/api/content?start=5"},
		{"absolute elsewhere", "https://other.example.com/x?start=5", "https://proxy.example.com/wiki", "https://other.example.com/x?start=5"},
		{"no base: the RPC URL's context", "/wiki/rest/api/content?start=5", "", "/rest/api/content?start=5"},
		{"echoed requestor dropped", "/rest/api/content?start=5&xoauth_requestor_id=alice&limit=5", "https://h/wiki", "/rest/api/content?start=5&limit=5"},
	} {
		if got := confluenceNext(f, c.next, c.base); got != c.want {
			t.Errorf("%s: confluenceNext(%q, %q) = %q, want %q", c.name, c.next, c.base, got, c.want)
		}
	}
}
