package applink

import (
	"fmt"
	"time"
)

// withDefaults fills in the zero fields of a policy.
func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Max == 0 {
		p.Max = 3
	}
	if p.WaitMin <= 0 {
		p.WaitMin = 250 * time.Millisecond
	}
	if p.WaitMax <= 0 {
		p.WaitMax = 5 * time.Second
	}
	if p.WaitMax < p.WaitMin {
		p.WaitMax = p.WaitMin
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = 30 * time.Second
	}
	if p.MaxElapsed <= 0 {
		p.MaxElapsed = 2 * time.Minute
	}
	return p
}

// RetryError is the error of a request that failed after it was sent more
// than once under the service's [RetryPolicy]: the last attempt's error,
// how many attempts were made and over how long (waits included). Err is
// the network's error (errors.Is(err, syscall.ECONNREFUSED) still holds),
// or, from [Execute], the handler's error for the last response when the
// retries ran out on a retried status (a *handler.ResponseError for a
// 503, say). [Request.Do] and the Client view return that last response
// itself, whatever its status, instead of an error.
type RetryError struct {
	// Attempts counts the attempts made, the first included.
	Attempts int
	// Elapsed is the time from the first attempt to giving up.
	Elapsed time.Duration
	// Err is the last attempt's error.
	Err error
	// RateLimit is the rate-limit state the last response reported (its
	// Retry-After, for a 429), nil when it reported none.
	RateLimit *RateLimit
}

// Error says how many attempts were made, over how long, and the last
// error.
func (e *RetryError) Error() string {
	if rl := e.RateLimit; rl != nil && rl.HasRetryAfter {
		return fmt.Sprintf("gave up after %d attempts over %v (the server asked to wait %v more; rate limit: %s): %v",
			e.Attempts, e.Elapsed.Round(time.Millisecond), rl.RetryAfter, rl, e.Err)
	}
	return fmt.Sprintf("gave up after %d attempts over %v: %v", e.Attempts, e.Elapsed.Round(time.Millisecond), e.Err)
}

// Unwrap returns Err.
func (e *RetryError) Unwrap() error { return e.Err }
