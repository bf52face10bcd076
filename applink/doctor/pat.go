package doctor

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-applinks/applinks/applink"
)

// checkProbePAT is the check of a personal access token.
const checkProbePAT = "probe-pat"

// classifyPAT turns the probe of a personal access token into a check. It
// tells a token the remote refused (401: revoked, expired or never valid;
// a request would delete it) from a valid token whose owner lacks
// permission (403: the token is fine).
func (d *diagnosis) classifyPAT(pr *probeResult) Check {
	c := Check{Name: checkProbePAT, Category: CategoryAccess}
	whose, owner := "the link's own personal access token", "the bot account"
	if d.user != "" {
		whose, owner = fmt.Sprintf("%s's personal access token", d.user), d.user
	}
	what := "GET " + pr.path + " with " + whose
	set := fmt.Sprintf("applink tokens set --link %s --user %s --pat-env VAR", shellWord(d.link.Name), shellWord(d.user))
	if d.user == "" {
		set = "put the new token where the link's pat.tokenEnv or pat.tokenFile names"
	}
	if pr.err != nil {
		var need *applink.CredentialsRequiredError
		c.Status = StatusFail
		if errors.As(pr.err, &need) && need.Cause == nil {
			c.Summary = fmt.Sprintf("%s has no personal access token stored for this link", d.user)
			c.Fix = fmt.Sprintf("%s makes one in their profile at %s (Profile → Personal Access Tokens); store it with '%s'.", d.user, d.remoteName(), set)
			return c
		}
		c.Category = CategoryNetwork
		c.Summary = fmt.Sprintf("%s: %v", what, pr.err)
		return c
	}
	c.Evidence = append(c.Evidence, fmt.Sprintf("%s: HTTP %d", what, pr.status))
	if r := pr.header.Get("X-Seraph-LoginReason"); r != "" {
		c.Evidence = append(c.Evidence, "X-Seraph-LoginReason: "+excerpt([]byte(r)))
	}
	switch {
	case pr.status >= 200 && pr.status < 300:
		c.Status = StatusPass
		c.Summary = fmt.Sprintf("%s: HTTP %d", what, pr.status)
		if who := identityIn(pr.body, d.link.Type); who != "" {
			c.Summary += ", running as " + who
			if d.user != "" && !strings.EqualFold(who, d.user) {
				c.Status = StatusWarn
				c.Summary = fmt.Sprintf("%s ran as %q, not %q", what, who, d.user)
				c.Fix = fmt.Sprintf("The stored token belongs to another account: %s makes their own and stores it ('%s').", d.user, set)
			}
		}
	case pr.status == http.StatusUnauthorized:
		c.Status = StatusFail
		c.Summary = fmt.Sprintf("%s: HTTP 401: the remote refused the token (revoked, expired or not valid); a request would delete it", what)
		c.Fix = fmt.Sprintf("%s makes a new personal access token in their profile at %s (Profile → Personal Access Tokens); then %s.", owner, d.remoteName(), set)
	case pr.status == http.StatusForbidden:
		c.Status = StatusWarn
		c.Summary = fmt.Sprintf("%s: HTTP 403: the token is valid, but %s lacks permission for this resource", what, owner)
		c.Evidence = append(c.Evidence, "body: "+excerpt(pr.body))
		c.Fix = fmt.Sprintf("Keep the token. Grant %s the permission at %s (project or space permissions), or use a resource it may see.", owner, d.remoteName())
	default:
		c.Category, c.Status = CategoryNetwork, StatusWarn
		c.Summary = fmt.Sprintf("%s: HTTP %d", what, pr.status)
		c.Evidence = append(c.Evidence, "body: "+excerpt(pr.body))
	}
	return c
}
