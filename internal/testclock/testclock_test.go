package testclock

import (
	"sync"
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	c := New(t0)
	if got := c.Now(); !got.Equal(t0) {
		t.Fatalf("Now() = %v, want %v", got, t0)
	}
	if got := c.Now(); !got.Equal(t0) {
		t.Fatalf("Now() = %v after no Advance, want it to stand still at %v", got, t0)
	}
	c.Advance(90 * time.Minute)
	if got, want := c.Now(), t0.Add(90*time.Minute); !got.Equal(want) {
		t.Fatalf("Now() = %v after Advance(90m), want %v", got, want)
	}
	c.Advance(-time.Hour)
	if got, want := c.Now(), t0.Add(30*time.Minute); !got.Equal(want) {
		t.Fatalf("Now() = %v after Advance(-1h), want %v", got, want)
	}
}

// TestClockConcurrent advances and reads one clock from many goroutines;
// under -race it fails if the clock is not safe for concurrent use, and the
// sum of the advances must all arrive.
func TestClockConcurrent(t *testing.T) {
	t.Parallel()
	c := New(Start)
	const n = 50
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Advance(time.Second)
			_ = c.Now()
		}()
	}
	wg.Wait()
	if got, want := c.Now(), Start.Add(n*time.Second); !got.Equal(want) {
		t.Fatalf("Now() = %v after %d concurrent Advance(1s), want %v", got, n, want)
	}
}
