package applink

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Retry-After: 0 means "now", never "do not retry": the first one is
// retried at once, the next ones back off exponentially under the policy,
// and the retries stay within the budget (Max), ending in a *RetryError
// that carries the rate limit.
func TestRetryAfterZeroRetriesNowOnceThenBacksOff(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(srv.Close)
	waits := &waitLog{}
	f := plainFactory(t, srv.URL, "alice", []Auth{Auth2LOi},
		WithRetry(RetryPolicy{Max: 3, WaitMin: 100 * time.Millisecond, WaitMax: time.Second}), withBackoff(waits.add))
	req, _ := f.NewRequest(http.MethodGet, "/x")
	_, err := Execute(t.Context(), req, discard{})
	var re *RetryError
	if !errors.As(err, &re) || re.Attempts != 4 || re.RateLimit == nil || !re.RateLimit.HasRetryAfter {
		t.Fatalf("error %#v, want a *RetryError of 4 attempts with the rate limit", err)
	}
	if n := calls.Load(); n != 4 {
		t.Errorf("%d attempts, want 4 (Max 3)", n)
	}
	want := []time.Duration{0, 200 * time.Millisecond, 400 * time.Millisecond}
	if diff := cmp.Diff(want, waits.all()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

// discard is a handler that reads nothing.
type discard struct{}

func (discard) Handle(*http.Response) (struct{}, error) { return struct{}{}, nil }
