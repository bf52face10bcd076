package applinktest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-applinks/applinks/internal/requri"
	"github.com/go-applinks/applinks/signer"
)

// Endpoint paths of the two shapes, relative to the base URL.
const (
	AtlassianRequestTokenPath = "/plugins/servlet/oauth/request-token"
	AtlassianAuthorizePath    = "/plugins/servlet/oauth/authorize"
	AtlassianAccessTokenPath  = "/plugins/servlet/oauth/access-token"
	AtlassianConsumerInfoPath = "/plugins/servlet/oauth/consumer-info"
	AtlassianManifestPath     = "/rest/applinks/1.0/manifest"
	JenkinsRequestTokenPath   = "/bitbucket/oauth/request-token"
	JenkinsAccessTokenPath    = "/bitbucket/oauth/access-token"
	JenkinsAuthorizePath      = "/bbs-oauth/authorize"
	JenkinsAuthorizeSubmit    = "/bbs-oauth/authorize/performSubmit"
)

// RequestTokenURL returns the URL of the request-token endpoint for this
// shape.
func (s *Server) RequestTokenURL() string {
	if s.shape == Jenkins {
		return s.URL + JenkinsRequestTokenPath
	}
	return s.URL + AtlassianRequestTokenPath
}

// AccessTokenURL returns the URL of the access-token endpoint for this
// shape.
func (s *Server) AccessTokenURL() string {
	if s.shape == Jenkins {
		return s.URL + JenkinsAccessTokenPath
	}
	return s.URL + AtlassianAccessTokenPath
}

// AuthorizationURL returns the browser URL at which a user approves
// requestToken ("" gives the bare page URL, for a client's configuration).
// Append "&user=<name>&approve=1" to approve over HTTP as that user, or
// "&approve=0" to deny.
func (s *Server) AuthorizationURL(requestToken string) string {
	p := AtlassianAuthorizePath
	if s.shape == Jenkins {
		p = JenkinsAuthorizePath
	}
	if requestToken == "" {
		return s.URL + p
	}
	return s.URL + p + "?oauth_token=" + signer.Encode(requestToken)
}

// Handle registers a resource, with a pattern as http.ServeMux takes it
// ("GET /rest/api/2/search"). Requests reach h already authenticated; [User]
// tells as whom. Registered resources win over the built-in ones. Like
// http.ServeMux.Handle, it panics on an invalid or conflicting pattern.
func (s *Server) Handle(pattern string, h http.Handler) {
	s.custom.Handle(pattern, h)
}

func (s *Server) setupRoutes() {
	s.endpoints = http.NewServeMux()
	s.resources = http.NewServeMux()
	s.custom = http.NewServeMux()
	e, res := s.endpoints, s.resources
	if s.shape == Cloud {
		s.setupCloudRoutes()
		res.HandleFunc("POST /rest/api/2/issue", s.serveCreateIssue)
		res.HandleFunc("GET /rest/api/2/search", s.serveSearch)
		return
	}
	if s.shape == Jenkins {
		e.HandleFunc(JenkinsRequestTokenPath, s.serveRequestToken)
		e.HandleFunc(JenkinsAccessTokenPath, s.serveAccessToken)
		e.HandleFunc(JenkinsAuthorizePath, s.serveAuthorize)
		e.HandleFunc(JenkinsAuthorizeSubmit, s.serveAuthorize)
		res.HandleFunc("GET /me/api/json", s.serveJenkinsMe)
		res.HandleFunc("GET /crumbIssuer/api/json", s.serveCrumb)
		res.HandleFunc("POST /job/{name}/build", s.serveBuild)
		res.HandleFunc("POST /job/{name}/buildWithParameters", s.serveBuild)
		return
	}
	e.HandleFunc(AtlassianRequestTokenPath, s.serveRequestToken)
	e.HandleFunc(AtlassianAccessTokenPath, s.serveAccessToken)
	e.HandleFunc(AtlassianAuthorizePath, s.serveAuthorize)
	e.HandleFunc(AtlassianConsumerInfoPath, s.serveConsumerInfo)
	e.HandleFunc(AtlassianManifestPath, s.serveManifest)
	if s.shape == OAuth2 {
		e.HandleFunc(OAuth2AuthorizePath, s.serveOAuth2Authorize)
		e.HandleFunc(OAuth2TokenPath, s.serveOAuth2Token)
	}
	res.HandleFunc("GET /rest/api/2/myself", s.serveMyself)
	res.HandleFunc("POST /rest/api/2/issue", s.serveCreateIssue)
	res.HandleFunc("GET /rest/api/2/search", s.serveSearch)
}

