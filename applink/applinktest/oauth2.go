package applinktest

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/signer"
)

// Endpoint paths of the OAuth 2.0 provider ([OAuth2] shape), relative to the
// base URL, as Atlassian's Data Center products serve them.
const (
	OAuth2AuthorizePath = "/rest/oauth2/latest/authorize"
	OAuth2TokenPath     = "/rest/oauth2/latest/token"
)

// OAuth 2.0 scopes of the Data Center products, weakest first: each includes
// the ones before it. GET, HEAD and OPTIONS need [ScopeRead]; POST, PUT,
// PATCH and DELETE need [ScopeWrite].
const (
	ScopeRead        = "READ"
	ScopeWrite       = "WRITE"
	ScopeAdmin       = "ADMIN"
	ScopeSystemAdmin = "SYSTEM_ADMIN"
)

// scopeRank orders the scopes; 0 is unknown.
func scopeRank(s string) int {
	switch s {
	case ScopeRead:
		return 1
	case ScopeWrite:
		return 2
	case ScopeAdmin:
		return 3
	case ScopeSystemAdmin:
		return 4
	}
	return 0
}

// Default lifetimes of the OAuth 2.0 shape.
const (
	// DefaultAuthorizationCodeTTL is how long an authorization code can be
	// exchanged: seconds, not minutes, as at Data Center.
	DefaultAuthorizationCodeTTL = 30 * time.Second
	// DefaultBearerTokenTTL is how long an OAuth 2.0 access token lives.
	DefaultBearerTokenTTL = time.Hour
	// DefaultRefreshTokenTTL is how long an unused refresh token lives.
	DefaultRefreshTokenTTL = 90 * 24 * time.Hour
)

// OAuth2Client is an OAuth 2.0 incoming link ("External application →
// Incoming" in the product's Application links page): the client id and
// secret the product shows, the redirect URL and the scope the administrator
// entered. It never prints its secret.
type OAuth2Client struct {
	// ID is the client id. Required.
	ID string `json:"id"`
	// Name is a display name for the consent page; "" means ID.
	Name string `json:"name,omitempty"`
	// Secret is the client secret (make it with signer.NewSecret).
	// Required. It never prints.
	Secret signer.Secret `json:"secret,omitzero"`
	// RedirectURL is the redirect URL registered for the link: the
	// authorization request and the token requests must give exactly it.
	// Required.
	RedirectURL string `json:"redirect_url"`
	// Scope is the highest scope the link grants ([ScopeRead],
	// [ScopeWrite], [ScopeAdmin] or [ScopeSystemAdmin]); "" means
	// [ScopeWrite]. A client asking for more gets invalid_scope.
	Scope string `json:"scope,omitempty"`
	// ServiceUser, when set, allows the client_credentials grant (a service
	// account): its tokens act as this user. "" refuses the grant with
	// unauthorized_client.
	ServiceUser string `json:"service_user,omitempty"`
}

func (c OAuth2Client) scope() string {
	if c.Scope == "" {
		return ScopeWrite
	}
	return c.Scope
}

// WithOAuth2Client adds an OAuth 2.0 client (an incoming OAuth 2.0 link) to
// a server of the [OAuth2] shape. Repeat it for more.
func WithOAuth2Client(c OAuth2Client) Option {
	return func(cfg *config) { cfg.o2clients = append(cfg.o2clients, c) }
}

// WithAuthorizationCodeTTL sets how long OAuth 2.0 authorization codes can
// be exchanged; 0 means [DefaultAuthorizationCodeTTL].
func WithAuthorizationCodeTTL(d time.Duration) Option {
	return func(c *config) { c.codeTTL = d }
}

// WithBearerTokenTTL sets how long OAuth 2.0 access tokens live; 0 means
// [DefaultBearerTokenTTL].
func WithBearerTokenTTL(d time.Duration) Option {
	return func(c *config) { c.bearerTTL = d }
}

// WithRefreshTokenTTL sets how long OAuth 2.0 refresh tokens live; 0 means
// [DefaultRefreshTokenTTL].
func WithRefreshTokenTTL(d time.Duration) Option {
	return func(c *config) { c.refreshTTL = d }
}

// oauth2State is the OAuth 2.0 provider's data, guarded by Server.mu.
type oauth2State struct {
	clients map[string]*OAuth2Client
	codes   map[string]*o2code
	tokens  map[string]*o2token // access and refresh tokens by value
	seq     int

	codeTTL, bearerTTL, refreshTTL time.Duration
}

