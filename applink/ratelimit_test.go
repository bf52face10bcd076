package applink_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
	"github.com/go-applinks/applinks/handler"
)

// limitedLink is a server whose GET and POST /rest/api/2/limited sit
// behind lim, and alice's factory on a 2LOi link to it.
func limitedLink(t testing.TB, lim *applinktest.RateLimiter, svcOpts ...applink.Option) (*applinktest.Server, *applink.RequestFactory) {
	t.Helper()
	ok := lim.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true}`)
	}))
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"),
		applinktest.WithResource("GET /rest/api/2/limited", ok), applinktest.WithResource("POST /rest/api/2/limited", ok))
	l := testlink.Bound(t, srv, "Limited", testlink.WithKeyBits(1024), testlink.WithAuth(applink.Auth2LOi),
		testlink.WithServiceOptions(svcOpts...))
	f, err := l.RequestFactory("alice")
	if err != nil {
		t.Fatal(err)
	}
	return srv, f
}

// burst sends n GETs from g goroutines through f and returns the first
// error.
func burst(ctx context.Context, f *applink.RequestFactory, n, g int) error {
	jobs := make(chan int, n)
	for i := range n {
		jobs <- i
	}
	close(jobs)
	var wg sync.WaitGroup
	errs := make(chan error, g)
	for range g {
		wg.Go(func() {
			for range jobs {
				req, err := f.NewRequest(http.MethodGet, "/rest/api/2/limited")
				if err == nil {
					_, err = applink.Execute(ctx, req, handler.Discard())
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// The held-out check: 200 requests from 20 goroutines against a user
// limited to N per second collect at most a handful of 429s (the first
// ones, that reveal the limit) and all succeed, whether the server adds
// its tokens in batches every second (as Jira does) or one at a time. The
// time is a benchmark's (BenchmarkRateLimitedBurst), not an assertion: the
// count hardly depends on how loaded the machine is (a slower client
// meets fewer 429s; the requests in flight when the first 429 comes back
// are the only ones that depend on it).
func TestRateLimitSharedByGoroutines(t *testing.T) {
	t.Parallel()
	const goroutines = 20
	for _, c := range []struct {
		name string
		lim  *applinktest.RateLimiter
		// max429 is how many 429s the shared throttle may collect over
		// the run's refill windows.
		max429 func(windows int) int
	}{
		// Paced continuously at 97% of the fill rate: a few at most.
		{"continuous", &applinktest.RateLimiter{FillRate: 100, Interval: time.Second, Continuous: true},
			func(int) int { return 10 }},
		// The headers do not say that the server adds its tokens in one
		// batch an interval: the throttle paces continuously until the
		// first 429 shows it. What is in flight when the first batch runs
		// out is refused, at most one request per goroutine (more of them
		// the slower the machine answers); after that, at most a couple a
		// window, whose edge the client only learns from the 429s
		// (Retry-After is in whole seconds, 0 under a second). Twenty
		// services that do not share the throttle collect 40 to 50 in the
		// same 4 to 5 windows.
		{"batches", &applinktest.RateLimiter{FillRate: 50, Interval: time.Second},
			func(windows int) int { return goroutines + 2*windows }},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, f := limitedLink(t, c.lim)
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			start := time.Now()
			if err := burst(ctx, f, 200, goroutines); err != nil {
				t.Fatal(err)
			}
			elapsed := time.Since(start)
			t.Logf("200 requests, %d 429s, in %v", c.lim.Limited(), elapsed)
			if c.lim.Served() != 200 {
				t.Errorf("%d requests served, want 200", c.lim.Served())
			}
			windows := int(elapsed/c.lim.Interval) + 1
			if n, limit := c.lim.Limited(), c.max429(windows); n > limit {
				t.Errorf("%d 429s for 200 requests from %d goroutines over %d refill windows, want at most %d", n, goroutines, windows, limit)
			}
		})
	}
}

// Without the shared throttle every goroutine would spend the bucket
// blind: the same burst with pacing defeated (each request through a
// service of its own) collects many more 429s. This keeps the test above
// honest: it can fail.
func TestRateLimitWithoutSharingCollects429s(t *testing.T) {
	t.Parallel()
	lim := &applinktest.RateLimiter{FillRate: 100, Interval: time.Second, Limit: 20}
	ok := lim.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{}`) }))
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"), applinktest.WithResource("GET /rest/api/2/limited", ok))
	link, err := testlink.New(srv, "Limited", testlink.WithKeyBits(1024), testlink.WithAuth(applink.Auth2LOi))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for range 20 {
		svc, err := applink.NewService([]applink.Link{link}, applink.WithHTTPClient(srv.Client()), applink.WithRetry(applink.RetryPolicy{Max: -1}))
		if err != nil {
			t.Fatal(err)
		}
		l, _ := svc.Link(link.ID)
		f, _ := l.RequestFactory("alice")
		wg.Go(func() {
			for range 3 {
				req, _ := f.NewRequest(http.MethodGet, "/rest/api/2/limited")
				_, _ = applink.Execute(ctx, req, handler.Discard())
			}
		})
	}
	wg.Wait()
	if lim.Limited() < 10 {
		t.Errorf("%d 429s for 60 unshared requests from 20 services with a bucket of 20, want at least 10", lim.Limited())
	}
}

