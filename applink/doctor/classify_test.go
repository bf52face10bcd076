package doctor

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/signer"
)

// classifyDiagnosis is a diagnosis of a link to an address nothing is asked
// of: for classifying made-up answers.
func classifyDiagnosis(t *testing.T, typ applink.Type) *diagnosis {
	t.Helper()
	l := applink.Link{ID: applink.DefaultLinkID("remote", "http://10.0.0.5:8080/jira"), Name: "remote", Type: typ, RPCURL: "http://10.0.0.5:8080/jira", ConsumerKey: diagConsumer}
	if typ == applink.TypeJenkins {
		l.Secret = token.NewSecret(diagSecret)
	} else {
		l.PrivateKey = diagKeyFile(t, "sign-rsa2048-TEST-ONLY.pem")
	}
	svc, err := applink.NewService([]applink.Link{l})
	if err != nil {
		t.Fatal(err)
	}
	bound, _ := svc.Link(l.ID)
	d, err := newDiagnosis(bound, "alice", config(nil))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestClassifyProbe(t *testing.T) {
	t.Parallel()
	const ours = "GET&http%3A%2F%2F10.0.0.5%3A8080%2Fjira%2Frest%2Fapi%2F2%2Fmyself&a%3D1%26oauth_consumer_key%3Ddiag-app"
	sigInvalid := func(echo, realm string) *signer.ProblemError {
		return &signer.ProblemError{Status: 401, Problem: signer.ProblemSignatureInvalid, SignatureBaseString: signer.NewSecret(echo), Realm: realm}
	}
	tests := []struct {
		name string
		typ  applink.Type
		pr   probeResult
		want wantCheck
	}{
		{"method rewritten", applink.TypeJira, probeResult{auth: applink.Auth2LO, status: 401, ours: ours,
			problem: sigInvalid(strings.Replace(ours, "GET", "POST", 1), "")},
			wantCheck{category: CategorySignature, status: StatusFail, summary: "we signed GET but the remote saw POST", fix: "rewrites the method"}},
		{"parameters stripped", applink.TypeJira, probeResult{auth: applink.Auth2LO, status: 401, ours: ours,
			problem: sigInvalid("GET&http%3A%2F%2F10.0.0.5%3A8080%2Fjira%2Frest%2Fapi%2F2%2Fmyself&oauth_consumer_key%3Ddiag-app", "")},
			wantCheck{category: CategorySignature, status: StatusFail, summary: "the parameters differ: a (only ours)", fix: "query string"}},
		{"path differs", applink.TypeJira, probeResult{auth: applink.Auth2LO, path: "/rest/api/2/myself", status: 401, ours: ours,
			problem: sigInvalid("GET&http%3A%2F%2F10.0.0.5%3A8080%2Frest%2Fapi%2F2%2Fmyself&a%3D1%26oauth_consumer_key%3Ddiag-app", "")},
			wantCheck{category: CategorySignature, status: StatusFail, summary: "the remote sees http://10.0.0.5:8080 but the link's RPC URL is http://10.0.0.5:8080/jira: path differs", fix: "set the link's rpcUrl to http://10.0.0.5:8080 (the URL the remote believes it is at)"}},
		{"no echo, realm elsewhere", applink.TypeJira, probeResult{auth: applink.Auth2LO, status: 401, ours: ours,
			problem: sigInvalid("", "https://jira.example.com")},
			wantCheck{category: CategorySignature, status: StatusFail, summary: "the remote sees https://jira.example.com (its realm)", fix: "set the link's rpcUrl to https://jira.example.com"}},
		{"no echo at all", applink.TypeJira, probeResult{auth: applink.Auth2LO, status: 401, ours: ours, problem: sigInvalid("", "")},
			wantCheck{category: CategorySignature, status: StatusFail, summary: "did not echo", fix: "URL the remote sees itself at"}},
		{"wrong secret", applink.TypeJenkins, probeResult{auth: applink.Auth3LO, status: 401, ours: ours, problem: sigInvalid(ours, "")},
			wantCheck{category: CategorySignature, status: StatusFail, summary: "wrong key", fix: "shared secrets differ"}},
		{"deleted user", applink.TypeJira, probeResult{auth: applink.Auth3LO, status: 401, problem: &signer.ProblemError{Problem: "No user associated with the token"}},
			wantCheck{category: CategoryAccess, status: StatusFail, summary: "no longer knows the user", fix: "applink authorize --link remote --user alice"}},
		{"token expired", applink.TypeJira, probeResult{auth: applink.Auth3LO, status: 401, problem: &signer.ProblemError{Problem: signer.ProblemTokenExpired}},
			wantCheck{category: CategoryAccess, status: StatusFail, summary: "token_expired", fix: "applink authorize --link remote --user alice"}},
		{"timestamp refused without a range", applink.TypeJira, probeResult{auth: applink.Auth2LO, status: 400, problem: &signer.ProblemError{Problem: signer.ProblemTimestampRefused}},
			wantCheck{category: CategoryClock, status: StatusFail, summary: "more than 5 minutes apart", fix: "NTP"}},
		{"2lo user missing", applink.TypeJira, probeResult{auth: applink.Auth2LO, status: 401, problem: &signer.ProblemError{Problem: "User 'bot' does not exist"}},
			wantCheck{category: CategoryAccess, status: StatusFail, summary: "User 'bot' does not exist", fix: `"execute as" user`}},
		{"401 without a problem", applink.TypeJira, probeResult{auth: applink.Auth3LO, status: 401, body: []byte(`{"errorMessages":["You are not authenticated"]}`)},
			wantCheck{category: CategoryAccess, status: StatusFail, summary: "without an OAuth problem", fix: "Authorization header"}},
		{"404", applink.TypeJira, probeResult{auth: applink.Auth2LO, path: "/rest/api/2/myself", status: 404},
			wantCheck{category: CategorySignature, status: StatusWarn, summary: "does not exist", fix: "context path"}},
		{"500", applink.TypeJira, probeResult{auth: applink.Auth2LO, status: 500, body: []byte("boom")},
			wantCheck{category: CategoryNetwork, status: StatusFail, summary: "unexpected answer HTTP 500", fix: "logs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := classifyDiagnosis(t, tt.typ)
			c := d.classify("probe", &tt.pr)
			tt.want.name = "probe"
			assertCheck(t, &Report{Checks: []Check{c}}, tt.want)
		})
	}
}

func TestClassifyCrumb(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		pr   probeResult
		want wantCheck
	}{
		{"refused", probeResult{auth: applink.Auth3LO, status: 403, body: []byte("Access denied")},
			wantCheck{category: CategoryCSRF, status: StatusFail, summary: "refused alice (HTTP 403)", fix: "Overall/Read"}},
		{"no crumb in the answer", probeResult{auth: applink.Auth3LO, status: 200, body: []byte(`{}`)},
			wantCheck{category: CategoryCSRF, status: StatusWarn, summary: "without a crumb", fix: "CSRF Protection"}},
		{"crumb", probeResult{auth: applink.Auth3LO, status: 200, body: []byte(`{"crumb":"c","crumbRequestField":"Jenkins-Crumb"}`)},
			wantCheck{category: CategoryCSRF, status: StatusPass, summary: "sent as Jenkins-Crumb"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := classifyDiagnosis(t, applink.TypeJenkins)
			tt.want.name = checkJenkinsCrumb
			assertCheck(t, &Report{Checks: []Check{d.classifyCrumb(&tt.pr)}}, tt.want)
		})
	}
}

