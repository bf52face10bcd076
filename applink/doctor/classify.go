package doctor

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/internal/sigbase"
	"github.com/go-applinks/applinks/signer"
)

// classify turns a probe's outcome into a check.
func (d *diagnosis) classify(name string, pr *probeResult) Check {
	c := Check{Name: name, Category: CategorySignature}
	l := d.link
	what := "GET " + pr.path + " with " + authLabel(pr.auth)
	if pr.auth.Impersonating() {
		what += " as " + d.user
	}
	if pr.corrected != 0 {
		c.Evidence = append(c.Evidence, fmt.Sprintf("the remote refused our timestamp (timestamp_refused): the request was sent again with our clock corrected by %s (see the clock check)", seconds(pr.corrected)))
	}
	if pr.err != nil {
		return d.classifyError(c, what, pr)
	}
	c.Evidence = append(c.Evidence, fmt.Sprintf("%s: HTTP %d", what, pr.status))
	if p := pr.problem; p != nil {
		c.Evidence = append(c.Evidence, "oauth problem: "+p.Error())
		return d.classifyProblem(c, what, pr)
	}
	who := identityIn(pr.body, l.Type)
	switch {
	case pr.status >= 200 && pr.status < 300:
		c.Status = StatusPass
		c.Summary = fmt.Sprintf("%s: HTTP %d", what, pr.status)
		switch {
		case pr.auth == applink.Auth2LO && who != "":
			c.Summary += ", running as " + who
		case pr.auth == applink.Auth2LO:
			c.Summary += ", running as the remote's 2LO user (or anonymously)"
		case who != "" && !strings.EqualFold(who, d.user) && l.Type != applink.TypeJenkins:
			c.Category, c.Status = CategoryAccess, StatusWarn
			c.Summary = fmt.Sprintf("%s ran as %q, not %q", what, who, d.user)
			c.Fix = fmt.Sprintf("The stored token belongs to another account: authorize again as %s (%s).", d.user, d.authorizeCommand())
		}
	case (pr.status == http.StatusUnauthorized || pr.status == http.StatusForbidden) && pr.auth == applink.Auth2LO:
		// No OAuth problem: the signature passed, and the remote ran the
		// request as its 2LO user, which it has none of (or a proxy
		// dropped the Authorization header, which looks the same).
		c.Category, c.Status = CategoryAccess, StatusWarn
		c.Summary = fmt.Sprintf("%s: HTTP %d without an OAuth problem: the remote ran the request anonymously (no 2LO \"execute as\" user)", what, pr.status)
		c.Evidence = append(c.Evidence, "body: "+excerpt(pr.body))
		c.Fix = fmt.Sprintf("If 2LO requests need a user, set the \"execute as\" user of the incoming link for consumer %q on %s (or use 2LOi); if one is set, check that no proxy strips the Authorization header.", l.ConsumerKey, d.remoteName())
	case pr.status == http.StatusUnauthorized || pr.status == http.StatusForbidden:
		c.Category, c.Status = CategoryAccess, StatusFail
		c.Summary = fmt.Sprintf("%s: HTTP %d without an OAuth problem: the remote did not accept the request as signed", what, pr.status)
		c.Evidence = append(c.Evidence, "body: "+excerpt(pr.body))
		c.Fix = "A proxy may strip the Authorization header, or the remote may not check OAuth on this path: make sure the Authorization header reaches the remote, and that OAuth is enabled for its incoming link."
	case pr.status == http.StatusNotFound:
		c.Status = StatusWarn
		c.Summary = fmt.Sprintf("%s: HTTP 404: the signature was not refused, but the probe resource does not exist", what)
		c.Fix = "Check that the link's type and rpcUrl (context path included) are right: the probe expected a " + string(l.Type) + " at " + redact.URL(d.rpc) + "."
	case pr.status >= 300 && pr.status < 400:
		c.Status = StatusWarn
		c.Summary = fmt.Sprintf("%s: redirected (HTTP %d) to %s", what, pr.status, redact.URLString(pr.header.Get("Location")))
		c.Fix = "The remote redirects: make the link's rpcUrl the URL it redirects to."
	default:
		c.Category, c.Status = CategoryNetwork, StatusFail
		c.Summary = fmt.Sprintf("%s: unexpected answer HTTP %d", what, pr.status)
		c.Evidence = append(c.Evidence, "body: "+excerpt(pr.body))
		c.Fix = "The remote (or a proxy before it) fails: look at its logs, then run the diagnosis again."
	}
	return c
}

