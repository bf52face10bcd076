package doctor

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/google/go-cmp/cmp"
)

// TestDiagnoseProbeTimeout checks that WithProbeTimeout bounds each check: a
// remote that accepts connections but never answers makes the first HTTP
// check fail as timed out, and the diagnosis stops there instead of waiting
// the default 10 seconds per request.
func TestDiagnoseProbeTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs before srv.Close
	l := applink.Link{ID: applink.DefaultLinkID("Jira", srv.URL), Name: "Jira", Type: applink.TypeJira, RPCURL: srv.URL, ConsumerKey: "k", Auth: []applink.Auth{applink.Auth2LO}, PrivateKey: diagKeyFile(t, "sign-rsa2048-TEST-ONLY.pem")}
	svc, err := applink.NewService([]applink.Link{l})
	if err != nil {
		t.Fatal(err)
	}
	bound, _ := svc.Link(l.ID)
	// The remote never answers, so any timeout is reached; a short one
	// keeps the test quick, and nothing here depends on how short.
	rep, err := Diagnose(t.Context(), bound, "", WithProbeTimeout(200*time.Millisecond))
	if err != nil {
		t.Fatalf("Diagnose: %v", err)
	}
	c := rep.Check(checkManifest)
	if c == nil || c.Status != StatusFail || !strings.Contains(strings.Join(append([]string{c.Summary}, c.Evidence...), " "), "deadline exceeded") {
		t.Fatalf("manifest check %+v: want a failure for the timeout", c)
	}
}

func TestDiagnoseConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []Option
		want time.Duration
	}{
		{"default", nil, defaultProbeTimeout},
		{"nil option", []Option{nil}, defaultProbeTimeout},
		{"longer", []Option{WithProbeTimeout(time.Minute)}, time.Minute},
		{"zero keeps the default", []Option{WithProbeTimeout(0)}, defaultProbeTimeout},
		{"negative keeps the default", []Option{WithProbeTimeout(-time.Second)}, defaultProbeTimeout},
		{"last wins", []Option{WithProbeTimeout(time.Minute), WithProbeTimeout(time.Hour)}, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, config(tt.opts).probeTimeout); diff != "" {
				t.Errorf("probe timeout (-want +got):\n%s", diff)
			}
		})
	}
}
