package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/testclock"
	"github.com/google/go-cmp/cmp"
)

func testStoreContextCanceled(t *testing.T, s token.Store, clock *testclock.Clock) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	key := token.Key{LinkID: "l", User: "u"}
	calls := map[string]func() error{
		"AccessToken":        func() error { _, err := s.AccessToken(ctx, key); return err },
		"PutAccessToken":     func() error { return s.PutAccessToken(ctx, key, token.NewAccessToken("t", "s")) },
		"DeleteAccessToken":  func() error { return s.DeleteAccessToken(ctx, key) },
		"AccessTokens":       func() error { _, err := s.AccessTokens(ctx); return err },
		"RequestToken":       func() error { _, err := s.RequestToken(ctx, "r"); return err },
		"PutRequestToken":    func() error { return s.PutRequestToken(ctx, token.NewRequestToken("r", "s")) },
		"DeleteRequestToken": func() error { return s.DeleteRequestToken(ctx, "r") },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a canceled context: error = %v, want context.Canceled", name, err)
		}
	}
	keys, err := s.AccessTokens(t.Context())
	if err != nil || len(keys) != 0 {
		t.Errorf("AccessTokens = %v, %v; want nothing stored by canceled calls", keys, err)
	}
}

func testStoreConcurrent(t *testing.T, s token.Store, clock *testclock.Clock) {
	ctx := t.Context()
	const workers, perWorker = 16, 4
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				key := token.Key{LinkID: fmt.Sprintf("link-%d", w), User: fmt.Sprintf("user-%02d", i)}
				if err := s.PutAccessToken(ctx, key, token.NewAccessToken(key.LinkID+key.User, "s")); err != nil {
					t.Errorf("PutAccessToken(%v): %v", key, err)
					return
				}
				got, err := s.AccessToken(ctx, key)
				if err != nil || got.Token != key.LinkID+key.User {
					t.Errorf("AccessToken(%v) = %v, %v", key, got, err)
				}
				if _, err := s.AccessTokens(ctx); err != nil {
					t.Errorf("AccessTokens: %v", err)
				}
				rt := token.NewRequestToken(fmt.Sprintf("req-%d-%d", w, i), "s")
				if err := s.PutRequestToken(ctx, rt); err != nil {
					t.Errorf("PutRequestToken: %v", err)
				}
				if i%2 == 1 {
					if err := s.DeleteAccessToken(ctx, key); err != nil {
						t.Errorf("DeleteAccessToken(%v): %v", key, err)
					}
				}
			}
		})
	}
	wg.Wait()
	var want []token.Key
	for w := range workers {
		for i := 0; i < perWorker; i += 2 {
			want = append(want, token.Key{LinkID: fmt.Sprintf("link-%d", w), User: fmt.Sprintf("user-%02d", i)})
		}
	}
	slices.SortFunc(want, func(a, b token.Key) int {
		if c := strings.Compare(a.LinkID, b.LinkID); c != 0 {
			return c
		}
		return strings.Compare(a.User, b.User)
	})
	got, err := s.AccessTokens(ctx)
	if err != nil {
		t.Fatalf("AccessTokens: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AccessTokens after concurrent writers (-want +got):\n%s", diff)
	}
}
