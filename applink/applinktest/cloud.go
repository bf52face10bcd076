package applinktest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-applinks/applinks/signer"
)

// Cloud is Atlassian Cloud's OAuth 2.0 (3LO), authorization server and API
// gateway in one server: the consent page at /authorize (audience
// api.atlassian.com required), the token endpoint at /oauth/token taking
// JSON bodies only, rotating refresh tokens (given only with the
// offline_access scope) with a reuse interval, the sites a token reaches at
// /oauth/token/accessible-resources, and the resources under
// /ex/jira/{cloudId}/... and /ex/confluence/{cloudId}/wiki/..., each
// checked for the scope it needs (a missing one answers the gateway's 401
// "Unauthorized; scope does not match"). Add clients with
// [WithCloudClient], sites with [WithCloudSite] (one, "acme", by default).
// The same server is the auth base and the API base of a Cloud link.
const Cloud Shape = "cloud"

// Cloud defaults.
const (
	// DefaultReuseInterval is how long a rotated refresh token still
	// works (Atlassian's leeway is 10 minutes).
	DefaultReuseInterval = 10 * time.Minute
	// CloudAuthorizePath, CloudTokenPath and CloudResourcesPath are the
	// Cloud shape's endpoints.
	CloudAuthorizePath = "/authorize"
	CloudTokenPath     = "/oauth/token"
	CloudResourcesPath = "/oauth/token/accessible-resources"
)

// FlowCloudBearer is the flow a [Record] names for a gateway request with a
// Cloud bearer token; the token endpoint's records are [FlowOAuth2Token].
const FlowCloudBearer = "cloud"

// CloudClient is an OAuth 2.0 (3LO) app of the developer console. It never
// prints its secret.
type CloudClient struct {
	ID string `json:"id"`
	// Secret is the client secret (make it with signer.NewSecret).
	Secret signer.Secret `json:"secret,omitzero"`
	// RedirectURL is the registered callback URL.
	RedirectURL string `json:"redirect_url"`
}

// CloudSite is one Atlassian site of the Cloud shape.
type CloudSite struct {
	// ID is its cloud id; Name its name; URL its URL
	// (https://acme.atlassian.net).
	ID, Name, URL string
}

// DefaultCloudSite is the Cloud shape's site when [WithCloudSite] gives
// none.
var DefaultCloudSite = CloudSite{ID: "11111111-2222-4333-8444-555555555555", Name: "acme", URL: "https://acme.atlassian.net"}

// WithCloudClient adds an OAuth 2.0 (3LO) app to the Cloud shape.
func WithCloudClient(c CloudClient) Option {
	return func(cfg *config) { cfg.cloudClients = append(cfg.cloudClients, c) }
}

// WithCloudSite adds a site to the Cloud shape.
func WithCloudSite(s CloudSite) Option {
	return func(cfg *config) { cfg.cloudSites = append(cfg.cloudSites, s) }
}

// WithReuseInterval sets how long a rotated refresh token still works; 0
// means [DefaultReuseInterval]. A rotated token used after it is refused
// with 403 invalid_grant, and its whole family is revoked, as Atlassian
// does.
func WithReuseInterval(d time.Duration) Option { return func(c *config) { c.reuse = d } }

// cloudState is the Cloud shape's data, guarded by Server.mu.
type cloudState struct {
	clients map[string]*CloudClient
	sites   []CloudSite
	codes   map[string]*cloudCode
	tokens  map[string]*cloudToken
	reuse   time.Duration
}

type cloudGrant struct {
	client, user string
	scopes       []string
	sites        []string // cloud ids
	revoked      bool
}

type cloudCode struct {
	grant    *cloudGrant
	redirect string
	expires  time.Time
	used     bool
}

type cloudToken struct {
	refresh bool
	grant   *cloudGrant
	expires time.Time
	// rotated is when a refresh token was exchanged (zero: never).
	rotated time.Time
}

func newCloudState(cfg config) cloudState {
	st := cloudState{clients: map[string]*CloudClient{}, codes: map[string]*cloudCode{}, tokens: map[string]*cloudToken{},
		sites: slices.Clone(cfg.cloudSites), reuse: cfg.reuse}
	if len(st.sites) == 0 {
		st.sites = []CloudSite{DefaultCloudSite}
	}
	if st.reuse <= 0 {
		st.reuse = DefaultReuseInterval
	}
	for _, c := range cfg.cloudClients {
		cc := c
		st.clients[c.ID] = &cc
	}
	return st
}

// CloudAccountID returns the Atlassian accountId the Cloud shape gives
// user.
func CloudAccountID(user string) string {
	sum := sha256.Sum256([]byte(user))
	return "557058:" + hex.EncodeToString(sum[:12])
}

