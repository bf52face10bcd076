package signer

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// MemoryNonceStore is an in-memory [NonceStore] whose entries expire: a nonce
// is remembered for the TTL after it was first recorded, and expired entries
// are swept as new ones arrive, so memory stays bounded by the traffic of one
// TTL. [Verifier.Verify] records a nonce only once the signature is good, so
// only a consumer with valid credentials can fill the store. It suits a
// single provider process; a provider with several replicas needs a shared
// store. Safe for concurrent use.
type MemoryNonceStore struct {
	ttl   time.Duration
	clock func() time.Time

	mu    sync.Mutex
	seen  map[string]time.Time // key → expiry
	queue []nonceEntry         // in insertion order, for sweeping
	head  int                  // first live element of queue
}

type nonceEntry struct {
	key    string
	expiry time.Time
}

// NewMemoryNonceStore returns a store that remembers each nonce for ttl
// (0 or less means twice [DefaultWindow], 10 minutes), read from clock (nil
// means time.Now). The ttl must be at least twice the verifier's window for
// replays to be caught over the whole window.
func NewMemoryNonceStore(ttl time.Duration, clock func() time.Time) *MemoryNonceStore {
	if ttl <= 0 {
		ttl = 2 * DefaultWindow
	}
	if clock == nil {
		clock = time.Now
	}
	return &MemoryNonceStore{ttl: ttl, clock: clock, seen: make(map[string]time.Time)}
}

// Record remembers the nonce for (consumer key, token, timestamp) and reports
// whether it was already remembered and not yet expired. It never fails.
func (s *MemoryNonceStore) Record(_ context.Context, consumerKey, token string, timestamp int64, nonce string) (bool, error) {
	key := strconv.Quote(consumerKey) + strconv.Quote(token) + strconv.FormatInt(timestamp, 10) + strconv.Quote(nonce)
	now := s.clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now)
	if exp, ok := s.seen[key]; ok && now.Before(exp) {
		return true, nil
	}
	exp := now.Add(s.ttl)
	s.seen[key] = exp
	s.queue = append(s.queue, nonceEntry{key, exp})
	return false, nil
}

// Len returns how many nonces the store holds, expired ones not yet swept
// included.
func (s *MemoryNonceStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

// sweep drops expired entries from the front of the queue. Entries are
// queued in insertion order, so with a clock that does not go backwards the
// queue is ordered by expiry.
func (s *MemoryNonceStore) sweep(now time.Time) {
	for s.head < len(s.queue) && !now.Before(s.queue[s.head].expiry) {
		e := s.queue[s.head]
		if exp, ok := s.seen[e.key]; ok && !exp.After(e.expiry) {
			delete(s.seen, e.key)
		}
		s.queue[s.head] = nonceEntry{}
		s.head++
	}
	if s.head > 64 && s.head > len(s.queue)/2 {
		s.queue = append(s.queue[:0:0], s.queue[s.head:]...)
		s.head = 0
	}
}
