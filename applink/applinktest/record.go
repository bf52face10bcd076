package applinktest

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"time"
)

// Flows a [Record] can name.
const (
	FlowThreeLO      = "3lo"           // a request with an access token
	FlowTwoLO        = "2lo"           // 2-legged, oauth_token=""
	FlowTwoLOi       = "2loi"          // 2-legged with xoauth_requestor_id
	FlowAnonymous    = "anonymous"     // no OAuth Authorization header
	FlowRequestToken = "request-token" // the request-token endpoint
	FlowAccessToken  = "access-token"  // the access-token endpoint (exchange or renewal)
	FlowAuthorize    = "authorize"     // the browser's authorization page
)

// Record is what the server saw of one request, for assertions. It holds no
// secret: no header, token or query.
type Record struct {
	// Time is when the request arrived, by the server's clock.
	Time time.Time
	// Method and Path are the request's method and URL path.
	Method, Path string
	// Flow is one of the Flow* constants.
	Flow string
	// Consumer is the consumer key the request was signed with ("" when
	// unsigned or unknown).
	Consumer string
	// User is the user the request ran as ("" for anonymous or refused).
	User string
	// Status is the HTTP status answered; 0 when the connection was dropped
	// by a fault.
	Status int
	// Problem is the oauth_problem answered, or the OAuth 2.0 error code
	// (invalid_grant, invalid_token, ...); "" when none.
	Problem string
	// Grant is the grant_type of an OAuth 2.0 token request
	// ([FlowOAuth2Token]): [GrantAuthorizationCode], [GrantRefreshToken] or
	// [GrantClientCredentials]; "" otherwise.
	Grant string
}

// maxRecords caps the requests remembered, for long-running servers.
const maxRecords = 100_000

// Requests returns the requests served so far, in order of completion (the
// last 100,000 when there were more). A request dropped by a [Fault] is
// recorded, with Status 0, before its connection is closed.
func (s *Server) Requests() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.records)
}

// reqState is what the handlers learn about a request as it is served.
type reqState struct {
	flow, consumer, user, problem string
	// base is the verified signature base string of a resource request.
	base     string
	grant    string
	verified bool
	// start is when the request arrived.
	start time.Time
	// recorded is set once the request is in the records: a dropped
	// request is recorded before its connection closes, so that the client
	// cannot see the drop before the record exists.
	recorded bool
}

type stateKey struct{}

func state(r *http.Request) *reqState {
	st, _ := r.Context().Value(stateKey{}).(*reqState)
	if st == nil {
		return &reqState{}
	}
	return st
}

// User returns the user an authenticated request runs as, in a handler
// registered with [Server.Handle]: the access token's user (3LO), the
// impersonated user (2LOi), the consumer's 2LO user, or "" for anonymous.
func User(r *http.Request) string { return state(r).user }

// BaseString returns, in a handler registered with [Server.Handle], the
// signature base string the server rebuilt from the request and verified
// its signature against (as net.oauth does: the servlet dialect); "" for an
// anonymous request. A test compares it with the one the client signed.
func BaseString(r *http.Request) string { return state(r).base }

// record adds the request to the records, once: later calls for the same
// request do nothing. It runs on the request's own goroutine.
func (s *Server) record(ctx context.Context, r *http.Request, st *reqState, status int) {
	if st.recorded {
		return
	}
	st.recorded = true
	rec := Record{
		Time: st.start, Method: r.Method, Path: r.URL.Path, Flow: st.flow,
		Consumer: st.consumer, User: st.user, Status: status, Problem: st.problem, Grant: st.grant,
	}
	s.mu.Lock()
	if len(s.records) >= maxRecords {
		s.records = slices.Delete(s.records, 0, len(s.records)-maxRecords+1)
	}
	s.records = append(s.records, rec)
	s.mu.Unlock()
	if s.logger != nil {
		s.logger.LogAttrs(ctx, slog.LevelInfo, "request",
			slog.String("method", rec.Method),
			slog.String("path", rec.Path),
			slog.String("flow", rec.Flow),
			slog.String("consumer", rec.Consumer),
			slog.String("user", rec.User),
			slog.Int("status", rec.Status),
			slog.String("problem", rec.Problem),
			slog.String("grant", rec.Grant),
		)
	}
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
