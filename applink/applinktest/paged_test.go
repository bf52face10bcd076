package applinktest_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/google/go-cmp/cmp"
)

// Each style's answer to one page, with the page size capped, and a 400
// for a bad paging parameter.
func TestPagedResource(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		res    applinktest.PagedResource
		target string
		status int
		want   map[string]any // the paging fields, and "n": the number of items
	}{
		{"jira capped", applinktest.PagedResource{Style: applinktest.PagesJiraDC, Total: 60, MaxPageSize: 50},
			"/s?startAt=40&maxResults=100", 200, map[string]any{"startAt": 40.0, "maxResults": 50.0, "total": 60.0, "n": 20}},
		{"jira cloud first", applinktest.PagedResource{Style: applinktest.PagesJiraCloud, Total: 60, MaxPageSize: 50},
			"/s", 200, map[string]any{"isLast": false, "nextPageToken": "page-after-50", "n": 50}},
		{"jira cloud last", applinktest.PagedResource{Style: applinktest.PagesJiraCloud, Total: 60, MaxPageSize: 50},
			"/s?nextPageToken=page-after-50", 200, map[string]any{"isLast": true, "n": 10}},
		{"confluence last", applinktest.PagedResource{Style: applinktest.PagesConfluence, Total: 5, MaxPageSize: 3},
			"/c?start=3&limit=3", 200, map[string]any{"start": 3.0, "limit": 3.0, "size": 2.0, "n": 2}},
		{"bitbucket middle", applinktest.PagedResource{Style: applinktest.PagesBitbucket, Total: 5, MaxPageSize: 2},
			"/b?start=2", 200, map[string]any{"start": 2.0, "limit": 2.0, "size": 2.0, "isLastPage": false, "nextPageStart": 4.0, "n": 2}},
		{"bad start", applinktest.PagedResource{Style: applinktest.PagesBitbucket, Total: 5},
			"/b?start=-1", 400, nil},
		{"bad token", applinktest.PagedResource{Style: applinktest.PagesJiraCloud, Total: 5},
			"/s?nextPageToken=x", 400, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			c.res.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.target, nil))
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			if c.want == nil {
				return
			}
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			got := map[string]any{}
			for k := range c.want {
				if k != "n" {
					got[k] = body[k]
				}
			}
			for _, f := range []string{"issues", "results", "values"} {
				if items, ok := body[f].([]any); ok {
					got["n"] = len(items)
				}
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
		})
	}
}
