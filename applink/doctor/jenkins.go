package doctor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/signer"
)

// crumbIssuerPath is Jenkins' CSRF crumb issuer.
const crumbIssuerPath = "/crumbIssuer/api/json"

// jenkinsChecks checks what a Jenkins link needs beyond OAuth: the plugin's
// endpoints, the crumb issuer, and who /me/api/json says the user is.
func (d *diagnosis) jenkinsChecks(ctx context.Context) []Check {
	if d.link.Type != applink.TypeJenkins {
		return nil
	}
	return []Check{d.jenkinsEndpoints(ctx), d.jenkinsCrumb(ctx), d.jenkinsIdentity()}
}

// jenkinsEndpoints posts, unsigned, to the plugin's request-token endpoint:
// it should answer with an OAuth problem, not 404.
func (d *diagnosis) jenkinsEndpoints(ctx context.Context) Check {
	c := Check{Name: checkJenkinsEndpoints, Category: CategoryConfig}
	path := d.link.Endpoints.RequestToken
	what := "POST " + path + " (unsigned)"
	ans, err := d.fetch(ctx, http.MethodPost, path, nil)
	if err != nil {
		c.Category, c.Status = CategoryNetwork, StatusFail
		c.Summary = what + " failed: " + firstLine(err.Error())
		c.Fix = "Jenkins did not answer: check that it is up and reachable from here."
		return c
	}
	c.Evidence = []string{fmt.Sprintf("%s: HTTP %d", what, ans.status)}
	p := signer.ParseProblem(ans.status, ans.header, ans.body)
	switch {
	case p != nil:
		c.Evidence = append(c.Evidence, "oauth problem: "+p.Error())
		c.Status = StatusPass
		c.Summary = fmt.Sprintf("the Bitbucket Server Integration plugin's OAuth endpoints answer (%s: %s, as expected unsigned)", path, p.Problem)
	case ans.status == http.StatusOK && bytes.Contains(ans.body, []byte("oauth_token")):
		c.Status = StatusPass
		c.Summary = "the Bitbucket Server Integration plugin's OAuth endpoints answer (" + path + " issued a token)"
	case ans.status == http.StatusNotFound:
		c.Status = StatusFail
		c.Summary = fmt.Sprintf("%s: HTTP 404: the Atlassian Bitbucket Server Integration plugin's OAuth endpoints are missing", what)
		c.Fix = "Install or update the Atlassian Bitbucket Server Integration plugin (Manage Jenkins → Plugins), and check that the link's rpcUrl includes Jenkins' context path (such as /jenkins)."
	case ans.status == http.StatusForbidden && bytes.Contains(bytes.ToLower(ans.body), []byte("crumb")):
		c.Category, c.Status = CategoryCSRF, StatusFail
		c.Summary = what + ": 403 No valid crumb: Jenkins' CSRF protection blocks the plugin's OAuth token endpoint"
		c.Evidence = append(c.Evidence, "body: "+excerpt(ans.body))
		c.Fix = "Update the Atlassian Bitbucket Server Integration plugin: from 2.1.1 its OAuth endpoints are exempt from CSRF protection."
	default:
		c.Status = StatusWarn
		c.Summary = fmt.Sprintf("%s: unexpected HTTP %d (no OAuth problem)", what, ans.status)
		c.Evidence = append(c.Evidence, "body: "+excerpt(ans.body))
		c.Fix = "Check that the Atlassian Bitbucket Server Integration plugin is installed and that nothing in front of Jenkins answers for it."
	}
	return c
}

// jenkinsCrumb asks the crumb issuer for a crumb as the user (3LO).
func (d *diagnosis) jenkinsCrumb(ctx context.Context) Check {
	c := Check{Name: checkJenkinsCrumb, Category: CategoryCSRF}
	if !d.identityUsable() {
		c.Status, c.Summary = StatusSkip, "not checked: it needs a working 3LO request as the user (see probe-3lo)"
		return c
	}
	pr := d.probe(ctx, applink.Auth3LO, crumbIssuerPath)
	return d.classifyCrumb(pr)
}

