package page_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
	"github.com/go-applinks/applinks/applink/page"
	"github.com/go-applinks/applinks/handler"
	"github.com/google/go-cmp/cmp"
)

// item is the caller's own type for applinktest.PagedResource's items.
type item struct {
	ID  int    `json:"id"`
	Key string `json:"key"`
}

// fixture is a server serving res at pattern and alice's factory on a link
// of type typ to it (2LOi, so no dance is needed).
func fixture(t *testing.T, typ applink.Type, pattern string, res http.Handler, srvOpts ...applinktest.Option) (*applinktest.Server, *applink.RequestFactory) {
	t.Helper()
	srv := applinktest.NewServer(t, append([]applinktest.Option{applinktest.WithUsers("alice"), applinktest.WithResource(pattern, res)}, srvOpts...)...)
	l := testlink.Bound(t, srv, "Pages", testlink.WithType(typ), testlink.WithKeyBits(1024), testlink.WithAuth(applink.Auth2LOi))
	f, err := l.RequestFactory("alice")
	if err != nil {
		t.Fatal(err)
	}
	return srv, f
}

// ctx is a test's context with a deadline: every test talking to a server
// has one.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// collect ranges over seq and returns the items and the error that ended
// it.
func collect[T any](seq func(func(T, error) bool)) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

func keys(from, to int) []int {
	var out []int
	for n := from; n <= to; n++ {
		out = append(out, n)
	}
	return out
}

func ids(items []item) []int {
	out := []int{}
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

// pageRequests counts the requests to path the server answered.
func pageRequests(srv *applinktest.Server, path string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Path == path {
			n++
		}
	}
	return n
}

// Every item exactly once, in order, one request per page, in every style,
// whatever the server's cap on the page size and whether the last page is
// full or not.
func TestItemsEveryStyle(t *testing.T) {
	t.Parallel()
	styles := []struct {
		typ   applink.Type
		style applinktest.PageStyle
		path  string
	}{
		{applink.TypeJira, applinktest.PagesJiraDC, "/rest/api/2/search"},
		{applink.TypeJira, applinktest.PagesJiraCloud, "/rest/api/3/search/jql"},
		{applink.TypeConfluence, applinktest.PagesConfluence, "/rest/api/content"},
		{applink.TypeBitbucket, applinktest.PagesBitbucket, "/rest/api/1.0/projects/P/repos"},
	}
	for _, s := range styles {
		for _, c := range []struct {
			total, maxPage, asked, wantRequests int
		}{
			{total: 0, maxPage: 25, asked: 0, wantRequests: 1},
			{total: 1, maxPage: 25, asked: 0, wantRequests: 1},
			{total: 50, maxPage: 25, asked: 100, wantRequests: 2}, // capped, last page full
			{total: 51, maxPage: 25, asked: 100, wantRequests: 3}, // capped, last page short
			{total: 120, maxPage: 50, asked: 10, wantRequests: 12},
		} {
			name := fmt.Sprintf("%s/total=%d,max=%d,asked=%d", s.style, c.total, c.maxPage, c.asked)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				res := applinktest.PagedResource{Style: s.style, Total: c.total, MaxPageSize: c.maxPage}
				srv, f := fixture(t, s.typ, "GET "+s.path, res)
				got, err := collect(page.Items[item](ctx(t), f, s.path, page.WithPageSize(c.asked)))
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(keys(1, c.total), ids(got), cmp.Comparer(func(a, b []int) bool { return slices.Equal(a, b) })); diff != "" {
					t.Errorf("items (-want +got):\n%s", diff)
				}
				if n := pageRequests(srv, s.path); n != c.wantRequests {
					t.Errorf("%d requests for %d items in pages of at most %d, want %d", n, c.total, c.maxPage, c.wantRequests)
				}
			})
		}
	}
}

