package doctor

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/internal/seam"
)

// Category is the kind of problem a [Check] looks for, after Application
// Links' own link status categories (network, TLS, configuration, access,
// clock skew, signature) plus Jenkins' CSRF protection.
type Category string

// Categories of checks.
const (
	CategoryNetwork   Category = "network"   // DNS, TCP, unexpected answers
	CategoryTLS       Category = "tls"       // certificates
	CategoryConfig    Category = "config"    // the two ends disagree (keys, links, authentication levels)
	CategoryAccess    Category = "access"    // the user's token or account
	CategoryClock     Category = "clock"     // clock skew
	CategorySignature Category = "signature" // OAuth signatures and other OAuth problems
	CategoryCSRF      Category = "csrf"      // Jenkins crumbs
)

// Status is the outcome of a [Check].
type Status string

// Outcomes of a check. A report is OK when no check failed: a warning is
// worth reading but does not stop requests.
const (
	StatusPass Status = "pass"
	StatusFail Status = "fail"
	StatusWarn Status = "warn"
	StatusSkip Status = "skip"
)

// Check is one finding of [Diagnose].
type Check struct {
	// Name names the check: "dns", "tcp", "tls", "manifest",
	// "consumer-info", "clock", "probe-3lo", "probe-2loi", "probe-2lo", "probe-pat",
	// "rate-limit" (when a probe's answer carries rate-limit headers),
	// "jenkins-endpoints", "jenkins-crumb" or "jenkins-identity"; for an
	// OAuth 2.0 link "oauth2-endpoints", "oauth2-client", "oauth2-token"
	// and "oauth2-scopes" after the network checks; for an Atlassian Cloud
	// link "cloud-impersonation", "oauth2-client", "cloud-scopes",
	// "cloud-site", "cloud-token" (the accountId the token acts as) and
	// "clock".
	Name string `json:"name"`
	// Category is the kind of problem the check looks for.
	Category Category `json:"category"`
	// Status is the outcome.
	Status Status `json:"status"`
	// Summary says in one line what was found.
	Summary string `json:"summary"`
	// Evidence is what was sent and what came back, redacted: statuses,
	// headers, OAuth problems, signature base strings and how they differ.
	Evidence []string `json:"evidence,omitempty"`
	// Fix says what to do, in one or two sentences naming the setting,
	// the page or the command; "" when there is nothing to do.
	Fix string `json:"fix,omitempty"`
}

// Report is the outcome of [Diagnose]: one [Check] per finding, in the
// order they were made.
type Report struct {
	// Link is the link's name and LinkID its id.
	Link   string `json:"link"`
	LinkID string `json:"linkId"`
	// User is the user the probes acted as ("" for none).
	User string `json:"user,omitempty"`
	// Checks are the findings.
	Checks []Check `json:"checks"`
}

// OK reports whether no check failed (warnings and skipped checks pass).
func (r *Report) OK() bool {
	if r == nil {
		return false
	}
	for _, c := range r.Checks {
		if c.Status == StatusFail {
			return false
		}
	}
	return true
}

// Check returns the check named name, or nil.
func (r *Report) Check(name string) *Check {
	if r == nil {
		return nil
	}
	for i := range r.Checks {
		if r.Checks[i].Name == name {
			return &r.Checks[i]
		}
	}
	return nil
}

// Names of the checks.
const (
	checkDNS              = "dns"
	checkTCP              = "tcp"
	checkTLS              = "tls"
	checkManifest         = "manifest"
	checkConsumerInfo     = "consumer-info"
	checkClock            = "clock"
	checkProbe3LO         = "probe-3lo"
	checkProbe2LOi        = "probe-2loi"
	checkProbe2LO         = "probe-2lo"
	checkJenkinsEndpoints = "jenkins-endpoints"
	checkJenkinsCrumb     = "jenkins-crumb"
	checkJenkinsIdentity  = "jenkins-identity"
)

