package doctor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/internal/cloudsite"
)

// Names of the Atlassian Cloud checks.
const (
	checkCloudImpersonation = "cloud-impersonation"
	checkCloudScopes        = "cloud-scopes"
	checkCloudSite          = "cloud-site"
	checkCloudToken         = "cloud-token"
)

// runCloud is run for an Atlassian Cloud link: the client at Atlassian's
// token endpoint, the scopes (offline_access, and what the user's token
// was granted), that the link's site is among the sites the user granted,
// the clock against the API gateway's, and a note that Cloud has no
// impersonation.
func (d *diagnosis) runCloud(ctx context.Context) []Check {
	checks := []Check{{Name: checkCloudImpersonation, Category: CategoryConfig, Status: StatusPass,
		Summary: "Atlassian Cloud has no impersonation (no 2LOi, no xoauth_requestor_id): every user consents once with the OAuth 2.0 (3LO) app",
		Fix:     "For work without a user, consent once as a service account (an Atlassian account of its own) and act as it; there is no way to act as another user."}}
	checks = append(checks, d.oauth2ClientCheck(ctx))
	checks = append(checks, d.cloudScopesCheck(ctx))
	site := d.cloudSiteCheck(ctx)
	checks = append(checks, site)
	if site.Status == StatusPass {
		checks = append(checks, d.cloudTokenCheck(ctx))
	}
	d.noteGatewayDate(ctx)
	return append(checks, d.clockCheck(true))
}

// cloudBases returns the link's auth and API bases.
func (d *diagnosis) cloudBases() (auth, api string) {
	auth, api = cloudsite.DefaultAuthBase, cloudsite.DefaultAPIBase
	if c := d.link.Cloud; c != nil {
		if c.AuthBase != "" {
			auth = strings.TrimSuffix(c.AuthBase, "/")
		}
		if c.APIBase != "" {
			api = strings.TrimSuffix(c.APIBase, "/")
		}
	}
	return auth, api
}

// cloudScopesCheck: offline_access asked for (else no refresh token at
// all), and the user's token granted what the link asks for.
func (d *diagnosis) cloudScopesCheck(ctx context.Context) Check {
	c := Check{Name: checkCloudScopes, Category: CategoryConfig}
	want := d.link.OAuth2.Scopes
	c.Evidence = append(c.Evidence, "asked: "+strings.Join(want, " "))
	if !slices.Contains(want, cloudsite.ScopeOfflineAccess) {
		c.Status = StatusFail
		c.Summary = "the link does not ask for offline_access: Atlassian gives no refresh token, so every user must consent again when their token expires (an hour)"
		c.Fix = "Add offline_access to the link's scopes (oauth2.scopes; applink link add --scope '... offline_access'), then authorize again: " + d.authorizeCommand()
		return c
	}
	if d.user == "" {
		c.Status, c.Summary = StatusPass, "the link asks for offline_access (refresh tokens); name a user to compare their token's scopes"
		return c
	}
	t, err := d.link.Service().TokenStore().AccessToken(ctx, token.Key{LinkID: d.link.ID, User: d.user})
	if err != nil {
		c.Status, c.Summary = StatusPass, "the link asks for offline_access (refresh tokens); "+d.user+" has no token to compare"
		return c
	}
	c.Evidence = append(c.Evidence, "granted: "+strings.Join(t.Scopes, " "))
	var missing []string
	for _, w := range want {
		if !slices.Contains(t.Scopes, w) {
			missing = append(missing, w)
		}
	}
	switch {
	case t.Scopes == nil:
		c.Status, c.Summary = StatusWarn, "Atlassian did not say which scopes "+d.user+"'s token has"
	case len(missing) > 0:
		c.Status = StatusWarn
		c.Summary = fmt.Sprintf("%s's token lacks %s, which the link asks for (requests needing it answer 401 \"scope does not match\")", d.user, strings.Join(missing, " "))
		c.Fix = "Add the scopes to the app in Atlassian's developer console if needed, then authorize again: " + d.authorizeCommand()
		if t.RefreshToken.IsZero() {
			c.Summary += "; it has no refresh token"
		}
	default:
		c.Status, c.Summary = StatusPass, d.user+"'s token has every scope the link asks for, offline_access included"
	}
	return c
}

