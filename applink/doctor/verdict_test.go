package doctor

import (
	"slices"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/google/go-cmp/cmp"
)

// failed lists the names of a report's failed checks.
func failed(rep *Report) []string {
	var out []string
	for _, c := range rep.Checks {
		if c.Status == StatusFail {
			out = append(out, c.Name)
		}
	}
	return out
}

func TestDiagnoseNotAuthorizedYet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		consumer   applinktest.Consumer
		auth       []applink.Auth
		want3LO    Status
		summary    string // a phrase probe-3lo's summary contains
		fix        string // a phrase its fix contains
		wantFailed []string
	}{
		{
			// bob has no 3LO token, but 2LOi acts as him, as requests do.
			name:     "2loi works",
			consumer: applinktest.Consumer{ThreeLO: true, Impersonation: true},
			auth:     []applink.Auth{applink.Auth3LO, applink.Auth2LOi},
			want3LO:  StatusWarn, summary: `user "bob" has not authorized 3LO yet (no token): requests as them use 2LOi, which works`,
			fix: "applink authorize --link 'applinktest Jira' --user bob",
		},
		{
			// 2LOi is configured but the remote refuses it: nothing acts as bob.
			name:     "2loi refused",
			consumer: applinktest.Consumer{ThreeLO: true},
			auth:     []applink.Auth{applink.Auth3LO, applink.Auth2LOi},
			want3LO:  StatusFail, summary: "has no token for this link: 3LO needs the user to authorize it first, and no other configured method can act as them",
			fix:        "applink authorize --link 'applinktest Jira' --user bob",
			wantFailed: []string{"probe-3lo", "probe-2loi"},
		},
		{
			// 3LO alone: without a token nothing acts as bob.
			name:     "3lo only",
			consumer: applinktest.Consumer{ThreeLO: true},
			auth:     []applink.Auth{applink.Auth3LO},
			want3LO:  StatusFail, summary: "no other configured method can act as them",
			fix:        "applink authorize",
			wantFailed: []string{"probe-3lo"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fx := newDiagFixture(t, diagSetup{consumer: tt.consumer, auth: tt.auth})
			rep := diagnose(t, fx.link, "bob")
			c := rep.Check("probe-3lo")
			if c == nil {
				t.Fatalf("no probe-3lo check: %v", checkNames(rep))
			}
			if c.Status != tt.want3LO || !strings.Contains(c.Summary, tt.summary) || !strings.Contains(c.Fix, tt.fix) {
				dumpReport(t, rep)
				t.Errorf("probe-3lo = %s %q (fix %q), want %s with %q (fix with %q)", c.Status, c.Summary, c.Fix, tt.want3LO, tt.summary, tt.fix)
			}
			if diff := cmp.Diff(tt.wantFailed, failed(rep)); diff != "" {
				dumpReport(t, rep)
				t.Errorf("failed checks (-want +got):\n%s", diff)
			}
			if got, want := rep.OK(), len(tt.wantFailed) == 0; got != want {
				t.Errorf("OK() = %v, want %v", got, want)
			}
		})
	}
}

func TestDiagnoseWrongContextPath(t *testing.T) {
	t.Parallel()
	root := func(srvURL string) string { return strings.TrimSuffix(srvURL, "/jira") }
	tests := []struct {
		name  string
		setup diagSetup
		user  string
	}{
		// The case: bob has no 3LO token, 2LOi answers 404.
		{name: "3lo and 2loi", setup: diagSetup{consumer: applinktest.Consumer{ThreeLO: true, Impersonation: true}, auth: []applink.Auth{applink.Auth3LO, applink.Auth2LOi}}, user: "bob"},
		{name: "2lo", setup: diagSetup{consumer: applinktest.Consumer{TwoLO: true, TwoLOUser: "bot"}, auth: []applink.Auth{applink.Auth2LO}}},
		// No probe is sent: the manifest and consumer-info tell.
		{name: "3lo without token", setup: diagSetup{consumer: applinktest.Consumer{ThreeLO: true}, auth: []applink.Auth{applink.Auth3LO}}, user: "bob"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := tt.setup
			s.srvOpts = append(s.srvOpts, applinktest.WithContextPath("/jira"))
			s.rpcURL = root
			s.name = "jira"
			s.typ = applink.TypeJira
			fx := newDiagFixture(t, s)
			rep := diagnose(t, fx.link, tt.user)
			if diff := cmp.Diff([]string{"manifest"}, failed(rep)); diff != "" {
				dumpReport(t, rep)
				t.Fatalf("failed checks (-want +got):\n%s", diff)
			}
			m := rep.Check("manifest")
			rpc := root(fx.srv.URL)
			wantSummary := "the RPC URL's path is wrong: nothing at " + rpc + " answers as a jira"
			wantFix := "The remote answers under /jira (jira "
			if !strings.Contains(m.Summary, wantSummary) || !strings.Contains(m.Fix, wantFix) || !strings.Contains(m.Fix, "set the link's rpcUrl to "+fx.srv.URL+".") {
				dumpReport(t, rep)
				t.Errorf("manifest = %q, fix %q; want %q and the fix %q naming %s", m.Summary, m.Fix, wantSummary, wantFix, fx.srv.URL)
			}
			for _, want := range []string{"GET /rest/applinks/1.0/manifest: HTTP 404", "GET /plugins/servlet/oauth/consumer-info: HTTP 404", "GET /jira/rest/applinks/1.0/manifest: HTTP 200"} {
				if !slices.Contains(m.Evidence, want) {
					t.Errorf("manifest evidence lacks %q: %q", want, m.Evidence)
				}
			}
			for _, c := range rep.Checks {
				if strings.HasPrefix(c.Name, "probe-") && c.Status != StatusSkip {
					t.Errorf("%s is %s %q; want it skipped, explained by the wrong path", c.Name, c.Status, c.Summary)
				}
			}
		})
	}
}

// A 404 from the probe alone (the manifest is there) is not the path.
func TestDiagnoseRightPathIsNotWrongPath(t *testing.T) {
	t.Parallel()
	fx := newDiagFixture(t, diagSetup{consumer: applinktest.Consumer{TwoLO: true, TwoLOUser: "bot"}, auth: []applink.Auth{applink.Auth2LO}, typ: applink.TypeConfluence})
	rep := diagnose(t, fx.link, "")
	if m := rep.Check("manifest"); m == nil || strings.Contains(m.Summary, "path is wrong") {
		dumpReport(t, rep)
		t.Errorf("manifest check says the path is wrong: %+v", m)
	}
}
