package engine

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func TestParseRateLimit(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		h      http.Header
		want   RateLimit
		wantOK bool
	}{
		{"none", http.Header{}, RateLimit{Limit: -1, Remaining: -1, FillRate: -1}, false},
		{"jira dc", http.Header{"X-Ratelimit-Limit": {"20"}, "X-Ratelimit-Remaining": {"19"}, "X-Ratelimit-Fillrate": {"10"},
			"X-Ratelimit-Interval-Seconds": {"1"}, "Retry-After": {"0"}},
			RateLimit{Limit: 20, Remaining: 19, FillRate: 10, Interval: time.Second, HasRetryAfter: true}, true},
		{"jira 8.6 eap names", http.Header{"X-Ratelimiting-Limit": {"5"}, "X-Ratelimiting-Remaining": {"0"}},
			RateLimit{Limit: 5, Remaining: 0, FillRate: -1}, true},
		{"429 retry after", http.Header{"Retry-After": {"7"}},
			RateLimit{Limit: -1, Remaining: -1, FillRate: -1, RetryAfter: 7 * time.Second, HasRetryAfter: true}, true},
		{"cloud", http.Header{"Retry-After": {"3"}, "X-Ratelimit-Reset": {"2026-03-02T10:01Z"}, "X-Ratelimit-Nearlimit": {"true"},
			"Ratelimit-Reason": {"jira-burst-based"}},
			RateLimit{Limit: -1, Remaining: -1, FillRate: -1, RetryAfter: 3 * time.Second, HasRetryAfter: true,
				Reset: t0.Add(time.Minute), NearLimit: true, Reason: "jira-burst-based"}, true},
		{"reset with seconds", http.Header{"X-Ratelimit-Reset": {"2026-03-02T10:00:30Z"}},
			RateLimit{Limit: -1, Remaining: -1, FillRate: -1, Reset: t0.Add(30 * time.Second)}, true},
		{"reset unix", http.Header{"X-Ratelimit-Reset": {"1772445630"}},
			RateLimit{Limit: -1, Remaining: -1, FillRate: -1, Reset: time.Unix(1772445630, 0)}, true},
		{"garbage ignored", http.Header{"X-Ratelimit-Limit": {"lots"}, "X-Ratelimit-Remaining": {"-3"}, "Retry-After": {"1.5"},
			"X-Ratelimit-Reset": {"soon"}, "X-Ratelimit-Interval-Seconds": {"0"}},
			RateLimit{Limit: -1, Remaining: -1, FillRate: -1}, true},
		{"retry after huge", http.Header{"Retry-After": {"99999999999999999999999"}},
			RateLimit{Limit: -1, Remaining: -1, FillRate: -1, RetryAfter: 24 * time.Hour, HasRetryAfter: true}, true},
		{"retry after date", http.Header{"Retry-After": {t0.Add(90 * time.Second).Format(http.TimeFormat)}},
			RateLimit{Limit: -1, Remaining: -1, FillRate: -1, RetryAfter: 90 * time.Second, HasRetryAfter: true}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, ok := ParseRateLimit(c.h, t0)
			if ok != c.wantOK {
				t.Errorf("ok = %v, want %v", ok, c.wantOK)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseRateLimit(f *testing.F) {
	f.Add("20", "19", "10", "1", "0", "2026-03-02T10:01Z")
	f.Add("x", "-1", "", "99999999999", "Mon, 02 Mar 2026 10:00:00 GMT", "1772445630")
	f.Fuzz(func(t *testing.T, limit, remaining, fill, interval, retry, reset string) {
		h := http.Header{}
		for k, v := range map[string]string{"X-RateLimit-Limit": limit, "X-RateLimit-Remaining": remaining,
			"X-RateLimit-FillRate": fill, "X-RateLimit-Interval-Seconds": interval, "Retry-After": retry, "X-RateLimit-Reset": reset} {
			h.Set(k, v)
		}
		r, _ := ParseRateLimit(h, t0)
		if r.Limit < -1 || r.Remaining < -1 || r.FillRate < -1 || r.Interval < 0 || r.RetryAfter < 0 || r.RetryAfter > 24*time.Hour {
			t.Fatalf("out of range: %+v", r)
		}
		if !r.Reset.IsZero() && r.Reset.After(t0.Add(24*time.Hour)) {
			t.Fatalf("reset %v more than a day ahead", r.Reset)
		}
		if rate := r.Rate(); rate < 0 || (rate > 0 && !r.Bucket()) {
			t.Fatalf("rate %v for %+v", rate, r)
		}
	})
}

// fakeTime is a clock that the throttle's sleeps advance.
type fakeTime struct{ now time.Time }

func (f *fakeTime) clock() time.Time { return f.now }
func (f *fakeTime) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.now = f.now.Add(d)
	return nil
}

func dcHeader(limit, remaining, fill int) http.Header {
	h := http.Header{}
	h.Set("X-RateLimit-Limit", itoa(limit))
	h.Set("X-RateLimit-Remaining", itoa(remaining))
	h.Set("X-RateLimit-FillRate", itoa(fill))
	h.Set("X-RateLimit-Interval-Seconds", "1")
	return h
}

func itoa(n int) string { return strconv.Itoa(n) }

// The throttle in time: the first request goes alone; once the bucket is
// known, requests take its tokens and then wait for the next batch,
// every goroutine in one queue; a 429's Retry-After holds everyone; a wait
// past the cap is refused; an answer without headers stops pacing.
func TestThrottle(t *testing.T) {
	t.Parallel()
	ft := &fakeTime{now: t0}
	ts := &Throttles{Clock: ft.clock, Sleep: ft.sleep}
	th := ts.For("alice")
	if ts.For("alice") != th || ts.For("bob") == th {
		t.Fatal("For: one throttle per key")
	}
	ctx := t.Context()
	acquire := func() time.Duration {
		t.Helper()
		start := ft.now
		if _, err := th.Acquire(ctx, time.Minute, time.Hour); err != nil {
			t.Fatal(err)
		}
		return ft.now.Sub(start)
	}
	if w := acquire(); w != 0 {
		t.Fatalf("first request waited %v", w)
	}
	// The bucket: 3 tokens, 2 a second; 2 left after the first.
	if _, ok := th.Observe(200, dcHeader(3, 2, 2)); !ok {
		t.Fatal("Observe: no rate limit seen")
	}
	var waits []time.Duration
	for range 5 {
		waits = append(waits, acquire())
		h := dcHeader(3, 0, 2)
		h.Del("X-RateLimit-Remaining") // what was expected: no correction
		th.Observe(200, h)
	}
	// 2 tokens now, then one every 1/(2*paceFactor) s: paced
	// continuously until a 429 says the server adds them by batches.
	pf := paceFactor
	step := time.Duration(float64(time.Second) / (2 * pf))
	want := []time.Duration{0, 0, step, step, step}
	if diff := cmp.Diff(want, waits, cmp.Comparer(func(a, b time.Duration) bool { return (a - b).Abs() < time.Millisecond })); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}

	// A 429 with Retry-After: 5 holds everyone for 5s.
	acquire()
	h := dcHeader(3, 0, 2)
	h.Set("Retry-After", "5")
	th.Observe(http.StatusTooManyRequests, h)
	if w := acquire(); w != 5*time.Second {
		t.Errorf("after Retry-After: 5, waited %v, want 5s", w)
	}
	th.Observe(200, dcHeader(3, 2, 2))

	// A wait longer than the cap is refused, and nothing is reserved.
	acquire()
	h.Set("Retry-After", "120")
	th.Observe(http.StatusTooManyRequests, h)
	_, err := th.Acquire(ctx, time.Minute, time.Hour)
	var long *WaitTooLongError
	if !errors.As(err, &long) || long.Wait != 2*time.Minute {
		t.Fatalf("Acquire past the cap: %v, want a *WaitTooLongError of 2m", err)
	}
	ft.now = ft.now.Add(2 * time.Minute)

	// An answer without any header: the user is not limited, no pacing.
	acquire()
	th.Observe(200, http.Header{})
	for range 10 {
		if w := acquire(); w != 0 {
			t.Fatalf("unlimited user waited %v", w)
		}
		th.Observe(200, http.Header{})
	}
	if _, ok := th.State(); ok {
		t.Error("State after an answer without headers: ok")
	}
}

// A turn far behind a long queue is refused against maxQueued, not
// against the server's own wait: the server asks only for the next token.
func TestThrottleQueueLongerThanAllowed(t *testing.T) {
	t.Parallel()
	ft := &fakeTime{now: t0}
	th := (&Throttles{Clock: ft.clock, Sleep: func(context.Context, time.Duration) error { return nil }}).For("")
	th.Acquire(t.Context(), time.Minute, time.Hour)
	th.Observe(200, dcHeader(1, 0, 1)) // one token a second, none left
	var long *WaitTooLongError
	for i := range 10 {
		_, err := th.Acquire(t.Context(), 2*time.Second, 5*time.Second)
		switch {
		case i < 4 && err != nil:
			t.Fatalf("request %d: %v", i+1, err)
		case i >= 5 && (!errors.As(err, &long) || !long.Queued || long.Max != 5*time.Second):
			t.Fatalf("request %d: %v, want a queued *WaitTooLongError", i+1, err)
		}
	}
}

// Jira Cloud: Remaining 0 with a reset time holds everyone until then.
func TestThrottleCloudReset(t *testing.T) {
	t.Parallel()
	ft := &fakeTime{now: t0}
	th := (&Throttles{Clock: ft.clock, Sleep: ft.sleep}).For("")
	th.Acquire(t.Context(), time.Minute, time.Hour)
	h := http.Header{}
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset", t0.Add(20*time.Second).Format(time.RFC3339))
	th.Observe(200, h)
	th.Acquire(t.Context(), time.Minute, time.Hour)
	if got := ft.now.Sub(t0); got != 20*time.Second {
		t.Errorf("waited %v, want 20s (the reset)", got)
	}
}

// A context that ends during the wait gives the turn back: the next
// request does not wait for it.
func TestThrottleCanceledWaitGivesTurnBack(t *testing.T) {
	t.Parallel()
	ft := &fakeTime{now: t0}
	th := (&Throttles{Clock: ft.clock, Sleep: ft.sleep}).For("")
	th.Acquire(t.Context(), time.Minute, time.Hour)
	th.Observe(200, dcHeader(1, 0, 1))
	pf := paceFactor
	// A request that would wait a token's time is canceled while it waits.
	ctx, cancel := context.WithCancel(t.Context())
	th.sleep = func(context.Context, time.Duration) error { cancel(); return ctx.Err() }
	if _, err := th.Acquire(ctx, time.Minute, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire canceled while waiting: %v", err)
	}
	th.sleep = ft.sleep
	start := ft.now
	th.Acquire(t.Context(), time.Minute, time.Hour)
	if w, want := ft.now.Sub(start), time.Duration(float64(time.Second)/pf); (w - want).Abs() > time.Millisecond {
		t.Errorf("waited %v, want %v (one token): the canceled request's turn is not kept", w, want)
	}
}

// A 429 while pacing continuously says the server adds its tokens by
// batches: from then on, the throttle waits for the batches, assumed an
// interval apart from the answer that told of the bucket; a 429 at an
// assumed batch moves the batches later.
func TestThrottleSwitchesToBatches(t *testing.T) {
	t.Parallel()
	ft := &fakeTime{now: t0}
	th := (&Throttles{Clock: ft.clock, Sleep: ft.sleep}).For("")
	ctx := t.Context()
	th.Acquire(ctx, time.Minute, time.Hour)
	th.Observe(200, dcHeader(4, 0, 4)) // at t0: the bucket of 4, 4 a second, none left
	ft.now = t0.Add(300 * time.Millisecond)
	th.Acquire(ctx, time.Minute, time.Hour) // paced: a token is due by now
	th.Observe(http.StatusTooManyRequests, dcHeader(4, 0, 4))
	start := ft.now
	th.Acquire(ctx, time.Minute, time.Hour)
	if got := ft.now.Sub(start); got != 700*time.Millisecond {
		t.Errorf("waited %v after the 429, want 700ms (the batch at t0+1s)", got)
	}
	// Four tokens in that batch: three more go at once.
	for range 3 {
		start := ft.now
		th.Acquire(ctx, time.Minute, time.Hour)
		if got := ft.now.Sub(start); got != 0 {
			t.Errorf("waited %v within the batch", got)
		}
	}
	// A 429 at t0+1s: the server's batch is later; the next one is
	// assumed a full interval from now.
	th.Observe(http.StatusTooManyRequests, dcHeader(4, 0, 4))
	start = ft.now
	th.Acquire(ctx, time.Minute, time.Hour)
	if got := ft.now.Sub(start); got != time.Second {
		t.Errorf("waited %v after a 429 at a batch, want 1s", got)
	}
}

// Other replicas spending the bucket (Remaining lower than this process
// expects, while pacing by batches) make this process take less of each
// batch.
func TestThrottleShareShrinksUnderContention(t *testing.T) {
	t.Parallel()
	ft := &fakeTime{now: t0}
	th := (&Throttles{Clock: ft.clock, Sleep: ft.sleep}).For("")
	th.Acquire(t.Context(), time.Minute, time.Hour)
	th.Observe(200, dcHeader(8, 0, 8))
	ft.now = ft.now.Add(200 * time.Millisecond)
	th.Acquire(t.Context(), time.Minute, time.Hour)
	th.Observe(http.StatusTooManyRequests, dcHeader(8, 0, 8)) // now by batches
	ft.now = ft.now.Add(2 * time.Second)
	th.Acquire(t.Context(), time.Minute, time.Hour)
	th.Observe(200, dcHeader(8, 1, 8)) // 8 expected, 1 left: someone spends it
	th.mu.Lock()
	share := th.share
	th.mu.Unlock()
	if share != 0.5 {
		t.Errorf("share = %v, want 0.5", share)
	}
}

// TestRateLimitString: each part the headers gave is said, in one line.
func TestRateLimitString(t *testing.T) {
	t.Parallel()
	reset := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		r    RateLimit
		want string
	}{
		{RateLimit{Limit: -1, Remaining: -1, FillRate: -1}, "remaining unknown"},
		{RateLimit{Limit: -1, Remaining: 4, FillRate: -1}, "4 left"},
		{RateLimit{Limit: 20, Remaining: 3, FillRate: 10, Interval: time.Second, HasRetryAfter: true}, "3 of 20 left, 10 per 1s, retry after 0s"},
		{RateLimit{Limit: -1, Remaining: 0, FillRate: -1, Reset: reset, NearLimit: true, Reason: "jira-burst-based"},
			"0 left, resets 2026-12-07T09:00:00Z, near the limit, reason jira-burst-based"},
	} {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.r, got, tt.want)
		}
	}
}

