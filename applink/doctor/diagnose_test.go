package doctor

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/authorize"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/signer"
	"github.com/google/go-cmp/cmp"
)

const (
	diagConsumer = "diag-app"
	diagSecret   = "diag-jenkins-secret-TEST-ONLY"
)

// diagKeyFile reads an RSA test key of the signer package.
func diagKeyFile(t *testing.T, name string) *rsa.PrivateKey {
	t.Helper()
	data, err := os.ReadFile("../../signer/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	k, err := signer.ParsePrivateKey(data)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// diagSetup describes a provider and a link to it.
type diagSetup struct {
	jenkins bool
	// consumer is the remote's incoming link; its key defaults to
	// diagConsumer and its credential to the link's (see remoteKey).
	consumer applinktest.Consumer
	// noConsumer registers no consumer at all.
	noConsumer bool
	// remoteKey is the public key the remote has for the consumer; nil
	// means the link's.
	remoteKey *rsa.PublicKey
	auth      []applink.Auth
	srvOpts   []applinktest.Option
	// untrusting uses a client that does not trust the server's TLS
	// certificate.
	untrusting bool
	// authorize runs the 3-legged dance for alice, approving as approveAs
	// ("" means alice).
	authorize bool
	approveAs string
	name      string       // the link's name; "" means the manifest's
	typ       applink.Type // the link's type; "" means the remote's
	// rpcURL makes the link's RPC URL from the server's URL; nil means
	// the server's URL itself.
	rpcURL func(srvURL string) string
}

type diagFixture struct {
	srv   *applinktest.Server
	svc   *applink.Service
	link  *applink.Link
	store *token.MemoryStore
}

func newDiagFixture(t *testing.T, s diagSetup) *diagFixture {
	t.Helper()
	cons := s.consumer
	if cons.Key == "" {
		cons.Key = diagConsumer
	}
	l := applink.Link{ID: applink.DefaultLinkID(t.Name(), "https://applinktest.example"), ConsumerKey: diagConsumer, Auth: s.auth}
	opts := []applinktest.Option{applinktest.WithUsers("alice", "bob", "bot")}
	if s.jenkins {
		opts = append(opts, applinktest.WithShape(applinktest.Jenkins))
		l.Name, l.Type = "Jenkins", applink.TypeJenkins
		l.Secret = token.NewSecret(diagSecret)
		cons.Secret = signer.NewSecret(diagSecret)
	} else {
		key := diagKeyFile(t, "sign-rsa2048-TEST-ONLY.pem")
		l.Name, l.Type = "applinktest Jira", applink.TypeJira
		l.PrivateKey = key
		cons.PublicKey = &key.PublicKey
		if s.remoteKey != nil {
			cons.PublicKey = s.remoteKey
		}
	}
	if s.name != "" {
		l.Name = s.name
	}
	if s.typ != "" {
		l.Type = s.typ
	}
	if !s.noConsumer {
		opts = append(opts, applinktest.WithConsumer(cons))
	}
	srv := applinktest.NewServer(t, append(opts, s.srvOpts...)...)
	l.RPCURL = srv.URL
	if s.rpcURL != nil {
		l.RPCURL = s.rpcURL(srv.URL)
	}
	if !s.jenkins {
		// consumer-info publishes the server's RSA key, made on first use:
		// make it now, so that its cost on a loaded machine (-race, 2 cores)
		// does not count against a check's timeout.
		if _, err := srv.ServerKey(); err != nil {
			t.Fatal(err)
		}
	}
	client := srv.Client()
	if s.untrusting {
		client = &http.Client{Transport: &http.Transport{}}
	}
	store := token.NewMemoryStore()
	svc, err := applink.NewService([]applink.Link{l}, applink.WithHTTPClient(client), applink.WithTokenStore(store))
	if err != nil {
		t.Fatalf("NewService: %v", err)
	}
	bound, err := svc.Link(l.ID)
	if err != nil {
		t.Fatal(err)
	}
	fx := &diagFixture{srv: srv, svc: svc, link: bound, store: store}
	if s.authorize {
		fx.authorize(t, "alice", s.approveAs)
	}
	return fx
}

// authorize plays the 3-legged dance for user, approving at the provider as
// approver ("" means user).
func (fx *diagFixture) authorize(t *testing.T, user, approver string) {
	t.Helper()
	if approver == "" {
		approver = user
	}
	f, err := fx.link.RequestFactory(user, applink.WithAuth(applink.Auth3LO))
	if err != nil {
		t.Fatal(err)
	}
	if err := authorize.OutOfBand(t.Context(), f, fx.srv.Approver(approver)); err != nil {
		t.Fatalf("OutOfBand: %v", err)
	}
}

// diagnose runs Diagnose as user and fails the test on an error.
// testProbeTimeout is generous: under -race on a loaded 2-core machine a
// loopback answer can take seconds; a remote that does not answer is
// tested with its own short timeout.
const testProbeTimeout = 30 * time.Second

func diagnose(t *testing.T, l *applink.Link, user string) *Report {
	t.Helper()
	rep, err := Diagnose(t.Context(), l, user, WithProbeTimeout(testProbeTimeout))
	if err != nil {
		t.Fatalf("Diagnose: %v", err)
	}
	return rep
}

// checkNames lists the names of a report's checks with their status.
func checkNames(rep *Report) []string {
	out := make([]string, len(rep.Checks))
	for i, c := range rep.Checks {
		out[i] = c.Name + ":" + string(c.Status)
	}
	return out
}

func dumpReport(t *testing.T, rep *Report) {
	t.Helper()
	for _, c := range rep.Checks {
		t.Logf("%s %s [%s] %s", c.Status, c.Name, c.Category, c.Summary)
		for _, e := range c.Evidence {
			t.Logf("    %s", e)
		}
		if c.Fix != "" {
			t.Logf("    fix: %s", c.Fix)
		}
	}
}

func TestDiagnoseHealthy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup diagSetup
		want  []string
	}{
		{
			name: "atlassian 3lo+2loi+2lo",
			setup: diagSetup{
				consumer:  applinktest.Consumer{ThreeLO: true, TwoLO: true, TwoLOUser: "bot", Impersonation: true},
				auth:      []applink.Auth{applink.Auth3LO, applink.Auth2LOi, applink.Auth2LO},
				authorize: true,
			},
			want: []string{"dns:pass", "tcp:pass", "tls:skip", "manifest:pass", "consumer-info:pass", "clock:pass",
				"probe-3lo:pass", "probe-2loi:pass", "probe-2lo:pass"},
		},
		{
			name: "atlassian over tls",
			setup: diagSetup{
				consumer: applinktest.Consumer{TwoLO: true, TwoLOUser: "bot"},
				auth:     []applink.Auth{applink.Auth2LO},
				srvOpts:  []applinktest.Option{applinktest.WithTLS()},
			},
			want: []string{"dns:pass", "tcp:pass", "tls:pass", "manifest:pass", "consumer-info:pass", "clock:pass", "probe-2lo:pass"},
		},
		{
			name:  "jenkins 3lo",
			setup: diagSetup{jenkins: true, consumer: applinktest.Consumer{ThreeLO: true}, authorize: true},
			want: []string{"dns:pass", "tcp:pass", "tls:skip", "manifest:pass", "clock:pass", "probe-3lo:pass",
				"jenkins-endpoints:pass", "jenkins-crumb:pass", "jenkins-identity:pass"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fx := newDiagFixture(t, tt.setup)
			rep := diagnose(t, fx.link, "alice")
			if diff := cmp.Diff(tt.want, checkNames(rep)); diff != "" {
				dumpReport(t, rep)
				t.Errorf("checks (-want +got):\n%s", diff)
			}
			if !rep.OK() {
				dumpReport(t, rep)
				t.Error("OK() = false for a healthy link")
			}
			if rep.Link != fx.link.Name || rep.LinkID != fx.link.ID || rep.User != "alice" {
				t.Errorf("report names link %q (%s) user %q", rep.Link, rep.LinkID, rep.User)
			}
			for _, c := range rep.Checks {
				if c.Summary == "" {
					t.Errorf("check %s has no summary", c.Name)
				}
			}
		})
	}
}