// The caller's break stops fetching: no page after the one holding the
// item the loop stopped at.
func TestItemsBreakStopsFetching(t *testing.T) {
	t.Parallel()
	res := applinktest.PagedResource{Style: applinktest.PagesJiraDC, Total: 500, MaxPageSize: 10}
	srv, f := fixture(t, applink.TypeJira, "GET /rest/api/2/search", res)
	n := 0
	for _, err := range page.Items[item](ctx(t), f, "/rest/api/2/search") {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 15 {
			break
		}
	}
	if got := pageRequests(srv, "/rest/api/2/search"); got != 2 {
		t.Errorf("%d page requests after breaking at item 15 of pages of 10, want 2", got)
	}
}

// A context ended between pages ends the iteration with its error, and
// no further page is fetched.
func TestItemsContextCancels(t *testing.T) {
	t.Parallel()
	res := applinktest.PagedResource{Style: applinktest.PagesBitbucket, Total: 100, MaxPageSize: 10}
	srv, f := fixture(t, applink.TypeBitbucket, "GET /rest/api/1.0/repos", res)
	c, cancel := context.WithCancel(ctx(t))
	defer cancel()
	var errs []error
	n := 0
	for _, err := range page.Items[item](c, f, "/rest/api/1.0/repos") {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if n++; n == 10 {
			cancel()
		}
	}
	if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
		t.Errorf("errors %v, want one context.Canceled", errs)
	}
	if got := pageRequests(srv, "/rest/api/1.0/repos"); got != 1 {
		t.Errorf("%d page requests, want 1", got)
	}
}