// classifyError classifies a probe that got no answer to classify.
func (d *diagnosis) classifyError(c Check, what string, pr *probeResult) Check {
	c.Status = StatusFail
	var (
		need *applink.CredentialsRequiredError
		cfg  *applink.AuthNotConfiguredError
	)
	switch {
	case errors.As(pr.err, &need):
		c.Category = CategoryAccess
		if need.Cause != nil {
			c.Summary = fmt.Sprintf("user %q's token for this link can no longer be used: %v", d.user, need.Cause)
		} else {
			c.Summary = fmt.Sprintf("user %q has no token for this link: 3LO needs the user to authorize it first", d.user)
		}
		c.Fix = "Authorize the link as the user (the 3-legged dance): " + d.authorizeCommand() + "."
	case refusedTwice(pr.err) != nil:
		c.Category = CategoryClock
		c.Summary = "the remote refused our timestamp twice (timestamp_refused), even corrected by its acceptable range"
		c.Evidence = append(c.Evidence, pr.err.Error())
		c.Fix = d.clockFix()
	case errors.As(pr.err, &cfg):
		c.Category = CategoryConfig
		c.Summary = cfg.Error()
	default:
		c.Category = CategoryNetwork
		c.Summary = what + " failed: " + firstLine(pr.err.Error())
		c.Evidence = append(c.Evidence, pr.err.Error())
		c.Fix = "The remote did not answer the probe: check that it is up and reachable from here (see the network checks)."
	}
	return c
}

// classifyProblem classifies an OAuth problem answer.
func (d *diagnosis) classifyProblem(c Check, what string, pr *probeResult) Check {
	p := pr.problem
	l := d.link
	c.Status = StatusFail
	key := l.ConsumerKey
	switch {
	case p.Problem == signer.ProblemSignatureInvalid:
		return d.classifySignature(c, pr)
	case p.Problem == signer.ProblemConsumerKeyUnknown:
		c.Category = CategoryConfig
		c.Summary = fmt.Sprintf("consumer_key_unknown: the remote has no incoming link for consumer key %q", key)
		c.Fix = d.incomingLinkFix()
	case p.Problem == signer.ProblemConsumerKeyRejected || p.Problem == signer.ProblemConsumerKeyRefused:
		c.Category = CategoryConfig
		c.Summary = fmt.Sprintf("%s: the remote refuses consumer %q", p.Problem, key)
		c.Fix = fmt.Sprintf("Check the incoming link for consumer key %q on %s: it may be disabled or limited to other kinds of request.", key, d.remoteName())
	case p.Problem == signer.ProblemPermissionDenied:
		c.Category = CategoryConfig
		c.Summary, c.Fix = d.permissionDenied(pr.auth)
	case p.Problem == signer.ProblemTimestampRefused:
		c.Category = CategoryClock
		c.Summary = "timestamp_refused: the remote's clock and ours are more than 5 minutes apart"
		c.Fix = d.clockFix()
	case strings.Contains(strings.ToLower(p.Problem), "no user associated"):
		c.Category = CategoryAccess
		c.Summary = fmt.Sprintf("the remote no longer knows the user of %q's token (%q)", d.user, p.Problem)
		c.Fix = fmt.Sprintf("The account was deleted or renamed on the remote: authorize again as an existing user (%s).", d.authorizeCommand())
	case p.IsToken():
		c.Category = CategoryAccess
		c.Summary = fmt.Sprintf("%s: the remote no longer accepts user %q's token", p.Problem, d.user)
		c.Fix = "Authorize again (the stored token is no good): " + d.authorizeCommand() + "."
	case p.Problem == signer.ProblemNonceUsed:
		c.Summary = "nonce_used twice: something replays our requests, or the remote's nonce store is confused"
		c.Fix = "Check that no proxy between here and the remote retries requests on its own, then run the diagnosis again."
	case p.Problem == signer.ProblemSignatureMethodRejected:
		c.Category = CategoryConfig
		c.Summary = "signature_method_rejected: the remote does not accept " + d.methodName() + " from this consumer"
		c.Fix = "Atlassian products take RSA-SHA1 (set privateKeyFile), Jenkins HMAC-SHA1 (set secretEnv or secretFile): give the link the credential the remote's incoming link has."
	case freeText(p.Problem):
		c.Category = CategoryAccess
		user := d.user
		if pr.auth == applink.Auth2LO {
			user = "the 2LO user of the remote's incoming link"
		}
		c.Summary = fmt.Sprintf("the remote refused the user: %q", p.Problem)
		c.Fix = fmt.Sprintf("Check that %s exists on the remote under that user name (its login name, not its display name).", user)
		if pr.auth == applink.Auth2LO {
			c.Fix = fmt.Sprintf("Set the \"execute as\" user of the incoming link for consumer %q on %s to a user that exists.", key, d.remoteName())
		}
	default:
		if advice := (&applink.OAuthError{Problem: p}).Advice(); advice != "" {
			c.Fix = strings.ToUpper(advice[:1]) + advice[1:] + "."
		} else {
			c.Fix = "Look up the problem in the remote's logs (atlassian-jira.log, jenkins.log) for the details."
		}
		c.Summary = fmt.Sprintf("the remote answered the OAuth problem %q", p.Problem)
	}
	return c
}

