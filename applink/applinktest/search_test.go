package applinktest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
)

// searchPage is what GET /rest/api/2/search answers.
type searchPage struct {
	StartAt    int        `json:"startAt"`
	MaxResults int        `json:"maxResults"`
	Total      int        `json:"total"`
	JQL        string     `json:"jql"`
	Query      url.Values `json:"query"`
	Issues     []struct {
		Key    string `json:"key"`
		Fields struct {
			Summary  string `json:"summary"`
			Assignee struct {
				Name string `json:"name"`
			} `json:"assignee"`
		} `json:"fields"`
	} `json:"issues"`
}

func TestSearchPages(t *testing.T) {
	t.Parallel()
	srv, s := atlassian(t)
	for _, tt := range []struct {
		name                   string
		query                  string
		status                 int
		startAt, max, n        int
		firstKey, lastKey, jql string
	}{
		{"default page", "jql=" + url.QueryEscape(`project = "OPS" AND summary ~ "50% off"`), 200, 0, 50, 50, "TEST-1", "TEST-50", `project = "OPS" AND summary ~ "50% off"`},
		{"second page", "startAt=50&maxResults=20", 200, 50, 20, 10, "TEST-51", "TEST-60", ""},
		{"capped at 50", "maxResults=500", 200, 0, 50, 50, "TEST-1", "TEST-50", ""},
		{"small page", "jql=project%20%3D%20X&maxResults=5", 200, 0, 5, 5, "TEST-1", "TEST-5", "project = X"},
		{"past the end", "startAt=100", 200, 100, 50, 0, "", "", ""},
		{"bad maxResults", "maxResults=many", 400, 0, 0, 0, "", "", ""},
		{"negative startAt", "startAt=-1", 400, 0, 0, 0, "", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv, s, http.MethodGet, srv.URL+"/rest/api/2/search?"+tt.query+"&xoauth_requestor_id=alice", nil, signer.Params{OmitToken: false})
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.status != 200 {
				if !strings.Contains(r.body, "errorMessages") {
					t.Errorf("a refused search says nothing: %s", r.body)
				}
				return
			}
			var p searchPage
			if err := json.Unmarshal([]byte(r.body), &p); err != nil {
				t.Fatal(err)
			}
			if p.StartAt != tt.startAt || p.MaxResults != tt.max || p.Total != applinktest.SearchTotal || len(p.Issues) != tt.n || p.JQL != tt.jql {
				t.Errorf("startAt %d maxResults %d total %d issues %d jql %q; want %d %d %d %d %q",
					p.StartAt, p.MaxResults, p.Total, len(p.Issues), p.JQL, tt.startAt, tt.max, applinktest.SearchTotal, tt.n, tt.jql)
			}
			if tt.n > 0 && (p.Issues[0].Key != tt.firstKey || p.Issues[tt.n-1].Key != tt.lastKey || p.Issues[0].Fields.Assignee.Name != "alice") {
				t.Errorf("issues %s..%s assigned to %q, want %s..%s for alice", p.Issues[0].Key, p.Issues[tt.n-1].Key, p.Issues[0].Fields.Assignee.Name, tt.firstKey, tt.lastKey)
			}
			if p.Query.Get("xoauth_requestor_id") != "alice" {
				t.Errorf("the query is not echoed: %v", p.Query)
			}
		})
	}
	// Anonymous: 401, as myself.
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/rest/api/2/search", nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := send(t, srv, req); r.status != http.StatusUnauthorized {
		t.Errorf("anonymous search: %d, want 401", r.status)
	}
}

func TestWithResource(t *testing.T) {
	t.Parallel()
	project := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "project for "+applinktest.User(r))
	})
	srv, s := atlassian(t, applinktest.WithResource("GET /rest/api/2/project", project),
		applinktest.WithResource("GET /rest/api/2/myself", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "my own myself")
		})))
	r := do(t, srv, s, http.MethodGet, srv.URL+"/rest/api/2/project?xoauth_requestor_id=bob", nil, signer.Params{})
	if r.status != 200 || r.body != "project for bob" {
		t.Errorf("registered resource: %d %q", r.status, r.body)
	}
	r = do(t, srv, s, http.MethodGet, srv.URL+"/rest/api/2/myself?xoauth_requestor_id=bob", nil, signer.Params{})
	if r.body != "my own myself" {
		t.Errorf("a registered resource does not win over the built-in one: %q", r.body)
	}
	// Unsigned: refused before the resource.
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/rest/api/2/project?xoauth_requestor_id=bob", nil)
	if r := send(t, srv, req); r.body == "project for bob" {
		t.Error("an unsigned request acted as bob")
	}

	for _, tt := range []struct {
		name    string
		pattern string
		h       http.Handler
	}{
		{"bad pattern", "GET", project},
		{"nil handler", "GET /x", nil},
		{"conflict", "GET /x", project},
	} {
		opts := []applinktest.Option{applinktest.WithResource(tt.pattern, tt.h)}
		if tt.name == "conflict" {
			opts = append(opts, applinktest.WithResource(tt.pattern, tt.h))
		}
		srv, err := applinktest.Start(opts...)
		if err == nil {
			srv.Close()
			t.Errorf("%s: Start succeeded", tt.name)
		} else if !strings.HasPrefix(err.Error(), "applinktest: WithResource") {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}
