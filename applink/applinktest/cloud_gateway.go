package applinktest

import (
	"net/http"
	"slices"
	"strings"
)

// cloudBearer returns the live grant of a request's bearer token, or
// answers 401 and returns nil.
func (s *Server) cloudBearer(w http.ResponseWriter, r *http.Request) *cloudGrant {
	st := state(r)
	st.flow = FlowCloudBearer
	value, _ := bearerToken(r)
	now := s.Now()
	s.mu.Lock()
	t, ok := s.cloud.tokens[value]
	live := ok && !t.refresh && !t.grant.revoked && now.Before(t.expires) && s.users[t.grant.user]
	var g *cloudGrant
	if live {
		gg := *t.grant
		g = &gg
	}
	s.mu.Unlock()
	if !live {
		st.problem = "invalid_token"
		writeJSON(w, http.StatusUnauthorized, map[string]any{"code": 401, "message": "Unauthorized"})
		return nil
	}
	st.user, st.verified = g.user, true
	return g
}

func (s *Server) serveCloudResources(w http.ResponseWriter, r *http.Request) {
	g := s.cloudBearer(w, r)
	if g == nil {
		return
	}
	type site struct {
		ID        string   `json:"id"`
		URL       string   `json:"url"`
		Name      string   `json:"name"`
		Scopes    []string `json:"scopes"`
		AvatarURL string   `json:"avatarUrl"`
	}
	out := []site{}
	s.mu.Lock()
	for _, cs := range s.cloud.sites {
		if slices.Contains(g.sites, cs.ID) {
			out = append(out, site{ID: cs.ID, URL: cs.URL, Name: cs.Name, Scopes: g.scopes, AvatarURL: "https://example.com/" + cs.Name + ".png"})
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// cloudScopeFor is the classic scope a gateway request needs.
func cloudScopeFor(product, method, path string) string {
	read := method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
	switch {
	case product == "jira" && path == "/rest/api/3/myself", product == "jira" && path == "/rest/api/2/myself":
		return "read:jira-user"
	case product == "jira" && read:
		return "read:jira-work"
	case product == "jira":
		return "write:jira-work"
	case path == "/wiki/rest/api/user/current":
		return "read:confluence-user"
	case read:
		return "read:confluence-content.all"
	}
	return "write:confluence-content"
}

// serveCloudGateway serves /ex/{product}/{cloudId}/...: the token must be
// live, granted for the site and have the scope the resource needs; the
// resource then sees the path as on the site.
func (s *Server) serveCloudGateway(w http.ResponseWriter, r *http.Request) {
	// The server calls the endpoint handlers it looks up itself, so the
	// path values are not set: read them from the path.
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/ex/"), "/", 3)
	if len(parts) != 3 {
		http.NotFound(w, r)
		return
	}
	product, id, rest := parts[0], parts[1], parts[2]
	if product != "jira" && product != "confluence" {
		http.NotFound(w, r)
		return
	}
	g := s.cloudBearer(w, r)
	if g == nil {
		return
	}
	if !slices.Contains(g.sites, id) {
		state(r).problem = "site_not_granted"
		writeJSON(w, http.StatusNotFound, map[string]any{"code": 404, "message": "Site not found or not granted to this token"})
		return
	}
	path := "/" + rest
	if need := cloudScopeFor(product, r.Method, path); !slices.Contains(g.scopes, need) {
		state(r).problem = "scope_does_not_match"
		writeJSON(w, http.StatusUnauthorized, map[string]any{"code": 401, "message": "Unauthorized; scope does not match"})
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath = path, ""
	if h, pattern := s.custom.Handler(r2); pattern != "" {
		h.ServeHTTP(w, r2)
		return
	}
	s.resources.ServeHTTP(w, r2)
}

// serveCloudMyself answers /rest/api/3/myself (and Confluence's
// user/current) as Cloud does: the user is an accountId.
func (s *Server) serveCloudMyself(w http.ResponseWriter, r *http.Request) {
	u := User(r)
	writeJSON(w, http.StatusOK, map[string]any{"accountId": CloudAccountID(u), "accountType": "atlassian",
		"displayName": displayName(u), "emailAddress": u + "@example.com", "active": true})
}
