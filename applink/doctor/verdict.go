package doctor

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/internal/redact"
)

// The verdicts below look at the checks together, once they are all made,
// so that one cause is reported once, as a failure, instead of as a
// symptom per check.

// notAuthorizedYet turns the 3LO probe's "the user has no token" into a
// warning when another configured method (2LOi) acts as the user, as
// requests then do: the user has simply not authorized 3LO yet, which is
// not a fault of the link. It stays a failure when no configured method can
// act as the user.
func (d *diagnosis) notAuthorizedYet(checks []Check) {
	if !d.noToken {
		return
	}
	c3 := findCheck(checks, checkProbe3LO)
	if c3 == nil || c3.Status != StatusFail {
		return
	}
	for _, a := range auths(d.link) {
		if a == applink.Auth3LO || !a.Impersonating() {
			continue
		}
		if c := findCheck(checks, probeName(a)); c != nil && c.Status == StatusPass {
			c3.Status = StatusWarn
			c3.Summary = fmt.Sprintf("user %q has not authorized 3LO yet (no token): requests as them use %s, which works", d.user, authLabel(a))
			c3.Fix = "To act as the user with 3LO instead, authorize the link as them: " + d.authorizeCommand() + "."
			return
		}
	}
	c3.Summary += ", and no other configured method can act as them"
}

// wrongPath reports the RPC URL's path as wrong when the manifest answers
// 404 and so does every probe that was sent (or, when none was,
// consumer-info): the remote is there, but not at that path, as when a
// reverse proxy mounts Jira under /jira and the link points at /. It makes
// the manifest check that one failure, with every 404 as evidence and the
// fix, and marks the checks it explains as skipped. It reports whether it
// did.
func (d *diagnosis) wrongPath(ctx context.Context, checks []Check) bool {
	l := d.link
	if !d.atlassian() || d.statuses[checkManifest] != http.StatusNotFound {
		return false
	}
	var probes []string
	for _, a := range auths(l) {
		name := probeName(a)
		if status, sent := d.statuses[name]; name != "" && sent {
			if status != http.StatusNotFound {
				return false
			}
			probes = append(probes, name)
		}
	}
	if len(probes) == 0 && d.statuses[checkConsumerInfo] != http.StatusNotFound {
		return false
	}
	m := findCheck(checks, checkManifest)
	if m == nil {
		return false
	}
	rpc := redact.URL(d.rpc)
	m.Status, m.Category = StatusFail, CategoryConfig
	m.Summary = fmt.Sprintf("the RPC URL's path is wrong: nothing at %s answers as a %s (the manifest and every probe: HTTP 404)", rpc, l.Type)
	explained := append([]string{checkConsumerInfo}, probes...)
	if d.noToken {
		explained = append(explained, checkProbe3LO)
	}
	for _, name := range explained {
		c := findCheck(checks, name)
		if c == nil || c == m {
			continue
		}
		m.Evidence = append(m.Evidence, c.Evidence...)
		if name == checkProbe3LO && d.noToken {
			m.Evidence = append(m.Evidence, fmt.Sprintf("(3LO not probed: user %q has no token yet)", d.user))
		}
		c.Status, c.Fix = StatusSkip, ""
		c.Summary = "not checked: the RPC URL's path is wrong (see the manifest check)"
	}
	fix := fmt.Sprintf("Set the link's rpcUrl to the remote's base URL, context path included (a reverse proxy may mount the %s under a path such as /%s: then rpcUrl is %s/%s), as the remote's own base URL setting shows it.",
		l.Type, l.Type, strings.TrimSuffix(rpc, "/"), l.Type)
	// Try the usual context path, the type's name: when the manifest is
	// there, say so.
	guess := "/" + string(l.Type)
	if ans, err := d.fetch(ctx, http.MethodGet, guess+manifestPath, http.Header{"Accept": {"application/json"}}); err == nil {
		m.Evidence = append(m.Evidence, fmt.Sprintf("GET %s%s: HTTP %d", guess, manifestPath, ans.status))
		if mf, err := parseManifest(ans.body); err == nil && ans.status == http.StatusOK {
			fix = fmt.Sprintf("The remote answers under %s (%s %q): set the link's rpcUrl to %s%s.", guess, mf.TypeID, mf.Name, strings.TrimSuffix(rpc, "/"), guess)
		}
	}
	m.Fix = fix
	return true
}

// findCheck returns the check named name in checks, or nil.
func findCheck(checks []Check, name string) *Check {
	for i := range checks {
		if checks[i].Name == name {
			return &checks[i]
		}
	}
	return nil
}
