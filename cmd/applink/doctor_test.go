package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/doctor"
	"github.com/google/go-cmp/cmp"
)

// testTimeout is the doctor's --timeout in tests: generous, since under -race
// on a loaded 2-core machine a loopback answer can take seconds.
const testTimeout = "30s"

// srvKey makes the test server's RSA key (which consumer-info publishes, made
// on first use) before the doctor runs, so that its cost under load does not
// count against a check's timeout.
func srvKey(t *testing.T, srv *applinktest.Server) {
	t.Helper()
	if _, err := srv.ServerKey(); err != nil {
		t.Fatal(err)
	}
}

func TestDoctor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		srvOpts   []applinktest.Option
		args      []string
		authorize bool // authorize alice first
		code      int
		contains  []string // phrases stdout contains
	}{
		{
			name:      "healthy",
			args:      []string{"doctor", "--link", "jira", "--as", "alice"},
			authorize: true,
			code:      exitOK,
			contains: []string{"✓ dns", "✓ tcp", "✓ consumer-info", "✓ clock", "✓ probe-3lo", "✓ probe-2lo",
				"- tls", "✓ manifest", "no check failed\n"},
		},
		{
			name:    "behind a proxy",
			srvOpts: []applinktest.Option{applinktest.WithBaseURL("https://jira.example.com")},
			args:    []string{"doctor", "--link", "jira"},
			code:    exitFailure,
			contains: []string{"✗ probe-2lo", "the remote sees https://jira.example.com", "    ours:     GET&http%3A%2F%2F127.0.0.1",
				"    fix: Make the two URLs agree: set the link's rpcUrl to https://jira.example.com", "1 check failed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := applinktest.NewServer(t, append([]applinktest.Option{applinktest.WithUsers("alice", "bot")}, tt.srvOpts...)...)
			config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-doctor", ThreeLO: true, TwoLO: true, TwoLOUser: "bot"}, "3lo,2lo")
			if tt.authorize {
				if r := authorizeInBackground(t, config, "jira", "alice"); r.code != 0 {
					t.Fatalf("authorize: exit %d: %s", r.code, r.stderr)
				}
			}
			srvKey(t, srv)
			r := runCLITest(t, config, nil, "", append(tt.args, "--timeout", testTimeout)...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d; stdout:\n%s\nstderr: %s", r.code, tt.code, r.stdout, r.stderr)
			}
			for _, want := range tt.contains {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
				}
			}
			if strings.Contains(r.stdout, "\x1b[") {
				t.Errorf("colors on a stdout that is not a terminal:\n%q", r.stdout)
			}
		})
	}
}

func TestDoctorJSON(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice", "bot"))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-doctor", TwoLO: true, TwoLOUser: "bot", Impersonation: true}, "2loi,2lo")
	srvKey(t, srv)
	r := runCLITest(t, config, nil, "", "doctor", "--link", "jira", "--as", "alice", "--json", "--timeout", testTimeout)
	if r.code != exitOK {
		t.Fatalf("exit %d; stdout %s; stderr %s", r.code, r.stdout, r.stderr)
	}
	var rep doctor.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, r.stdout)
	}
	var got []string
	for _, c := range rep.Checks {
		got = append(got, c.Name+":"+string(c.Status))
	}
	want := []string{"dns:pass", "tcp:pass", "tls:skip", "manifest:pass", "consumer-info:pass", "clock:pass", "probe-2loi:pass", "probe-2lo:pass"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	if rep.Link != "jira" || rep.User != "alice" || rep.LinkID == "" || !rep.OK() {
		t.Errorf("report: link %q id %q user %q ok %v", rep.Link, rep.LinkID, rep.User, rep.OK())
	}
}

func TestDoctorErrors(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"))
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-doctor", ThreeLO: true}, "3lo")
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"no link flag", []string{"doctor"}, exitUsage},
		{"extra argument", []string{"doctor", "--link", "jira", "now"}, exitUsage},
		{"zero timeout", []string{"doctor", "--link", "jira", "--timeout", "0s"}, exitUsage},
		{"negative timeout", []string{"doctor", "--link", "jira", "--timeout", "-1s"}, exitUsage},
		{"timeout not a duration", []string{"doctor", "--link", "jira", "--timeout", "soon"}, exitUsage},
		{"unknown link", []string{"doctor", "--link", "nope"}, exitFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLITest(t, config, nil, "", tt.args...)
			checkOneLineError(t, r, tt.code)
		})
	}
	// No token for alice: the 3LO probe fails and says how to authorize.
	srvKey(t, srv)
	r := runCLITest(t, config, nil, "", "doctor", "--link", "jira", "--as", "alice", "--timeout", testTimeout)
	if r.code != exitFailure || !strings.Contains(r.stdout, "✗ probe-3lo") ||
		!strings.Contains(r.stdout, "fix: Authorize the link as the user (the 3-legged dance): applink authorize --link jira --user alice.") {
		t.Errorf("exit %d, stdout:\n%s", r.code, r.stdout)
	}
}

func TestPrintReportColors(t *testing.T) {
	t.Parallel()
	rep := &doctor.Report{Link: "jira", LinkID: "id", Checks: []doctor.Check{
		{Name: "dns", Status: doctor.StatusPass, Summary: "ok"},
		{Name: "probe-2lo", Status: doctor.StatusFail, Summary: "bad", Evidence: []string{"ev"}, Fix: "do this"},
		{Name: "manifest", Status: doctor.StatusWarn, Summary: "hmm", Evidence: []string{"hidden"}, Fix: "maybe"},
		{Name: "tls", Status: doctor.StatusSkip, Summary: "n/a"},
	}}
	var b strings.Builder
	printReport(&b, rep, false, true)
	want := "link \"jira\" (id)\n" +
		"\x1b[32m✓\x1b[0m dns        ok\n" +
		"\x1b[31m✗\x1b[0m probe-2lo  bad\n" +
		"    ev\n" +
		"    fix: do this\n" +
		"\x1b[33m!\x1b[0m manifest   hmm\n" +
		"    fix: maybe\n" +
		"- tls        n/a\n" +
		"1 check failed, 1 warning\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	if useColor(&b, nil) {
		t.Error("useColor is true for a strings.Builder")
	}
}

// TestPrintReportShortensEvidence: a long evidence line (an echoed base
// string) is cut in the text report as errors cut it; --json keeps it whole.
func TestPrintReportShortensEvidence(t *testing.T) {
	t.Parallel()
	long := "GET&https%3A%2F%2Fjira.example.com%2F&" + strings.Repeat("a", 4000)
	rep := &doctor.Report{Link: "jira", LinkID: "id", Checks: []doctor.Check{
		{Name: "probe-3lo", Status: doctor.StatusFail, Summary: "signature_invalid", Evidence: []string{long}},
	}}
	var b strings.Builder
	printReport(&b, rep, true, false)
	want := "    " + long[:maxEvidenceText] + fmt.Sprintf("… (%d more bytes)\n", len(long)-maxEvidenceText)
	if !strings.Contains(b.String(), want) {
		t.Errorf("evidence not shortened to %d bytes:\n%s", maxEvidenceText, b.String())
	}
	if len(b.String()) > 2*maxEvidenceText {
		t.Errorf("report is %d bytes", len(b.String()))
	}
}