// Diagnose examines a link the way Application Links' link status does, and
// says how to fix what it finds. It acts as user for the signed probes ("" to
// probe only what needs no user: 2LO, the network, the remote's
// discovery resources).
//
// The checks, in order: DNS resolution and a TCP connection to the RPC
// URL's host and port (or the HTTP proxy's); TLS (an untrusted certificate
// or a host name mismatch, named as such); the remote's applinks manifest
// (type and name against the link's; Jenkins serves none); its
// consumer-info (Atlassian products); clock skew, from the Date header of
// every answer and from a timestamp_refused range, with the 5-minute limit
// OAuth providers apply; one signed probe per authentication method the
// link is configured for (3LO with the user's stored token, 2LOi, 2LO)
// against a harmless resource (Jira: /rest/api/2/myself, Confluence:
// /rest/api/user/current, Bamboo: /rest/api/latest/currentUser, Jenkins:
// /me/api/json, others: the RPC URL), each outcome classified
// (consumer_key_unknown, signature_invalid with our signature base string
// diffed against the one the remote echoes — scheme, host, port and path
// behind a reverse proxy, or parameters, or the same string and so the
// wrong key — permission_denied as an authentication-level mismatch, token
// problems, unknown users); and for Jenkins, that the Bitbucket Server
// Integration plugin's OAuth endpoints answer, that the crumb issuer is
// reachable as the user, and that /me/api/json names the user.
//
// Every request goes through the service's HTTP client (its TLS
// configuration, proxy and cookie jar) and is sent once, without the
// service's retries, each bounded by 10 seconds ([WithProbeTimeout] changes
// that). Diagnose leaves both sides as they were: the signed probes look at
// the user's token as stored, renewing and deleting none (requests would),
// and the only request it sends that is not a GET is an unsigned POST to
// Jenkins' request-token endpoint. The OAuth 2.0 token check is an ordinary
// request, which refreshes an expired token as requests do. As for any
// request through the link, a timestamp_refused teaches the link the
// remote's clock offset, which corrects later
// timestamps; the clock check reports that offset rather than hiding it.
//
// The error is only for misuse (a nil context, or a link not obtained from
// an [applink.Service]); every finding is a [Check]. When ctx is done, the
// checks not yet made are reported as skipped and the error is ctx.Err().
func Diagnose(ctx context.Context, link *applink.Link, user string, opts ...Option) (*Report, error) {
	if ctx == nil {
		return nil, errors.New("applink/doctor: Diagnose: nil context")
	}
	d, err := newDiagnosis(link, user, config(opts))
	if err != nil {
		return nil, err
	}
	rep := &Report{Link: link.Name, LinkID: link.ID, User: user}
	if link.Cloud != nil && d.seam.OAuth2 != nil {
		rep.Checks = d.runCloud(ctx)
	} else if d.seam.OAuth2 != nil {
		rep.Checks = d.runOAuth2(ctx)
	} else {
		rep.Checks = d.run(ctx)
	}
	if ctx.Err() != nil {
		return rep, ctx.Err()
	}
	return rep, nil
}

// diagnosis is one run of Diagnose.
type diagnosis struct {
	// link is the link (a copy, bound to its service), seam what the
	// doctor sees of it beyond the exported API, rpc its RPC URL.
	link *applink.Link
	seam *seam.Link
	rpc  *url.URL
	user string
	// probeTimeout bounds each request and connection a check makes.
	probeTimeout time.Duration
	// dates are the Date headers seen, with our clock when each came.
	dates []dateSample
	// refused records the timestamp_refused problems the probes met.
	refused []refusal
	// identity is what the Jenkins 3LO probe's /me/api/json said.
	identity *probeResult
	// statuses are the HTTP statuses the discovery resources and the probes
	// answered, by check name (absent when no answer came or nothing was
	// sent); noToken is set when the 3LO probe was not sent for want of the
	// user's token.
	statuses map[string]int
	noToken  bool
}

// newDiagnosis prepares a diagnosis of link as user.
func newDiagnosis(link *applink.Link, user string, o options) (*diagnosis, error) {
	sv, err := seam.View(link)
	if err != nil {
		return nil, fmt.Errorf("applink/doctor: Diagnose: %w", err)
	}
	rpc, err := url.Parse(link.RPCURL)
	if err != nil { // a bound link's RPC URL was validated
		return nil, fmt.Errorf("applink/doctor: Diagnose: link %q: %w", link.Name, err)
	}
	return &diagnosis{link: link, seam: sv, rpc: rpc, user: user, probeTimeout: o.probeTimeout, statuses: map[string]int{}}, nil
}

