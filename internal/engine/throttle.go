package engine

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/go-applinks/applinks/internal/redact"
)

// Throttle paces the requests of one user through one link, shared by
// every goroutine sending them, from what the server says of its rate
// limit (see [RateLimit] and docs/protocol-notes.md):
//
//   - with a fill rate and an interval (Jira and Confluence Data Center),
//     it keeps a token bucket like the server's: each request takes a
//     token before it is sent and waits for one when none is left. Tokens
//     come back continuously, at 97% of the fill rate, until a 429 shows
//     that the server adds them in one batch per interval (Jira's bucket
//     does); then it waits for the batches, assumed an interval apart from
//     the answer that told of the bucket (a 429 at one moves them later). A
//     Remaining lower than it expects lowers its estimate and, when pacing
//     by batches, halves the share of each batch it takes (other replicas
//     spend the same bucket); the share grows back every quiet interval;
//   - after a 429 with Retry-After N > 0, or X-RateLimit-Reset in the future
//     (Jira Cloud), nobody sends before that time; Remaining 0 with a reset
//     does the same;
//   - until the first answer, one request goes first and the others wait
//     for it (at most [ProbeWait]), so that concurrent requests do not spend
//     the bucket blind;
//   - an answer without any rate-limit header says the user is not limited
//     (now): pacing stops until headers come back.
//
// Its zero value is not usable: get one from [Throttles.For]. It is safe
// for concurrent use.
type Throttle struct {
	clock func() time.Time
	sleep func(context.Context, time.Duration) error

	mu       sync.Mutex
	probing  chan struct{} // closed when the first request's answer came
	probed   bool
	bucket   bool          // pacing by a token bucket
	batches  bool          // the server fills it by batches, not continuously
	at       time.Time     // when tokens was last refilled (continuously)
	fill     float64       // tokens per batch
	interval time.Duration // between batches
	burst    float64
	tokens   float64   // now; negative when reserved ahead
	next     time.Time // when the next batch is assumed to come
	share    float64   // of each batch this process takes (1 alone)
	last429  time.Time
	lastCut  time.Time // when the share was last halved
	anchor   time.Time // the answer that told of the bucket
	until    time.Time // nobody sends before
	acquired int       // requests that took a turn and have not been answered
	last     RateLimit
	seen     bool // last holds an answer's headers
	limited  int  // 429s in a row
	gen      int  // counts what the server said that changes the waits
}

// ProbeWait bounds how long requests wait for the first request's answer
// before going ahead without it.
const ProbeWait = time.Second

// WaitTooLongError is the error of a request the throttle did not send
// because the server asked to wait longer than the caller allows.
type WaitTooLongError struct {
	// Wait is how long the request would have had to wait.
	Wait time.Duration
	// Max is the longest wait the caller allows.
	Max time.Duration
	// Queued is set when the server's own wait was allowed but the
	// requests waiting before this one make its turn too far.
	Queued bool
	// RateLimit is the last rate-limit state the server reported.
	RateLimit RateLimit
}

func (e *WaitTooLongError) Error() string {
	if e.Queued {
		return fmt.Sprintf("the server's rate limit leaves this request's turn, behind the others waiting, %v away, more than the %v allowed (the retry policy's MaxElapsed): send fewer requests at once",
			e.Wait.Round(time.Second), e.Max)
	}
	return fmt.Sprintf("the server's rate limit asks to wait %v before sending, more than the %v allowed (the retry policy's MaxRetryAfter): try again later",
		e.Wait.Round(time.Second), e.Max)
}

// Acquire waits for the request's turn: until the first request's answer
// (if this is not the first), until any window the server announced has
// passed, and for a token of the bucket. It returns how long it waited.
// When what the server asks of every request (its window, its next token)
// is longer than maxAnnounced, or this request's turn, behind the others
// waiting, is further than maxQueued, the wait is not taken: the error is
// a *WaitTooLongError, and nothing is reserved. Every successful Acquire
// must be followed by one [Throttle.Observe] (with a nil header when the
// request failed). When ctx ends, it returns ctx.Err() and gives its turn
// back.
func (t *Throttle) Acquire(ctx context.Context, maxAnnounced, maxQueued time.Duration) (time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	t.mu.Lock()
	if !t.probed && t.probing == nil {
		// The first request: it goes alone.
		t.probing = make(chan struct{})
		t.acquired++
		t.mu.Unlock()
		return 0, nil
	}
	var waited time.Duration
	if ch := t.probing; ch != nil && !t.probed {
		t.mu.Unlock()
		start := t.clock()
		timer := time.NewTimer(ProbeWait)
		select {
		case <-ch:
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return 0, ctx.Err()
		}
		timer.Stop()
		waited = max(t.clock().Sub(start), 0)
		t.mu.Lock()
	}
	if !t.bucket && t.until.IsZero() && maxAnnounced >= 0 && maxQueued >= 0 {
		// Nothing paces this link (the server never asked): go now,
		// without reading the clock.
		t.acquired++
		t.mu.Unlock()
		return waited, nil
	}
	for {
		now := t.clock()
		sendAt := now
		if t.until.After(sendAt) {
			sendAt = t.until
		}
		announced := sendAt // what the server asks of every request
		if t.bucket {
			t.refill(now)
			if t.tokens < 1 {
				sendAt = laterOf(sendAt, t.tokenAt(now, t.tokens))
				announced = laterOf(announced, t.tokenAt(now, max(t.tokens, 0)))
			}
		}
		wait := sendAt.Sub(now)
		if d := announced.Sub(now); d > maxAnnounced || wait > maxQueued {
			e := &WaitTooLongError{Wait: d, Max: maxAnnounced, RateLimit: t.last}
			if d <= maxAnnounced {
				e.Wait, e.Max, e.Queued = wait, maxQueued, true
			}
			t.mu.Unlock()
			return waited, e
		}
		took := t.bucket
		if took {
			t.tokens--
		}
		t.acquired++
		gen := t.gen
		t.mu.Unlock()
		if wait <= 0 {
			return waited, nil
		}
		err := t.sleep(ctx, wait)
		t.mu.Lock()
		if err == nil {
			waited += wait
			if t.gen == gen {
				t.mu.Unlock()
				return waited, nil
			}
		}
		// Canceled, or the server said something new while this
		// request waited (a 429, fewer tokens than expected): give the
		// turn back, and take one again under what is known now.
		t.acquired--
		if took && t.bucket {
			t.tokens++
		}
		if err != nil {
			t.mu.Unlock()
			return waited, err
		}
	}
}