// freeText reports whether a problem is free text rather than one of the
// problem names (which are lower-case words joined by underscores).
func freeText(problem string) bool {
	return strings.ContainsAny(problem, " '\"")
}

// permissionDenied explains permission_denied for a method: the remote's
// incoming link does not allow it (the authentication-level mismatch).
func (d *diagnosis) permissionDenied(a applink.Auth) (summary, fix string) {
	key, remote := d.link.ConsumerKey, d.remoteName()
	switch a {
	case applink.Auth2LOi:
		return fmt.Sprintf("permission_denied on 2LOi: impersonation is not enabled for consumer %q on the remote (authentication level mismatch: the link uses 2LOi, the remote's incoming link does not allow it)", key),
			fmt.Sprintf("On %s, edit the incoming authentication of the link for consumer %q and tick \"Allow user impersonation through 2-Legged OAuth\", or remove 2loi from this link's auth list.", remote, key)
	case applink.Auth2LO:
		return fmt.Sprintf("permission_denied on 2LO: 2-legged OAuth is not enabled for consumer %q on the remote (authentication level mismatch)", key),
			fmt.Sprintf("On %s, edit the incoming authentication of the link for consumer %q and tick \"Allow 2-Legged OAuth\" (with an execute-as user), or remove 2lo from this link's auth list.", remote, key)
	}
	return fmt.Sprintf("permission_denied on 3LO: the remote does not allow 3-legged OAuth for consumer %q (authentication level mismatch)", key),
		fmt.Sprintf("On %s, enable OAuth (3-legged) in the incoming authentication of the link for consumer %q.", remote, key)
}

// incomingLinkFix says where to add the incoming link for the consumer key.
func (d *diagnosis) incomingLinkFix() string {
	key, remote := d.link.ConsumerKey, d.remoteName()
	switch d.link.Type {
	case applink.TypeJenkins:
		return fmt.Sprintf("In Jenkins (%s), Manage Jenkins → Atlassian Bitbucket Server Integration: register an OAuth consumer with key %q and this link's shared secret, or set the link's consumerKey to the key Jenkins has.", remote, key)
	case applink.TypeGeneric:
		return fmt.Sprintf("Register OAuth consumer %q with this application's public key on %s, or set the link's consumerKey to the key it has.", key, remote)
	}
	return fmt.Sprintf("On %s, Administration → Application Links: add (or edit) the link to this application, Incoming Authentication → OAuth, with consumer key %q and this application's public key; or set the link's consumerKey to the key it has there.", remote, key)
}

