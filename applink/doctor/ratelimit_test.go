package doctor_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
	"github.com/go-applinks/applinks/applink/doctor"
)

// The doctor reports the user's rate limit when the probe's answer carries
// it: the bucket, its fill rate and what is left; a warning when nothing
// is left. No rate-limit check when the remote says nothing.
func TestDiagnoseRateLimit(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name        string
		lim         *applinktest.RateLimiter
		wantStatus  doctor.Status
		wantSummary string
	}{
		{"limited", &applinktest.RateLimiter{FillRate: 10, Interval: time.Second, Limit: 20}, doctor.StatusPass,
			`the remote rate-limits user "alice": 19 of 20 left, 10 per 1s, retry after 0s (10 requests a second)`},
		{"out of requests", &applinktest.RateLimiter{FillRate: 1, Interval: time.Minute, Limit: 1}, doctor.StatusWarn,
			`the remote rate-limits user "alice": 0 of 1 left, 1 per 1m0s, retry after 0s (0.0167 requests a second)`},
		{"not limited", nil, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprintf(w, `{"name":%q}`, applinktest.User(r))
			})
			if c.lim != nil {
				h = c.lim.Wrap(h)
			}
			srv := applinktest.NewServer(t, applinktest.WithUsers("alice"), applinktest.WithResource("GET /rest/api/2/myself", h))
			l := testlink.Bound(t, srv, "Jira", testlink.WithKeyBits(1024), testlink.WithAuth(applink.Auth2LOi))
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			rep, err := doctor.Diagnose(ctx, l, "alice")
			if err != nil {
				t.Fatal(err)
			}
			got := rep.Check("rate-limit")
			if c.lim == nil {
				if got != nil {
					t.Fatalf("rate-limit check %+v for a remote that does not limit", got)
				}
				return
			}
			if got == nil {
				t.Fatalf("no rate-limit check in %+v", rep.Checks)
			}
			if got.Status != c.wantStatus || got.Summary != c.wantSummary {
				t.Errorf("got %s %q, want %s %q", got.Status, got.Summary, c.wantStatus, c.wantSummary)
			}
			if len(got.Evidence) == 0 || !strings.Contains(got.Evidence[0], "X-RateLimit-FillRate") {
				t.Errorf("evidence %q lacks the headers", got.Evidence)
			}
		})
	}
}
