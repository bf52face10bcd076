package applink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/engine"
	"github.com/go-applinks/applinks/internal/oauth2link"
	"github.com/go-applinks/applinks/internal/redact"
)

// Atlassian Cloud's OAuth 2.0 (3LO) defaults.
const (
	// DefaultCloudAuthBase is Atlassian's authorization server: the
	// consent page is {base}/authorize, the token endpoint
	// {base}/oauth/token.
	DefaultCloudAuthBase = "https://auth.atlassian.com"
	// DefaultCloudAPIBase is Atlassian's API gateway: the sites a token
	// may use are {base}/oauth/token/accessible-resources, and requests
	// go to {base}/ex/jira/{cloudId}/... or {base}/ex/confluence/{cloudId}/wiki/...
	DefaultCloudAPIBase = "https://api.atlassian.com"
	// CloudAudience is the audience parameter of Cloud's consent page.
	CloudAudience = "api.atlassian.com"
	// ScopeOfflineAccess is the Cloud scope without which the token
	// endpoint gives no refresh token: the user consents again every hour.
	ScopeOfflineAccess = "offline_access"
)

// CloudSite makes a link an Atlassian Cloud OAuth 2.0 (3LO) link: the link's
// RPC URL is the site (https://acme.atlassian.net), its OAuth2 the app's
// client id, secret, scopes (read:jira-work, read:jira-user,
// offline_access, ...) and redirect URL from the developer console, and its
// auth [AuthOAuth2] alone. A user's token is not tied to one site: the
// site's cloud id is found in the sites the user granted (the accessible
// resources) once per token, and requests written as on the site
// (/rest/api/3/myself) go to the API gateway, {apiBase}/ex/jira/{cloudId}/...
// (Confluence: {apiBase}/ex/confluence/{cloudId}/wiki/...).
//
// Cloud has no impersonation (no 2LOi): every user consents once; for
// requests without a user, use a service account's own consent.
type CloudSite struct {
	// AuthBase overrides [DefaultCloudAuthBase] (tests).
	AuthBase string `json:"authBase,omitempty"`
	// APIBase overrides [DefaultCloudAPIBase] (tests).
	APIBase string `json:"apiBase,omitempty"`
}

// SiteNotGrantedError says the user's token does not reach the link's site:
// the user did not grant it on the consent page (or the app is not
// installed there). Granted lists the sites the user did grant.
type SiteNotGrantedError struct {
	LinkName, User string
	// Site is the link's site URL.
	Site string
	// Granted are the URLs of the sites the token reaches.
	Granted []string
}

// Error names the link, the user, the site and the sites the user granted,
// and says to authorize again choosing the site.
func (e *SiteNotGrantedError) Error() string {
	granted := "no site at all"
	if len(e.Granted) > 0 {
		granted = strings.Join(e.Granted, ", ")
	}
	return fmt.Sprintf("applink: link %q: user %q did not grant this app access to %s: their token reaches %s: authorize again as them and choose %s on Atlassian's consent page (or ask the site's admin to allow the app)",
		e.LinkName, e.User, e.Site, granted, e.Site)
}

// CloudSiteInfo is one site a Cloud token reaches (one entry of the
// accessible resources).
type CloudSiteInfo struct {
	// ID is the site's cloud id.
	ID string `json:"id"`
	// URL is the site's URL, such as https://acme.atlassian.net.
	URL string `json:"url"`
	// Name is the site's name.
	Name string `json:"name"`
	// Scopes are the scopes granted on it.
	Scopes []string `json:"scopes,omitempty"`
}

// cloudState is an Atlassian Cloud link's gateway and the cloud ids of its
// users' tokens.
type cloudState struct {
	authBase, apiBase string
	// product is the gateway's product segment: jira or confluence.
	product string
	mu      sync.Mutex
	// ids caches the site's cloud id by token fingerprint: resolved once
	// per token, and carried over to the token a refresh gives.
	ids map[string]string
}

