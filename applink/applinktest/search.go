package applinktest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// SearchTotal is how many issues GET /rest/api/2/search finds, whatever
// the query: TEST-1 to TEST-60, enough for more than one page.
const SearchTotal = 60

// MaxSearchResults caps maxResults of GET /rest/api/2/search, as Jira's
// default configuration does; it is also the default page size.
const MaxSearchResults = 50

// searchResult is Jira's answer to a search, plus the decoded query echoed
// back (JQL and every parameter) so that a test sees what arrived.
type searchResult struct {
	Expand     string        `json:"expand"`
	StartAt    int           `json:"startAt"`
	MaxResults int           `json:"maxResults"`
	Total      int           `json:"total"`
	Issues     []searchIssue `json:"issues"`
	JQL        string        `json:"jql"`
	Query      url.Values    `json:"query"`
}

type searchIssue struct {
	ID     string            `json:"id"`
	Key    string            `json:"key"`
	Self   string            `json:"self"`
	Fields searchIssueFields `json:"fields"`
}

type searchIssueFields struct {
	Summary  string          `json:"summary"`
	Assignee *jiraUserSimple `json:"assignee"`
}

type jiraUserSimple struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
}

// serveSearch answers GET /rest/api/2/search: pages of generated issues
// assigned to the user (startAt, maxResults capped at [MaxSearchResults],
// total [SearchTotal]), with the decoded query echoed in "jql" and "query".
func (s *Server) serveSearch(w http.ResponseWriter, r *http.Request) {
	u := User(r)
	if u == "" {
		writeJSON(w, http.StatusUnauthorized, jiraUnauthenticated())
		return
	}
	q := r.URL.Query()
	bad := func(msg string) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errorMessages": []string{msg}, "errors": map[string]string{}})
	}
	startAt, maxResults := 0, MaxSearchResults
	if v := q.Get("startAt"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			bad(fmt.Sprintf("The value '%s' is invalid for startAt: want a number, 0 or more.", v))
			return
		}
		startAt = n
	}
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			bad(fmt.Sprintf("The value '%s' is invalid for maxResults: want a number, 0 or more.", v))
			return
		}
		maxResults = min(n, MaxSearchResults)
	}
	res := searchResult{Expand: "schema,names", StartAt: startAt, MaxResults: maxResults, Total: SearchTotal,
		Issues: []searchIssue{}, JQL: q.Get("jql"), Query: q}
	for n := startAt + 1; n <= min(startAt+maxResults, SearchTotal); n++ {
		id := strconv.Itoa(20000 + n)
		res.Issues = append(res.Issues, searchIssue{
			ID: id, Key: "TEST-" + strconv.Itoa(n), Self: s.baseLink("/rest/api/2/issue/" + id),
			Fields: searchIssueFields{Summary: fmt.Sprintf("Generated issue %d", n),
				Assignee: &jiraUserSimple{Name: u, DisplayName: displayName(u)}},
		})
	}
	writeJSON(w, http.StatusOK, res)
}

// WithResource serves h for pattern, as [Server.Handle] does (a pattern as
// http.ServeMux takes it, such as "GET /rest/api/2/project"), from the
// start: requests reach h authenticated, [User] tells as whom, and it wins
// over a built-in resource with the same pattern. An invalid or
// conflicting pattern makes [NewServer] and [Start] fail.
func WithResource(pattern string, h http.Handler) Option {
	return func(c *config) { c.resources = append(c.resources, resource{pattern, h}) }
}

// resource is one WithResource.
type resource struct {
	pattern string
	h       http.Handler
}

// handleResources registers WithResource's resources, turning
// http.ServeMux's panic on a bad pattern into an error.
func (s *Server) handleResources(rs []resource) (err error) {
	for _, r := range rs {
		if r.h == nil {
			return fmt.Errorf("applinktest: WithResource(%q): the handler is nil", r.pattern)
		}
		func() {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("applinktest: WithResource(%q): %v: give a pattern such as \"GET /rest/api/2/project\"", r.pattern, p)
				}
			}()
			s.custom.Handle(r.pattern, r.h)
		}()
		if err != nil {
			return err
		}
	}
	return nil
}
