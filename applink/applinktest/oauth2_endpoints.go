package applinktest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Flows of the OAuth 2.0 shape a [Record] can name.
const (
	FlowBearer          = "oauth2"           // a request with an OAuth 2.0 bearer token
	FlowOAuth2Authorize = "oauth2-authorize" // the OAuth 2.0 consent page
	FlowOAuth2Token     = "oauth2-token"     // the OAuth 2.0 token endpoint; Record.Grant says which grant
)

// OAuth 2.0 grant types a [Record] of [FlowOAuth2Token] names in Grant.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantClientCredentials = "client_credentials"
)

var consentPage = template.Must(template.New("consent").Parse(`<!DOCTYPE html>
<html><head><title>Allow {{.Client}} access</title></head>
<body>
<h1>{{.Client}} wants {{.Scope}} access to your account</h1>
<form method="post" action="{{.Action}}">
{{range $k, $v := .Params}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}<label>User <input type="text" name="user"></label>
<button type="submit" name="approve" value="1">Allow</button>
<button type="submit" name="approve" value="0">Deny</button>
</form>
</body></html>
`))

// serveOAuth2Authorize is the OAuth 2.0 consent page. Scripts approve with
// &user=<name>&approve=1 (redirected to the client with code and state) or
// deny with &approve=0 (redirected with error=access_denied).
func (s *Server) serveOAuth2Authorize(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	st.flow = FlowOAuth2Authorize
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "applinktest: the consent page takes GET or POST", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "applinktest: unreadable form: "+err.Error(), http.StatusBadRequest)
		return
	}
	q := r.Form
	st.consumer = q.Get("client_id")
	s.mu.Lock()
	a := s.checkAuthzLocked(q)
	s.mu.Unlock()
	if a.pageErr != "" {
		st.problem = "invalid_request"
		http.Error(w, "applinktest: "+a.pageErr, http.StatusBadRequest)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	switch q.Get("approve") {
	case "":
		if a.errCode != "" {
			break
		}
		params := map[string]string{}
		for _, k := range []string{"response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method"} {
			if q.Has(k) {
				params[k] = q.Get(k)
			}
		}
		name := a.client.Name
		if name == "" {
			name = a.client.ID
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = consentPage.Execute(w, struct {
			Client, Scope, Action string
			Params                map[string]string
		}{name, a.scope, OAuth2AuthorizePath, params})
		return
	case "1", "true":
		user := q.Get("user")
		to, err := s.approveOAuth2(q, user)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		st.user = user
		if a.errCode != "" {
			st.problem = a.errCode
		}
		http.Redirect(w, r, to, http.StatusFound)
		return
	case "0", "false":
		st.problem = "access_denied"
		http.Redirect(w, r, redirectWith(a.redirect, [][2]string{{"error", "access_denied"}, {"state", a.state}}), http.StatusFound)
		return
	default:
		http.Error(w, "applinktest: approve must be 1 or 0", http.StatusBadRequest)
		return
	}
	st.problem = a.errCode
	http.Redirect(w, r, redirectWith(a.redirect, [][2]string{{"error", a.errCode}, {"error_description", a.errDesc}, {"state", a.state}}), http.StatusFound)
}

// oauth2Error is an RFC 6749 §5.2 error answer.
type oauth2Error struct {
	status     int
	code, desc string
	basicRealm bool // invalid_client after HTTP Basic: ask for Basic again
}

// writeOAuth2Error answers with an RFC 6749 §5.2 JSON error.
func (s *Server) writeOAuth2Error(w http.ResponseWriter, r *http.Request, e oauth2Error) {
	state(r).problem = e.code
	if e.basicRealm {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+s.realm+`"`)
	}
	w.Header().Set("Cache-Control", "no-store")
	body := map[string]string{"error": e.code}
	if e.desc != "" {
		body["error_description"] = e.desc
	}
	writeJSON(w, e.status, body)
}

func badRequest(code, desc string) oauth2Error {
	return oauth2Error{status: http.StatusBadRequest, code: code, desc: desc}
}

