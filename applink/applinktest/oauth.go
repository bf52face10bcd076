package applinktest

import (
	"crypto/subtle"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-applinks/applinks/signer"
)

// verifyTokenStep does what both token endpoints do first: record the
// flow, accept only POST, verify the signature with verifier, record the
// consumer and strike an after-auth fault. When it returns false it has
// answered the request.
func (s *Server) verifyTokenStep(w http.ResponseWriter, r *http.Request, flow string, verifier *signer.Verifier) (*signer.Verified, bool) {
	st := state(r)
	st.flow = flow
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "applinktest: the "+flow+" endpoint takes POST", http.StatusMethodNotAllowed)
		return nil, false
	}
	v, err := s.verify(verifier, r)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	st.consumer, st.verified = v.Consumer.Key, true
	if s.afterAuthFault(w, r) {
		return nil, false
	}
	return v, true
}

// serveRequestToken issues a request token (RFC 5849 §2.1).
func (s *Server) serveRequestToken(w http.ResponseWriter, r *http.Request) {
	v, ok := s.verifyTokenStep(w, r, FlowRequestToken, s.verifyNone)
	if !ok {
		return
	}
	c, ok := s.consumer(v.Consumer.Key)
	if !ok || !c.ThreeLO {
		s.writeProblem(w, r, &signer.ProblemError{Problem: signer.ProblemPermissionDenied,
			Advice: "this consumer is not allowed 3-legged OAuth"})
		return
	}
	cb := v.Callback
	if cb == "" && s.shape == Jenkins {
		cb = "oob" // the plugin always runs OAuth 1.0a
	}
	if cb != "" && cb != "oob" {
		u, err := url.Parse(cb)
		if err != nil || !u.IsAbs() || u.Host == "" {
			s.writeProblem(w, r, &signer.ProblemError{Problem: signer.ProblemParameterRejected,
				ParametersRejected: []string{"oauth_callback"},
				Advice:             "oauth_callback must be an absolute URL or oob"})
			return
		}
	}
	t := s.newRequestToken(c.Key, cb)
	pairs := [][2]string{{"oauth_token", t.value}, {"oauth_token_secret", t.secret}}
	if cb != "" && !s.oauth10 {
		pairs = append(pairs, [2]string{"oauth_callback_confirmed", "true"})
	}
	writeForm(w, pairs)
}

// serveAccessToken exchanges an approved request token for an access token,
// or renews an access token with its session handle.
func (s *Server) serveAccessToken(w http.ResponseWriter, r *http.Request) {
	v, ok := s.verifyTokenStep(w, r, FlowAccessToken, s.verifyExchange)
	if !ok {
		return
	}
	st := state(r)
	if v.Token == "" {
		s.writeProblem(w, r, &signer.ProblemError{Problem: signer.ProblemParameterAbsent,
			ParametersAbsent: []string{"oauth_token"}})
		return
	}
	at, p := s.exchange(v)
	if p != nil {
		s.writeProblem(w, r, p)
		return
	}
	st.user = at.user
	pairs := [][2]string{{"oauth_token", at.value}, {"oauth_token_secret", at.secret}}
	exp := strconv.FormatInt(int64(s.accessTTL.Seconds()), 10)
	pairs = append(pairs,
		[2]string{"oauth_expires_in", exp},
		[2]string{"oauth_session_handle", at.session},
		[2]string{"oauth_authorization_expires_in", exp})
	writeForm(w, pairs)
}

// exchange checks the token of a verified access-token request and issues
// the access token, or returns the problem.
func (s *Server) exchange(v *signer.Verified) (*token, *signer.ProblemError) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[v.Token]
	if !ok || t.consumer != v.Consumer.Key {
		return nil, &signer.ProblemError{Problem: signer.ProblemTokenRejected}
	}
	if t.kind == accessToken {
		return s.renewLocked(t, v, now)
	}
	switch {
	case t.expired(now):
		return nil, &signer.ProblemError{Problem: signer.ProblemTokenExpired}
	case t.state == pending:
		return nil, &signer.ProblemError{Problem: signer.ProblemPermissionUnknown,
			Advice: "the user has not approved the request token yet"}
	case t.state == denied:
		return nil, &signer.ProblemError{Problem: signer.ProblemPermissionDenied,
			Advice: "the user denied access"}
	}
	if !t.v10 {
		got := v.Verifier()
		if got == "" {
			return nil, &signer.ProblemError{Problem: signer.ProblemParameterAbsent,
				ParametersAbsent: []string{"oauth_verifier"}}
		}
		if subtle.ConstantTimeCompare([]byte(got), []byte(t.verifier)) != 1 {
			return nil, &signer.ProblemError{Problem: signer.ProblemTokenRejected,
				Advice: "oauth_verifier does not match the one issued for this token"}
		}
	}
	// Like the products, forget the request token: using it again is
	// token_rejected.
	delete(s.tokens, t.value)
	return s.newAccessTokenLocked(t.consumer, t.user, now), nil
}

// renewLocked swaps an access token for a new one (Atlassian's session
// extension); the caller holds s.mu.
func (s *Server) renewLocked(t *token, v *signer.Verified, now time.Time) (*token, *signer.ProblemError) {
	switch {
	case t.revoked:
		return nil, &signer.ProblemError{Problem: signer.ProblemTokenRevoked}
	case v.SessionHandle.IsZero():
		return nil, &signer.ProblemError{Problem: signer.ProblemParameterAbsent,
			ParametersAbsent: []string{"oauth_session_handle"},
			Advice:           "an access token is renewed with its oauth_session_handle"}
	case subtle.ConstantTimeCompare([]byte(v.SessionHandle.Reveal()), []byte(t.session)) != 1:
		return nil, &signer.ProblemError{Problem: signer.ProblemTokenRejected,
			Advice: "oauth_session_handle does not belong to this token"}
	case !now.Before(t.sessionExpires):
		return nil, &signer.ProblemError{Problem: signer.ProblemPermissionDenied,
			Advice: "the authorization has expired: the user must approve again"}
	}
	delete(s.tokens, t.value)
	return s.newAccessTokenLocked(t.consumer, t.user, now), nil
}

