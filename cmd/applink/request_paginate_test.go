package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/page"
	"github.com/google/go-cmp/cmp"
)

// lines splits NDJSON output into its values' "key" fields, checking
// that every line is one JSON value.
func ndjsonKeys(t *testing.T, out string) []string {
	t.Helper()
	keys := []string{}
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" && out == "" {
			break
		}
		var v struct{ Key string }
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("line %d is not one JSON value: %v: %q", i+1, err, line)
		}
		keys = append(keys, v.Key)
	}
	return keys
}

func wantKeys(prefix string, from, to int) []string {
	out := []string{}
	for n := from; n <= to; n++ {
		out = append(out, fmt.Sprintf("%s-%d", prefix, n))
	}
	return out
}

// request --paginate prints every item of every page once, in order, one
// JSON value per line, with one request per page, whatever the style and
// however the server caps the page size; --max-items stops early and
// fetches no further page.
func TestRequestPaginate(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("bob"),
		applinktest.WithResource("GET /rest/api/3/search/jql", applinktest.PagedResource{Style: applinktest.PagesJiraCloud, Total: 45, MaxPageSize: 20}),
		applinktest.WithResource("GET /rest/api/content", applinktest.PagedResource{Style: applinktest.PagesConfluence, Total: 30, MaxPageSize: 25}),
		applinktest.WithResource("GET /rest/api/1.0/repos", applinktest.PagedResource{Style: applinktest.PagesBitbucket, Total: 12, MaxPageSize: 5}))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-paginate", Impersonation: true}, "2loi")
	for _, c := range []struct {
		name      string
		args      []string
		path      string
		wantKeys  []string
		wantPages int
	}{
		{"jira dc, capped at 50", []string{"GET", "/rest/api/2/search", "--query", "jql=assignee = bob", "--query", "maxResults=100"},
			"/rest/api/2/search", wantKeys("TEST", 1, applinktest.SearchTotal), 2},
		{"jira cloud", []string{"GET", "/rest/api/3/search/jql?maxResults=100"}, "/rest/api/3/search/jql", wantKeys("ITEM", 1, 45), 3},
		{"confluence", []string{"GET", "/rest/api/content", "--page-style", "confluence"}, "/rest/api/content", wantKeys("ITEM", 1, 30), 2},
		{"bitbucket", []string{"GET", "/rest/api/1.0/repos", "--page-style", "bitbucket", "--items", "values"}, "/rest/api/1.0/repos", wantKeys("ITEM", 1, 12), 3},
		{"max items", []string{"GET", "/rest/api/1.0/repos", "--page-style", "bitbucket", "--max-items", "7"}, "/rest/api/1.0/repos", wantKeys("ITEM", 1, 7), 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := pageCalls(srv, c.path)
			r := runCLITest(t, config, nil, "", append([]string{"request", "--link", "jira", "--as", "bob", "--paginate"}, c.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if diff := cmp.Diff(c.wantKeys, ndjsonKeys(t, r.stdout)); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
			if got := pageCalls(srv, c.path) - before; got != c.wantPages {
				t.Errorf("%d requests, want %d (one per page)", got, c.wantPages)
			}
			if r.stderr != "" {
				t.Errorf("standard error is not a terminal, yet: %q", r.stderr)
			}
		})
	}
}

func pageCalls(srv *applinktest.Server, path string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Path == path {
			n++
		}
	}
	return n
}

// Usage errors: --paginate only GETs, has no body, excludes -i; a link
// type without a default style needs --page-style.
func TestRequestPaginateUsage(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("bob"))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-paginate-usage", Impersonation: true}, "2loi")
	for _, args := range [][]string{
		{"POST", "/rest/api/2/search"},
		{"GET", "/rest/api/2/search", "-d", "x=1"},
		{"GET", "/rest/api/2/search", "-i"},
		{"GET", "/rest/api/2/search", "--max-items", "-1"},
		{"GET", "/rest/api/2/search", "--page-style", "jenkins"},
	} {
		r := runCLITest(t, config, nil, "", append([]string{"request", "--link", "jira", "--as", "bob", "--paginate"}, args...)...)
		checkOneLineError(t, r, exitUsage)
	}
}

