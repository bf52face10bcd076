package applinktest

import (
	"context"
	"sync"
	"time"
)

// nonceStore remembers nonces for (consumer, token, timestamp); entries far
// older than the verifier's window are forgotten.
type nonceStore struct {
	now  func() time.Time
	mu   sync.Mutex
	seen map[nonceKey]struct{}
}

type nonceKey struct {
	consumer, token string
	timestamp       int64
	nonce           string
}

// nonceKeep is how far back nonces are remembered: well beyond the 300 s
// timestamp window, so that a skew change cannot bring a forgotten one back.
const nonceKeep = 30 * time.Minute

func newNonceStore(now func() time.Time) *nonceStore {
	return &nonceStore{now: now, seen: map[nonceKey]struct{}{}}
}

// Record implements signer.NonceStore.
func (n *nonceStore) Record(_ context.Context, consumerKey, token string, timestamp int64, nonce string) (bool, error) {
	k := nonceKey{consumerKey, token, timestamp, nonce}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.seen[k]; ok {
		return true, nil
	}
	if len(n.seen) >= 4096 {
		oldest := n.now().Add(-nonceKeep).Unix()
		for k := range n.seen {
			if k.timestamp < oldest {
				delete(n.seen, k)
			}
		}
	}
	n.seen[k] = struct{}{}
	return false, nil
}