// The first error ends the iteration, yielded once; what the server
// answered is found with errors.As.
func TestItemsFirstErrorEnds(t *testing.T) {
	t.Parallel()
	calls := 0
	res := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.URL.Query().Get("startAt") == "" {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"startAt":0,"maxResults":2,"total":10,"issues":[{"id":1},{"id":2}]}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"errorMessages":["boom"]}`)
	})
	_, f := fixture(t, applink.TypeJira, "GET /rest/api/2/search", res)
	var got []int
	var errs []error
	for it, err := range page.Items[item](ctx(t), f, "/rest/api/2/search") {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, it.ID)
	}
	var re *handler.ResponseError
	if len(errs) != 1 || !errors.As(errs[0], &re) || re.StatusCode != http.StatusInternalServerError {
		t.Fatalf("errors %v, want one *handler.ResponseError with status 500", errs)
	}
	if !slices.Equal(got, []int{1, 2}) {
		t.Errorf("items %v before the error, want [1 2]", got)
	}
}

// Answers that are not pages of the style end the iteration with an error
// that says what is wrong, never a loop.
func TestItemsBadAnswers(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		style page.Style
		body  string
		opts  []page.Option
		want  string
	}{
		{"no items", page.JiraDC, `{"startAt":0,"total":3}`, nil, "no array of items"},
		{"two arrays", page.JiraDC, `{"a":[1],"b":[2]}`, nil, `several arrays ("a", "b")`},
		{"named field missing", page.JiraDC, `{"issues":[]}`, []page.Option{page.WithItemsField("worklogs")}, `no field "worklogs"`},
		{"items not an array", page.Bitbucket, `{"values":{"x":1}}`, nil, "not a JSON array"},
		{"total not a number", page.JiraDC, `{"issues":[{"id":1}],"total":"many"}`, nil, `paging field "total"`},
		{"same token again", page.JiraCloud, `{"issues":[{"id":1}],"nextPageToken":"","isLast":false}`, nil, ""},
		{"bitbucket not moving", page.Bitbucket, `{"values":[{"id":1}],"isLastPage":false,"nextPageStart":0}`, nil, "not moving forward"},
		{"bitbucket no next start", page.Bitbucket, `{"values":[{"id":1}],"isLastPage":false}`, nil, "no nextPageStart"},
		{"item of the wrong type", page.Bitbucket, `{"values":["x"],"isLastPage":true}`, nil, "item 1"},
		{"html", page.Confluence, `<html>login</html>`, nil, "HTML"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(c.body, "<") {
					w.Header().Set("Content-Type", "text/html")
				}
				fmt.Fprint(w, c.body)
			})
			_, f := fixture(t, applink.TypeGeneric, "GET /r", res)
			got, err := collect(page.Items[item](ctx(t), f, "/r", append(c.opts, page.WithStyle(c.style))...))
			if c.want == "" {
				// An empty token ends the iteration: the items are all.
				if err != nil || len(got) != 1 {
					t.Fatalf("got %v, %v; want one item and no error", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one mentioning %q", err, c.want)
			}
		})
	}
}

// A server that answers every page with the same next link or token ends
// the iteration with an error at the second page.
func TestItemsServerNotMovingForward(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		style page.Style
		body  string
	}{
		{page.JiraCloud, `{"issues":[{"id":1}],"nextPageToken":"same","isLast":false}`},
		{page.Confluence, `{"results":[{"id":1}],"_links":{"base":"x","next":"/r?start=1"}}`},
	} {
		t.Run(string(c.style), func(t *testing.T) {
			t.Parallel()
			calls := 0
			res := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls++
				fmt.Fprint(w, c.body)
			})
			_, f := fixture(t, applink.TypeGeneric, "GET /r", res)
			got, err := collect(page.Items[item](ctx(t), f, "/r", page.WithStyle(c.style)))
			if err == nil || !strings.Contains(err.Error(), "not moving forward") {
				t.Fatalf("error %v, want one saying the server is not moving forward", err)
			}
			if len(got) != 1 || calls != 2 {
				t.Errorf("%d items in %d calls, want 1 in 2", len(got), calls)
			}
		})
	}
}

// Paging parameters in the path are taken out and used: the first page's
// start and the page size; the other parameters are kept.
func TestItemsPagingInPath(t *testing.T) {
	t.Parallel()
	var queries []string
	inner := applinktest.PagedResource{Style: applinktest.PagesJiraDC, Total: 30, MaxPageSize: 50}
	res := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		queries = append(queries, strings.TrimSuffix(r.URL.RawQuery, "&xoauth_requestor_id=alice"))
		inner.ServeHTTP(w, r)
	})
	_, f := fixture(t, applink.TypeJira, "GET /rest/api/2/search", res)
	got, err := collect(page.Items[item](ctx(t), f, "/rest/api/2/search?jql=a%3Db&startAt=20&maxResults=5"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(got), keys(21, 30)) {
		t.Errorf("items %v, want 21..30", ids(got))
	}
	want := []string{"jql=a%3Db&startAt=20&maxResults=5", "jql=a%3Db&startAt=25&maxResults=5"}
	if diff := cmp.Diff(want, queries); diff != "" {
		t.Errorf("queries (-want +got):\n%s", diff)
	}
}

// Confluence's next link is relative to _links.base, which holds the
// context path: it is followed under the link's RPC URL, with the first
// request's parameters it carries, and headers given are sent on every
// page.
func TestItemsConfluenceNextUnderContextPath(t *testing.T) {
	t.Parallel()
	var got []string
	inner := applinktest.PagedResource{Style: applinktest.PagesConfluence, Total: 7, MaxPageSize: 3}
	res := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, strings.TrimSuffix(r.URL.RawQuery, "&xoauth_requestor_id=alice")+" "+r.Header.Get("X-Test"))
		inner.ServeHTTP(w, r)
	})
	srv, f := fixture(t, applink.TypeConfluence, "GET /rest/api/content", res, applinktest.WithContextPath("/wiki"))
	items, err := collect(page.Items[item](ctx(t), f, "/rest/api/content",
		page.WithQuery("spaceKey", "OPS"), page.WithHeader("X-Test", "yes")))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(items), keys(1, 7)) {
		t.Errorf("items %v, want 1..7", ids(items))
	}
	want := []string{"spaceKey=OPS yes", "limit=3&spaceKey=OPS&start=3 yes", "limit=3&spaceKey=OPS&start=6 yes"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("queries (-want +got):\n%s", diff)
	}
	if n := pageRequests(srv, "/wiki/rest/api/content") + pageRequests(srv, "/rest/api/content"); n != 3 {
		t.Errorf("%d requests under the context path, want 3", n)
	}
}

// The style is the link type's default for well-known resources; a link
// type without one asks for WithStyle.
func TestDefault(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		typ  applink.Type
		path string
		want page.Style
		ok   bool
	}{
		{applink.TypeJira, "/rest/api/2/search", page.JiraDC, true},
		{applink.TypeJira, "/rest/agile/1.0/board?type=scrum", page.JiraDC, true},
		{applink.TypeJira, "/rest/api/3/search/jql?jql=x", page.JiraCloud, true},
		{applink.TypeJira, "rest/api/3/search/jql/", page.JiraCloud, true},
		{applink.TypeConfluence, "/rest/api/content", page.Confluence, true},
		{applink.TypeBitbucket, "/rest/api/1.0/projects", page.Bitbucket, true},
		{applink.TypeJenkins, "/api/json", "", false},
		{applink.TypeGeneric, "/x", "", false},
	} {
		got, ok := page.Default(c.typ, c.path)
		if got != c.want || ok != c.ok {
			t.Errorf("Default(%s, %q) = %q, %v; want %q, %v", c.typ, c.path, got, ok, c.want, c.ok)
		}
	}
	_, f := fixture(t, applink.TypeGeneric, "GET /x", http.NotFoundHandler())
	_, err := collect(page.Items[item](ctx(t), f, "/api/json"))
	if err == nil || !strings.Contains(err.Error(), "WithStyle") {
		t.Errorf("error %v for a generic link without a style, want one naming WithStyle", err)
	}
}

func TestParseStyle(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]page.Style{"jira": page.JiraDC, "Jira-DC": page.JiraDC, "jira-cloud": page.JiraCloud,
		"confluence": page.Confluence, "bitbucket": page.Bitbucket, "stash": page.Bitbucket} {
		if got, err := page.ParseStyle(in); err != nil || got != want {
			t.Errorf("ParseStyle(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := page.ParseStyle("jenkins"); err == nil {
		t.Error("ParseStyle(jenkins): no error")
	}
}

// Paging parameters given with WithQuery count as if in the path: the
// start and size are Items' to set on every page.
func TestItemsPagingInQueryOption(t *testing.T) {
	t.Parallel()
	var queries []string
	inner := applinktest.PagedResource{Style: applinktest.PagesJiraDC, Total: 30, MaxPageSize: 50}
	res := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		queries = append(queries, strings.TrimSuffix(r.URL.RawQuery, "&xoauth_requestor_id=alice"))
		inner.ServeHTTP(w, r)
	})
	_, f := fixture(t, applink.TypeJira, "GET /rest/api/2/search", res)
	got, err := collect(page.Items[item](ctx(t), f, "/rest/api/2/search",
		page.WithQuery("jql", "a=b"), page.WithQuery("startAt", "20"), page.WithQuery("maxResults", "5")))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(got), keys(21, 30)) {
		t.Errorf("items %v, want 21..30", ids(got))
	}
	want := []string{"jql=a%3Db&startAt=20&maxResults=5", "jql=a%3Db&startAt=25&maxResults=5"}
	if diff := cmp.Diff(want, queries); diff != "" {
		t.Errorf("queries (-want +got):\n%s", diff)
	}
}

// TestItemsPageTimeout: a page that does not answer within the page
// timeout ends the iteration with an error that says so and wraps
// context.DeadlineExceeded, while the iteration's own context lives on.
func TestItemsPageTimeout(t *testing.T) {
	t.Parallel()
	hang := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	_, f := fixture(t, applink.TypeBitbucket, "GET /rest/api/1.0/slow", hang)
	c := ctx(t)
	_, err := collect(page.Items[item](c, f, "/rest/api/1.0/slow", page.WithPageTimeout(50*time.Millisecond)))
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(fmt.Sprint(err), "WithPageTimeout") || c.Err() != nil {
		t.Errorf("got %v (context %v), want a page timeout naming WithPageTimeout", err, c.Err())
	}
}