// o2grant is one consent (or one client_credentials grant): the chain of
// access and refresh tokens that refreshing it produces.
type o2grant struct {
	client, user, scope string
	revoked             bool
}

// o2code is an authorization code.
type o2code struct {
	client, user, redirect, scope, challenge string
	expires                                  time.Time
	used                                     bool
}

type o2kind int

const (
	o2access o2kind = iota + 1
	o2refresh
)

// o2token is an access or refresh token.
type o2token struct {
	kind    o2kind
	value   string
	grant   *o2grant
	seq     int
	expires time.Time
	used    bool // a refresh token already exchanged (rotated)
}

func (t *o2token) live(now time.Time) bool {
	return !t.grant.revoked && !t.used && now.Before(t.expires)
}

func newOAuth2State(cfg config) oauth2State {
	st := oauth2State{
		clients:    map[string]*OAuth2Client{},
		codes:      map[string]*o2code{},
		tokens:     map[string]*o2token{},
		codeTTL:    cfg.codeTTL,
		bearerTTL:  cfg.bearerTTL,
		refreshTTL: cfg.refreshTTL,
	}
	if st.codeTTL <= 0 {
		st.codeTTL = DefaultAuthorizationCodeTTL
	}
	if st.bearerTTL <= 0 {
		st.bearerTTL = DefaultBearerTokenTTL
	}
	if st.refreshTTL <= 0 {
		st.refreshTTL = DefaultRefreshTokenTTL
	}
	return st
}

