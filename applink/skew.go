package applink

import (
	"context"
	"log/slog"
	"time"

	"github.com/go-applinks/applinks/signer"
)

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