// A POST answered 429 is not sent again unless the caller said it may
// be, and the error says how long the server asked to wait.
func TestRateLimitPOSTNotRetried(t *testing.T) {
	t.Parallel()
	now := time.Now()
	clock := func() time.Time { return now }
	lim := &applinktest.RateLimiter{FillRate: 1, Interval: 30 * time.Second, Limit: 1, Clock: clock}
	srv, f := limitedLink(t, lim, applink.WithRetry(applink.RetryPolicy{Max: 2, MaxRetryAfter: time.Minute}))
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	// Another replica acting as alice spends the only token: this one
	// knows nothing of it.
	other := testlink.Bound(t, srv, "Other", testlink.WithKeyBits(1024), testlink.WithAuth(applink.Auth2LOi))
	of, _ := other.RequestFactory("alice")
	req, _ := of.NewRequest(http.MethodGet, "/rest/api/2/limited")
	if _, err := applink.Execute(ctx, req, handler.Discard()); err != nil {
		t.Fatal(err)
	}
	post, _ := f.NewRequest(http.MethodPost, "/rest/api/2/limited")
	_, err := applink.Execute(ctx, post.SetJSON(map[string]int{"a": 1}), handler.Discard())
	var rle *applink.RateLimitError
	if !errors.As(err, &rle) {
		t.Fatalf("error %v, want a *RateLimitError", err)
	}
	if rle.Wait != 30*time.Second || rle.NotSent || lim.Limited() != 1 {
		t.Errorf("Wait %v, NotSent %v, %d 429s; want 30s, false, 1", rle.Wait, rle.NotSent, lim.Limited())
	}
	var re *handler.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusTooManyRequests {
		t.Errorf("error %v does not wrap the 429 *handler.ResponseError", err)
	}
	if !strings.Contains(err.Error(), "asked to wait 30s") || !strings.Contains(err.Error(), "Request.Retryable") {
		t.Errorf("error %q does not say how long to wait and what to do", err)
	}

}

// A wait the server announces that is longer than MaxRetryAfter is not
// taken: the request fails at once with a *RateLimitError saying so.
func TestRateLimitWaitLongerThanCap(t *testing.T) {
	t.Parallel()
	lim := &applinktest.RateLimiter{FillRate: 1, Interval: time.Minute, Limit: 1}
	_, f := limitedLink(t, lim, applink.WithRetry(applink.RetryPolicy{Max: 2, MaxRetryAfter: 5 * time.Second}))
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var errs []error
	for range 3 {
		req, _ := f.NewRequest(http.MethodGet, "/rest/api/2/limited")
		_, err := applink.Execute(ctx, req, handler.Discard())
		errs = append(errs, err)
	}
	if errs[0] != nil {
		t.Fatalf("first request: %v", errs[0])
	}
	for i, err := range errs[1:] {
		var rle *applink.RateLimitError
		var retry *applink.RetryError
		switch {
		case errors.As(err, &rle) && rle.NotSent:
			if rle.Wait <= 5*time.Second {
				t.Errorf("request %d: NotSent with a wait of %v, want more than the 5s cap", i+2, rle.Wait)
			}
		case errors.As(err, &rle), errors.As(err, &retry):
			// The 429 that revealed the window (Retry-After beyond the
			// cap: not retried).
		default:
			t.Errorf("request %d: error %v, want a *RateLimitError", i+2, err)
		}
	}
	if lim.Limited() > 1 {
		t.Errorf("%d 429s, want at most 1: the window is shared", lim.Limited())
	}
}

// RateLimitOf reads a response's rate-limit headers.
func TestRateLimitOf(t *testing.T) {
	t.Parallel()
	resp := &http.Response{Header: http.Header{
		"X-Ratelimit-Limit": {"20"}, "X-Ratelimit-Remaining": {"3"}, "X-Ratelimit-Fillrate": {"10"},
		"X-Ratelimit-Interval-Seconds": {"1"}, "Retry-After": {"0"},
	}}
	rl, ok := applink.RateLimitOf(resp)
	if !ok || rl.Limit != 20 || rl.Remaining != 3 || rl.FillRate != 10 || rl.Interval != time.Second || !rl.HasRetryAfter || rl.RetryAfter != 0 {
		t.Errorf("RateLimitOf = %+v, %v", rl, ok)
	}
	if got, want := rl.String(), "3 of 20 left, 10 per 1s, retry after 0s"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if _, ok := applink.RateLimitOf(&http.Response{Header: http.Header{}}); ok {
		t.Error("RateLimitOf(no headers): ok")
	}
}
