package doctor

import (
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/testnet"
	"github.com/go-applinks/applinks/signer"
)

// TestDiagnoseCloud: the Cloud checks: offline_access missing fails the
// scopes check; a site the user did not grant fails the site check naming
// the granted one; a wrong client secret fails the client check; the clock
// is read from the gateway; the impersonation note is there. No secret in
// any check.
func TestDiagnoseCloud(t *testing.T) {
	t.Parallel()
	beta := applinktest.CloudSite{ID: "99999999-8888-4777-8666-555555555555", Name: "beta", URL: "https://beta.atlassian.net"}
	for _, tt := range []struct {
		name   string
		scopes []string
		sites  []string // granted; nil: all
		secret string
		want   map[string]Status
		say    map[string]string
	}{
		{"fine", []string{"read:jira-user", "offline_access"}, nil, "", map[string]Status{
			checkCloudScopes: StatusPass, checkCloudSite: StatusPass, checkOAuth2Client: StatusPass, checkClock: StatusPass, checkCloudImpersonation: StatusPass, checkCloudToken: StatusPass},
			map[string]string{checkCloudSite: "cloud id " + applinktest.DefaultCloudSite.ID, checkCloudImpersonation: "no impersonation",
				checkCloudToken: "Atlassian account " + applinktest.CloudAccountID("alice")}},
		{"no read:jira-user", []string{"read:jira-work", "offline_access"}, nil, "", map[string]Status{checkCloudToken: StatusWarn},
			map[string]string{checkCloudToken: "read:jira-user"}},
		{"no offline_access", []string{"read:jira-user"}, nil, "", map[string]Status{checkCloudScopes: StatusFail},
			map[string]string{checkCloudScopes: "offline_access"}},
		{"site not granted", []string{"read:jira-user", "offline_access"}, []string{"beta"}, "", map[string]Status{checkCloudSite: StatusFail},
			map[string]string{checkCloudSite: beta.URL}},
		{"wrong secret", []string{"read:jira-user", "offline_access"}, nil, "not-the-secret", map[string]Status{checkOAuth2Client: StatusFail},
			map[string]string{checkOAuth2Client: "developer console"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			redirect := testnet.LoopbackCallbackURL(t)
			srv := applinktest.NewServer(t, applinktest.WithShape(applinktest.Cloud), applinktest.WithUsers("alice"),
				applinktest.WithCloudSite(applinktest.DefaultCloudSite), applinktest.WithCloudSite(beta),
				applinktest.WithCloudClient(applinktest.CloudClient{ID: o2TestClientID, Secret: signer.NewSecret(o2TestSecret), RedirectURL: redirect}))
			store := token.NewMemoryStore()
			link := func(secret string) *applink.Link {
				svc, err := applink.NewService([]applink.Link{applink.Link{ID: testLinkID, Name: "acme", Type: applink.TypeJira, RPCURL: applinktest.DefaultCloudSite.URL,
					Auth: []applink.Auth{applink.AuthOAuth2}, Cloud: &applink.CloudSite{AuthBase: srv.URL, APIBase: srv.URL},
					OAuth2: &applink.OAuth2Client{ClientID: o2TestClientID, RedirectURL: redirect, Scopes: tt.scopes, ClientSecret: token.NewSecret(secret)}}},
					applink.WithTokenStore(store), applink.WithHTTPClient(srv.Client()))
				if err != nil {
					t.Fatal(err)
				}
				l, _ := svc.Link("acme")
				return l
			}
			l := link(o2TestSecret)
			f, _ := l.RequestFactory("alice")
			u, err := f.AuthorizationURL(t.Context(), "")
			if err != nil {
				t.Fatal(err)
			}
			redir, err := srv.ApproveCloud(u.String(), "alice", tt.sites...)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.CompleteAuthorization(t.Context(), u.Query().Get("state"), redir); err != nil {
				t.Fatal(err)
			}
			if tt.secret != "" {
				l = link(tt.secret)
			}
			rep, err := Diagnose(t.Context(), l, "alice")
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range tt.want {
				c := rep.Check(name)
				if c == nil {
					t.Fatalf("no %s check: %+v", name, rep.Checks)
				}
				if c.Status != want || !strings.Contains(c.Summary+" "+c.Fix, tt.say[name]) {
					t.Errorf("%s: %s %q (fix %q); want %s saying %q", name, c.Status, c.Summary, c.Fix, want, tt.say[name])
				}
			}
			for _, c := range rep.Checks {
				if s := c.Summary + c.Fix + strings.Join(c.Evidence, " "); strings.Contains(s, o2TestSecret) || strings.Contains(s, "cloud-access-") || strings.Contains(s, "cloud-refresh-") {
					t.Errorf("check %s shows a secret: %s", c.Name, s)
				}
			}
		})
	}
}