// A page that fails ends the output with the error: exit 1, the items
// of the pages before it on standard output, each whole.
func TestRequestPaginateErrorMidway(t *testing.T) {
	t.Parallel()
	inner := applinktest.PagedResource{Style: applinktest.PagesJiraDC, Total: 30, MaxPageSize: 10}
	broken := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("startAt") == "20" {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		inner.ServeHTTP(w, r)
	})
	srv := applinktest.NewServer(t, applinktest.WithUsers("bob"), applinktest.WithResource("GET /rest/api/2/broken", broken))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-paginate-error", Impersonation: true}, "2loi")
	r := runCLITest(t, config, nil, "", "request", "--link", "jira", "--as", "bob", "--paginate", "GET", "/rest/api/2/broken")
	checkOneLineError(t, r, exitFailure)
	if diff := cmp.Diff(wantKeys("ITEM", 1, 20), ndjsonKeys(t, r.stdout)); diff != "" {
		t.Errorf("items before the error (-want +got):\n%s", diff)
	}
	if !strings.Contains(r.stderr, "page 3") || !strings.Contains(r.stderr, "500") {
		t.Errorf("error %q does not name the page and the status", r.stderr)
	}
}

func TestProgressLine(t *testing.T) {
	t.Parallel()
	for p, want := range map[page.Progress]string{
		{Pages: 1, Items: 50, Total: 120}: "\rapplink: 1 page, 50 items of 120",
		{Pages: 3, Items: 1, Total: -1}:   "\rapplink: 3 pages, 1 item",
	} {
		if got := progressLine(p); got != want {
			t.Errorf("progressLine(%+v) = %q, want %q", p, got, want)
		}
	}
}

// Under -v, the rate limit each answer reports and each wait for it are on
// standard error; standard output carries the items only.
func TestRequestPaginateVerboseRateLimit(t *testing.T) {
	t.Parallel()
	lim := &applinktest.RateLimiter{FillRate: 1, Interval: time.Second, Limit: 1}
	res := lim.Wrap(applinktest.PagedResource{Style: applinktest.PagesBitbucket, Total: 2, MaxPageSize: 1})
	srv := applinktest.NewServer(t, applinktest.WithUsers("bob"), applinktest.WithResource("GET /rest/api/1.0/repos", res))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-paginate-rl", Impersonation: true}, "2loi")
	r := runCLITest(t, config, nil, "", "request", "--link", "jira", "--as", "bob", "-v", "--paginate", "--page-style", "bitbucket",
		"GET", "/rest/api/1.0/repos")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if diff := cmp.Diff(wantKeys("ITEM", 1, 2), ndjsonKeys(t, r.stdout)); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	for _, want := range []string{"< X-Ratelimit-Remaining: 0", "* waiting for the rate limit", "rate_limit=\"0 of 1 left, 1 per 1s"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("standard error lacks %q:\n%s", want, r.stderr)
		}
	}
	if lim.Limited() != 0 {
		t.Errorf("%d 429s, want 0: the second page waited for its token", lim.Limited())
	}
}

// request -v says what the answer reports of the rate limit.
func TestRequestVerboseRateLimit(t *testing.T) {
	t.Parallel()
	lim := &applinktest.RateLimiter{FillRate: 10, Interval: time.Second}
	res := lim.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{}`) }))
	srv := applinktest.NewServer(t, applinktest.WithUsers("bob"), applinktest.WithResource("GET /rest/api/2/limited", res))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-verbose-rl", Impersonation: true}, "2loi")
	r := runCLITest(t, config, nil, "", "request", "--link", "jira", "--as", "bob", "-v", "GET", "/rest/api/2/limited")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if want := "* rate limit: 9 of 10 left, 10 per 1s, retry after 0s\n"; !strings.Contains(r.stderr, want) {
		t.Errorf("standard error lacks %q:\n%s", want, r.stderr)
	}
	if r.stdout != "{}" {
		t.Errorf("standard output %q, want the body only", r.stdout)
	}
}