// wantCheck is what a failing case asserts about one check.
type wantCheck struct {
	name     string
	category Category
	status   Status
	summary  string // a phrase the summary contains
	fix      string // a phrase the fix contains
	evidence string // a phrase one evidence line contains ("" for none)
}

func TestDiagnoseFailures(t *testing.T) {
	t.Parallel()
	otherKey := diagKeyFile(t, "sign-rsa1024-TEST-ONLY.pem")
	tests := []struct {
		name  string
		setup diagSetup
		user  string
		want  wantCheck
	}{
		{
			name:  "wrong key",
			setup: diagSetup{consumer: applinktest.Consumer{TwoLO: true, TwoLOUser: "bot"}, remoteKey: &otherKey.PublicKey, auth: []applink.Auth{applink.Auth2LO}},
			want: wantCheck{name: "probe-2lo", category: CategorySignature, status: StatusFail,
				summary: "same base string on both sides", fix: "public key", evidence: "our public key: MII"},
		},
		{
			name:  "skewed clock",
			setup: diagSetup{consumer: applinktest.Consumer{TwoLO: true, TwoLOUser: "bot"}, auth: []applink.Auth{applink.Auth2LO}, srvOpts: []applinktest.Option{applinktest.WithSkew(time.Hour)}},
			want: wantCheck{name: "clock", category: CategoryClock, status: StatusFail,
				summary: "s ahead of ours (from timestamp_refused", fix: "NTP", evidence: "timestamp_refused"},
		},
		{
			name: "proxy base URL",
			setup: diagSetup{consumer: applinktest.Consumer{TwoLO: true, TwoLOUser: "bot"}, auth: []applink.Auth{applink.Auth2LO},
				srvOpts: []applinktest.Option{applinktest.WithBaseURL("https://jira.example.com")}},
			want: wantCheck{name: "probe-2lo", category: CategorySignature, status: StatusFail,
				summary: "the remote sees https://jira.example.com but the link's RPC URL is http://127.0.0.1:",
				fix:     "set the link's rpcUrl to https://jira.example.com (the URL the remote believes it is at), or make the remote see http://127.0.0.1:", evidence: "differs: scheme (ours http, the remote's https), host (ours 127.0.0.1, the remote's jira.example.com), port"},
		},
		{
			name:  "unknown consumer",
			setup: diagSetup{noConsumer: true, auth: []applink.Auth{applink.Auth2LO}},
			want: wantCheck{name: "probe-2lo", category: CategoryConfig, status: StatusFail,
				summary: "consumer_key_unknown", fix: "Incoming Authentication"},
		},
		{
			name:  "impersonation disabled",
			setup: diagSetup{consumer: applinktest.Consumer{ThreeLO: true, TwoLO: true}, auth: []applink.Auth{applink.Auth2LOi}},
			want: wantCheck{name: "probe-2loi", category: CategoryConfig, status: StatusFail,
				summary: "authentication level mismatch", fix: "Allow user impersonation through 2-Legged OAuth"},
		},
		{
			name:  "2lo disabled",
			setup: diagSetup{consumer: applinktest.Consumer{ThreeLO: true}, auth: []applink.Auth{applink.Auth2LO}},
			want: wantCheck{name: "probe-2lo", category: CategoryConfig, status: StatusFail,
				summary: "permission_denied on 2LO", fix: "Allow 2-Legged OAuth"},
		},
		{
			name:  "no token",
			setup: diagSetup{consumer: applinktest.Consumer{ThreeLO: true}, auth: []applink.Auth{applink.Auth3LO}},
			want: wantCheck{name: "probe-3lo", category: CategoryAccess, status: StatusFail,
				summary: "has no token", fix: "applink authorize --link 'applinktest Jira' --user alice"},
		},
		{
			name:  "unknown user",
			setup: diagSetup{consumer: applinktest.Consumer{Impersonation: true}, auth: []applink.Auth{applink.Auth2LOi}},
			user:  "mallory",
			want: wantCheck{name: "probe-2loi", category: CategoryAccess, status: StatusFail,
				summary: "User 'mallory' does not exist", fix: "exists on the remote"},
		},
		{
			name:  "token of another user",
			setup: diagSetup{consumer: applinktest.Consumer{ThreeLO: true}, auth: []applink.Auth{applink.Auth3LO}, authorize: true, approveAs: "bob"},
			want: wantCheck{name: "probe-3lo", category: CategoryAccess, status: StatusWarn,
				summary: `ran as "bob", not "alice"`, fix: "applink authorize"},
		},
		{
			name:  "jenkins token of another user",
			setup: diagSetup{jenkins: true, consumer: applinktest.Consumer{ThreeLO: true}, authorize: true, approveAs: "bob"},
			want: wantCheck{name: "jenkins-identity", category: CategoryAccess, status: StatusFail,
				summary: `acts as Jenkins user "bob", not "alice"`, fix: "applink authorize --link Jenkins --user alice"},
		},
		{
			name:  "tls unknown authority",
			setup: diagSetup{consumer: applinktest.Consumer{TwoLO: true}, auth: []applink.Auth{applink.Auth2LO}, srvOpts: []applinktest.Option{applinktest.WithTLS()}, untrusting: true},
			want: wantCheck{name: "tls", category: CategoryTLS, status: StatusFail,
				summary: "x509.UnknownAuthorityError", fix: "trust store"},
		},
		{
			name:  "another name is no fault",
			setup: diagSetup{consumer: applinktest.Consumer{TwoLO: true, TwoLOUser: "bot"}, auth: []applink.Auth{applink.Auth2LO}, name: "Our Jira"},
			want: wantCheck{name: "manifest", category: CategoryConfig, status: StatusPass,
				summary: `the remote is "applinktest Jira" (jira 9.12.0), a jira as the link says; the link calls it "Our Jira"`},
		},
		{
			name:  "2lo without an execute-as user",
			setup: diagSetup{consumer: applinktest.Consumer{TwoLO: true}, auth: []applink.Auth{applink.Auth2LO}},
			want: wantCheck{name: "probe-2lo", category: CategoryAccess, status: StatusWarn,
				summary: "the remote ran the request anonymously", fix: `set the "execute as" user of the incoming link for consumer "diag-app"`},
		},
		{
			name:  "type mismatch",
			setup: diagSetup{jenkins: false, consumer: applinktest.Consumer{TwoLO: true, TwoLOUser: "bot"}, auth: []applink.Auth{applink.Auth2LO}, typ: applink.TypeConfluence},
			want: wantCheck{name: "manifest", category: CategoryConfig, status: StatusWarn,
				summary: `type mismatch: the remote is a "jira", the link says confluence`, fix: "link add --type jira"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fx := newDiagFixture(t, tt.setup)
			user := tt.user
			if user == "" {
				user = "alice"
			}
			rep := diagnose(t, fx.link, user)
			assertCheck(t, rep, tt.want)
		})
	}
}

