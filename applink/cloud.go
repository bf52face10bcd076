package applink

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/cloudsite"
	"github.com/go-applinks/applinks/internal/engine"
	"github.com/go-applinks/applinks/internal/oauth2link"
	"github.com/go-applinks/applinks/internal/redact"
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
	// AuthBase overrides Atlassian's authorization server,
	// https://auth.atlassian.com (the consent page is {base}/authorize, the
	// token endpoint {base}/oauth/token); for tests.
	AuthBase string `json:"authBase,omitempty"`
	// APIBase overrides Atlassian's API gateway, https://api.atlassian.com
	// (the accessible resources and the /ex/jira and /ex/confluence routes);
	// for tests.
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

// newCloudState returns the Cloud gateway of a link, nil for a Data Center
// link.
func newCloudState(l *Link, agent string) *cloudsite.Gateway {
	if l.Cloud == nil {
		return nil
	}
	return cloudsite.New(l.Name, l.RPCURL, l.Cloud.AuthBase, l.Cloud.APIBase, l.Type == TypeConfluence, agent)
}

// validateCloud adds the problems of a Cloud link's settings to bad.
func (l Link) validateCloud(bad func(field, format string, args ...any)) {
	if l.Cloud == nil {
		return
	}
	s := cloudsite.Settings{Type: string(l.Type), AuthBase: l.Cloud.AuthBase, APIBase: l.Cloud.APIBase,
		OAuth2Only: len(l.Auth) == 1 && l.Auth[0] == AuthOAuth2}
	if o := l.OAuth2; o != nil {
		s.EndpointPaths, s.BasicAuth, s.AllowInsecureHTTP = o.AuthorizePath != "" || o.TokenPath != "", o.ClientAuth == "basic", o.AllowInsecureHTTP
	}
	cloudsite.Validate(s, bad)
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
// the gateway with the site's cloud id.
func (cloudAuth) route(ctx context.Context, f *RequestFactory, tok *token.AccessToken, u *url.URL) (*url.URL, error) {
	id, err := f.link.state.cloudID(ctx, f, tok)
	if err != nil {
		return nil, err
	}
	return f.link.state.cloud.Route(u, id)
}

// refusal: any 401 to a bearer request, as for Data Center OAuth 2.0, but
// the gateway's "Unauthorized; scope does not match" (a 401 for a scope
// the token lacks) refuses nothing: the token is fine for what it was
// granted, and the response is the caller's.
func (cloudAuth) refusal(f *RequestFactory, _ *token.AccessToken, out *http.Request, resp *http.Response) error {
	if resp.StatusCode != http.StatusUnauthorized {
		return nil
	}
	if cloudsite.ScopeMismatch(resp) {
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
	if resp.StatusCode != http.StatusUnauthorized || !cloudsite.ScopeMismatch(resp) {
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
		c.st.cloud.Carry(t.Token, fresh.Token)
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

// routeRefusal is the gateway's 401 to the accessible resources: the
// token itself was refused, as by a resource.
type routeRefusal struct{ err error }

func (r *routeRefusal) Error() string { return r.err.Error() }
func (r *routeRefusal) Unwrap() error { return r.err }

// cloudToken is what the gateway needs of tok.
func (f *RequestFactory) cloudToken(tok *token.AccessToken) cloudsite.Token {
	return cloudsite.Token{ID: tok.Token, Bearer: tok.Secret, User: f.user}
}

// cloudID returns the link's site's cloud id for tok.
func (st *linkState) cloudID(ctx context.Context, f *RequestFactory, tok *token.AccessToken) (string, error) {
	id, err := st.cloud.CloudID(ctx, st.tokenClient(cloudSitesStep), f.cloudToken(tok))
	return id, st.cloudError(f, err)
}

// cloudSitesStep names the accessible resources' request.
const cloudSitesStep = "listing the sites the token reaches"

// cloudError turns an error of the gateway into the link's: the site not
// granted, or the token refused (a *routeRefusal).
func (st *linkState) cloudError(f *RequestFactory, err error) error {
	var ng *cloudsite.NotGrantedError
	var oe *oauth2link.Error
	switch {
	case errors.As(err, &ng):
		return &SiteNotGrantedError{LinkName: st.link.Name, User: f.user, Site: st.link.RPCURL, Granted: ng.Granted}
	case errors.As(err, &oe):
		return &routeRefusal{st.oauth2Error(oe)}
	}
	return err
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
	sites, err := st.cloud.Sites(ctx, st.tokenClient(cloudSitesStep), f.cloudToken(tok))
	var oe *oauth2link.Error
	if errors.As(err, &oe) {
		return nil, st.oauth2Error(oe)
	}
	if err != nil {
		return nil, err
	}
	out := make([]CloudSiteInfo, len(sites))
	for i, s := range sites {
		out[i] = CloudSiteInfo(s)
	}
	return out, nil
}
