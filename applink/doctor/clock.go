package doctor

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/signer"
)

// Clock skew limits: OAuth providers refuse timestamps more than 5 minutes
// from their clock; a minute already deserves a look.
const (
	skewLimit   = 5 * time.Minute
	skewWarning = time.Minute
)

// dateSample is a Date header and our clock when it came.
type dateSample struct {
	remote, local time.Time
	source        string
}

// refusal is a timestamp_refused a probe met: corrected (offset), refused
// twice (twice), or refused without a range to correct by (problem).
type refusal struct {
	probe   string
	offset  time.Duration
	twice   *skewRange
	problem *signer.ProblemError
}

// skewRange is a timestamp_refused that the link's correction did not
// cure: our clock when it came, and the remote's acceptable range.
type skewRange struct{ local, min, max time.Time }

// refusedTwice returns the timestamp_refused problem of a probe's error: a
// refusal that came back after the link corrected its timestamp by the
// remote's range (the first refusal is corrected, not returned); nil for
// any other error.
func refusedTwice(err error) *signer.ProblemError {
	var oe *applink.OAuthError
	if errors.As(err, &oe) && oe.Problem != nil && oe.Problem.Problem == signer.ProblemTimestampRefused && oe.Problem.MinTimestamp != 0 {
		return oe.Problem
	}
	return nil
}

// noteDate records the Date header of an answer.
func (d *diagnosis) noteDate(h http.Header, source string) {
	v := h.Get("Date")
	if v == "" {
		return
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return
	}
	d.dates = append(d.dates, dateSample{remote: t, local: d.seam.Now(), source: source})
}

// skewOf is how far the remote's clock is ahead of ours by a refusal, and
// whether the refusal tells.
func (r refusal) skew() (time.Duration, bool) {
	switch {
	case r.offset != 0:
		return r.offset, true
	case r.twice != nil:
		mid := r.twice.min.Add(r.twice.max.Sub(r.twice.min) / 2)
		return mid.Sub(r.twice.local).Round(time.Second), true
	}
	return 0, false
}

// clockCheck judges the skew between our clock and the remote's, from the
// timestamp_refused problems the probes met (what OAuth uses), else from
// the Date headers.
func (d *diagnosis) clockCheck(ran bool) Check {
	c := Check{Name: checkClock, Category: CategoryClock}
	var (
		skew   time.Duration
		source string
		known  bool
	)
	if len(d.dates) > 0 {
		s := d.dates[0]
		ds := s.remote.Sub(s.local).Round(time.Second)
		c.Evidence = append(c.Evidence, fmt.Sprintf("Date %s (answer to %s) at our %s: the remote's clock is %s ours (±1 s)",
			s.remote.UTC().Format(http.TimeFormat), s.source, s.local.UTC().Format(time.RFC3339), relative(ds)))
		skew, source, known = ds, "its Date header", true
	}
	dateSkew, dateKnown := skew, known
	refusedUnknown := false
	for _, r := range d.refused {
		rs, ok := r.skew()
		switch {
		case r.twice != nil:
			c.Evidence = append(c.Evidence, fmt.Sprintf("%s: timestamp_refused twice: it accepts %d-%d", r.probe, r.twice.min.Unix(), r.twice.max.Unix()))
		case r.problem != nil && r.problem.MinTimestamp != 0:
			c.Evidence = append(c.Evidence, fmt.Sprintf("%s: timestamp_refused: acceptable timestamps %d-%d", r.probe, r.problem.MinTimestamp, r.problem.MaxTimestamp))
		case r.problem != nil:
			c.Evidence = append(c.Evidence, r.probe+": timestamp_refused without acceptable timestamps")
			refusedUnknown = true
		default:
			c.Evidence = append(c.Evidence, fmt.Sprintf("%s: timestamp_refused: the link learnt the remote's clock is %s ours and corrects its timestamps", r.probe, relative(r.offset)))
		}
		if ok {
			skew, source, known = rs, "timestamp_refused, the remote's acceptable timestamps", true
		}
	}
	if dateKnown && known && source != "its Date header" && (skew-dateSkew > skewWarning || dateSkew-skew > skewWarning) {
		c.Evidence = append(c.Evidence, "the Date header and timestamp_refused disagree: the OAuth timestamps are what count (a proxy, or another clock than the OAuth provider's, may write the Date header)")
	}
	if !known && refusedUnknown {
		c.Status = StatusFail
		c.Summary = "the remote refused our timestamps (timestamp_refused) without saying its clock"
		c.Fix = d.clockFix()
		return c
	}
	if !known {
		c.Status = StatusSkip
		c.Summary = "not checked: no answer carried a Date header"
		if !ran {
			c.Summary = "not checked: no answer from the remote"
		}
		return c
	}
	abs := skew
	if abs < 0 {
		abs = -abs
	}
	dir := "ahead of"
	if skew < 0 {
		dir = "behind"
	}
	switch {
	case abs > skewLimit:
		c.Status = StatusFail
		c.Summary = fmt.Sprintf("the remote's clock is %s %s ours (from %s): more than the 5-minute limit", seconds(abs), dir, source)
		c.Fix = d.clockFix()
	case abs > skewWarning:
		c.Status = StatusWarn
		c.Summary = fmt.Sprintf("the remote's clock is %s %s ours (from %s): within the 5-minute limit, but drifting", seconds(abs), dir, source)
		c.Fix = d.clockFix()
	default:
		c.Status = StatusPass
		c.Summary = fmt.Sprintf("the clocks agree within %s (from %s)", seconds(max(abs, time.Second)), source)
	}
	return c
}

func (d *diagnosis) clockFix() string {
	return fmt.Sprintf("Synchronize the clocks of this machine and of %s with NTP (timedatectl set-ntp true, or chrony): OAuth providers refuse timestamps more than 5 minutes off; this process corrects for it, other clients will not.", d.rpc.Hostname())
}

// relative says how far the remote's clock is from ours: "N s ahead of",
// "N s behind" or "the same as".
func relative(skew time.Duration) string {
	switch {
	case skew.Round(time.Second) == 0:
		return "the same as"
	case skew < 0:
		return seconds(-skew) + " behind"
	}
	return seconds(skew) + " ahead of"
}