// newCloudState returns the Cloud state of a link, nil for a Data Center
// link.
func newCloudState(l *Link) *cloudState {
	if l.Cloud == nil {
		return nil
	}
	c := &cloudState{authBase: DefaultCloudAuthBase, apiBase: DefaultCloudAPIBase, product: "jira", ids: map[string]string{}}
	if l.Cloud.AuthBase != "" {
		c.authBase = strings.TrimSuffix(l.Cloud.AuthBase, "/")
	}
	if l.Cloud.APIBase != "" {
		c.apiBase = strings.TrimSuffix(l.Cloud.APIBase, "/")
	}
	if l.Type == TypeConfluence {
		c.product = "confluence"
	}
	return c
}

// validateCloud adds the problems of a Cloud link's settings to bad.
func (l Link) validateCloud(bad func(field, format string, args ...any)) {
	if l.Cloud == nil {
		return
	}
	if l.Type != TypeJira && l.Type != TypeConfluence {
		bad("type", "an Atlassian Cloud link is of type jira or confluence, not %s", l.Type)
	}
	if len(l.Auth) != 1 || l.Auth[0] != AuthOAuth2 {
		bad("auth", "an Atlassian Cloud link uses oauth2 alone: Cloud has no 2LO, 2LOi (impersonation), client credentials or PATs for OAuth 2.0 (3LO) apps; each user consents once")
	}
	if l.OAuth2 != nil {
		if l.OAuth2.AuthorizePath != "" || l.OAuth2.TokenPath != "" {
			bad("oauth2.tokenPath", "an Atlassian Cloud link's endpoints come from cloud.authBase: remove oauth2.authorizePath and oauth2.tokenPath")
		}
		if l.OAuth2.ClientAuth == "basic" {
			bad("oauth2.clientAuth", "Atlassian Cloud's token endpoint takes the client id and secret in its JSON body: remove clientAuth")
		}
	}
	for _, f := range []struct{ field, v string }{{"cloud.authBase", l.Cloud.AuthBase}, {"cloud.apiBase", l.Cloud.APIBase}} {
		if f.v == "" {
			continue
		}
		if err := checkBaseURL(f.v); err != nil {
			bad(f.field, "%v", err)
		} else if err := checkOAuth2URL(f.v, l.OAuth2 != nil && l.OAuth2.AllowInsecureHTTP, false); err != nil {
			bad(f.field, "%v", err)
		}
	}
}

// cloudOAuth2 returns the OAuth 2.0 client of a Cloud link.
func (l *Link) cloudOAuth2(secret string) *oauth2link.Config {
	cs := newCloudState(l)
	c := l.OAuth2
	return &oauth2link.Config{
		ClientID: c.ClientID, ClientSecret: redact.NewSecret(secret),
		AuthorizationURL: cs.authBase + "/authorize", TokenURL: cs.authBase + "/oauth/token",
		RedirectURL: c.RedirectURL, Scopes: slices.Clone(c.Scopes),
		AuthParams: map[string]string{"audience": CloudAudience, "prompt": "consent"},
		JSONBody:   true,
	}
}

// cloudAuth is the authenticator of Atlassian Cloud's OAuth 2.0 (3LO): the
// user's bearer token, requests routed through the API gateway to the
// site's cloud id.
type cloudAuth struct{}

func (cloudAuth) kind() token.Kind { return token.KindOAuth2 }

func (cloudAuth) authorize(out *http.Request, tok *token.AccessToken) {
	out.Header.Set("Authorization", "Bearer "+tok.Secret.Reveal())
}