// setupCloudRoutes serves the Cloud shape's endpoints.
func (s *Server) setupCloudRoutes() {
	e := s.endpoints
	e.HandleFunc("GET "+CloudAuthorizePath, s.serveCloudAuthorize)
	e.HandleFunc("POST "+CloudAuthorizePath, s.serveCloudAuthorize)
	e.HandleFunc(CloudTokenPath, s.serveCloudToken)
	e.HandleFunc("GET "+CloudResourcesPath, s.serveCloudResources)
	e.HandleFunc("/ex/{product}/{cloudId}/{rest...}", s.serveCloudGateway)
	s.resources.HandleFunc("GET /rest/api/3/myself", s.serveCloudMyself)
	s.resources.HandleFunc("GET /wiki/rest/api/user/current", s.serveCloudMyself)
}

var cloudConsentPage = template.Must(template.New("consent").Parse(`<!DOCTYPE html>
<html><head><title>Allow access</title></head>
<body><h1>{{.Client}} is requesting access to your Atlassian account</h1>
<form method="post"><input type="hidden" name="query" value="{{.Query}}">
<label>User <input name="user"></label> <button>Accept</button></form></body></html>`))

// cloudAuthorizeRequest checks a consent page's query and returns the
// client; the error says what is wrong.
func (s *Server) cloudAuthorizeRequest(q url.Values) (*CloudClient, error) {
	s.mu.Lock()
	c, ok := s.cloud.clients[q.Get("client_id")]
	s.mu.Unlock()
	switch {
	case q.Get("audience") != "api.atlassian.com":
		return nil, errors.New("audience must be api.atlassian.com")
	case !ok:
		return nil, errors.New("unknown client_id")
	case q.Get("redirect_uri") != c.RedirectURL:
		return nil, errors.New("redirect_uri is not the app's callback URL")
	case q.Get("response_type") != "code":
		return nil, errors.New("response_type must be code")
	case q.Get("state") == "":
		return nil, errors.New("state is missing")
	case strings.TrimSpace(q.Get("scope")) == "":
		return nil, errors.New("scope is missing")
	}
	return c, nil
}

func (s *Server) serveCloudAuthorize(w http.ResponseWriter, r *http.Request) {
	state(r).flow = FlowOAuth2Authorize
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		_ = r.ParseForm()
		q, _ = url.ParseQuery(r.PostForm.Get("query"))
	}
	c, err := s.cloudAuthorizeRequest(q)
	if err != nil {
		http.Error(w, "applinktest: "+err.Error(), http.StatusBadRequest)
		return
	}
	if r.Method == http.MethodGet && q.Get("approve") == "0" {
		// A test's browser denies: back with error=access_denied.
		v := url.Values{"error": {"access_denied"}, "error_description": {"the user denied access"}, "state": {q.Get("state")}}
		sep := "?"
		if strings.Contains(q.Get("redirect_uri"), "?") {
			sep = "&"
		}
		http.Redirect(w, r, q.Get("redirect_uri")+sep+v.Encode(), http.StatusFound)
		return
	}
	if r.Method == http.MethodGet && q.Get("approve") == "1" {
		// A test's browser: approve as ?user=, for the sites in ?sites=
		// (comma-separated names; none means all).
		var sites []string
		if v := q.Get("sites"); v != "" {
			sites = strings.Split(v, ",")
		}
		redirect, err := s.approveCloud(q, q.Get("user"), sites)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, redirect, http.StatusFound)
		return
	}
	if r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = cloudConsentPage.Execute(w, map[string]string{"Client": c.ID, "Query": q.Encode()})
		return
	}
	redirect, err := s.approveCloud(q, r.PostForm.Get("user"), nil)
	if err != nil {
		http.Error(w, "applinktest: "+err.Error(), http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, redirect, http.StatusFound)
}

// ApproveCloud approves a Cloud consent page URL as user, granting the
// sites named (by name, URL or cloud id; none means every site), and
// returns the URL the browser is redirected to, with the code and state.
func (s *Server) ApproveCloud(authorizationURL, user string, sites ...string) (string, error) {
	u, err := url.Parse(authorizationURL)
	if err != nil {
		return "", fmt.Errorf("applinktest: %w", err)
	}
	if _, err := s.cloudAuthorizeRequest(u.Query()); err != nil {
		return "", fmt.Errorf("applinktest: the consent page refuses the URL: %w", err)
	}
	return s.approveCloud(u.Query(), user, sites)
}

func (s *Server) approveCloud(q url.Values, user string, sites []string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.users[user] {
		return "", fmt.Errorf("applinktest: unknown user %q", user)
	}
	g := &cloudGrant{client: q.Get("client_id"), user: user, scopes: strings.Fields(q.Get("scope"))}
	for _, site := range s.cloud.sites {
		if len(sites) == 0 || slices.Contains(sites, site.Name) || slices.Contains(sites, site.URL) || slices.Contains(sites, site.ID) {
			g.sites = append(g.sites, site.ID)
		}
	}
	if len(g.sites) == 0 {
		return "", fmt.Errorf("applinktest: no site is named %q", sites)
	}
	code := randomValue("code")
	s.cloud.codes[code] = &cloudCode{grant: g, redirect: q.Get("redirect_uri"), expires: s.Now().Add(10 * time.Minute)}
	v := url.Values{"code": {code}, "state": {q.Get("state")}}
	sep := "?"
	if strings.Contains(q.Get("redirect_uri"), "?") {
		sep = "&"
	}
	return q.Get("redirect_uri") + sep + v.Encode(), nil
}