// serveOAuth2Token is the OAuth 2.0 token endpoint: authorization_code (with
// PKCE), refresh_token (rotating; redirect_uri required, as at Data Center)
// and client_credentials.
func (s *Server) serveOAuth2Token(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	st.flow = FlowOAuth2Token
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "applinktest: the token endpoint takes POST", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.writeOAuth2Error(w, r, badRequest("invalid_request", "the body must be application/x-www-form-urlencoded"))
		return
	}
	f := r.PostForm
	st.grant = f.Get("grant_type")
	c, e := s.authenticateClient(r)
	if e != nil {
		s.writeOAuth2Error(w, r, *e)
		return
	}
	st.consumer, st.verified = c.ID, true
	if s.afterAuthFault(w, r) {
		return
	}
	now := s.Now()
	var access, refresh *o2token
	var oe *oauth2Error
	switch st.grant {
	case GrantAuthorizationCode:
		access, refresh, oe = s.exchangeCode(c, f, now)
	case GrantRefreshToken:
		access, refresh, oe = s.refresh(c, f, now)
	case GrantClientCredentials:
		access, oe = s.clientCredentials(c, f, now)
	case "":
		e := badRequest("invalid_request", "grant_type is missing")
		oe = &e
	default:
		e := badRequest("unsupported_grant_type", "use authorization_code, refresh_token or client_credentials")
		oe = &e
	}
	if oe != nil {
		s.writeOAuth2Error(w, r, *oe)
		return
	}
	st.user = access.grant.user
	body := map[string]any{
		"access_token": access.value,
		"token_type":   "bearer",
		"expires_in":   int64(access.expires.Sub(now) / time.Second),
		"scope":        access.grant.scope,
	}
	if refresh != nil {
		body["refresh_token"] = refresh.value
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, body)
}

