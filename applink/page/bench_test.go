package page_test

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/page"
)

// BenchmarkItems streams all the items of a paged resource in pages of
// 50 through a signed link to applinktest, and reports the peak live heap
// above the start: after each page, a garbage collection, then the heap in
// use. The server is a plain httptest.Server (applinktest's would keep a
// record of every request in the same heap) and the link anonymous. The peak stays
// flat as the number of pages grows; "collect" keeps every item instead,
// for comparison. The collections are in ns/op: compare times with
// -bench 'Items' -run '^$' only between runs of this benchmark.
func BenchmarkItems(b *testing.B) {
	for _, c := range []struct {
		name    string
		total   int
		collect bool
	}{
		{"stream-1000", 1000, false},
		{"stream-10000", 10000, false},
		{"collect-10000", 10000, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			res := applinktest.PagedResource{Style: applinktest.PagesJiraDC, Total: c.total, MaxPageSize: 50}
			f := anonymousFactory(b, res)
			var peak uint64
			var ms runtime.MemStats
			b.ReportAllocs()
			for b.Loop() {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				base := ms.HeapAlloc
				sample := func(page.Progress) {
					runtime.GC()
					runtime.ReadMemStats(&ms)
					if ms.HeapAlloc > base {
						peak = max(peak, ms.HeapAlloc-base)
					}
				}
				var kept []item
				n := 0
				for it, err := range page.Items[item](b.Context(), f, "/rest/api/2/search", page.WithProgress(sample)) {
					if err != nil {
						b.Fatal(err)
					}
					n++
					if c.collect {
						kept = append(kept, it)
					}
				}
				if n != c.total {
					b.Fatalf("%d items, want %d", n, c.total)
				}
				runtime.KeepAlive(kept)
			}
			b.ReportMetric(float64(peak), "peak-live-heap-B")
			b.ReportMetric(float64(c.total)/50, "pages")
		})
	}
}

// anonymousFactory is an anonymous link's factory to a server of h.
func anonymousFactory(b *testing.B, h http.Handler) *applink.RequestFactory {
	b.Helper()
	hts := httptest.NewServer(h)
	b.Cleanup(hts.Close)
	svc, err := applink.NewService([]applink.Link{{ID: applink.DefaultLinkID("bench", hts.URL), Name: "bench", Type: applink.TypeJira,
		RPCURL: hts.URL, Auth: []applink.Auth{applink.AuthAnonymous}}})
	if err != nil {
		b.Fatal(err)
	}
	l, err := svc.Link("bench")
	if err != nil {
		b.Fatal(err)
	}
	f, err := l.RequestFactory("")
	if err != nil {
		b.Fatal(err)
	}
	return f
}