// RoundTrip sends out through rt when [Throttle.Acquire] gives it its turn
// (maxAnnounced and maxQueued bound the wait; a longer one is a
// *WaitTooLongError and nothing is sent), signing it with sign first when
// sign is not nil (so that the signature's timestamp is the sending
// time; an error closes out's body and sends nothing), and tells
// [Throttle.Observe] what came back. Waits are logged at info level, the state each answer
// reports at debug level (info for a 429), with the link and the user.
func (t *Throttle) RoundTrip(rt http.RoundTripper, out *http.Request, sign func(*http.Request) error, maxAnnounced, maxQueued time.Duration, logger *slog.Logger, link, user string) (*http.Response, error) {
	ctx := out.Context()
	waited, err := t.Acquire(ctx, maxAnnounced, maxQueued)
	if err != nil {
		return nil, err
	}
	if waited > 0 {
		rl, _ := t.State()
		logger.LogAttrs(ctx, slog.LevelInfo, "applink: waiting for the rate limit",
			slog.String("link", link), slog.String("user", user), slog.String("url", redact.URL(out.URL)),
			slog.Duration("waited", waited), slog.String("rate_limit", rl.String()))
	}
	if sign != nil {
		if err := sign(out); err != nil {
			t.Observe(0, nil)
			if out.Body != nil {
				out.Body.Close()
			}
			return nil, err
		}
	}
	resp, err := rt.RoundTrip(out)
	if err != nil {
		t.Observe(0, nil)
		return nil, err
	}
	if rl, ok := t.Observe(resp.StatusCode, resp.Header); ok {
		level := slog.LevelDebug
		if resp.StatusCode == http.StatusTooManyRequests {
			level = slog.LevelInfo
		}
		logger.LogAttrs(ctx, level, "applink: rate limit",
			slog.String("link", link), slog.String("user", user), slog.Int("status", resp.StatusCode),
			slog.String("rate_limit", rl.String()))
	}
	return resp, nil
}

// tokenAt returns when a request finds its token, with tokens (less than
// 1) left now: after the batches or the time that bring it to 1.
func (t *Throttle) tokenAt(now time.Time, tokens float64) time.Time {
	if t.batches {
		per := max(min(t.fill, t.burst)*t.share, 1)
		k := int((1-tokens+per-1)/per) - 1
		return t.next.Add(time.Duration(k) * t.interval)
	}
	return now.Add(time.Duration((1 - tokens) / t.rate() * float64(time.Second)))
}

func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// refill adds the tokens come by now, up to the burst: continuously at
// the paced rate, or, once the server showed it adds them by batches, the
// batches assumed by now. Of each batch this process takes its share: all
// of it alone, less when other replicas spend the same bucket; the share
// grows back by an eighth every interval without a 429.
func (t *Throttle) refill(now time.Time) {
	if !t.batches {
		if d := now.Sub(t.at); d > 0 {
			t.tokens = min(t.burst, t.tokens+t.rate()*d.Seconds())
			if now.Sub(t.last429) > 2*t.interval {
				t.share = min(1, t.share+0.125*d.Seconds()/t.interval.Seconds())
			}
		}
		t.at = now
		return
	}
	for !now.Before(t.next) {
		// A bucket of Limit tokens never gives more than Limit a batch.
		t.tokens = min(t.burst, t.tokens+max(min(t.fill, t.burst)*t.share, 1))
		t.next = t.next.Add(t.interval)
		if t.next.Sub(t.last429) > 2*t.interval {
			t.share = min(1, t.share+0.125)
		}
	}
}