// cloudSiteCheck: the link's site is among the sites the user's token
// reaches (the accessible resources).
func (d *diagnosis) cloudSiteCheck(ctx context.Context) Check {
	c := Check{Name: checkCloudSite, Category: CategoryAccess}
	if d.user == "" {
		c.Status, c.Summary = StatusSkip, "no user to check the granted sites for"
		c.Fix = "pass the user: applink doctor --link " + shellWord(d.link.Name) + " --as USER"
		return c
	}
	f, err := d.link.RequestFactory(d.user)
	if err != nil {
		c.Status, c.Summary = StatusFail, err.Error()
		return c
	}
	ctx, cancel := context.WithTimeout(ctx, d.probeTimeout)
	defer cancel()
	sites, err := f.CloudSites(ctx)
	var cre *applink.CredentialsRequiredError
	switch {
	case errors.As(err, &cre):
		c.Status, c.Summary = StatusFail, d.user+" has no working token for this link"
		if cre.Cause != nil {
			c.Evidence = append(c.Evidence, cre.Cause.Error())
		}
		c.Fix = "authorize: " + d.authorizeCommand()
		return c
	case err != nil:
		c.Status, c.Summary = StatusFail, "listing the sites "+d.user+"'s token reaches failed"
		c.Evidence = append(c.Evidence, err.Error())
		return c
	}
	var urls []string
	for _, s := range sites {
		urls = append(urls, s.URL)
		if strings.EqualFold(strings.TrimSuffix(s.URL, "/"), strings.TrimSuffix(d.link.RPCURL, "/")) {
			c.Status = StatusPass
			c.Summary = fmt.Sprintf("%s granted %s (%s, cloud id %s)", d.user, s.URL, s.Name, s.ID)
			return c
		}
	}
	c.Status = StatusFail
	granted := "no site"
	if len(urls) > 0 {
		granted = strings.Join(urls, ", ")
	}
	c.Summary = fmt.Sprintf("%s did not grant %s: their token reaches %s", d.user, d.link.RPCURL, granted)
	c.Fix = "Authorize again and choose " + d.link.RPCURL + " on Atlassian's consent page (" + d.authorizeCommand() + "); if it is not offered, the site's admin must allow the app."
	return c
}

// noteGatewayDate asks the API gateway for nothing (an unauthenticated
// request to the accessible resources, answered 401) to read its clock.
func (d *diagnosis) noteGatewayDate(ctx context.Context) {
	_, api := d.cloudBases()
	ctx, cancel := context.WithTimeout(ctx, d.probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, api+"/oauth/token/accessible-resources", nil)
	if err != nil {
		return
	}
	req.Header.Set("User-Agent", d.seam.UserAgent)
	resp, err := (&http.Client{Transport: d.seam.Client.Transport, CheckRedirect: d.seam.Client.CheckRedirect}).Do(req)
	if err != nil {
		return
	}
	drain(resp)
	d.noteDate(resp.Header, "the API gateway")
}

// cloudAccount is what Cloud says of the user a token acts as.
type cloudAccount struct {
	AccountID   string `json:"accountId"`
	DisplayName string `json:"displayName"`
}

// cloudTokenCheck requests who the user is through the gateway: on Cloud
// the user is the account the token belongs to (an accountId), whatever
// name the application knows them by.
func (d *diagnosis) cloudTokenCheck(ctx context.Context) Check {
	c := Check{Name: checkCloudToken, Category: CategoryAccess}
	path := "/rest/api/3/myself"
	if d.link.Type == applink.TypeConfluence {
		path = "/wiki/rest/api/user/current"
	}
	f, err := d.link.RequestFactory(d.user)
	if err != nil {
		c.Status, c.Summary = StatusFail, err.Error()
		return c
	}
	req, err := f.NewRequest(http.MethodGet, path)
	if err != nil {
		c.Status, c.Summary = StatusFail, err.Error()
		return c
	}
	ctx, cancel := context.WithTimeout(ctx, d.probeTimeout)
	defer cancel()
	me, err := applink.Execute(ctx, req, handler.JSON[cloudAccount]())
	var oe *applink.OAuth2Error
	switch {
	case errors.As(err, &oe) && oe.Code == "insufficient_scope":
		c.Status, c.Summary = StatusWarn, fmt.Sprintf("%s's token works, but GET %s needs a scope it was not granted (%s)", d.user, path, oe.Description)
		c.Fix = "Add read:jira-user (Confluence: read:confluence-user) to the link's scopes and the app, then authorize again: " + d.authorizeCommand()
	case err != nil:
		c.Status, c.Summary = StatusFail, fmt.Sprintf("GET %s as %s failed", path, d.user)
		c.Evidence = append(c.Evidence, err.Error())
	default:
		c.Status = StatusPass
		c.Summary = fmt.Sprintf("%s's token acts as Atlassian account %s (%s)", d.user, me.AccountID, me.DisplayName)
	}
	return c
}
