package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/go-applinks/applinks/applink/filestore"
	"github.com/go-applinks/applinks/applink/token"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// The benchmarks compare the stores on what every 3LO request does, a
// lookup, with 10, 10,000 and 100,000 stored tokens, from 1 and 32
// goroutines, and report the latency percentiles (p50-ns, p99-ns) beside
// the mean; and measure the file store's write as the file grows. See
// BENCHMARKS.md for how they are run and what they showed.

const benchLink = "0c5a2e3c-7d4f-4b0e-9a51-3f1c2b7e8d90"

func benchKey(i int) token.Key {
	return token.Key{LinkID: benchLink, User: fmt.Sprintf("user-%06d", i)}
}

// benchToken is an access token of ordinary size: an Atlassian token and
// secret, a session handle.
func benchToken(i int, now time.Time) *token.AccessToken {
	t := token.NewAccessToken(fmt.Sprintf("tok%029d", i), fmt.Sprintf("sec%029d", i))
	t.SessionHandle = token.NewSecret(fmt.Sprintf("sh%030d", i))
	t.ExpiresAt = now.Add(5 * 365 * 24 * time.Hour)
	t.CreatedAt = now
	return t
}

// benchFile writes a token file of n tokens (the format of version 1, as
// applink/filestore/testdata/tokens-v1.json), then one write through the store so
// that the file carries a generation and reads are cached, as after any
// write in production. It returns an error when the file would exceed
// filestore.MaxFileSize.
func benchFile(b *testing.B, n int) (*filestore.Store, error) {
	b.Helper()
	type entry struct {
		LinkID        string    `json:"linkId"`
		User          string    `json:"user"`
		Token         string    `json:"token"`
		Secret        string    `json:"secret"`
		ExpiresAt     time.Time `json:"expiresAt"`
		SessionHandle string    `json:"sessionHandle"`
		CreatedAt     time.Time `json:"createdAt"`
	}
	now := time.Now().UTC()
	entries := make([]entry, n)
	for i := range entries {
		t := benchToken(i, now)
		entries[i] = entry{benchLink, benchKey(i).User, t.Token, t.Secret.Reveal(), t.ExpiresAt, t.SessionHandle.Reveal(), t.CreatedAt}
	}
	data, err := json.MarshalIndent(map[string]any{"version": 1, "accessTokens": entries, "requestTokens": []any{}}, "", "  ")
	if err != nil {
		b.Fatal(err)
	}
	if len(data) > filestore.MaxFileSize {
		return nil, fmt.Errorf("%d tokens make a %d MiB file, over MaxTokenFileSize (%d MiB): the file store cannot hold them", n, len(data)>>20, filestore.MaxFileSize>>20)
	}
	path := filepath.Join(b.TempDir(), "tokens.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	s, err := filestore.Open(path)
	if err != nil {
		return nil, err
	}
	if err := s.PutAccessToken(context.Background(), benchKey(0), benchToken(0, now)); err != nil {
		return nil, err
	}
	return s, nil
}

// benchPG returns a pgstore holding n tokens, inserted in bulk.
func benchPG(b *testing.B, n int) *Store {
	b.Helper()
	s := newTestStore(b, nil)
	now := time.Now()
	t := benchToken(0, now)
	_, err := s.pool.Exec(b.Context(), `INSERT INTO `+s.t.access+`
		(link_id, user_name, kind, token, secret, session_handle, expires_at, created_at)
		SELECT $1, 'user-' || lpad(g::text, 6, '0'), 'oauth1', 'tok' || lpad(g::text, 29, '0'), 'sec' || lpad(g::text, 29, '0'),
			'sh' || lpad(g::text, 30, '0'), $2, $3
		FROM generate_series(0, $4 - 1) g`, benchLink, t.ExpiresAt, t.CreatedAt, n)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.pool.Exec(b.Context(), `ANALYZE `+s.t.access); err != nil {
		b.Fatal(err)
	}
	return s
}

func benchMemory(b *testing.B, n int) *token.MemoryStore {
	b.Helper()
	s := token.NewMemoryStore()
	now := time.Now()
	for i := range n {
		if err := s.PutAccessToken(b.Context(), benchKey(i), benchToken(i, now)); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// latencies collects the duration of each operation from many goroutines.
type latencies struct {
	mu  sync.Mutex
	all []time.Duration
}

func (l *latencies) add(d []time.Duration) {
	l.mu.Lock()
	l.all = append(l.all, d...)
	l.mu.Unlock()
}

// report adds the 50th and 99th percentiles to the benchmark's output.
func (l *latencies) report(b *testing.B) {
	if len(l.all) == 0 {
		return
	}
	slices.Sort(l.all)
	at := func(p float64) float64 { return float64(l.all[int(p*float64(len(l.all)-1))].Nanoseconds()) }
	b.ReportMetric(at(0.50), "p50-ns")
	b.ReportMetric(at(0.99), "p99-ns")
}

// BenchmarkLookup measures AccessToken on each store, with n stored tokens,
// from 1 and 32 goroutines; keys are spread over all n users.
func BenchmarkLookup(b *testing.B) {
	// The stores are filled once, here (this function runs once), and
	// shared by the goroutine variants and every round of b.N.
	for _, store := range []string{"memory", "file", "pgstore"} {
		for _, n := range []int{10, 10_000, 100_000} {
			var (
				s       token.Store
				skipped string
			)
			fill := func(b *testing.B) {
				if s != nil || skipped != "" {
					return
				}
				switch store {
				case "memory":
					s = benchMemory(b, n)
				case "file":
					var err error
					if s, err = benchFile(b, n); err != nil {
						skipped = err.Error()
					}
				case "pgstore":
					s = benchPG(b, n)
				}
			}
			for _, goroutines := range []int{1, 32} {
				b.Run(fmt.Sprintf("store=%s/tokens=%d/goroutines=%d", store, n, goroutines), func(sb *testing.B) {
					fill(b)
					if skipped != "" {
						sb.Skip(skipped)
					}
					benchLookups(sb, s, n, goroutines)
				})
			}
		}
	}
}

func benchLookups(b *testing.B, s token.Store, n, goroutines int) {
	ctx := context.Background()
	lat := &latencies{}
	b.ReportAllocs()
	b.ResetTimer()
	if goroutines == 1 {
		d := make([]time.Duration, 0, 1<<16)
		i := 0
		for b.Loop() {
			start := time.Now()
			if _, err := s.AccessToken(ctx, benchKey(i*7919%n)); err != nil {
				b.Fatal(err)
			}
			d = append(d, time.Since(start))
			i++
		}
		lat.add(d)
		lat.report(b)
		return
	}
	// RunParallel starts parallelism × GOMAXPROCS goroutines.
	b.SetParallelism(max(1, goroutines/max(1, runtimeProcs())))
	var seed sync.Mutex
	next := 0
	b.RunParallel(func(pb *testing.PB) {
		seed.Lock()
		i := next * 104729
		next++
		seed.Unlock()
		d := make([]time.Duration, 0, 1<<12)
		for pb.Next() {
			start := time.Now()
			if _, err := s.AccessToken(ctx, benchKey((i*7919)%n)); err != nil {
				b.Error(err)
				return
			}
			d = append(d, time.Since(start))
			i++
		}
		lat.add(d)
	})
	lat.report(b)
}

// BenchmarkFileWrite measures PutAccessToken (replacing one user's token)
// on a token file of n tokens: the file store rewrites and syncs the whole
// file on each change, so the cost grows with the file.
func BenchmarkFileWrite(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 25_000, 45_000} {
		b.Run(fmt.Sprintf("tokens=%d", n), func(b *testing.B) {
			s, err := benchFile(b, n)
			if err != nil {
				b.Skip(err)
			}
			ctx := context.Background()
			now := time.Now()
			lat := &latencies{}
			d := make([]time.Duration, 0, 64)
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				start := time.Now()
				if err := s.PutAccessToken(ctx, benchKey(i%n), benchToken(n+i, now)); err != nil {
					b.Fatal(err)
				}
				d = append(d, time.Since(start))
				i++
			}
			lat.add(d)
			lat.report(b)
		})
	}
}

// BenchmarkPGWrite is BenchmarkFileWrite's counterpart on pgstore.
func BenchmarkPGWrite(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("tokens=%d", n), func(b *testing.B) {
			s := benchPG(b, n)
			ctx := context.Background()
			now := time.Now()
			lat := &latencies{}
			d := make([]time.Duration, 0, 1<<12)
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				start := time.Now()
				if err := s.PutAccessToken(ctx, benchKey(i%n), benchToken(n+i, now)); err != nil {
					b.Fatal(err)
				}
				d = append(d, time.Since(start))
				i++
			}
			lat.add(d)
			lat.report(b)
		})
	}
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
