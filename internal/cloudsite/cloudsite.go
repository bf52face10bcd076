// Package cloudsite speaks to Atlassian Cloud's API gateway for package
// applink: it finds the cloud id of a link's site in the sites a user's
// token reaches (the accessible resources), once per token, and routes a
// request written as on the site (/rest/api/3/myself) to the gateway,
// {apiBase}/ex/jira/{cloudId}/... or {apiBase}/ex/confluence/{cloudId}/wiki/....
//
// It knows nothing about links or token stores: it takes plain strings and
// an *http.Client, and applink turns its errors into its own.
//
// # Security
//
// The bearer token lives in a [redact.Secret] and never reaches an error;
// the cloud ids are cached by the token's fingerprint, not by the token.
package cloudsite

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/go-applinks/applinks/internal/oauth2link"
	"github.com/go-applinks/applinks/internal/redact"
)

// Atlassian Cloud's OAuth 2.0 (3LO) defaults.
const (
	// DefaultAuthBase is Atlassian's authorization server.
	DefaultAuthBase = "https://auth.atlassian.com"
	// DefaultAPIBase is Atlassian's API gateway.
	DefaultAPIBase = "https://api.atlassian.com"
	// Audience is the audience parameter of Cloud's consent page.
	Audience = "api.atlassian.com"
	// ScopeOfflineAccess is the scope without which the token endpoint
	// gives no refresh token: the user consents again every hour.
	ScopeOfflineAccess = "offline_access"
)

// ResourcesPath is the path, under the API base, of the sites a token
// reaches.
const ResourcesPath = "/oauth/token/accessible-resources"

// maxResources bounds the accessible resources' answer.
const maxResources = 1 << 20

// maxCached bounds the cached cloud ids of a long-lived process.
const maxCached = 10000

// Site is one site a token reaches (one entry of the accessible resources).
type Site struct {
	ID     string   `json:"id"`
	URL    string   `json:"url"`
	Name   string   `json:"name"`
	Scopes []string `json:"scopes,omitempty"`
}

// Token is what the gateway needs of a user's token.
type Token struct {
	// ID names the token without revealing it (its fingerprint): the key
	// its cloud id is cached under.
	ID string
	// Bearer is the access token.
	Bearer redact.Secret
	// User is whose token it is, for messages.
	User string
}

// NotGrantedError says that a token does not reach the link's site.
type NotGrantedError struct {
	// Granted are the URLs of the sites the token reaches.
	Granted []string
}

func (e *NotGrantedError) Error() string {
	granted := "no site at all"
	if len(e.Granted) > 0 {
		granted = strings.Join(e.Granted, ", ")
	}
	return "the token does not reach the link's site; it reaches " + granted
}

// Gateway is one Cloud link's authorization server and API gateway, with
// the cloud ids of its users' tokens. It is safe for concurrent use.
type Gateway struct {
	link              string // the link's name, for messages
	site              string // the link's RPC URL, as compared (normSite)
	sitePath          string // the RPC URL's escaped path, without a trailing "/"
	authBase, apiBase string
	// product is the gateway's product segment: jira or confluence.
	product string
	agent   string // the User-Agent of the accessible resources' request

	mu sync.Mutex
	// ids caches the site's cloud id by token ID: resolved once per token,
	// and carried over to the token a refresh gives.
	ids map[string]string
}

// New returns the gateway of the Cloud link named link whose site (RPC URL)
// is site; "" for authBase or apiBase means Atlassian's, and confluence
// routes to /ex/confluence instead of /ex/jira. agent is the User-Agent of
// its own requests.
func New(link, site, authBase, apiBase string, confluence bool, agent string) *Gateway {
	g := &Gateway{link: link, site: normSite(site), authBase: DefaultAuthBase, apiBase: DefaultAPIBase, product: "jira", agent: agent, ids: map[string]string{}}
	if u, err := url.Parse(site); err == nil {
		g.sitePath = strings.TrimSuffix(u.EscapedPath(), "/")
	}
	if authBase != "" {
		g.authBase = strings.TrimSuffix(authBase, "/")
	}
	if apiBase != "" {
		g.apiBase = strings.TrimSuffix(apiBase, "/")
	}
	if confluence {
		g.product = "confluence"
	}
	return g
}

// AuthBase returns the authorization server's base URL, without a
// trailing "/".
func (g *Gateway) AuthBase() string { return g.authBase }

// OAuth2 returns the OAuth 2.0 client of the link: Atlassian's consent page
// (audience and prompt=consent) and token endpoint, which takes JSON.
func (g *Gateway) OAuth2(clientID, secret, redirect string, scopes []string) *oauth2link.Config {
	return &oauth2link.Config{
		ClientID: clientID, ClientSecret: redact.NewSecret(secret),
		AuthorizationURL: g.authBase + "/authorize", TokenURL: g.authBase + "/oauth/token",
		RedirectURL: redirect, Scopes: slices.Clone(scopes),
		AuthParams: map[string]string{"audience": Audience, "prompt": "consent"},
		JSONBody:   true,
	}
}

