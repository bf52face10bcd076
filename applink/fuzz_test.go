package applink

import (
	"net/http"
	stdpath "path"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/internal/engine"

	"github.com/go-applinks/applinks/internal/requri"
)

// FuzzResolveCore feeds NewRequest arbitrary paths: it must not panic, and
// every URL it accepts must be on the link's origin and under its path.
func FuzzResolveCore(f *testing.F) {
	for _, s := range []string{"rest/x", "/rest/../..", "%2e%2e/x", "//evil/jira", "https://jira.example.com/jira/a?b=c",
		"https://jira.example.com/jira/%2e%2e/x", "/jira/./../jira2", "?q", "#f", "\x00", "/a%zz",
		`rest/api/2/search?jql=project = "X" AND text ~ ü&f=a+b%25`, "rest/a b[1]?q={|}^`\\", "https://jira.example.com/jira/ü?é"} {
		f.Add(s)
	}
	l := Link{ID: newLinkID(), Name: "J", Type: TypeJira, RPCURL: "https://jira.example.com/jira", Auth: []Auth{AuthAnonymous}}
	svc, err := NewService([]Link{l})
	if err != nil {
		f.Fatal(err)
	}
	bound, _ := svc.Link(l.ID)
	fac, _ := bound.RequestFactory("")
	f.Fuzz(func(t *testing.T, ref string) {
		req, err := fac.NewRequest(http.MethodGet, ref)
		if err != nil {
			return
		}
		u := req.URL()
		if u.Scheme != "https" || !strings.EqualFold(u.Host, "jira.example.com") && !strings.EqualFold(u.Host, "jira.example.com:443") {
			t.Fatalf("%q resolved to another origin: %s", ref, u)
		}
		p := strings.NewReplacer("%2e", ".", "%2E", ".").Replace(u.EscapedPath())
		if cleaned := stdpath.Clean(p); cleaned != "/jira" && !strings.HasPrefix(cleaned, "/jira/") {
			t.Fatalf("%q resolved outside /jira: %s", ref, u)
		}
		// What goes in the request line is valid as it is: escaping it
		// again changes nothing.
		path, query, _ := strings.Cut(u.RequestURI(), "?")
		if ep, err := requri.EscapePath(path); err != nil || ep != path {
			t.Fatalf("%q: the request line's path %q is not sendable as is (%q, %v)", ref, path, ep, err)
		}
		if eq, err := requri.EscapeQuery(query); err != nil || eq != query {
			t.Fatalf("%q: the request line's query %q is not sendable as is (%q, %v)", ref, query, eq, err)
		}
	})
}

// FuzzRetryAfterCore: any header value gives a non-negative wait or none.
func FuzzRetryAfterCore(f *testing.F) {
	for _, s := range []string{"5", "-1", "Wed, 21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2815 07:20:00 GMT", "99999999999999999999", "", "1.5"} {
		f.Add(s)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := engine.RetryAfter(http.Header{"Retry-After": {v}}, now)
		if ok && (d < 0 || d > engine.MaxRetryAfterHeader) {
			t.Fatalf("Retry-After %q gave %v", v, d)
		}
	})
}
