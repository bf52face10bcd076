package applinktest

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
)

// FlowPAT is the flow a [Record] names for a request with a personal
// access token.
const FlowPAT = "pat"

// patState is the server's personal access tokens: each acts as the user
// it was issued to, until revoked.
type patState struct {
	tokens map[string]*patToken
}

type patToken struct {
	user    string
	revoked bool
}

// IssuePAT makes a personal access token for user, as the user's profile
// page does (Profile → Personal Access Tokens): requests that carry it as
// "Authorization: Bearer" run as user until [Server.RevokePAT]. Every
// shape accepts them (Data Center products do alongside OAuth).
func (s *Server) IssuePAT(user string) string {
	var b [24]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	tok := "pat-" + base64.RawURLEncoding.EncodeToString(b[:])
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pats.tokens == nil {
		s.pats.tokens = map[string]*patToken{}
	}
	s.pats.tokens[tok] = &patToken{user: user}
	return tok
}

// RevokePAT revokes a personal access token, as its owner or an admin
// does; it reports whether the server issued the token.
func (s *Server) RevokePAT(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.pats.tokens[tok]
	if ok {
		t.revoked = true
	}
	return ok
}

// patUser returns the user of a live personal access token; known reports
// whether the server issued value at all.
func (s *Server) patUser(value string) (user string, known, live bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.pats.tokens[value]
	if !ok {
		return "", false, false
	}
	return t.user, true, !t.revoked && s.users[t.user]
}

// authenticatePAT authenticates a request with a personal access token, or
// answers as Seraph does to a refused one (401 with X-Seraph-LoginReason
// AUTHENTICATED_FAILED, and no Bearer challenge) and returns false.
func (s *Server) authenticatePAT(w http.ResponseWriter, r *http.Request, st *reqState, value string) bool {
	st.flow = FlowPAT
	user, _, live := s.patUser(value)
	if !live {
		st.problem = "AUTHENTICATED_FAILED"
		w.Header().Set("X-Seraph-LoginReason", "AUTHENTICATED_FAILED")
		writeJSON(w, http.StatusUnauthorized, map[string]any{"errorMessages": []string{"You are not authenticated. Authentication required to perform this operation."}})
		return false
	}
	st.user = user
	st.verified = true
	return true
}