// assertCheck asserts a report's check against want.
func assertCheck(t *testing.T, rep *Report, want wantCheck) {
	t.Helper()
	c := rep.Check(want.name)
	if c == nil {
		dumpReport(t, rep)
		t.Fatalf("no check %q in %v", want.name, checkNames(rep))
	}
	if c.Category != want.category || c.Status != want.status {
		dumpReport(t, rep)
		t.Errorf("%s: category %s, status %s; want %s, %s", c.Name, c.Category, c.Status, want.category, want.status)
	}
	if !strings.Contains(c.Summary, want.summary) {
		t.Errorf("%s: summary %q lacks %q", c.Name, c.Summary, want.summary)
	}
	if !strings.Contains(c.Fix, want.fix) {
		t.Errorf("%s: fix %q lacks %q", c.Name, c.Fix, want.fix)
	}
	if want.evidence != "" && !strings.Contains(strings.Join(c.Evidence, "\n"), want.evidence) {
		t.Errorf("%s: evidence %q lacks %q", c.Name, c.Evidence, want.evidence)
	}
	if want.status == StatusFail && rep.OK() {
		t.Error("OK() = true with a failed check")
	}
}

func TestDiagnoseRevokedTokenIsKept(t *testing.T) {
	t.Parallel()
	fx := newDiagFixture(t, diagSetup{consumer: applinktest.Consumer{ThreeLO: true}, auth: []applink.Auth{applink.Auth3LO}, authorize: true})
	if n := fx.srv.RevokeUser(diagConsumer, "alice"); n != 1 {
		t.Fatalf("revoked %d tokens, want 1", n)
	}
	rep := diagnose(t, fx.link, "alice")
	assertCheck(t, rep, wantCheck{name: "probe-3lo", category: CategoryAccess, status: StatusFail,
		summary: "token_revoked", fix: "applink authorize --link 'applinktest Jira' --user alice"})
	// The diagnosis changes nothing: the rejected token is still stored.
	if _, err := fx.store.AccessToken(t.Context(), token.Key{LinkID: fx.link.ID, User: "alice"}); err != nil {
		t.Errorf("the token was deleted by the diagnosis: %v", err)
	}
}

