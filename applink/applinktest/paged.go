package applinktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// PageStyle names how a paged resource says where the next page is, as
// the Atlassian products do.
type PageStyle string

// The paging styles a [PagedResource] serves.
const (
	// PagesJiraDC is Jira Data Center's: startAt, maxResults and total in
	// the query and the answer; the server caps maxResults.
	PagesJiraDC PageStyle = "jira"
	// PagesJiraCloud is Jira Cloud's enhanced search: maxResults and
	// nextPageToken in the query, nextPageToken and isLast in the answer,
	// and no total.
	PagesJiraCloud PageStyle = "jira-cloud"
	// PagesConfluence is Confluence's: start and limit in the query, start,
	// limit, size and _links.next (relative to _links.base, absent on the
	// last page) in the answer.
	PagesConfluence PageStyle = "confluence"
	// PagesBitbucket is Bitbucket Data Center's: start and limit in the
	// query, start, limit, size, isLastPage and nextPageStart in the answer.
	PagesBitbucket PageStyle = "bitbucket"
)

// PagedResource serves Total generated items in pages of Style, for tests
// of code that pages: register it with [WithResource] (or [Server.Handle]),
// such as
//
//	applinktest.WithResource("GET /rest/api/content",
//		applinktest.PagedResource{Style: applinktest.PagesConfluence, Total: 120, MaxPageSize: 25})
//
// Item n (from 1) is {"id": n, "key": "ITEM-n", "name": "Item n"}. The
// items are in the answer's field Field, or by default the style's own:
// "issues" for Jira (Data Center and Cloud), "results" for Confluence,
// "values" for Bitbucket. A page size asked for above MaxPageSize is
// capped to it (and the capped size is echoed, as the products do); no
// page size gives DefaultPageSize (0 means MaxPageSize). MaxPageSize 0
// means 50. A bad paging parameter (not a number, negative, an unknown
// nextPageToken) is a 400 with a Jira-like error body.
//
// A PagedResource holds no state: it is safe for concurrent use.
type PagedResource struct {
	Style           PageStyle
	Total           int
	MaxPageSize     int
	DefaultPageSize int
	Field           string
}

// pagedItem is one generated item.
type pagedItem struct {
	ID   int    `json:"id"`
	Key  string `json:"key"`
	Name string `json:"name"`
}

// ServeHTTP answers one page.
func (p PagedResource) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	bad := func(format string, args ...any) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errorMessages": []string{fmt.Sprintf(format, args...)}, "errors": map[string]string{}})
	}
	number := func(name string, def int) (int, bool) {
		v := q.Get(name)
		if v == "" {
			return def, true
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			bad("The value '%s' is invalid for %s: want a number, 0 or more.", v, name)
			return 0, false
		}
		return n, true
	}
	maxSize := p.MaxPageSize
	if maxSize <= 0 {
		maxSize = 50
	}
	def := p.DefaultPageSize
	if def <= 0 {
		def = maxSize
	}
	startName, sizeName := "startAt", "maxResults"
	field := "issues"
	switch p.Style {
	case PagesConfluence:
		startName, sizeName, field = "start", "limit", "results"
	case PagesBitbucket:
		startName, sizeName, field = "start", "limit", "values"
	case PagesJiraDC, PagesJiraCloud:
	default:
		http.Error(w, fmt.Sprintf("applinktest: PagedResource: unknown style %q", p.Style), http.StatusInternalServerError)
		return
	}
	if p.Field != "" {
		field = p.Field
	}
	size, ok := number(sizeName, def)
	if !ok {
		return
	}
	size = min(size, maxSize)
	start := 0
	if p.Style == PagesJiraCloud {
		if tok := q.Get("nextPageToken"); tok != "" {
			n, err := strconv.Atoi(strings.TrimPrefix(tok, "page-after-"))
			if err != nil || !strings.HasPrefix(tok, "page-after-") || n < 0 {
				bad("The nextPageToken '%s' is invalid: give the one the previous page returned.", tok)
				return
			}
			start = n
		}
	} else if start, ok = number(startName, 0); !ok {
		return
	}
	items := []pagedItem{}
	for n := start + 1; n <= min(start+size, p.Total); n++ {
		items = append(items, pagedItem{ID: n, Key: "ITEM-" + strconv.Itoa(n), Name: "Item " + strconv.Itoa(n)})
	}
	end := start + len(items)
	last := end >= p.Total
	body := map[string]any{field: items}
	switch p.Style {
	case PagesJiraDC:
		body["startAt"], body["maxResults"], body["total"] = start, size, p.Total
	case PagesJiraCloud:
		body["isLast"] = last
		if !last {
			body["nextPageToken"] = "page-after-" + strconv.Itoa(end)
		}
	case PagesConfluence:
		body["start"], body["limit"], body["size"] = start, size, len(items)
		links := map[string]string{"base": requestBase(r), "context": contextOf(r)}
		if !last {
			next := url.Values{}
			for k, vs := range q {
				if k != "start" && k != "limit" {
					next[k] = vs
				}
			}
			next.Set("limit", strconv.Itoa(size))
			next.Set("start", strconv.Itoa(end))
			links["next"] = r.URL.Path + "?" + next.Encode()
		}
		body["_links"] = links
	case PagesBitbucket:
		body["start"], body["limit"], body["size"], body["isLastPage"] = start, size, len(items), last
		if !last {
			body["nextPageStart"] = end
		}
	}
	b, err := json.Marshal(body)
	if err != nil {
		http.Error(w, "applinktest: encoding JSON: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	_, _ = w.Write(append(b, '\n'))
}

// contextOf returns the context path a request came through: what a
// prefix-stripping handler removed from its path ("" for none).
func contextOf(r *http.Request) string {
	u, err := url.ParseRequestURI(r.RequestURI)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(u.Path, r.URL.Path)
}

// requestBase returns the scheme, host and context path of a request, as
// Confluence's _links.base holds them.
func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + contextOf(r)
}
