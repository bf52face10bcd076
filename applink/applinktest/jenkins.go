package applinktest

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Build is a build a Jenkins-shaped server queued.
type Build struct {
	// Job is the job's name.
	Job string
	// User triggered the build ("" for anonymous).
	User string
	// Params are the build parameters (query and form, OAuth and crumb
	// parameters left out); empty for /build.
	Params url.Values
}

// CrumbField is the header (or form field) Jenkins reads its CSRF crumb from.
const CrumbField = "Jenkins-Crumb"

// Builds returns the builds queued so far, in order.
func (s *Server) Builds() []Build {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Build, len(s.builds))
	for i, b := range s.builds {
		out[i] = Build{Job: b.Job, User: b.User, Params: cloneValues(b.Params)}
	}
	return out
}

// Crumb returns the CSRF crumb the server issues to user ("" for
// anonymous), as GET /crumbIssuer/api/json does.
func (s *Server) Crumb(user string) string {
	if user == "" {
		user = "anonymous"
	}
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(user))
	return hex.EncodeToString(m.Sum(nil))
}

// serveJenkinsMe answers GET /me/api/json with the user.
func (s *Server) serveJenkinsMe(w http.ResponseWriter, r *http.Request) {
	u := User(r)
	if u == "" {
		http.Error(w, "/me is not available when not logged in", http.StatusForbidden)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"_class":      "hudson.model.User",
		"absoluteUrl": s.baseLink("/user/" + url.PathEscape(u)),
		"description": nil,
		"fullName":    displayName(u),
		"id":          u,
		"property":    []any{},
	})
}

// serveCrumb answers GET /crumbIssuer/api/json with a crumb bound to the
// identity that asked.
func (s *Server) serveCrumb(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{
		"_class":            "hudson.security.csrf.DefaultCrumbIssuer",
		"crumb":             s.Crumb(User(r)),
		"crumbRequestField": CrumbField,
	})
}

// serveBuild answers POST /job/<name>/build and /buildWithParameters.
// Over 3-legged OAuth /build needs no crumb (the plugin exempts it); every
// other POST needs the crumb of the identity making it.
func (s *Server) serveBuild(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	job := r.PathValue("name")
	withParams := strings.HasSuffix(r.URL.Path, "/buildWithParameters")
	params, err := buildParams(r)
	if err != nil {
		http.Error(w, "applinktest: unreadable form: "+err.Error(), http.StatusBadRequest)
		return
	}
	exempt := !withParams && st.flow == FlowThreeLO && st.user != ""
	if !exempt && !s.validCrumb(r, params, st.user) {
		http.Error(w, "No valid crumb was included in the request", http.StatusForbidden)
		return
	}
	params.Del(CrumbField)
	if !withParams {
		params = url.Values{}
	}
	s.mu.Lock()
	s.builds = append(s.builds, Build{Job: job, User: st.user, Params: params})
	s.queueSeq++
	n := s.queueSeq
	s.mu.Unlock()
	w.Header().Set("Location", s.baseLink("/queue/item/"+strconv.Itoa(n)+"/"))
	w.WriteHeader(http.StatusCreated)
}

func (s *Server) validCrumb(r *http.Request, params url.Values, user string) bool {
	got := r.Header.Get(CrumbField)
	if got == "" {
		got = params.Get(CrumbField)
	}
	if got == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.Crumb(user))) == 1
}

// buildParams returns the query and form parameters without OAuth ones.
func buildParams(r *http.Request) (url.Values, error) {
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	out := url.Values{}
	for k, vs := range r.Form {
		if strings.HasPrefix(k, "oauth_") || strings.HasPrefix(k, "xoauth_") {
			continue
		}
		out[k] = slices.Clone(vs)
	}
	return out, nil
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}