// ServeHTTP serves one request: faults first, then the token endpoints, or
// authentication followed by the resource.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	st := &reqState{flow: FlowAnonymous, start: s.Now()}
	r = r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
	sw := &statusWriter{ResponseWriter: w}
	defer func() { s.record(r.Context(), r, st, sw.status) }()

	if f := s.takeFault(r.URL.Path, false); f != nil && s.applyFault(sw, r, f) {
		return
	}
	if !validRequestTarget(r.RequestURI) {
		// Tomcat: "Invalid character found in the request target. The
		// valid characters are defined in RFC 7230 and RFC 3986".
		http.Error(sw, "applinktest: invalid character found in the request target: percent-encode it (RFC 3986)", http.StatusBadRequest)
		return
	}
	if h, pattern := s.endpoints.Handler(r); pattern != "" {
		h.ServeHTTP(sw, r)
		return
	}
	if !s.authenticate(sw, r, st) {
		return
	}
	if st.verified && s.afterAuthFault(sw, r) {
		return
	}
	if h, pattern := s.custom.Handler(r); pattern != "" {
		h.ServeHTTP(sw, r)
		return
	}
	s.resources.ServeHTTP(sw, r)
}

// authenticate establishes who a resource request runs as, or answers with
// a problem and returns false.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, st *reqState) bool {
	if bearer, ok := bearerToken(r); ok {
		if _, known, _ := s.patUser(bearer); known || s.shape != OAuth2 {
			return s.authenticatePAT(w, r, st, bearer)
		}
		return s.authenticateBearer(w, r, st, bearer)
	}
	authz := oauthAuthorization(r)
	if authz == "" {
		st.flow = FlowAnonymous
		return true
	}
	st.flow = FlowTwoLO
	params, perr := signer.ParseAuthorization(authz)
	if perr == nil && params.Get("oauth_token") != "" {
		st.flow = FlowThreeLO
	} else if r.URL.Query().Has("xoauth_requestor_id") {
		st.flow = FlowTwoLOi
	}
	if s.shape == Jenkins && perr == nil {
		// The plugin's filter lets a request without oauth_token through
		// as anonymous, and looks an empty token up (and fails) before it
		// checks the signature.
		if !params.Has("oauth_token") {
			st.flow = FlowAnonymous
			return true
		}
		if params.Get("oauth_token") == "" {
			st.consumer = params.Get("oauth_consumer_key")
			s.writeProblem(w, r, &signer.ProblemError{Problem: signer.ProblemTokenRejected,
				Advice: "Jenkins accepts 3-legged OAuth only: 2-legged requests and impersonation are refused"})
			return false
		}
	}
	v, err := s.verify(s.verifyAccess, r)
	if err != nil {
		s.fail(w, r, err)
		return false
	}
	st.consumer = v.Consumer.Key
	st.verified = true
	st.base = v.BaseString.Reveal()
	c, ok := s.consumer(v.Consumer.Key)
	if !ok { // removed meanwhile
		s.writeProblem(w, r, &signer.ProblemError{Problem: signer.ProblemConsumerKeyUnknown})
		return false
	}
	switch {
	case v.Token != "":
		st.flow = FlowThreeLO
		if !c.ThreeLO {
			s.writeProblem(w, r, &signer.ProblemError{Problem: signer.ProblemPermissionDenied,
				Advice: "this consumer is not allowed 3-legged OAuth"})
			return false
		}
		user, ok := s.tokenUser(v.Token)
		if !ok {
			s.writeProblem(w, r, &signer.ProblemError{Problem: signer.ProblemTokenRejected})
			return false
		}
		if !s.userExists(user) {
			s.writeProblem(w, r, &signer.ProblemError{Problem: "No user associated with the token"})
			return false
		}
		st.user = user
	case s.shape == Jenkins:
		s.writeProblem(w, r, &signer.ProblemError{Problem: signer.ProblemTokenRejected,
			Advice: "Jenkins accepts 3-legged OAuth only: 2-legged requests and impersonation are refused"})
		return false
	case v.RequestorID != "":
		st.flow = FlowTwoLOi
		if !c.Impersonation {
			s.writeProblem(w, r, &signer.ProblemError{Problem: signer.ProblemPermissionDenied,
				Advice: "this consumer is not allowed 2-legged OAuth with impersonation"})
			return false
		}
		if !s.userExists(v.RequestorID) {
			s.writeProblem(w, r, &signer.ProblemError{Problem: fmt.Sprintf("User '%s' does not exist", v.RequestorID)})
			return false
		}
		st.user = v.RequestorID
	default:
		st.flow = FlowTwoLO
		if !c.TwoLO {
			s.writeProblem(w, r, &signer.ProblemError{Problem: signer.ProblemPermissionDenied,
				Advice: "this consumer is not allowed 2-legged OAuth"})
			return false
		}
		if c.TwoLOUser != "" && !s.userExists(c.TwoLOUser) {
			s.writeProblem(w, r, &signer.ProblemError{Problem: fmt.Sprintf("User '%s' does not exist", c.TwoLOUser)})
			return false
		}
		st.user = c.TwoLOUser
	}
	return true
}

