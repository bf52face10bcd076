package doctor

import (
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/signer"
)

func TestClockCheck(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	date := func(skew time.Duration) []dateSample {
		return []dateSample{{remote: now.Add(skew), local: now, source: "GET /"}}
	}
	tests := []struct {
		name    string
		ran     bool
		dates   []dateSample
		refused []refusal
		want    wantCheck
	}{
		{"date agrees", true, date(0), nil,
			wantCheck{status: StatusPass, summary: "the clocks agree within 1 s (from its Date header)"}},
		{"date two minutes ahead", true, date(2 * time.Minute), nil,
			wantCheck{status: StatusWarn, summary: "120 s ahead of ours (from its Date header): within the 5-minute limit", fix: "NTP"}},
		{"date ten minutes behind", true, date(-10 * time.Minute), nil,
			wantCheck{status: StatusFail, summary: "600 s behind ours (from its Date header): more than the 5-minute limit", fix: "NTP"}},
		{"corrected by a refusal, Date disagreeing", true, date(0), []refusal{{probe: "probe-2lo", offset: time.Hour}},
			wantCheck{status: StatusFail, summary: "3600 s ahead of ours (from timestamp_refused", fix: "NTP", evidence: "the Date header and timestamp_refused disagree"}},
		{"refused twice", true, nil, []refusal{{probe: "probe-3lo", twice: &skewRange{local: now,
			min: now.Add(-time.Hour - 5*time.Minute), max: now.Add(-time.Hour + 5*time.Minute)}}},
			wantCheck{status: StatusFail, summary: "3600 s behind ours", fix: "NTP", evidence: "timestamp_refused twice"}},
		{"refused without a range", true, nil, []refusal{{probe: "probe-2lo", problem: &signer.ProblemError{Problem: signer.ProblemTimestampRefused}}},
			wantCheck{status: StatusFail, summary: "without saying its clock", fix: "NTP", evidence: "without acceptable timestamps"}},
		{"no Date header", true, nil, nil, wantCheck{status: StatusSkip, summary: "no answer carried a Date header"}},
		{"no answer", false, nil, nil, wantCheck{status: StatusSkip, summary: "no answer from the remote"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := classifyDiagnosis(t, applink.TypeJira)
			d.dates, d.refused = tt.dates, tt.refused
			tt.want.name, tt.want.category = checkClock, CategoryClock
			assertCheck(t, &Report{Checks: []Check{d.clockCheck(tt.ran)}}, tt.want)
		})
	}
}
