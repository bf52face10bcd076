package filestore

import (
	"fmt"
	"github.com/go-applinks/applinks/applink/token"
	"path/filepath"
	"testing"
	"time"
)

// benchFileStore returns a file store holding n access tokens of ordinary
// size (an Atlassian token and secret, a session handle), written in one
// go.
func benchFileStore(b *testing.B, n int) (*Store, []token.Key) {
	b.Helper()
	s, err := Open(filepath.Join(b.TempDir(), "tokens.json"))
	if err != nil {
		b.Fatal(err)
	}
	keys := make([]token.Key, n)
	now := time.Now()
	err = s.update(b.Context(), func(set *token.Set) bool {
		for i := range keys {
			keys[i] = token.Key{LinkID: "0c5a2e3c-7d4f-4b0e-9a51-3f1c2b7e8d90", User: fmt.Sprintf("user-%06d", i)}
			t := token.NewAccessToken(fmt.Sprintf("tok%029d", i), fmt.Sprintf("sec%029d", i))
			t.SessionHandle = token.NewSecret(fmt.Sprintf("sh%030d", i))
			t.ExpiresAt = now.Add(5 * 365 * 24 * time.Hour)
			t.CreatedAt = now
			set.PutAccessToken(keys[i], t)
		}
		return true
	})
	if err != nil {
		b.Fatal(err)
	}
	return s, keys
}

// BenchmarkFileTokenStore measures token.AccessToken (Get) and PutAccessToken
// (Put, replacing a user's token) on a token file of 10, 1,000 and 10,000
// users. Every 3LO request does a Get; a Put follows each authorization and
// renewal.
func BenchmarkFileTokenStore(b *testing.B) {
	for _, n := range []int{10, 1000, 10000} {
		b.Run(fmt.Sprintf("Get/users=%d", n), func(b *testing.B) {
			s, keys := benchFileStore(b, n)
			ctx := b.Context()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := s.AccessToken(ctx, keys[i%n]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		b.Run(fmt.Sprintf("Put/users=%d", n), func(b *testing.B) {
			s, keys := benchFileStore(b, n)
			ctx := b.Context()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				t := token.NewAccessToken(fmt.Sprintf("new%029d", i), fmt.Sprintf("sec%029d", i))
				if err := s.PutAccessToken(ctx, keys[i%n], t); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