// verify runs v on r, noting the consumer key the request claims for the
// record even when verification fails.
func (s *Server) verify(v *signer.Verifier, r *http.Request) (*signer.Verified, error) {
	st := state(r)
	if params, err := signer.ParseAuthorization(oauthAuthorization(r)); err == nil {
		st.consumer = params.Get("oauth_consumer_key")
	}
	return v.Verify(r)
}

func (s *Server) tokenUser(value string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[value]
	if !ok || t.kind != accessToken {
		return "", false
	}
	return t.user, true
}

// oauthAuthorization returns the request's "Authorization: OAuth ..." header
// value, or "".
func oauthAuthorization(r *http.Request) string {
	for _, v := range r.Header.Values("Authorization") {
		if _, err := signer.ParseAuthorization(v); !errors.Is(err, signer.ErrNoAuthorization) {
			return v
		}
	}
	return ""
}

// fail answers with the problem in err, or 500 for any other error.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var p *signer.ProblemError
	if errors.As(err, &p) {
		s.writeProblem(w, r, p)
		return
	}
	state(r).problem = ""
	http.Error(w, "applinktest: "+err.Error(), http.StatusInternalServerError)
}

// writeProblem answers with p in the server's style.
func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, p *signer.ProblemError) {
	q := *p
	if q.Realm == "" {
		q.Realm = s.realm
	}
	state(r).problem = q.Problem
	if s.brief {
		signer.WriteProblemBrief(w, &q)
		return
	}
	signer.WriteProblem(w, &q)
}

// validRequestTarget reports whether a request target holds only what
// Tomcat accepts raw: what RFC 3986 allows in a path and query, and valid
// percent-escapes. An absolute-form target ("http://host/path") is checked
// from its path on.
func validRequestTarget(target string) bool {
	if i := strings.Index(target, "://"); i >= 0 && !strings.Contains(target[:i], "/") {
		rest := target[i+3:]
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			return true
		}
		target = rest[j:]
	}
	p, q, _ := strings.Cut(target, "?")
	ep, err := requri.EscapePath(p)
	if err != nil || ep != p {
		return false
	}
	eq, err := requri.EscapeQuery(q)
	return err == nil && eq == q
}
