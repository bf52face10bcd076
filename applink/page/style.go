package page

import (
	"fmt"
	"strings"

	"github.com/go-applinks/applinks/applink"
)

// Style is how a paged resource says where the next page is.
type Style string

// The paging styles of the Atlassian products.
const (
	// JiraDC is Jira Data Center's (and Jira Cloud's older REST
	// resources'): startAt and maxResults in the query; startAt,
	// maxResults, total and, on some resources, isLast in the answer. The
	// server may cap maxResults below what was asked (Jira caps search at
	// 50 or 100 by default), so the next page starts after the items that
	// came back, never after what was asked for. It ends on an empty page,
	// when total is reached, when isLast is true, or, on resources without
	// a total, on a page shorter than the maxResults the server echoed.
	JiraDC Style = "jira"
	// JiraCloud is Jira Cloud's enhanced search (GET /rest/api/3/search/jql):
	// maxResults and nextPageToken in the query; nextPageToken and isLast
	// in the answer, and no total. It ends when isLast is true or no
	// nextPageToken comes back.
	JiraCloud Style = "jira-cloud"
	// Confluence is Confluence's (Data Center, and Cloud's REST v1 and v2):
	// start and limit in the query; results, start, limit, size and
	// _links.next in the answer. The next page is _links.next, a path
	// relative to _links.base (the site and its context path, which the
	// link's RPC URL is); it is absent on the last page.
	Confluence Style = "confluence"
	// Bitbucket is Bitbucket Data Center's: start and limit in the query;
	// values, start, limit, size, isLastPage and nextPageStart in the
	// answer. It ends when isLastPage is true.
	Bitbucket Style = "bitbucket"
)

// Styles are the styles [ParseStyle] knows.
var Styles = []Style{JiraDC, JiraCloud, Confluence, Bitbucket}

// ParseStyle reads a style by name (case-insensitive): jira (or jira-dc),
// jira-cloud, confluence, bitbucket.
func ParseStyle(s string) (Style, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "jira", "jira-dc", "jiradc":
		return JiraDC, nil
	case "jira-cloud", "jiracloud":
		return JiraCloud, nil
	case "confluence":
		return Confluence, nil
	case "bitbucket", "stash":
		return Bitbucket, nil
	}
	return "", fmt.Errorf("page: unknown paging style %q: give one of jira, jira-cloud, confluence, bitbucket", s)
}

// itemsField is the field of the answer that holds a style's items when
// none is given: the one the style's best-known resources use.
func (s Style) itemsField() []string {
	switch s {
	case JiraDC, JiraCloud:
		return []string{"issues", "values"}
	case Confluence:
		return []string{"results"}
	case Bitbucket:
		return []string{"values"}
	}
	return nil
}

// Default returns the paging style of a well-known resource of a link of
// type t, from its path (relative to the link's RPC URL, query ignored):
//
//	link type    path                                 style        items
//	jira         /rest/api/3/search/jql               JiraCloud    issues
//	jira         any other path                       JiraDC       issues, else values
//	confluence   any path                             Confluence   results
//	bitbucket    any path                             Bitbucket    values
//
// Jenkins has no default: see the package documentation. ok is false when
// there is none: name the style with [WithStyle].
func Default(t applink.Type, path string) (s Style, ok bool) {
	p, _, _ := strings.Cut(path, "?")
	p = "/" + strings.Trim(p, "/")
	switch t {
	case applink.TypeJira:
		if strings.HasSuffix(p, "/rest/api/3/search/jql") || strings.HasSuffix(p, "/rest/api/latest/search/jql") {
			return JiraCloud, true
		}
		return JiraDC, true
	case applink.TypeConfluence:
		return Confluence, true
	case applink.TypeBitbucket:
		return Bitbucket, true
	}
	return "", false
}

// params are the query parameters a style sets: the start (or token) and
// the page size.
func (s Style) params() (start, size string) {
	switch s {
	case JiraDC:
		return "startAt", "maxResults"
	case JiraCloud:
		return "nextPageToken", "maxResults"
	case Confluence, Bitbucket:
		return "start", "limit"
	}
	return "", ""
}