// classifyCrumb judges the crumb issuer's answer.
func (d *diagnosis) classifyCrumb(pr *probeResult) Check {
	c := Check{Name: checkJenkinsCrumb, Category: CategoryCSRF}
	if pr.err != nil || pr.problem != nil {
		return d.classify(checkJenkinsCrumb, pr)
	}
	what := "GET " + crumbIssuerPath + " with 3LO as " + d.user
	c.Evidence = []string{fmt.Sprintf("%s: HTTP %d", what, pr.status)}
	const consequence = "POSTs other than /job/<name>/build (buildWithParameters, ...) will fail with 403 No valid crumb"
	switch pr.status {
	case http.StatusOK:
		var body struct {
			Field string `json:"crumbRequestField"`
			Crumb string `json:"crumb"`
		}
		if err := json.Unmarshal(bytes.TrimSpace(pr.body), &body); err != nil || body.Field == "" || body.Crumb == "" {
			c.Status = StatusWarn
			c.Summary = "the crumb issuer answered without a crumb: " + consequence
			c.Fix = "Check that the crumb issuer is Jenkins' (Manage Jenkins → Security → CSRF Protection) and that nothing in front of Jenkins rewrites its answers."
			return c
		}
		c.Status = StatusPass
		c.Summary = fmt.Sprintf("the crumb issuer gives %s a crumb (sent as %s on POSTs)", d.user, body.Field)
	case http.StatusNotFound:
		c.Status = StatusFail
		c.Summary = "the crumb issuer is not reachable (" + crumbIssuerPath + ": HTTP 404): " + consequence
		c.Fix = "Check that a reverse proxy in front of Jenkins forwards " + crumbIssuerPath + " and that CSRF Protection's crumb issuer is set (Manage Jenkins → Security); if CSRF protection is off on purpose, nothing needs a crumb."
	case http.StatusForbidden, http.StatusUnauthorized:
		c.Status = StatusFail
		c.Summary = fmt.Sprintf("the crumb issuer refused %s (HTTP %d): %s", d.user, pr.status, consequence)
		c.Evidence = append(c.Evidence, "body: "+excerpt(pr.body))
		c.Fix = fmt.Sprintf("Give %s the Overall/Read permission in Jenkins (Manage Jenkins → Security): crumbs go to users who can read Jenkins.", d.user)
	default:
		c.Category, c.Status = CategoryNetwork, StatusFail
		c.Summary = fmt.Sprintf("the crumb issuer answered HTTP %d: %s", pr.status, consequence)
		c.Evidence = append(c.Evidence, "body: "+excerpt(pr.body))
		c.Fix = "Look at Jenkins' log for why " + crumbIssuerPath + " fails."
	}
	return c
}

// identityUsable reports whether the 3LO probe of /me/api/json got a
// non-OAuth answer.
func (d *diagnosis) identityUsable() bool {
	pr := d.identity
	return pr != nil && pr.err == nil && pr.problem == nil
}

// jenkinsIdentity compares who /me/api/json said with the user.
func (d *diagnosis) jenkinsIdentity() Check {
	c := Check{Name: checkJenkinsIdentity, Category: CategoryAccess}
	if !d.identityUsable() {
		c.Status, c.Summary = StatusSkip, "not checked: it needs a working 3LO request as the user (see probe-3lo)"
		return c
	}
	pr := d.identity
	c.Evidence = []string{fmt.Sprintf("GET %s with 3LO as %s: HTTP %d", pr.path, d.user, pr.status)}
	id := identityIn(pr.body, applink.TypeJenkins)
	switch {
	case pr.status != http.StatusOK:
		c.Status = StatusFail
		c.Summary = fmt.Sprintf("%s did not say who the user is (HTTP %d): Jenkins may have treated the request as anonymous", pr.path, pr.status)
		c.Evidence = append(c.Evidence, "body: "+excerpt(pr.body))
		c.Fix = fmt.Sprintf("Check that the Jenkins user %s exists, then authorize again (%s).", d.user, d.authorizeCommand())
	case id == "":
		c.Status = StatusWarn
		c.Summary = pr.path + " answered without a user id"
		c.Evidence = append(c.Evidence, "body: "+excerpt(pr.body))
	case strings.EqualFold(id, d.user):
		c.Status = StatusPass
		c.Summary = fmt.Sprintf("%s names %q, the user", pr.path, id)
	default:
		c.Status = StatusFail
		c.Summary = fmt.Sprintf("the token acts as Jenkins user %q, not %q", id, d.user)
		c.Fix = fmt.Sprintf("The stored token was approved by another Jenkins account: authorize again, approving as %s (%s).", d.user, d.authorizeCommand())
	}
	return c
}