// route sends a request written as on the site (/rest/api/3/myself) to
// {apiBase}/ex/{product}/{cloudId}/rest/api/3/myself; for Confluence the
// site's /wiki context path is kept (/ex/confluence/{cloudId}/wiki/...).
func (cloudAuth) route(ctx context.Context, f *RequestFactory, tok *token.AccessToken, u *url.URL) (*url.URL, error) {
	st := f.link.state
	id, err := st.cloud.cloudID(ctx, f, tok)
	if err != nil {
		return nil, err
	}
	base, err := url.Parse(st.cloud.apiBase)
	if err != nil {
		return nil, fmt.Errorf("applink: link %q: cloud.apiBase: %w", f.link.Name, redactParseError(err))
	}
	// The site's own context path (a link to https://acme.atlassian.net/wiki)
	// is not part of the gateway's path, but Confluence's /wiki is.
	path := strings.TrimPrefix(u.EscapedPath(), strings.TrimSuffix(st.rpc.EscapedPath(), "/"))
	if st.cloud.product == "confluence" && path != "/wiki" && !strings.HasPrefix(path, "/wiki/") {
		path = "/wiki" + path
	}
	out := *u
	out.Scheme, out.Host = base.Scheme, base.Host
	raw := strings.TrimSuffix(base.EscapedPath(), "/") + "/ex/" + st.cloud.product + "/" + url.PathEscape(id) + path
	p, err := url.PathUnescape(raw)
	if err != nil {
		return nil, fmt.Errorf("applink: link %q: %s: %w", f.link.Name, redact.URL(u), err)
	}
	out.Path, out.RawPath = p, raw
	return &out, nil
}

// refusal: any 401 to a bearer request, as for Data Center OAuth 2.0, but
// the gateway's "Unauthorized; scope does not match" (a 401 for a scope
// the token lacks) refuses nothing: the token is fine for what it was
// granted, and the response is the caller's.
func (cloudAuth) refusal(f *RequestFactory, _ *token.AccessToken, out *http.Request, resp *http.Response) error {
	if resp.StatusCode != http.StatusUnauthorized {
		return nil
	}
	if cloudScopeMismatch(resp) {
		return nil
	}
	step := out.Method + " " + redact.URL(out.URL)
	if p := bearerProblem(f.link.Name, step, resp); p != nil {
		return p
	}
	return &OAuth2Error{LinkName: f.link.Name, Step: step, Status: resp.StatusCode,
		Code: oauth2link.CodeInvalidToken, Description: "a 401 from Atlassian's API gateway"}
}

// answer reads the gateway's 401 "Unauthorized; scope does not match" as
// *OAuth2Error insufficient_scope: the token is fine for what it was
// granted, the resource needs a scope the consent did not include.
func (cloudAuth) answer(f *RequestFactory, step string, resp *http.Response) error {
	if resp.StatusCode != http.StatusUnauthorized || !cloudScopeMismatch(resp) {
		return nil
	}
	return &OAuth2Error{LinkName: f.link.Name, Step: step, Status: resp.StatusCode, Code: oauth2link.CodeInsufficientScope,
		Description: "Atlassian's gateway: Unauthorized; scope does not match", Scope: "a scope the consent did not grant (see the resource's documentation)"}
}

func (cloudAuth) protocol(st *linkState) engine.Protocol[*token.AccessToken] {
	return cloudTokens{oauth2Tokens{st: st}}
}

// cloudTokens is the token source's view of Cloud tokens: OAuth 2.0
// tokens, refreshed with a JSON body and without redirect_uri, whose
// refusal also reads 403 unauthorized_client "refresh_token is invalid"
// (what Atlassian has answered for a dead refresh token) as refusing the
// token. A renewed token keeps the cloud id of the one it replaces.
type cloudTokens struct{ oauth2Tokens }

func (c cloudTokens) Renew(ctx context.Context, t *token.AccessToken) (*token.AccessToken, error) {
	fresh, err := c.st.refreshOAuth2(ctx, t)
	if err == nil {
		c.st.cloud.carry(t.Token, fresh.Token)
	}
	return fresh, err
}

func (c cloudTokens) Refused(err error) bool {
	if c.oauth2Tokens.Refused(err) {
		return true
	}
	var e *OAuth2Error
	return errors.As(err, &e) && e.Code == oauth2link.CodeUnauthorized &&
		strings.Contains(strings.ToLower(e.Description), "refresh_token is invalid")
}

// cloudScopeMismatch reports whether a 401 is the gateway's "Unauthorized;
// scope does not match": the token lacks a scope, and is not refused. It
// leaves the body readable from the start.
func cloudScopeMismatch(resp *http.Response) bool {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), resp.Body), resp.Body}
	return bytes.Contains(bytes.ToLower(body), []byte("scope does not match"))
}