// RevokeCloud revokes every grant of user (as removing the app from their
// account does); it returns how many.
func (s *Server) RevokeCloud(user string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	seen := map[*cloudGrant]bool{}
	for _, t := range s.cloud.tokens {
		if t.grant.user == user && !t.grant.revoked && !seen[t.grant] {
			seen[t.grant] = true
			t.grant.revoked = true
			n++
		}
	}
	return n
}

// ExpireCloudTokens makes every Cloud access token of user expire now (the
// refresh tokens stay), as an hour passing would.
func (s *Server) ExpireCloudTokens(user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	for _, t := range s.cloud.tokens {
		if t.grant.user == user && !t.refresh {
			t.expires = now
		}
	}
}

func randomValue(prefix string) string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + base64.RawURLEncoding.EncodeToString(b[:])
}

// cloudTokenRequest is the token endpoint's JSON body.
type cloudTokenRequest struct {
	GrantType    string `json:"grant_type"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Code         string `json:"code"`
	RedirectURI  string `json:"redirect_uri"`
	RefreshToken string `json:"refresh_token"`
}

func (s *Server) serveCloudToken(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	st.flow = FlowOAuth2Token
	fail := func(status int, code, desc string) {
		st.problem = code
		writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "applinktest: the token endpoint takes POST", http.StatusMethodNotAllowed)
		return
	}
	var req cloudTokenRequest
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		fail(http.StatusBadRequest, "invalid_request", "the body must be JSON (Content-Type application/json)")
		return
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil {
		fail(http.StatusBadRequest, "invalid_request", "the body is not a JSON object")
		return
	}
	st.grant = req.GrantType
	s.mu.Lock()
	c, ok := s.cloud.clients[req.ClientID]
	s.mu.Unlock()
	if !ok || subtle.ConstantTimeCompare([]byte(c.Secret.Reveal()), []byte(req.ClientSecret)) != 1 {
		fail(http.StatusUnauthorized, "access_denied", "Unauthorized")
		return
	}
	st.consumer, st.verified = c.ID, true
	if s.afterAuthFault(w, r) {
		return
	}
	now := s.Now()
	s.mu.Lock()
	var g *cloudGrant
	switch req.GrantType {
	case GrantAuthorizationCode:
		code, ok := s.cloud.codes[req.Code]
		switch {
		case !ok || code.used || !now.Before(code.expires) || code.grant.client != c.ID:
			s.mu.Unlock()
			fail(http.StatusForbidden, "invalid_grant", "Invalid authorization code")
			return
		case req.RedirectURI != code.redirect:
			s.mu.Unlock()
			fail(http.StatusForbidden, "invalid_grant", "redirect_uri does not match")
			return
		}
		code.used = true
		g = code.grant
	case GrantRefreshToken:
		if req.RedirectURI != "" {
			// Strict where Atlassian documents the refresh body: the
			// test server refuses what the SDK must not send.
			s.mu.Unlock()
			fail(http.StatusBadRequest, "invalid_request", "redirect_uri is not a parameter of the refresh grant")
			return
		}
		t, ok := s.cloud.tokens[req.RefreshToken]
		switch {
		case !ok || !t.refresh || t.grant.client != c.ID || t.grant.revoked || !now.Before(t.expires):
			s.mu.Unlock()
			fail(http.StatusForbidden, "invalid_grant", "Unknown or invalid refresh token.")
			return
		case !t.rotated.IsZero() && !now.Before(t.rotated.Add(s.cloud.reuse)):
			t.grant.revoked = true // reuse outside the leeway revokes the family
			s.mu.Unlock()
			fail(http.StatusForbidden, "invalid_grant", "Unknown or invalid refresh token.")
			return
		}
		if t.rotated.IsZero() {
			t.rotated = now
		}
		g = t.grant
	default:
		s.mu.Unlock()
		fail(http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
		return
	}
	access := randomValue("cloud-access")
	s.cloud.tokens[access] = &cloudToken{grant: g, expires: now.Add(s.o2.bearerTTL)}
	out := map[string]any{"access_token": access, "expires_in": int(s.o2.bearerTTL / time.Second),
		"scope": strings.Join(g.scopes, " "), "token_type": "Bearer"}
	if slices.Contains(g.scopes, "offline_access") {
		refresh := randomValue("cloud-refresh")
		s.cloud.tokens[refresh] = &cloudToken{refresh: true, grant: g, expires: now.Add(90 * 24 * time.Hour)}
		out["refresh_token"] = refresh
	}
	st.user = g.user
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}