// otherNameServer serves HTTPS with a certificate for other.example only,
// and returns a client that trusts it.
func otherNameServer(t *testing.T) (*httptest.Server, *http.Client) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "other.example TEST ONLY"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true, DNSNames: []string{"other.example"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return srv, &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func TestDiagnoseTLSHostnameMismatch(t *testing.T) {
	t.Parallel()
	srv, client := otherNameServer(t)
	l := applink.Link{ID: applink.DefaultLinkID("Jira", srv.URL), Name: "Jira", Type: applink.TypeJira, RPCURL: srv.URL, ConsumerKey: diagConsumer,
		Auth: []applink.Auth{applink.Auth2LO}, PrivateKey: diagKeyFile(t, "sign-rsa2048-TEST-ONLY.pem")}
	svc, err := applink.NewService([]applink.Link{l}, applink.WithHTTPClient(client))
	if err != nil {
		t.Fatal(err)
	}
	bound, _ := svc.Link(l.ID)
	rep := diagnose(t, bound, "alice")
	assertCheck(t, rep, wantCheck{name: "tls", category: CategoryTLS, status: StatusFail,
		summary: "hostname mismatch (x509.HostnameError): the certificate names other.example, not 127.0.0.1",
		fix:     "subject alternative names"})
}

func TestDiagnoseWithoutUser(t *testing.T) {
	t.Parallel()
	fx := newDiagFixture(t, diagSetup{consumer: applinktest.Consumer{ThreeLO: true, TwoLO: true, TwoLOUser: "bot", Impersonation: true},
		auth: []applink.Auth{applink.Auth3LO, applink.Auth2LOi, applink.Auth2LO}})
	rep := diagnose(t, fx.link, "")
	for _, name := range []string{checkProbe3LO, checkProbe2LOi} {
		assertCheck(t, rep, wantCheck{name: name, category: CategoryAccess, status: StatusSkip, summary: "none was given", fix: "--as USER"})
	}
	assertCheck(t, rep, wantCheck{name: checkProbe2LO, category: CategorySignature, status: StatusPass, summary: "running as bot"})
}