func TestDiagnoseJenkinsCrumbIssuerUnreachable(t *testing.T) {
	t.Parallel()
	fx := newDiagFixture(t, diagSetup{jenkins: true, consumer: applinktest.Consumer{ThreeLO: true}, authorize: true})
	fx.srv.InjectFault(applinktest.Fault{Path: crumbIssuerPath, Status: http.StatusNotFound})
	rep := diagnose(t, fx.link, "alice")
	assertCheck(t, rep, wantCheck{name: "jenkins-crumb", category: CategoryCSRF, status: StatusFail,
		summary: "not reachable", fix: crumbIssuerPath})
	if c := rep.Check(checkJenkinsIdentity); c == nil || c.Status != StatusPass {
		t.Errorf("jenkins-identity: %+v, want a pass", c)
	}
}

func TestDiagnoseJenkinsEndpointsMissing(t *testing.T) {
	t.Parallel()
	// A Jenkins link pointed at something that is not Jenkins: the
	// plugin's endpoints answer 404.
	srv := applinktest.NewServer(t)
	l := applink.Link{ID: applink.DefaultLinkID("ci", srv.URL), Name: "ci", Type: applink.TypeJenkins, RPCURL: srv.URL, ConsumerKey: diagConsumer, Secret: token.NewSecret(diagSecret)}
	svc, err := applink.NewService([]applink.Link{l}, applink.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	bound, _ := svc.Link(l.ID)
	rep := diagnose(t, bound, "alice")
	assertCheck(t, rep, wantCheck{name: "jenkins-endpoints", category: CategoryConfig, status: StatusFail,
		summary: "HTTP 404", fix: "Atlassian Bitbucket Server Integration plugin"})
	for _, name := range []string{checkJenkinsCrumb, checkJenkinsIdentity} {
		if c := rep.Check(name); c == nil || c.Status != StatusSkip {
			t.Errorf("%s: %+v, want skipped", name, c)
		}
	}
}

func TestDiagnoseUnreachable(t *testing.T) {
	t.Parallel()
	// A free port: listen, note the address, close.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	tests := []struct {
		name string
		url  string
		want wantCheck
	}{
		{"closed port", closed, wantCheck{name: "tcp", category: CategoryNetwork, status: StatusFail,
			summary: "connection refused", fix: "Nothing listens on " + strings.TrimPrefix(closed, "http://")}},
		{"unknown host", "http://jira.invalid", wantCheck{name: "dns", category: CategoryNetwork, status: StatusFail,
			summary: "jira.invalid", fix: "host name in the link's rpcUrl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			key := diagKeyFile(t, "sign-rsa2048-TEST-ONLY.pem")
			l := applink.Link{ID: applink.DefaultLinkID("Jira", tt.url), Name: "Jira", Type: applink.TypeJira, RPCURL: tt.url, ConsumerKey: diagConsumer,
				Auth: []applink.Auth{applink.Auth3LO, applink.Auth2LO}, PrivateKey: key}
			svc, err := applink.NewService([]applink.Link{l})
			if err != nil {
				t.Fatal(err)
			}
			bound, _ := svc.Link(l.ID)
			rep := diagnose(t, bound, "alice")
			assertCheck(t, rep, tt.want)
			// Everything after the network checks is skipped, not failed,
			// naming the check to fix first.
			for _, c := range rep.Checks {
				if c.Category != CategoryNetwork && c.Category != CategoryTLS && c.Status != StatusSkip {
					t.Errorf("%s: status %s, want skip when the remote is unreachable", c.Name, c.Status)
				}
			}
			if c := rep.Check(checkManifest); c == nil || !strings.Contains(c.Summary, "fix the "+tt.want.name+" check first") {
				t.Errorf("manifest: %+v, want it skipped naming the %s check", c, tt.want.name)
			}
			if got := rep.Check(checkProbe2LO); got == nil {
				t.Errorf("the skipped checks do not list probe-2lo: %v", checkNames(rep))
			}
		})
	}
}