// writeForm answers 200 with an OAuth form-encoded text/plain body, in the
// given order.
func writeForm(w http.ResponseWriter, pairs [][2]string) {
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(signer.Encode(p[0]))
		b.WriteByte('=')
		b.WriteString(signer.Encode(p[1]))
	}
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(b.String()))
}

var authorizePage = template.Must(template.New("authorize").Parse(`<!DOCTYPE html>
<html><head><title>Authorize {{.Consumer}}</title></head>
<body>
<h1>{{.Consumer}} wants access to your account</h1>
<form method="post" action="{{.Action}}">
<input type="hidden" name="oauth_token" value="{{.Token}}">
{{if .Callback}}<input type="hidden" name="oauth_callback" value="{{.Callback}}">
{{end}}<label>User <input type="text" name="user"></label>
<button type="submit" name="approve" value="1">Allow</button>
<button type="submit" name="approve" value="0">Deny</button>
</form>
</body></html>
`))

// serveAuthorize is the browser's approval page; scripts approve with
// &user=<name>&approve=1 or deny with &approve=0.
//
// With oob (the token's callback, or on the Jenkins shape the
// oauth_callback given to the page) it answers 200 with the token and the
// verifier in a form body and an X-OAuth-Verifier header; otherwise it
// redirects to the callback with both added. Jenkins' plugin
// (AuthorizeConfirmationConfig.doPerformSubmit) redirects even for oob, to
// the relative "oob?oauth_token=…&oauth_verifier=…", and the user reads the
// verifier from the address bar; the Jenkins shape answers oob as the
// Atlassian shape does instead, so tests need no per-shape code to read it.
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	st.flow = FlowAuthorize
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "applinktest: the authorize page takes GET or POST", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "applinktest: unreadable form: "+err.Error(), http.StatusBadRequest)
		return
	}
	value := r.Form.Get("oauth_token")
	if value == "" {
		http.Error(w, "applinktest: oauth_token is missing from the authorize URL", http.StatusBadRequest)
		return
	}
	t, c, err := s.pendingToken(value)
	if err != nil {
		st.problem = err.problem
		http.Error(w, "applinktest: "+err.msg, http.StatusBadRequest)
		return
	}
	st.consumer = t.consumer
	approve := r.Form.Get("approve")
	if s.shape == Jenkins && approve == "" {
		// The plugin's form has an "authorize" and a "cancel" button.
		switch {
		case r.Form.Has("cancel"):
			approve = "0"
		case r.Form.Has("authorize"):
			approve = "1"
		}
	}
	if approve == "" {
		action := AtlassianAuthorizePath
		if s.shape == Jenkins {
			action = JenkinsAuthorizeSubmit
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		cb := ""
		if s.shape == Jenkins {
			cb = r.Form.Get("oauth_callback")
		}
		_ = authorizePage.Execute(w, struct{ Consumer, Action, Token, Callback string }{c, action, value, cb})
		return
	}
	var verifier string
	switch approve {
	case "1", "true":
		user := r.Form.Get("user")
		v, err := s.Approve(value, user)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		st.user, verifier = user, v
	case "0", "false":
		if err := s.Deny(value); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		verifier = "denied"
	default:
		http.Error(w, "applinktest: approve must be 1 or 0", http.StatusBadRequest)
		return
	}
	callback := t.callback
	if cb := r.Form.Get("oauth_callback"); s.shape == Jenkins && cb != "" {
		// The plugin redirects to the callback given to its page; oob
		// is answered in the body (see the function's comment).
		if u, err := url.Parse(cb); cb != "oob" && (err != nil || !u.IsAbs() || u.Host == "") {
			http.Error(w, "applinktest: oauth_callback must be an absolute URL or oob", http.StatusBadRequest)
			return
		}
		callback = cb
	}
	if callback != "" && callback != "oob" {
		u, err := url.Parse(callback)
		if err == nil {
			q := u.Query()
			q.Set("oauth_token", value)
			q.Set("oauth_verifier", verifier)
			u.RawQuery = q.Encode()
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, u.String(), http.StatusFound)
			return
		}
	}
	w.Header().Set("X-OAuth-Verifier", verifier)
	writeForm(w, [][2]string{{"oauth_token", value}, {"oauth_verifier", verifier}})
}

type pageError struct{ problem, msg string }

// pendingToken returns a copy of a request token that can still be approved
// and its consumer's name.
func (s *Server) pendingToken(value string) (token, string, *pageError) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[value]
	switch {
	case !ok || t.kind != requestToken:
		return token{}, "", &pageError{signer.ProblemTokenRejected, "unknown request token: get a new one"}
	case t.expired(now):
		return token{}, "", &pageError{signer.ProblemTokenExpired, "this request token has expired: get a new one"}
	case t.state != pending:
		return token{}, "", &pageError{signer.ProblemTokenUsed, "this request token was already approved or denied: get a new one"}
	}
	name := t.consumer
	if c, ok := s.consumers[t.consumer]; ok && c.Name != "" {
		name = c.Name
	}
	return *t, name, nil
}
