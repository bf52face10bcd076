package doctor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/signer"
)

// probeName is the check name of the probe of a method ("" for anonymous).
func probeName(a applink.Auth) string {
	switch a {
	case applink.Auth3LO:
		return checkProbe3LO
	case applink.Auth2LOi:
		return checkProbe2LOi
	case applink.Auth2LO:
		return checkProbe2LO
	case applink.AuthPAT:
		return checkProbePAT
	}
	return ""
}

// authLabel is how a method is written in prose: 3LO, 2LOi, 2LO.
func authLabel(a applink.Auth) string {
	switch a {
	case applink.Auth3LO:
		return "3LO"
	case applink.Auth2LOi:
		return "2LOi"
	case applink.Auth2LO:
		return "2LO"
	}
	return string(a)
}

// probePath is the harmless resource the probes request, relative to the
// RPC URL: one that says who the request ran as, where the type has one.
func probePath(t applink.Type) string {
	switch t {
	case applink.TypeJira:
		return "/rest/api/2/myself"
	case applink.TypeConfluence:
		return "/rest/api/user/current"
	case applink.TypeBamboo:
		return "/rest/api/latest/currentUser"
	case applink.TypeJenkins:
		return "/me/api/json"
	}
	return "/"
}

// probeResult is what one signed probe met.
type probeResult struct {
	auth   applink.Auth
	path   string // relative to the RPC URL
	status int
	header http.Header
	body   []byte
	// problem is the OAuth problem of the final answer, if any.
	problem *signer.ProblemError
	// ours is the signature base string we signed, redacted.
	ours string
	// err is why no answer came (or a *CredentialsRequiredError or
	// *OAuthError for timestamp_refused after correction).
	err error
	// corrected is the clock offset learnt from a timestamp_refused during
	// the probe (the request was then sent again), 0 when none.
	corrected time.Duration
}

// probeChecks sends one signed probe per configured method.
func (d *diagnosis) probeChecks(ctx context.Context) []Check {
	var out []Check
	var probes []*probeResult
	for _, a := range auths(d.link) {
		name := probeName(a)
		if name == "" {
			continue
		}
		if a == applink.AuthPAT && (d.user != "" || d.link.PAT != nil) {
			pr := d.probe(ctx, a, probePath(d.link.Type))
			probes = append(probes, pr)
			if pr.err == nil {
				d.statuses[name] = pr.status
			}
			out = append(out, d.classifyPAT(pr))
			continue
		}
		if a.Impersonating() && d.user == "" {
			out = append(out, Check{Name: name, Category: CategoryAccess, Status: StatusSkip,
				Summary: fmt.Sprintf("not checked: %s acts as a user and none was given", authLabel(a)),
				Fix:     "Name the user to act as (applink doctor --as USER, or the user argument of doctor.Diagnose)."})
			continue
		}
		pr := d.probe(ctx, a, probePath(d.link.Type))
		probes = append(probes, pr)
		if a == applink.Auth3LO && d.link.Type == applink.TypeJenkins {
			d.identity = pr
		}
		if pr.err == nil {
			d.statuses[name] = pr.status
		}
		var need *applink.CredentialsRequiredError
		if a == applink.Auth3LO && errors.As(pr.err, &need) && need.Cause == nil {
			d.noToken = true
		}
		out = append(out, d.classify(name, pr))
	}
	if c, ok := rateLimitCheck(d.user, probes); ok {
		out = append(out, c)
	}
	return out
}

// probe sends GET path through the link with method a, once, through the
// link's signing transport (which corrects a refused timestamp once, as
// every request does) but without the service's retries, and without
// renewing or deleting the user's token (seam.Link.Probe).
func (d *diagnosis) probe(ctx context.Context, a applink.Auth, path string) *probeResult {
	pr := &probeResult{auth: a, path: path}
	user := d.user
	if a == applink.Auth2LO {
		user = ""
	}
	ctx, cancel := context.WithTimeout(ctx, d.probeTimeout)
	defer cancel()
	before := d.seam.ClockOffset()
	resp, ours, err := d.seam.Probe(ctx, string(a), user, path)
	if after := d.seam.ClockOffset(); after != before {
		pr.corrected = after
		d.refused = append(d.refused, refusal{probe: probeName(a), offset: after})
	}
	if err != nil {
		if p := refusedTwice(err); p != nil {
			d.refused = append(d.refused, refusal{probe: probeName(a), twice: &skewRange{local: d.seam.Now(),
				min: time.Unix(p.MinTimestamp, 0), max: time.Unix(p.MaxTimestamp, 0)}})
		}
		pr.err = err
		return pr
	}
	defer resp.Body.Close()
	pr.status, pr.header = resp.StatusCode, resp.Header
	pr.body, _ = io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	d.noteDate(resp.Header, probeName(a))
	if resp.StatusCode >= 400 {
		pr.problem = signer.ParseProblem(resp.StatusCode, resp.Header, pr.body)
	}
	if pr.problem != nil {
		pr.ours = ours
	}
	if pr.problem != nil && pr.problem.Problem == signer.ProblemTimestampRefused {
		d.refused = append(d.refused, refusal{probe: probeName(a), problem: pr.problem})
	}
	return pr
}

// identityIn returns who a probe's JSON answer says the request ran as.
func identityIn(body []byte, t applink.Type) string {
	var who struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Username string `json:"username"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(body), &who); err != nil {
		return ""
	}
	if t == applink.TypeJenkins {
		return who.ID
	}
	if who.Name != "" {
		return who.Name
	}
	return who.Username
}

// excerpt is the start of a body, redacted, on one line.
func excerpt(body []byte) string {
	s := string(body)
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "(empty)"
	}
	return redact.Excerpt(s)
}