func TestDiagnoseMisuse(t *testing.T) {
	t.Parallel()
	l := applink.Link{ID: applink.DefaultLinkID("Jira", "http://127.0.0.1:1"), Name: "Jira", Type: applink.TypeJira, RPCURL: "http://127.0.0.1:1", ConsumerKey: "k"}
	if _, err := Diagnose(t.Context(), &l, "alice"); err == nil || !strings.Contains(err.Error(), "not bound to a Service") {
		t.Errorf("unbound link: %v", err)
	}
	if _, err := Diagnose(t.Context(), nil, "alice"); err == nil {
		t.Error("nil link: no error")
	}
	var noContext context.Context // the misuse under test
	if _, err := Diagnose(noContext, &l, "alice"); err == nil {
		t.Error("nil context: no error")
	}
}

func TestReportOK(t *testing.T) {
	t.Parallel()
	tests := []struct {
		statuses []Status
		want     bool
	}{
		{nil, true},
		{[]Status{StatusPass, StatusWarn, StatusSkip}, true},
		{[]Status{StatusPass, StatusFail}, false},
	}
	for _, tt := range tests {
		r := &Report{}
		for _, s := range tt.statuses {
			r.Checks = append(r.Checks, Check{Name: string(s), Status: s})
		}
		if got := r.OK(); got != tt.want {
			t.Errorf("OK() with %v = %v, want %v", tt.statuses, got, tt.want)
		}
	}
	var nilReport *Report
	if nilReport.OK() {
		t.Error("a nil report is OK")
	}
}