// AddOAuth2Client adds an OAuth 2.0 client while the server runs, as
// [WithOAuth2Client] does at start. It returns an error on a server of
// another shape, for an invalid client, or for an id already in use.
func (s *Server) AddOAuth2Client(c OAuth2Client) error {
	if s.shape != OAuth2 {
		return fmt.Errorf("applinktest: OAuth 2.0 client %q: the %s shape has no OAuth 2.0 provider: use WithShape(applinktest.OAuth2)", c.ID, s.shape)
	}
	switch {
	case c.ID == "":
		return errors.New("applinktest: an OAuth 2.0 client has an empty ID")
	case c.Secret.IsZero():
		return fmt.Errorf("applinktest: OAuth 2.0 client %q has no Secret", c.ID)
	case scopeRank(c.scope()) == 0:
		return fmt.Errorf("applinktest: OAuth 2.0 client %q: unknown scope %q: use READ, WRITE, ADMIN or SYSTEM_ADMIN", c.ID, c.Scope)
	}
	u, err := url.Parse(c.RedirectURL)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Fragment != "" {
		return fmt.Errorf("applinktest: OAuth 2.0 client %q: RedirectURL must be an absolute URL without a fragment", c.ID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.o2.clients[c.ID]; dup {
		return fmt.Errorf("applinktest: OAuth 2.0 client id %q is already in use", c.ID)
	}
	cc := c
	s.o2.clients[c.ID] = &cc
	return nil
}

// OAuth2AuthorizeURL returns the URL of the OAuth 2.0 consent page.
func (s *Server) OAuth2AuthorizeURL() string { return s.URL + OAuth2AuthorizePath }

// OAuth2TokenURL returns the URL of the OAuth 2.0 token endpoint.
func (s *Server) OAuth2TokenURL() string { return s.URL + OAuth2TokenPath }

// authzRequest is a checked authorization request.
type authzRequest struct {
	client                        *OAuth2Client
	redirect, state, scope        string
	challenge                     string
	errCode, errDesc              string // an error to send to the redirect URI
	pageErr                       string // an error shown on the page (no redirect)
	responseType, challengeMethod string
}

// checkAuthz checks an authorization request's parameters as the consent
// page does; the caller holds s.mu. Errors about the client or the redirect
// URI are shown on the page, never sent to the redirect URI (RFC 6749
// §4.1.2.1); others are sent to it.
func (s *Server) checkAuthzLocked(q url.Values) *authzRequest {
	a := &authzRequest{redirect: q.Get("redirect_uri"), state: q.Get("state"),
		responseType: q.Get("response_type"), challenge: q.Get("code_challenge"),
		challengeMethod: q.Get("code_challenge_method")}
	c, ok := s.o2.clients[q.Get("client_id")]
	switch {
	case q.Get("client_id") == "":
		a.pageErr = "client_id is missing"
		return a
	case !ok:
		a.pageErr = "unknown client_id: no incoming OAuth 2.0 link has it"
		return a
	case a.redirect == "":
		a.pageErr = "redirect_uri is missing"
		return a
	case a.redirect != c.RedirectURL:
		a.pageErr = "redirect_uri does not match the redirect URL of the incoming link exactly"
		return a
	}
	a.client = c
	scope, serr := grantScope(q.Get("scope"), c.scope())
	a.scope = scope
	switch {
	case a.responseType != "code":
		a.errCode, a.errDesc = "unsupported_response_type", "response_type must be code"
	case serr != "":
		a.errCode, a.errDesc = "invalid_scope", serr
	case a.challenge == "" && a.challengeMethod != "":
		a.errCode, a.errDesc = "invalid_request", "code_challenge_method without code_challenge"
	case a.challenge != "" && a.challengeMethod != "S256":
		a.errCode, a.errDesc = "invalid_request", "code_challenge_method must be S256"
	case a.challenge != "" && (len(a.challenge) < 43 || len(a.challenge) > 128):
		a.errCode, a.errDesc = "invalid_request", "code_challenge must be 43 to 128 characters"
	}
	return a
}

// grantScope reads a requested scope (space-separated; "" means the
// client's) and returns the strongest one asked for, or a description of
// why it is refused.
func grantScope(requested, max string) (string, string) {
	fields := strings.Fields(requested)
	if len(fields) == 0 {
		return max, ""
	}
	best := ""
	for _, f := range fields {
		r := scopeRank(f)
		if r == 0 {
			return "", fmt.Sprintf("unknown scope %q: use READ, WRITE, ADMIN or SYSTEM_ADMIN", f)
		}
		if r > scopeRank(best) {
			best = f
		}
	}
	if scopeRank(best) > scopeRank(max) {
		return "", fmt.Sprintf("scope %s exceeds %s, the scope of the incoming link", best, max)
	}
	return best, ""
}

// redirectWith returns the redirect URI with params added.
func redirectWith(redirect string, params [][2]string) string {
	u, err := url.Parse(redirect)
	if err != nil {
		return redirect
	}
	q := u.Query()
	for _, p := range params {
		if p[1] != "" {
			q.Set(p[0], p[1])
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// ApproveOAuth2 approves an OAuth 2.0 authorization URL (the consent page
// URL a client sends the user to) as user, as the user's click on "Allow"
// does, and returns the URL the browser is then redirected to: the client's
// redirect URL with code and state, or with error and state for an invalid
// request (unsupported response type, invalid scope or PKCE parameters). An
// unknown client, a redirect URL other than the registered one, a URL of
// another page and an unknown user are errors (nothing is redirected).
func (s *Server) ApproveOAuth2(authorizeURL, user string) (redirect string, err error) {
	q, err := s.authorizeQuery(authorizeURL)
	if err != nil {
		return "", err
	}
	return s.approveOAuth2(q, user)
}

// DenyOAuth2 refuses an OAuth 2.0 authorization URL, as the user's click on
// "Deny" does, and returns the client's redirect URL with
// error=access_denied and the state.
func (s *Server) DenyOAuth2(authorizeURL string) (redirect string, err error) {
	q, err := s.authorizeQuery(authorizeURL)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	a := s.checkAuthzLocked(q)
	s.mu.Unlock()
	if a.pageErr != "" {
		return "", fmt.Errorf("applinktest: cannot deny: %s", a.pageErr)
	}
	return redirectWith(a.redirect, [][2]string{{"error", "access_denied"}, {"state", a.state}}), nil
}

// authorizeQuery returns the query of an authorization URL of this server.
func (s *Server) authorizeQuery(authorizeURL string) (url.Values, error) {
	u, err := url.Parse(authorizeURL)
	if err != nil {
		return nil, fmt.Errorf("applinktest: not an OAuth 2.0 authorization URL: %w", err)
	}
	if u.Path != OAuth2AuthorizePath && u.Path != strings.TrimSuffix(s.base.Path, "/")+OAuth2AuthorizePath {
		return nil, fmt.Errorf("applinktest: %s is not this server's OAuth 2.0 authorization page (%s)", redact.URL(u), OAuth2AuthorizePath)
	}
	return u.Query(), nil
}

// approveOAuth2 issues an authorization code for q as user.
func (s *Server) approveOAuth2(q url.Values, user string) (string, error) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shape != OAuth2 {
		return "", fmt.Errorf("applinktest: the %s shape has no OAuth 2.0 provider", s.shape)
	}
	a := s.checkAuthzLocked(q)
	if a.pageErr != "" {
		return "", fmt.Errorf("applinktest: cannot approve: %s", a.pageErr)
	}
	if a.errCode != "" {
		return redirectWith(a.redirect, [][2]string{{"error", a.errCode}, {"error_description", a.errDesc}, {"state", a.state}}), nil
	}
	if !s.users[user] {
		return "", fmt.Errorf("applinktest: cannot approve as %q: no such user: add it with WithUsers or AddUser", user)
	}
	if len(s.o2.codes) >= purgeAt {
		for k, c := range s.o2.codes {
			if !now.Before(c.expires) {
				delete(s.o2.codes, k)
			}
		}
	}
	code := rand.Text()
	s.o2.codes[code] = &o2code{client: a.client.ID, user: user, redirect: a.redirect, scope: a.scope,
		challenge: a.challenge, expires: now.Add(s.o2.codeTTL)}
	return redirectWith(a.redirect, [][2]string{{"code", code}, {"state", a.state}}), nil
}

// issueLocked stores a new access token (and, unless clientCredentials, a
// refresh token) for grant; the caller holds s.mu.
func (s *Server) issueLocked(g *o2grant, now time.Time, withRefresh bool) (access, refresh *o2token) {
	s.o2.seq++
	access = &o2token{kind: o2access, value: rand.Text() + rand.Text(), grant: g, seq: s.o2.seq, expires: now.Add(s.o2.bearerTTL)}
	s.o2.tokens[access.value] = access
	if withRefresh {
		refresh = &o2token{kind: o2refresh, value: rand.Text() + rand.Text(), grant: g, seq: s.o2.seq, expires: now.Add(s.o2.refreshTTL)}
		s.o2.tokens[refresh.value] = refresh
	}
	if len(s.o2.tokens) >= purgeAt {
		for k, t := range s.o2.tokens {
			if now.Sub(t.expires) > time.Hour {
				delete(s.o2.tokens, k)
			}
		}
	}
	return access, refresh
}

// revokeOAuth2Locked revokes the grant of an OAuth 2.0 access or refresh
// token; the caller holds s.mu.
func (s *Server) revokeOAuth2Locked(value string) bool {
	t, ok := s.o2.tokens[value]
	if ok {
		t.grant.revoked = true
	}
	return ok
}

// revokeOAuth2UserLocked revokes every OAuth 2.0 grant of user for client
// ("" for every client) and returns how many grants it revoked.
func (s *Server) revokeOAuth2UserLocked(client, user string) int {
	grants := map[*o2grant]bool{}
	for _, t := range s.o2.tokens {
		g := t.grant
		if !g.revoked && g.user == user && (client == "" || g.client == client) {
			grants[g] = true
		}
	}
	for g := range grants {
		g.revoked = true
	}
	return len(grants)
}

// expireOAuth2Locked makes an OAuth 2.0 token expire now.
func (s *Server) expireOAuth2Locked(value string, now time.Time) bool {
	t, ok := s.o2.tokens[value]
	if ok {
		t.expires = now
	}
	return ok
}

// oauth2AccessTokensLocked lists the live OAuth 2.0 access tokens of user
// for client ("" for every client), oldest first.
func (s *Server) oauth2AccessTokensLocked(client, user string, now time.Time) []*o2token {
	var ts []*o2token
	for _, t := range s.o2.tokens {
		if t.kind == o2access && t.live(now) && t.grant.user == user && (client == "" || t.grant.client == client) {
			ts = append(ts, t)
		}
	}
	slices.SortFunc(ts, func(a, b *o2token) int { return a.seq - b.seq })
	return ts
}

// OAuth2Scope returns the scope of a live OAuth 2.0 access token, or an
// error wrapping [ErrUnknownToken].
func (s *Server) OAuth2Scope(accessToken string) (string, error) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.o2.tokens[accessToken]
	if !ok || t.kind != o2access || !t.live(now) {
		return "", fmt.Errorf("%w %s: not a live OAuth 2.0 access token", ErrUnknownToken, signer.Abbrev(accessToken))
	}
	return t.grant.scope, nil
}
