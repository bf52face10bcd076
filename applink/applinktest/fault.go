package applinktest

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Fault is a failure the server injects into the next matching requests.
// Exactly what happens: after Delay, the request is answered with Status
// (and Retry-After), or its connection is dropped (Drop), or, with neither,
// served normally after the delay.
type Fault struct {
	// Count is how many requests get the fault; 0 means 1.
	Count int
	// Status is the status to answer with (429 or 503, say); 0 means 503
	// unless Drop or Delay alone is asked for.
	Status int
	// RetryAfter is sent as Retry-After (in whole seconds, at least 1) with
	// Status; 0 sends none.
	RetryAfter time.Duration
	// Drop closes the connection without an answer.
	Drop bool
	// Delay holds the request this long first (stopped early when the client
	// goes away).
	Delay time.Duration
	// AfterAuth strikes only once the request's signature was accepted and
	// its nonce spent (a 503 by default): the client's retry must sign
	// afresh. Unsigned requests do not match.
	AfterAuth bool
	// Path limits the fault to requests for this exact URL path; "" matches
	// any.
	Path string
	// Taken, when set, is called with each request that takes the fault,
	// as it takes it (before the delay), on the request's goroutine. A test
	// waits on it to know that the server holds the request it meant to
	// delay or fail before it cancels or counts anything: a client whose
	// deadline expired before its request arrived leaves the fault to the
	// next matching request.
	Taken func(*http.Request)
}

// String describes the fault.
func (f Fault) String() string {
	return fmt.Sprintf("Fault(count=%d status=%d retry-after=%s drop=%t delay=%s after-auth=%t path=%q)",
		f.Count, f.Status, f.RetryAfter, f.Drop, f.Delay, f.AfterAuth, f.Path)
}

// InjectFault queues a fault for the next f.Count matching requests. Faults
// are tried in the order injected; a request gets at most one.
func (s *Server) InjectFault(f Fault) {
	if f.Count <= 0 {
		f.Count = 1
	}
	if f.Status == 0 && !f.Drop && (f.Delay == 0 || f.AfterAuth) {
		f.Status = http.StatusServiceUnavailable
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// takeFault returns the first fault matching the request's path and phase,
// counting it used.
func (s *Server) takeFault(path string, afterAuth bool) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.AfterAuth != afterAuth || (f.Path != "" && f.Path != path) {
			continue
		}
		f.Count--
		if f.Count <= 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		c := *f
		return &c
	}
	return nil
}

// applyFault applies f and reports whether the request was answered (or
// dropped) by it. A delay ends early, and the request is left unanswered,
// when the request's context is done: the client went away or the server
// is closing.
func (s *Server) applyFault(w *statusWriter, r *http.Request, f *Fault) bool {
	if f.Taken != nil {
		f.Taken(r)
	}
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		}
	}
	if f.Drop {
		// Record the request (status 0) before the client can see the
		// connection close: a test that reads the records after the error
		// then always finds it.
		s.record(r.Context(), r, state(r), 0)
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
			return true
		}
		panic(http.ErrAbortHandler) // the server closes the connection
	}
	if f.Status == 0 {
		return false
	}
	if f.RetryAfter > 0 {
		secs := int((f.RetryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(f.Status)
	fmt.Fprintf(w, "applinktest: injected fault: %d %s\n", f.Status, http.StatusText(f.Status))
	return true
}

// afterAuthFault applies an after-auth fault to a request whose signature
// was just accepted; it reports whether the request was answered.
func (s *Server) afterAuthFault(w http.ResponseWriter, r *http.Request) bool {
	f := s.takeFault(r.URL.Path, true)
	if f == nil {
		return false
	}
	sw, ok := w.(*statusWriter)
	if !ok {
		sw = &statusWriter{ResponseWriter: w}
	}
	return s.applyFault(sw, r, f)
}