// rate is the continuous fill rate this process takes, in tokens per
// second.
func (t *Throttle) rate() float64 {
	return max(t.fill*t.share, 1) / t.interval.Seconds() * paceFactor
}

// paceFactor is the share of a continuous fill rate the throttle spends:
// a little less than all of it, so that the jitter of the network does not
// make a request come before its token.
const paceFactor = 0.97

// Observe takes what the answer to an acquired request says: its status
// and headers (h nil when no answer came: a network error). It returns
// the rate-limit state the answer gave, and whether it gave one.
func (t *Throttle) Observe(status int, h http.Header) (RateLimit, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.acquired > 0 {
		t.acquired--
	}
	if h == nil {
		if t.probing != nil && !t.probed {
			// The first request failed: the next one probes again, and
			// the waiting ones go ahead.
			close(t.probing)
			t.probing = nil
		}
		return RateLimit{}, false
	}
	if !t.probed {
		t.probed = true
		if t.probing != nil {
			close(t.probing)
		}
	}
	limited := status == http.StatusTooManyRequests
	var now time.Time
	var rl RateLimit
	ok := false
	if limited || mayLimit(h) { // most answers carry no limit: no clock, no parse
		now = t.clock()
		rl, ok = parseRateLimit(h, now)
	}
	if !ok && !limited {
		// Not limited (any more): stop pacing.
		t.bucket, t.seen, t.last = false, false, RateLimit{}
		return rl, false
	}
	t.last, t.seen = rl, true
	remaining := rl.Remaining
	if limited && remaining < 0 {
		remaining = 0
	}
	if rl.Bucket() {
		t.fill, t.interval = float64(rl.FillRate), rl.Interval
		t.burst = float64(max(rl.Limit, 1))
		if !t.bucket {
			t.bucket, t.tokens, t.share, t.at, t.anchor = true, t.burst, 1, now, now
		}
		t.refill(now)
	}
	if t.bucket && remaining >= 0 && float64(remaining) < t.tokens {
		// The server has fewer tokens left than this process expects
		// after all it acquired (whose answers may still be coming,
		// which the server counted or not): someone else spends the
		// bucket. Take the least it can have left.
		t.tokens = float64(remaining - t.acquired)
		t.gen++
		if !limited && t.batches && now.Sub(t.lastCut) >= t.interval {
			// Someone else spends this bucket too: take half as much
			// of each batch (at most once an interval).
			t.share = max(t.share/2, 1/max(t.fill, 1))
			t.lastCut = now
		}
	}
	if !limited {
		t.limited = 0
	} else {
		t.limited++
		t.gen++
		switch {
		case t.bucket && !t.batches:
			// Paced continuously yet out of tokens: the server adds
			// them by batches. The next one is at most an interval
			// away; from then on, one batch an interval.
			//
			// If the first request made the bucket, its batches come
			// at most an interval after each other from that
			// request's answer: assume so (a 429 at one of them
			// moves them later).
			t.batches, t.last429 = true, now
			t.next = t.anchor.Add(t.interval * (now.Sub(t.anchor)/t.interval + 1))
		case t.bucket:
			// The server's batch comes later than assumed: it is at
			// most an interval away from now.
			t.next, t.last429 = now.Add(t.interval), now
		}
	}
	var window time.Time
	switch {
	case limited && rl.HasRetryAfter && rl.RetryAfter > 0:
		window = now.Add(rl.RetryAfter)
	case (limited || remaining == 0) && !rl.Reset.IsZero():
		window = rl.Reset
	case limited && !t.bucket && rl.HasRetryAfter && t.limited == 1:
		// Retry-After: 0, the first in a row: now.
	case limited && !t.bucket:
		// Another "now" (Retry-After: 0) or no word, and no bucket to
		// wait for: everyone pauses, a quarter second doubled for each
		// 429 in a row, up to 5s. With a bucket, the tokens (none left,
		// now) say when to send.
		window = now.Add(min(250*time.Millisecond<<min(t.limited-1, 16), 5*time.Second))
	}
	if window.After(t.until) {
		t.until = window
	}
	return rl, true
}

// State returns the last rate-limit state an answer reported, and
// whether one did (false also after an answer without any rate-limit
// header).
func (t *Throttle) State() (RateLimit, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last, t.seen
}

// Throttles holds one [Throttle] per key (a user). Clock and Sleep are
// the time source and the wait the throttles use: nil means time.Now and
// a timer honoring the context. Set them before the first For. It is
// safe for concurrent use.
type Throttles struct {
	Clock func() time.Time
	Sleep func(context.Context, time.Duration) error

	mu sync.Mutex
	m  map[string]*Throttle
}

// For returns the throttle of key, made on first use.
func (ts *Throttles) For(key string) *Throttle {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if t := ts.m[key]; t != nil {
		return t
	}
	if ts.m == nil {
		ts.m = make(map[string]*Throttle)
	}
	t := &Throttle{clock: ts.Clock, sleep: ts.Sleep}
	if t.clock == nil {
		t.clock = time.Now
	}
	if t.sleep == nil {
		t.sleep = sleepCtx
	}
	ts.m[key] = t
	return t
}