// carry gives the token named to the cloud id of the token named from.
func (c *cloudState) carry(from, to string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if id, ok := c.ids[from]; ok {
		c.ids[to] = id
		delete(c.ids, from)
	}
}

// cloudID returns the link's site's cloud id for tok: cached, or found in
// the sites tok reaches.
func (c *cloudState) cloudID(ctx context.Context, f *RequestFactory, tok *token.AccessToken) (string, error) {
	c.mu.Lock()
	id, ok := c.ids[tok.Token]
	c.mu.Unlock()
	if ok {
		return id, nil
	}
	sites, err := c.accessibleResources(ctx, f, tok)
	if err != nil {
		return "", err
	}
	want := normSite(f.link.RPCURL)
	var granted []string
	for _, s := range sites {
		if normSite(s.URL) == want {
			c.mu.Lock()
			if len(c.ids) > 10000 { // a bound on a long-lived process
				clear(c.ids)
			}
			c.ids[tok.Token] = s.ID
			c.mu.Unlock()
			return s.ID, nil
		}
		granted = append(granted, s.URL)
	}
	return "", &SiteNotGrantedError{LinkName: f.link.Name, User: f.user, Site: f.link.RPCURL, Granted: granted}
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

// maxAccessibleResources bounds the accessible resources' answer.
const maxAccessibleResources = 1 << 20

// routeRefusal is the gateway's 401 to the accessible resources: the
// token itself was refused, as by a resource.
type routeRefusal struct{ err error }

func (r *routeRefusal) Error() string { return r.err.Error() }
func (r *routeRefusal) Unwrap() error { return r.err }

// accessibleResources lists the sites tok reaches.
func (c *cloudState) accessibleResources(ctx context.Context, f *RequestFactory, tok *token.AccessToken) ([]CloudSiteInfo, error) {
	st := f.link.state
	u := c.apiBase + "/oauth/token/accessible-resources"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("applink: link %q: cloud.apiBase: %w", f.link.Name, redactParseError(err))
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", st.svc.agent)
	req.Header.Set("Authorization", "Bearer "+tok.Secret.Reveal())
	resp, err := st.tokenClient("listing the sites the token reaches").Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("applink: link %q: listing the sites user %q's token reaches: %w", f.link.Name, f.user, unwrapURLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAccessibleResources+1))
	if err != nil {
		return nil, fmt.Errorf("applink: link %q: reading the sites user %q's token reaches: %w", f.link.Name, f.user, err)
	}
	step := "GET " + redact.URLString(u)
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return nil, &routeRefusal{&OAuth2Error{LinkName: f.link.Name, Step: step, Status: resp.StatusCode, Code: oauth2link.CodeInvalidToken,
			Description: "the gateway refused the token"}}
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("applink: link %q: %s answered %s: try again later; if it persists, check cloud.apiBase (%s)",
			f.link.Name, step, resp.Status, redact.URLString(c.apiBase))
	case len(body) > maxAccessibleResources:
		return nil, fmt.Errorf("applink: link %q: %s answered more than %d bytes: check cloud.apiBase", f.link.Name, step, maxAccessibleResources)
	}
	var sites []CloudSiteInfo
	if err := json.Unmarshal(body, &sites); err != nil {
		return nil, fmt.Errorf("applink: link %q: %s did not answer a JSON list of sites (%v): check cloud.apiBase", f.link.Name, step, err)
	}
	return sites, nil
}

// CloudSites returns the sites the user's token reaches (Atlassian's
// accessible resources), for a Cloud link; the token is renewed first if
// it has expired, as for a request. It is what the doctor shows when the
// link's site is not among them.
func (f *RequestFactory) CloudSites(ctx context.Context) ([]CloudSiteInfo, error) {
	st := f.link.state
	if st.cloud == nil {
		return nil, fmt.Errorf("applink: link %q is not an Atlassian Cloud link", f.link.Name)
	}
	tok, err := f.methodToken(ctx, false, AuthOAuth2)
	if err != nil {
		return nil, err
	}
	sites, err := st.cloud.accessibleResources(ctx, f, tok)
	var rr *routeRefusal
	if errors.As(err, &rr) {
		return nil, rr.err
	}
	return sites, err
}
