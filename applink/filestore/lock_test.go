package filestore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/token"
)

func newTestStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestLockToken: the per-key lock excludes another store
// value on the same file (another process), lets other keys and every
// other operation through, honors the context while waiting, and leaves
// no lock file behind.
func TestLockToken(t *testing.T) {
	t.Parallel()
	a := newTestStore(t)
	b, err := Open(a.Path())
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	alice := token.Key{LinkID: "l", User: "alice"}
	unlock, err := a.LockToken(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	// Another key, and the store's operations, do not wait.
	bob := token.Key{LinkID: "l", User: "bob"}
	unlockBob, err := b.LockToken(ctx, bob)
	if err != nil {
		t.Fatalf("locking another key: %v", err)
	}
	unlockBob.Unlock()
	// A second call of unlock does nothing: it must not release (remove the
	// lock file of) the next holder.
	unlockNext, err := a.LockToken(ctx, bob)
	if err != nil {
		t.Fatal(err)
	}
	unlockBob.Unlock()
	short, cancelShort := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancelShort()
	if u, err := b.LockToken(short, bob); !errors.Is(err, context.DeadlineExceeded) {
		if err == nil {
			u.Unlock()
		}
		t.Errorf("LockToken after a stale unlock: %v, want the next holder's lock to hold (context.DeadlineExceeded)", err)
	}
	unlockNext.Unlock()
	if err := b.PutAccessToken(ctx, alice, token.NewAccessToken("t", "s")); err != nil {
		t.Fatalf("PutAccessToken while the key is locked: %v", err)
	}
	// The same key waits, until its context ends.
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := b.LockToken(short, alice); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("LockToken of a locked key: %v, want context.DeadlineExceeded", err)
	}
	got := make(chan error, 1)
	go func() {
		u, err := b.LockToken(ctx, alice)
		if err == nil {
			u.Unlock()
		}
		got <- err
	}()
	unlock.Unlock()
	if err := <-got; err != nil {
		t.Fatalf("LockToken after unlock: %v", err)
	}
	entries, err := os.ReadDir(a.Path() + ".locks")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("lock files left behind: %v", entries)
	}
}