// run makes the checks in order.
func (d *diagnosis) run(ctx context.Context) []Check {
	var checks []Check
	reachable, failed := true, ""
	for _, c := range d.networkChecks(ctx) {
		checks = append(checks, c)
		if c.Status == StatusFail && reachable {
			reachable, failed = false, c.Name
		}
	}
	steps := []func(context.Context) []Check{d.manifestChecks, d.consumerInfoChecks, d.probeChecks, d.jenkinsChecks}
	for _, step := range steps {
		if !reachable || ctx.Err() != nil {
			break
		}
		checks = append(checks, step(ctx)...)
	}
	if reachable && ctx.Err() == nil {
		if !d.wrongPath(ctx, checks) {
			d.notAuthorizedYet(checks)
		}
	}
	if !reachable || ctx.Err() != nil {
		why := "the remote cannot be reached: fix the " + failed + " check first"
		if ctx.Err() != nil {
			why = "the diagnosis was canceled: " + ctx.Err().Error()
		}
		checks = append(checks, d.skipped(checks, why)...)
	}
	// The clock check reads what every answer said: it is made last, and
	// listed after the discovery checks (consumer-info, else the manifest).
	clock := d.clockCheck(reachable && ctx.Err() == nil)
	at := len(checks)
	for i, c := range checks {
		if c.Name == checkConsumerInfo || c.Name == checkManifest && (i+1 == len(checks) || checks[i+1].Name != checkConsumerInfo) {
			at = i + 1
		}
	}
	return append(checks[:at:at], append([]Check{clock}, checks[at:]...)...)
}

// plannedChecks lists the checks Diagnose makes for the link after the
// network ones, with their categories.
func (d *diagnosis) plannedChecks() []Check {
	l := d.link
	out := []Check{{Name: checkManifest, Category: CategoryConfig}}
	if l.Type != applink.TypeJenkins {
		out = append(out, Check{Name: checkConsumerInfo, Category: CategoryConfig})
	}
	for _, a := range auths(l) {
		if name := probeName(a); name != "" {
			out = append(out, Check{Name: name, Category: CategorySignature})
		}
	}
	if l.Type == applink.TypeJenkins {
		out = append(out,
			Check{Name: checkJenkinsEndpoints, Category: CategoryConfig},
			Check{Name: checkJenkinsCrumb, Category: CategoryCSRF},
			Check{Name: checkJenkinsIdentity, Category: CategoryAccess})
	}
	return out
}

// skipped returns the planned checks not in done, skipped for why.
func (d *diagnosis) skipped(done []Check, why string) []Check {
	var out []Check
	for _, c := range d.plannedChecks() {
		found := false
		for _, x := range done {
			if x.Name == c.Name {
				found = true
				break
			}
		}
		if !found {
			c.Status, c.Summary = StatusSkip, "not checked: "+why
			out = append(out, c)
		}
	}
	return out
}

// authorizeCommand is the command line that authorizes the user for the
// link.
func (d *diagnosis) authorizeCommand() string {
	user := d.user
	if user == "" {
		user = "USER"
	}
	return "applink authorize --link " + shellWord(d.link.Name) + " --user " + shellWord(user)
}

// shellWord quotes s for a POSIX shell when it needs it.
func shellWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@=,+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// auths returns the link's authentication methods, 3LO when none are
// listed (as package applink reads an empty list).
func auths(l *applink.Link) []applink.Auth {
	if len(l.Auth) == 0 {
		return []applink.Auth{applink.Auth3LO}
	}
	return l.Auth
}

// allows reports whether the link may use a.
func allows(l *applink.Link, a applink.Auth) bool { return slices.Contains(auths(l), a) }

// remoteName names the remote in fixes: its display URL.
func (d *diagnosis) remoteName() string {
	return cmp.Or(d.link.DisplayURL, d.link.RPCURL)
}

// seconds formats a duration as whole seconds.
func seconds(dur time.Duration) string {
	return fmt.Sprintf("%d s", int64(dur.Round(time.Second)/time.Second))
}
