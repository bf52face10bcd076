package doctor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/redact"
)

// Names of the OAuth 2.0 checks.
const (
	checkOAuth2Endpoints = "oauth2-endpoints"
	checkOAuth2Client    = "oauth2-client"
	checkOAuth2Token     = "oauth2-token"
	checkOAuth2Scopes    = "oauth2-scopes"
)

// runOAuth2 is run for an OAuth 2.0 link: the network checks, then that the
// consent page and the token endpoint answer, that the token endpoint
// accepts the client's id and secret, that the user's token (or the
// service account's) works on a harmless resource, and that it has the
// scopes the link asks for.
func (d *diagnosis) runOAuth2(ctx context.Context) []Check {
	var checks []Check
	reachable, failed := true, ""
	for _, c := range d.networkChecks(ctx) {
		checks = append(checks, c)
		if c.Status == StatusFail && reachable {
			reachable, failed = false, c.Name
		}
	}
	planned := []Check{
		{Name: checkOAuth2Endpoints, Category: CategoryConfig},
		{Name: checkOAuth2Client, Category: CategoryConfig},
		{Name: checkOAuth2Token, Category: CategoryAccess},
		{Name: checkOAuth2Scopes, Category: CategoryAccess},
	}
	skip := func(from int, why string) []Check {
		out := slices.Clone(planned[from:])
		for i := range out {
			out[i].Status, out[i].Summary = StatusSkip, "not checked: "+why
		}
		return out
	}
	if !reachable {
		return append(checks, skip(0, "the remote cannot be reached: fix the "+failed+" check first")...)
	}
	ep := d.oauth2Endpoints(ctx)
	checks = append(checks, ep)
	if ep.Status == StatusFail {
		return append(checks, skip(1, "the OAuth 2.0 endpoints do not answer")...)
	}
	cl := d.oauth2ClientCheck(ctx)
	checks = append(checks, cl)
	if cl.Status == StatusFail {
		return append(checks, skip(2, "the remote does not accept the client")...)
	}
	tok, granted := d.oauth2TokenCheck(ctx)
	checks = append(checks, tok)
	if tok.Status != StatusPass {
		return append(checks, skip(3, "no working token")...)
	}
	return append(checks, d.oauth2ScopesCheck(granted))
}

// oauth2Endpoints checks that the consent page and the token endpoint are
// there: a 404 means no OAuth 2.0 provider (a product before Jira 8.22, or
// a wrong path).
func (d *diagnosis) oauth2Endpoints(ctx context.Context) Check {
	c := Check{Name: checkOAuth2Endpoints, Category: CategoryConfig}
	o2 := d.seam.OAuth2
	for _, ep := range []struct {
		what, method, url string
	}{{"consent page", http.MethodGet, o2.AuthorizationURL}, {"token endpoint", http.MethodPost, o2.TokenURL}} {
		status, err := d.send(ctx, ep.method, ep.url)
		if err != nil {
			c.Status, c.Summary = StatusFail, "the "+ep.what+" cannot be reached"
			c.Evidence = append(c.Evidence, err.Error())
			c.Fix = "check that the remote serves " + redact.URLString(ep.url) + " (a proxy may block it)"
			return c
		}
		c.Evidence = append(c.Evidence, fmt.Sprintf("%s %s: %d", ep.method, redact.URLString(ep.url), status))
		if status == http.StatusNotFound {
			c.Status, c.Summary = StatusFail, "the remote has no OAuth 2.0 "+ep.what+" at "+redact.URLString(ep.url)
			c.Fix = "OAuth 2.0 incoming links need Jira 8.22 or later (Confluence, Bitbucket Data Center): upgrade, use an OAuth 1.0a link, or set oauth2.authorizePath and oauth2.tokenPath"
			return c
		}
	}
	c.Status, c.Summary = StatusPass, "the consent page and the token endpoint answer"
	return c
}

// send makes one unauthenticated request to an absolute URL and returns
// its status.
func (d *diagnosis) send(ctx context.Context, method, u string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, d.probeTimeout)
	defer cancel()
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader("")
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("User-Agent", d.seam.UserAgent)
	resp, err := (&http.Client{Transport: d.seam.Client.Transport, CheckRedirect: d.seam.Client.CheckRedirect}).Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %v", method, redact.URLString(u), redact.URLError(err))
	}
	drain(resp)
	return resp.StatusCode, nil
}

// oauth2ClientCheck asks the token endpoint to exchange a code that does
// not exist, authenticated as the client: invalid_grant means the client
// was accepted (and no token exists to be spent), invalid_client that its
// id or secret is wrong. A link with client-credentials gets a real token
// instead.
func (d *diagnosis) oauth2ClientCheck(ctx context.Context) Check {
	c := Check{Name: checkOAuth2Client, Category: CategoryConfig}
	o2 := d.seam.OAuth2
	ctx, cancel := context.WithTimeout(ctx, d.probeTimeout)
	defer cancel()
	var err error
	if allows(d.link, applink.AuthClientCredentials) {
		_, err = o2.ClientCredentials(ctx)
		if err == nil {
			c.Status, c.Summary = StatusPass, fmt.Sprintf("the remote accepts client %q and issued a client credentials token", o2.ClientID)
			return c
		}
	} else {
		err = o2.Exchange(ctx, "applink-doctor-no-such-code")
	}
	var oe *applink.OAuth2Error
	switch {
	case err == nil:
		c.Status, c.Summary = StatusWarn, "the token endpoint accepted a made-up authorization code"
	case errors.As(err, &oe) && (oe.Code == "invalid_grant" || oe.Code == "invalid_request"):
		c.Status, c.Summary = StatusPass, fmt.Sprintf("the remote accepts client %q", o2.ClientID)
		c.Evidence = append(c.Evidence, "a made-up code was refused with "+oe.Code+", after the client was authenticated")
	case errors.As(err, &oe) && (oe.Code == "invalid_client" || oe.Code == "unauthorized_client" || oe.Code == "access_denied"):
		c.Status, c.Summary = StatusFail, fmt.Sprintf("the remote refuses client %q (%s)", o2.ClientID, oe.Code)
		c.Evidence = append(c.Evidence, oe.Error())
		c.Fix = "compare oauth2.clientId and the secret in " + d.secretSource() + " with the incoming OAuth 2.0 link at the remote (Administration → Applications → Application links)"
		if d.link.Cloud != nil {
			c.Fix = "compare oauth2.clientId and the secret in " + d.secretSource() + " with the app's Settings in Atlassian's developer console"
		}
	default:
		c.Status, c.Summary = StatusWarn, "the token endpoint answered unexpectedly"
		c.Evidence = append(c.Evidence, err.Error())
	}
	return c
}