// Route returns the gateway URL of u (on the link's site) for the site's
// cloud id: {apiBase}/ex/{product}/{cloudId}/rest/api/3/myself for
// /rest/api/3/myself. The site's own context path is dropped, but for
// Confluence the gateway's path has /wiki (added when u lacks it).
func (g *Gateway) Route(u *url.URL, id string) (*url.URL, error) {
	base, err := url.Parse(g.apiBase)
	if err != nil {
		return nil, fmt.Errorf("applink: link %q: cloud.apiBase: %w", g.link, redact.URLError(err))
	}
	path := strings.TrimPrefix(u.EscapedPath(), g.sitePath)
	if g.product == "confluence" && path != "/wiki" && !strings.HasPrefix(path, "/wiki/") {
		path = "/wiki" + path
	}
	out := *u
	out.Scheme, out.Host = base.Scheme, base.Host
	raw := strings.TrimSuffix(base.EscapedPath(), "/") + "/ex/" + g.product + "/" + url.PathEscape(id) + path
	p, err := url.PathUnescape(raw)
	if err != nil {
		return nil, fmt.Errorf("applink: link %q: %s: %w", g.link, redact.URL(u), err)
	}
	out.Path, out.RawPath = p, raw
	return &out, nil
}

// Carry gives the token named to the cloud id of the token named from (a
// refresh's new token reaches the same sites).
func (g *Gateway) Carry(from, to string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if id, ok := g.ids[from]; ok {
		g.ids[to] = id
		delete(g.ids, from)
	}
}

// CloudID returns the cloud id of the link's site for tok: cached, or found
// in the sites tok reaches with c. A token that does not reach the site is
// a *NotGrantedError; the gateway's 401 is an *oauth2link.Error
// invalid_token (the token itself was refused).
func (g *Gateway) CloudID(ctx context.Context, c *http.Client, tok Token) (string, error) {
	g.mu.Lock()
	id, ok := g.ids[tok.ID]
	g.mu.Unlock()
	if ok {
		return id, nil
	}
	sites, err := g.Sites(ctx, c, tok)
	if err != nil {
		return "", err
	}
	var granted []string
	for _, s := range sites {
		if normSite(s.URL) == g.site {
			g.mu.Lock()
			if len(g.ids) > maxCached {
				clear(g.ids)
			}
			g.ids[tok.ID] = s.ID
			g.mu.Unlock()
			return s.ID, nil
		}
		granted = append(granted, s.URL)
	}
	return "", &NotGrantedError{Granted: granted}
}

// normSite is a site URL as compared: its lower-case scheme and host (a
// link to https://acme.atlassian.net/wiki names the site
// https://acme.atlassian.net).
func normSite(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" {
		return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), "/"))
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
}

// Sites lists the sites tok reaches (Atlassian's accessible resources),
// asking with c. The gateway's 401 is an *oauth2link.Error invalid_token.
func (g *Gateway) Sites(ctx context.Context, c *http.Client, tok Token) ([]Site, error) {
	u := g.apiBase + ResourcesPath
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("applink: link %q: cloud.apiBase: %w", g.link, redact.URLError(err))
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", g.agent)
	req.Header.Set("Authorization", "Bearer "+tok.Bearer.Reveal())
	resp, err := c.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("applink: link %q: listing the sites user %q's token reaches: %w", g.link, tok.User, redact.URLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResources+1))
	if err != nil {
		return nil, fmt.Errorf("applink: link %q: reading the sites user %q's token reaches: %w", g.link, tok.User, err)
	}
	step := "GET " + redact.URLString(u)
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return nil, &oauth2link.Error{Step: step, Status: resp.StatusCode, Code: oauth2link.CodeInvalidToken,
			Description: "the gateway refused the token"}
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("applink: link %q: %s answered %s: try again later; if it persists, check cloud.apiBase (%s)",
			g.link, step, resp.Status, redact.URLString(g.apiBase))
	case len(body) > maxResources:
		return nil, fmt.Errorf("applink: link %q: %s answered more than %d bytes: check cloud.apiBase", g.link, step, maxResources)
	}
	var sites []Site
	if err := json.Unmarshal(body, &sites); err != nil {
		return nil, fmt.Errorf("applink: link %q: %s did not answer a JSON list of sites (%v): check cloud.apiBase", g.link, step, err)
	}
	return sites, nil
}

// ScopeMismatch reports whether a 401 is the gateway's "Unauthorized;
// scope does not match": the token lacks a scope, and is not refused. It
// leaves the body readable from the start.
func ScopeMismatch(resp *http.Response) bool {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), resp.Body), resp.Body}
	return bytes.Contains(bytes.ToLower(body), []byte("scope does not match"))
}
