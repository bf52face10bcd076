package applink_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
)

// BenchmarkRateLimitedBurst is the held-out check in time: 200 GETs from
// 20 goroutines sharing one factory, against a user limited to N a second
// (bucket of N, refilled by batches of N every second, as Jira Data Center
// does, or continuously, one token every 1/N s). It reports the 429s and the time against the ideal,
// (200 - N) / N seconds: the bucket's first N at once, then N a second.
//
//	go test -run '^$' -bench RateLimitedBurst -benchtime 1x ./applink/
func BenchmarkRateLimitedBurst(b *testing.B) {
	for _, c := range []struct {
		n          int
		continuous bool
	}{{20, false}, {50, false}, {100, false}, {20, true}, {50, true}, {100, true}} {
		n := c.n
		name := "batches/N=" + itoa(n)
		if c.continuous {
			name = "continuous/N=" + itoa(n)
		}
		b.Run(name, func(b *testing.B) {
			var limited, secs float64
			for b.Loop() {
				lim := &applinktest.RateLimiter{FillRate: n, Interval: time.Second, Continuous: c.continuous}
				_, f := limitedLink(b, lim)
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
				start := time.Now()
				if err := burst(ctx, f, 200, 20); err != nil {
					b.Fatal(err)
				}
				secs += time.Since(start).Seconds()
				cancel()
				limited += float64(lim.Limited())
			}
			ideal := float64(200-n) / float64(n)
			runs := float64(b.N)
			b.ReportMetric(limited/runs, "429s")
			b.ReportMetric(secs/runs, "s")
			b.ReportMetric(ideal, "ideal-s")
			b.ReportMetric(secs/runs/ideal, "x-ideal")
		})
	}
}

// BenchmarkRateLimitedFleet simulates a fleet: 4 replicas (services of
// their own, sharing nothing but the server) of 25 goroutines each send
// 50 GETs per replica as the same user, limited to 20 a second (bucket of
// 20). Each replica paces itself from the headers; the server's bucket is
// the only thing they share. It reports the 429s and the time against the
// ideal (200 - 20) / 20 = 9s.
//
//	go test -run '^$' -bench RateLimitedFleet -benchtime 1x ./applink/
func BenchmarkRateLimitedFleet(b *testing.B) {
	const replicas, goroutines, perReplica, rate = 4, 25, 50, 20
	var limited, secs float64
	for b.Loop() {
		lim := &applinktest.RateLimiter{FillRate: rate, Interval: time.Second}
		ok := lim.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{}`)) }))
		srv := applinktest.NewServer(b, applinktest.WithUsers("alice"), applinktest.WithResource("GET /rest/api/2/limited", ok))
		link, err := testlink.New(srv, "Fleet", testlink.WithKeyBits(1024), testlink.WithAuth(applink.Auth2LOi))
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		start := time.Now()
		var wg sync.WaitGroup
		for range replicas {
			svc, err := applink.NewService([]applink.Link{link}, applink.WithHTTPClient(srv.Client()),
				applink.WithRetry(applink.RetryPolicy{Max: 10}))
			if err != nil {
				b.Fatal(err)
			}
			l, _ := svc.Link(link.ID)
			f, _ := l.RequestFactory("alice")
			wg.Go(func() {
				if err := burst(ctx, f, perReplica, goroutines); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
		cancel()
		secs += time.Since(start).Seconds()
		limited += float64(lim.Limited())
	}
	ideal := float64(replicas*perReplica-rate) / rate
	runs := float64(b.N)
	b.ReportMetric(limited/runs, "429s")
	b.ReportMetric(secs/runs, "s")
	b.ReportMetric(ideal, "ideal-s")
	b.ReportMetric(secs/runs/ideal, "x-ideal")
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