func (d *diagnosis) secretSource() string {
	c := d.link.OAuth2
	switch {
	case c.ClientSecretEnv != "":
		return "$" + c.ClientSecretEnv
	case c.ClientSecretFile != "":
		return c.ClientSecretFile
	}
	return "the secret given in code"
}

// oauth2TokenCheck requests the harmless resource with the user's token
// (refreshed if it expired), or the service account's, and returns the
// token's scopes.
func (d *diagnosis) oauth2TokenCheck(ctx context.Context) (Check, []string) {
	c := Check{Name: checkOAuth2Token, Category: CategoryAccess}
	auth := applink.AuthOAuth2
	user := d.user
	if user == "" || !allows(d.link, applink.AuthOAuth2) {
		if !allows(d.link, applink.AuthClientCredentials) {
			c.Status, c.Summary = StatusSkip, "no user to check a token for"
			c.Fix = "pass the user: applink doctor --link " + shellWord(d.link.Name) + " --as USER"
			return c, nil
		}
		auth, user = applink.AuthClientCredentials, ""
	}
	f, err := d.link.RequestFactory(user, applink.WithAuth(auth))
	if err != nil {
		c.Status, c.Summary = StatusFail, err.Error()
		return c, nil
	}
	path := probePath(d.link.Type)
	ctx, cancel := context.WithTimeout(ctx, d.probeTimeout)
	defer cancel()
	req, err := f.NewRequest(http.MethodGet, path)
	if err != nil {
		c.Status, c.Summary = StatusFail, err.Error()
		return c, nil
	}
	resp, err := req.Do(ctx)
	var cre *applink.CredentialsRequiredError
	switch {
	case errors.As(err, &cre):
		c.Status = StatusFail
		c.Summary = fmt.Sprintf("%s has no working OAuth 2.0 token for this link", user)
		if cre.Cause != nil {
			c.Evidence = append(c.Evidence, cre.Cause.Error())
		}
		c.Fix = "authorize: " + d.authorizeCommand()
		return c, nil
	case err != nil:
		c.Status, c.Summary = StatusFail, "the token was refused"
		c.Evidence = append(c.Evidence, err.Error())
		return c, nil
	}
	drain(resp)
	c.Evidence = append(c.Evidence, fmt.Sprintf("GET %s with the %s token: %d", path, auth, resp.StatusCode))
	if resp.StatusCode >= 400 {
		c.Status, c.Summary = StatusWarn, fmt.Sprintf("the token works, but %s answered %d", path, resp.StatusCode)
	} else {
		c.Status = StatusPass
		c.Summary = "the service account's token works"
		if auth == applink.AuthOAuth2 {
			c.Summary = fmt.Sprintf("%s's token works", user)
		}
	}
	var granted []string
	if auth == applink.AuthOAuth2 {
		if t, err := d.link.Service().TokenStore().AccessToken(ctx, token.Key{LinkID: d.link.ID, User: user}); err == nil {
			granted = t.Scopes
		}
	} else if scopes, err := d.seam.OAuth2.ClientCredentials(ctx); err == nil {
		granted = scopes // the token the request just used, kept by the link
	}
	return c, granted
}

// oauth2ScopesCheck compares the token's scopes with the link's.
func (d *diagnosis) oauth2ScopesCheck(granted []string) Check {
	c := Check{Name: checkOAuth2Scopes, Category: CategoryAccess}
	want := d.link.OAuth2.Scopes
	c.Evidence = append(c.Evidence, "granted: "+strings.Join(granted, " "), "asked: "+strings.Join(want, " "))
	var missing []string
	for _, w := range want {
		if !slices.ContainsFunc(granted, func(g string) bool { return scopeCovers(g, w) }) {
			missing = append(missing, w)
		}
	}
	switch {
	case granted == nil:
		c.Status, c.Summary = StatusWarn, "the remote did not say which scopes the token has"
	case len(missing) > 0:
		c.Status, c.Summary = StatusWarn, "the token lacks scope "+strings.Join(missing, " ")+" that the link asks for"
		c.Fix = "raise the incoming link's scope at the remote if needed, then authorize again: " + d.authorizeCommand()
	default:
		c.Status, c.Summary = StatusPass, "the token has scope "+strings.Join(granted, " ")
	}
	return c
}

// scopeCovers reports whether the granted scope includes the wanted one
// (READ < WRITE < ADMIN < SYSTEM_ADMIN).
func scopeCovers(granted, want string) bool {
	rank := func(s string) int {
		return slices.Index([]string{"READ", "WRITE", "ADMIN", "SYSTEM_ADMIN"}, s)
	}
	if rank(granted) < 0 || rank(want) < 0 {
		return granted == want
	}
	return rank(granted) >= rank(want)
}

// drain reads a little of a response body and closes it, so that the
// connection can be reused.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
	resp.Body.Close()
}