// authenticateClient reads the client's credentials from HTTP Basic
// (client_secret_basic) or the form (client_secret_post).
func (s *Server) authenticateClient(r *http.Request) (*OAuth2Client, *oauth2Error) {
	id, secret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 §2.3.1: the id and secret are form-encoded first.
		if v, err := url.QueryUnescape(id); err == nil {
			id = v
		}
		if v, err := url.QueryUnescape(secret); err == nil {
			secret = v
		}
		if r.PostForm.Get("client_secret") != "" {
			e := badRequest("invalid_request", "client credentials in both the Authorization header and the body: use one")
			return nil, &e
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	state(r).consumer = id
	fail := &oauth2Error{status: http.StatusUnauthorized, code: "invalid_client", desc: "client authentication failed", basicRealm: basic}
	if id == "" {
		fail.desc = "no client credentials: send client_id and client_secret"
		return nil, fail
	}
	s.mu.Lock()
	c, ok := s.o2.clients[id]
	var cc OAuth2Client
	if ok {
		cc = *c
	}
	s.mu.Unlock()
	if !ok || subtle.ConstantTimeCompare([]byte(secret), []byte(cc.Secret.Reveal())) != 1 {
		return nil, fail
	}
	return &cc, nil
}

// exchangeCode is the authorization_code grant.
func (s *Server) exchangeCode(c *OAuth2Client, f url.Values, now time.Time) (*o2token, *o2token, *oauth2Error) {
	value := f.Get("code")
	if value == "" {
		e := badRequest("invalid_request", "code is missing")
		return nil, nil, &e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	code, ok := s.o2.codes[value]
	invalid := func(desc string) (*o2token, *o2token, *oauth2Error) {
		e := badRequest("invalid_grant", desc)
		return nil, nil, &e
	}
	switch {
	case !ok || code.client != c.ID:
		return invalid("unknown authorization code")
	case code.used:
		return invalid("the authorization code was already used")
	case !now.Before(code.expires):
		return invalid("the authorization code has expired")
	case f.Get("redirect_uri") != code.redirect:
		return invalid("redirect_uri does not match the one of the authorization request")
	}
	if code.challenge != "" {
		v := f.Get("code_verifier")
		if v == "" {
			return invalid("code_verifier is missing: the authorization request had a code_challenge")
		}
		sum := sha256.Sum256([]byte(v))
		if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(code.challenge)) != 1 {
			return invalid("code_verifier does not match the code_challenge")
		}
	}
	code.used = true
	if !s.users[code.user] {
		return invalid("the user who approved no longer exists")
	}
	g := &o2grant{client: c.ID, user: code.user, scope: code.scope}
	a, r := s.issueLocked(g, now, true)
	return a, r, nil
}

// refresh is the refresh_token grant: the refresh token rotates (the old
// one stops working) and, as at Data Center, redirect_uri must be the
// registered one, else invalid_grant with no description.
func (s *Server) refresh(c *OAuth2Client, f url.Values, now time.Time) (*o2token, *o2token, *oauth2Error) {
	value := f.Get("refresh_token")
	if value == "" {
		e := badRequest("invalid_request", "refresh_token is missing")
		return nil, nil, &e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	invalid := func(desc string) (*o2token, *o2token, *oauth2Error) {
		e := badRequest("invalid_grant", desc)
		return nil, nil, &e
	}
	t, ok := s.o2.tokens[value]
	switch {
	case !ok || t.kind != o2refresh || t.grant.client != c.ID:
		return invalid("unknown refresh token")
	case f.Get("redirect_uri") != c.RedirectURL:
		return invalid("")
	case t.grant.revoked:
		return invalid("the refresh token was revoked")
	case t.used:
		return invalid("the refresh token was already used")
	case !now.Before(t.expires):
		return invalid("the refresh token has expired")
	case !s.users[t.grant.user]:
		return invalid("no user associated with the token")
	}
	if sc := f.Get("scope"); sc != "" {
		if _, desc := grantScope(sc, t.grant.scope); desc != "" {
			e := badRequest("invalid_scope", desc)
			return nil, nil, &e
		}
	}
	t.used = true
	a, r := s.issueLocked(t.grant, now, true)
	return a, r, nil
}

// clientCredentials is the client_credentials grant of a service account.
func (s *Server) clientCredentials(c *OAuth2Client, f url.Values, now time.Time) (*o2token, *oauth2Error) {
	if c.ServiceUser == "" {
		e := badRequest("unauthorized_client", "this client has no service account: client_credentials is not allowed")
		return nil, &e
	}
	scope, desc := grantScope(f.Get("scope"), c.scope())
	if desc != "" {
		e := badRequest("invalid_scope", desc)
		return nil, &e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.users[c.ServiceUser] {
		e := badRequest("invalid_grant", "the service account's user does not exist")
		return nil, &e
	}
	a, _ := s.issueLocked(&o2grant{client: c.ID, user: c.ServiceUser, scope: scope}, now, false)
	return a, nil
}

// bearerToken returns the token of an "Authorization: Bearer" header, and
// whether there was one.
func bearerToken(r *http.Request) (string, bool) {
	for _, v := range r.Header.Values("Authorization") {
		scheme, tok, ok := strings.Cut(strings.TrimSpace(v), " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok), true
		}
	}
	return "", false
}

// authenticateBearer authenticates a resource request with a bearer token
// (RFC 6750), or answers 401 invalid_token / 403 insufficient_scope and
// returns false.
func (s *Server) authenticateBearer(w http.ResponseWriter, r *http.Request, st *reqState, value string) bool {
	st.flow = FlowBearer
	now := s.Now()
	s.mu.Lock()
	t, ok := s.o2.tokens[value]
	var g o2grant
	var live, userOK bool
	if ok {
		g, live, userOK = *t.grant, t.live(now), s.users[t.grant.user]
	}
	s.mu.Unlock()
	desc := ""
	switch {
	case !ok || t.kind != o2access:
		desc = "unknown access token"
	case g.revoked:
		desc = "the access token was revoked"
	case !live:
		desc = "the access token has expired"
	case !userOK:
		desc = "No user associated with the token"
	}
	if ok {
		st.consumer = g.client
	}
	if desc != "" {
		s.writeBearerError(w, r, http.StatusUnauthorized, "invalid_token", desc, "")
		return false
	}
	need := ScopeRead
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		need = ScopeWrite
	}
	if scopeRank(g.scope) < scopeRank(need) {
		s.writeBearerError(w, r, http.StatusForbidden, "insufficient_scope",
			"the token's scope "+g.scope+" does not allow "+r.Method+": it needs "+need, need)
		return false
	}
	st.user = g.user
	st.verified = true
	return true
}

// writeBearerError answers with an RFC 6750 §3 error.
func (s *Server) writeBearerError(w http.ResponseWriter, r *http.Request, status int, code, desc, scope string) {
	state(r).problem = code
	h := `Bearer realm=` + strconv.Quote(s.realm) + `, error="` + code + `", error_description=` + strconv.Quote(desc)
	if scope != "" {
		h += `, scope="` + scope + `"`
	}
	w.Header().Set("WWW-Authenticate", h)
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}
