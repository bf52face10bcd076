package signer

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/go-applinks/applinks/internal/testclock"
)

func TestMemoryNonceStore(t *testing.T) {
	t.Parallel()
	clock := testclock.New(provNow)
	s := NewMemoryNonceStore(10*time.Minute, clock.Now)
	ctx := t.Context()
	record := func(consumer, token string, ts int64, nonce string) bool {
		t.Helper()
		replayed, err := s.Record(ctx, consumer, token, ts, nonce)
		if err != nil {
			t.Fatal(err)
		}
		return replayed
	}
	if record("c", "t", 1, "n") {
		t.Error("first nonce reported as a replay")
	}
	if !record("c", "t", 1, "n") {
		t.Error("same nonce not reported as a replay")
	}
	// Each part of the key counts; no ambiguity from concatenation.
	for _, k := range [][4]string{{"c2", "t", "1", "n"}, {"c", "", "1", "n"}, {"c", "t", "2", "n"}, {"c", "t", "1", "n2"}, {"", "ct", "1", "n"}} {
		var ts int64
		fmt.Sscan(k[2], &ts)
		if record(k[0], k[1], ts, k[3]) {
			t.Errorf("%q reported as a replay", k)
		}
	}
	clock.Advance(10*time.Minute - time.Second)
	if !record("c", "t", 1, "n") {
		t.Error("nonce forgotten before its TTL")
	}
	clock.Advance(time.Second)
	if record("c", "t", 1, "n") {
		t.Error("nonce remembered after its TTL")
	}
}

func TestMemoryNonceStoreBounded(t *testing.T) {
	t.Parallel()
	clock := testclock.New(provNow)
	s := NewMemoryNonceStore(time.Minute, clock.Now)
	for i := range 10000 {
		if _, err := s.Record(t.Context(), "c", "", int64(i), fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
		clock.Advance(100 * time.Millisecond)
	}
	// 600 nonces fit in one minute at 10 a second.
	if n := s.Len(); n > 601 {
		t.Errorf("store holds %d nonces, want at most one TTL's worth (601)", n)
	}
	s.mu.Lock()
	qlen := len(s.queue) - s.head
	capacity := cap(s.queue)
	s.mu.Unlock()
	if qlen > 601 || capacity > 4096 {
		t.Errorf("queue holds %d live entries in a slice of capacity %d", qlen, capacity)
	}
}

func TestMemoryNonceStoreConcurrent(t *testing.T) {
	t.Parallel()
	s := NewMemoryNonceStore(0, nil)
	var wg sync.WaitGroup
	fresh := make([]int, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				replayed, err := s.Record(t.Context(), "c", "t", 1, fmt.Sprint(i))
				if err != nil {
					t.Error(err)
				}
				if !replayed {
					fresh[g]++
				}
			}
		})
	}
	wg.Wait()
	total := 0
	for _, n := range fresh {
		total += n
	}
	if total != 200 {
		t.Errorf("%d nonces accepted as fresh across goroutines, want exactly 200", total)
	}
}