// TestResponseRateLimit: a Retry-After date is read against the response's
// Date, not our clock.
func TestResponseRateLimit(t *testing.T) {
	t.Parallel()
	date := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	h := http.Header{"Date": {date.Format(http.TimeFormat)}, "Retry-After": {date.Add(30 * time.Second).Format(http.TimeFormat)}}
	if rl, ok := ResponseRateLimit(h); !ok || !rl.HasRetryAfter || rl.RetryAfter != 30*time.Second {
		t.Errorf("ResponseRateLimit = %+v, %v; want Retry-After 30s", rl, ok)
	}
	if _, ok := ResponseRateLimit(http.Header{}); ok {
		t.Error("ResponseRateLimit(no headers): ok")
	}
}

// TestMayLimitSeesEveryName holds ParseRateLimit's shortcut to the names it
// reads: a response with any one of them, among others or not, is parsed.
func TestMayLimitSeesEveryName(t *testing.T) {
	names := []string{hdrReason, "Retry-After"}
	for _, n := range []rateLimitHeader{hdrLimit, hdrRemaining, hdrFillRate, hdrInterval, hdrReset, hdrNearLimit} {
		names = append(names, n.current, n.early)
	}
	for _, name := range names {
		h := http.Header{"Content-Type": {"text/plain"}, name: {"7"}}
		if !mayLimit(h) {
			t.Errorf("mayLimit misses %s", name)
		}
		if _, ok := ParseRateLimit(h, time.Unix(0, 0)); !ok {
			t.Errorf("ParseRateLimit ignores %s: 7", name)
		}
	}
	many := http.Header{"X-Ratelimit-Remaining": {"3"}}
	for i := range 20 {
		many[fmt.Sprintf("X-Other-%d", i)] = []string{"x"}
	}
	if rl, ok := ParseRateLimit(many, time.Unix(0, 0)); !ok || rl.Remaining != 3 {
		t.Errorf("with 21 headers: %+v, %v; want Remaining 3", rl, ok)
	}
	if mayLimit(http.Header{"Content-Type": {"text/plain"}, "Date": {"x"}}) {
		t.Error("mayLimit sees a rate limit in Content-Type and Date")
	}
}