// classifySignature diagnoses signature_invalid by diffing our base string
// with the one the remote echoed, as every signature_invalid is diagnosed
// (internal/sigbase.Explain, which applink's (*OAuthError).Advice uses too).
func (d *diagnosis) classifySignature(c Check, pr *probeResult) Check {
	p := pr.problem
	l := d.link
	c.Category = CategorySignature
	theirsRaw := redact.BaseString(p.SignatureBaseString.Reveal())
	if pr.ours != "" {
		c.Evidence = append(c.Evidence, "ours:     "+pr.ours)
	}
	if theirsRaw != "" {
		c.Evidence = append(c.Evidence, "remote's: "+theirsRaw)
	}
	v := sigbase.Explain(pr.ours, theirsRaw)
	switch v.Cause {
	case sigbase.CauseUnknown:
		// No echo to compare: the realm still says where the remote thinks
		// it is.
		if realm, err := url.Parse(p.Realm); err == nil && realm.Host != "" && signer.Origin(realm.Scheme, realm.Host) != signer.Origin(d.rpc.Scheme, d.rpc.Host) {
			c.Summary = fmt.Sprintf("signature_invalid: the remote sees %s (its realm) but the link's RPC URL is %s", redact.URL(realm), redact.URL(d.rpc))
			c.Fix = d.proxyFix(redact.URL(realm))
			return c
		}
		c.Summary = "signature_invalid, and the remote did not echo its signature base string to compare with ours"
		if v.TheirsErr != nil {
			c.Evidence = append(c.Evidence, "the remote's base string cannot be read: "+v.TheirsErr.Error())
		}
		c.Fix = fmt.Sprintf("Check that the link's rpcUrl (%s) is the URL the remote sees itself at (a reverse proxy changes it), then that the remote has this application's key for consumer %q.", redact.URL(d.rpc), l.ConsumerKey)
	case sigbase.CauseURL:
		parts := v.Diff.URLParts
		base := sigbase.RemoteBase(v.Theirs.URL, pr.path)
		c.Evidence = append(c.Evidence, "differs: "+strings.Join(sigbase.URLPartDiffs(parts, v.Ours.URL, v.Theirs.URL), ", "))
		verb := "differ"
		if len(parts) == 1 {
			verb = "differs"
		}
		c.Summary = fmt.Sprintf("signature_invalid: the remote sees %s but the link's RPC URL is %s: %s %s (a reverse proxy)",
			base, redact.URL(d.rpc), strings.Join(parts, ", "), verb)
		c.Fix = d.proxyFix(base)
	case sigbase.CauseMethod:
		c.Evidence = append(c.Evidence, fmt.Sprintf("differs: method (we signed %s, the remote %s)", v.Ours.Method, v.Theirs.Method))
		c.Summary = fmt.Sprintf("signature_invalid: we signed %s but the remote saw %s", v.Ours.Method, v.Theirs.Method)
		c.Fix = "Something between here and the remote rewrites the method (a proxy turning HEAD into GET): send the request straight to the remote."
	case sigbase.CauseParams:
		names := v.Diff.ParamDiffs()
		c.Evidence = append(c.Evidence, "differs: parameters "+strings.Join(names, ", "))
		c.Summary = "signature_invalid: the parameters differ: " + strings.Join(names, ", ")
		c.Fix = "Something between here and the remote changes the query or form parameters (a CDN or proxy stripping or re-encoding the query string): send requests to the remote without it."
	case sigbase.CauseKey:
		c.Evidence = append(c.Evidence, "differs: nothing: same base string on both sides")
		c.Summary = "signature_invalid with the same base string on both sides: the remote checks the signature with another key (wrong key)"
		c.Fix = d.wrongKeyFix(&c)
	}
	return c
}

// proxyFix says how to fix a URL mismatch: the remote (at the URL remote,
// in its eyes) and the link (its RPC URL) must agree on the URL requests
// are signed for.
func (d *diagnosis) proxyFix(remote string) string {
	return fmt.Sprintf("Make the two URLs agree: set the link's rpcUrl to %s (the URL the remote believes it is at), or make the remote see %s: a reverse proxy must pass on the original scheme, host and port (X-Forwarded-Proto/Host/Port; Tomcat's proxyName, proxyPort and scheme), and calls that bypass the proxy need a connector without those settings.",
		remote, redact.URL(d.rpc))
}

// wrongKeyFix says how to give the remote our key; for RSA it adds our
// public key (not a secret) to the evidence.
func (d *diagnosis) wrongKeyFix(c *Check) string {
	key := d.link.ConsumerKey
	if d.seam.SignatureMethod == "" {
		return fmt.Sprintf("Give the link the key or secret the remote has for consumer %q.", key)
	}
	if d.seam.PublicKey != nil {
		if pub, err := signer.EncodePublicKey(d.seam.PublicKey); err == nil {
			c.Evidence = append(c.Evidence, "our public key: "+pub)
		}
		return fmt.Sprintf("Paste this application's public key (in the evidence) into the incoming authentication for consumer %q on %s, replacing the one there; or set the link's privateKeyFile to the key whose public half the remote has.", key, d.remoteName())
	}
	return fmt.Sprintf("The shared secrets differ: set the link's secret (secretEnv or secretFile) to the secret of consumer %q on %s.", key, d.remoteName())
}

// methodName is the link's signature method, such as RSA-SHA1.
func (d *diagnosis) methodName() string {
	if d.seam.SignatureMethod == "" {
		return "unsigned requests"
	}
	return d.seam.SignatureMethod
}
