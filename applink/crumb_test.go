package applink

import (
	"net/http"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/signer"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/internal/engine"
	"github.com/google/go-cmp/cmp"
)

const jenkinsSecret = "core-jenkins-secret-TEST-ONLY"

// newJenkinsFixture starts a Jenkins-shaped provider with an HMAC-SHA1 3LO
// consumer and links to it.
func newJenkinsFixture(t *testing.T) *coreFixture {
	t.Helper()
	srv := applinktest.NewServer(t, applinktest.WithShape(applinktest.Jenkins), applinktest.WithUsers("alice", "bob"),
		applinktest.WithConsumer(applinktest.Consumer{Key: coreConsumer, Secret: signer.NewSecret(jenkinsSecret), ThreeLO: true}))
	l := Link{ID: newLinkID(), Name: "Jenkins", Type: TypeJenkins, RPCURL: srv.URL, ConsumerKey: coreConsumer, Secret: token.NewSecret(jenkinsSecret)}
	store := token.NewMemoryStore()
	svc, err := NewService([]Link{l}, WithHTTPClient(srv.Client()), WithTokenStore(store), WithRetry(RetryPolicy{Max: -1}))
	if err != nil {
		t.Fatal(err)
	}
	bound, _ := svc.Link(l.ID)
	return &coreFixture{srv: srv, svc: svc, link: bound, store: store, waits: &waitLog{}}
}

func post(t *testing.T, f *RequestFactory, path string, form map[string]string) int {
	t.Helper()
	req, err := f.NewRequest(http.MethodPost, path)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range form {
		req.AddForm(k, v)
	}
	resp, err := req.Do(t.Context())
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestJenkinsCrumbs(t *testing.T) {
	t.Parallel()
	fx := newJenkinsFixture(t)
	fx.authorize(t, "alice")
	fx.authorize(t, "bob")
	alice, bob := fx.factory(t, "alice"), fx.factory(t, "bob")

	if code := post(t, alice, "/job/deploy/buildWithParameters", map[string]string{"ENV": "test"}); code >= 300 {
		t.Fatalf("buildWithParameters: status %d", code)
	}
	if code := post(t, alice, "/job/deploy/buildWithParameters", map[string]string{"ENV": "prod"}); code >= 300 {
		t.Fatalf("second buildWithParameters: status %d", code)
	}
	crumbs := recordsFor(fx.srv, "/crumbIssuer/api/json")
	if len(crumbs) != 1 || crumbs[0].User != "alice" || crumbs[0].Flow != applinktest.FlowThreeLO {
		t.Errorf("crumb requests %+v: want one, as alice over 3LO (then cached)", crumbs)
	}

	// /job/<name>/build is exempt: no crumb fetched for bob.
	if code := post(t, bob, "/job/deploy/build", nil); code >= 300 {
		t.Fatalf("build: status %d", code)
	}
	if n := len(recordsFor(fx.srv, "/crumbIssuer/api/json")); n != 1 {
		t.Errorf("%d crumb requests after an exempt /build, want still 1", n)
	}

	// A stale cached crumb is refused once, then fetched again.
	st := fx.link.state
	st.crumbs.Set(engine.CrumbIdentity(string(Auth3LO), "bob"), applinktest.CrumbField, "stale", time.Now().Add(time.Hour), time.Now())
	if code := post(t, bob, "/job/deploy/buildWithParameters", map[string]string{"ENV": "qa"}); code >= 300 {
		t.Fatalf("buildWithParameters with a stale crumb: status %d", code)
	}
	var got []string
	for _, b := range fx.srv.Builds() {
		got = append(got, b.User+":"+b.Job+":"+b.Params.Get("ENV"))
	}
	want := []string{"alice:deploy:test", "alice:deploy:prod", "bob:deploy:", "bob:deploy:qa"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("builds (-want +got):\n%s", diff)
	}
}
