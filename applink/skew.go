package applink

import (
	"context"
	"log/slog"
	"time"

	"github.com/go-applinks/applinks/signer"
)

// ClockOffset returns how far the remote's clock is ahead of ours
// (negative: behind), as the link learnt it from the remote's last
// timestamp_refused answer; every later request through the link corrects
// its oauth_timestamp by it. It is 0 until the remote refuses a timestamp,
// and for a link not obtained from a [Service]. applink/doctor reports it.
func (l *Link) ClockOffset() time.Duration {
	if l == nil || l.state == nil {
		return 0
	}
	return l.state.clockOffset()
}

// clockOffset returns how far the remote's clock is ahead of ours, as
// learnt from its last timestamp_refused (0 until then).
func (st *linkState) clockOffset() time.Duration { return time.Duration(st.offset.Load()) }

// learnOffset records the remote's clock from a timestamp_refused problem:
// the middle of its acceptable window (oauth_acceptable_timestamps) is its
// "now", and the difference from ours corrects every later timestamp for
// the link.
func (st *linkState) learnOffset(ctx context.Context, p *signer.ProblemError) time.Duration {
	mid := time.Unix(p.MinTimestamp+(p.MaxTimestamp-p.MinTimestamp)/2, 0)
	off := mid.Sub(st.svc.clock()).Round(time.Second)
	st.offset.Store(int64(off))
	st.svc.logger.LogAttrs(ctx, slog.LevelInfo, "applink: the remote refused our timestamp; correcting our clock for the link",
		slog.String("link", st.link.Name), slog.Duration("offset", off))
	return off
}
