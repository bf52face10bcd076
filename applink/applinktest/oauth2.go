package applinktest

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

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

// OAuth2AuthorizationURL returns the URL of the OAuth 2.0 consent page.
func (s *Server) OAuth2AuthorizationURL() string { return s.URL + OAuth2AuthorizePath }

// OAuth2TokenURL returns the URL of the OAuth 2.0 token endpoint.
func (s *Server) OAuth2TokenURL() string { return s.URL + OAuth2TokenPath }

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