func TestDiagnoseReportHoldsNoSecret(t *testing.T) {
	t.Parallel()
	fx := newDiagFixture(t, diagSetup{jenkins: true, consumer: applinktest.Consumer{ThreeLO: true}, authorize: true})
	tok, err := fx.store.AccessToken(t.Context(), token.Key{LinkID: fx.link.ID, User: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	// A revoked token makes the remote answer with a problem, whose
	// evidence carries base strings.
	if n := fx.srv.RevokeUser(diagConsumer, "alice"); n != 1 {
		t.Fatalf("revoked %d tokens", n)
	}
	rep := diagnose(t, fx.link, "alice")
	out, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{diagSecret, tok.Secret.Reveal()} {
		if strings.Contains(string(out), secret) {
			t.Errorf("the report holds a secret: %s", out)
		}
	}
}

func TestDiagnoseCanceled(t *testing.T) {
	t.Parallel()
	fx := newDiagFixture(t, diagSetup{consumer: applinktest.Consumer{TwoLO: true}, auth: []applink.Auth{applink.Auth2LO}})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	rep, err := Diagnose(ctx, fx.link, "")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if rep == nil || rep.Check(checkProbe2LO) == nil {
		t.Fatalf("the report does not list the checks not made: %+v", rep)
	}
	if c := rep.Check(checkProbe2LO); c.Status != StatusSkip {
		t.Errorf("probe-2lo: %s, want skip", c.Status)
	}
}
