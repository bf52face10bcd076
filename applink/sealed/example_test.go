package sealed_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/applink/sealed"
)

// A file or database store wrapped so that it holds no secret in the
// clear; here a memory store, to show what it keeps.
func ExampleNew() {
	ctx := context.Background()
	// In production: sealed.KeyringFromEnv("APPLINK_TOKEN_KEYS").
	demoKey := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef")) // never a real key
	keys, err := sealed.ParseKeyring("k1:" + demoKey)
	if err != nil {
		fmt.Println(err)
		return
	}
	inner := token.NewMemoryStore()
	store, err := sealed.New(inner, keys)
	if err != nil {
		fmt.Println(err)
		return
	}
	key := token.Key{LinkID: "link-1", User: "alice"}
	if err := store.PutAccessToken(ctx, key, token.NewAccessToken("token", "the-secret")); err != nil {
		fmt.Println(err)
		return
	}
	raw, _ := inner.AccessToken(ctx, key)
	fmt.Println("stored sealed with k1:", strings.HasPrefix(raw.Secret.Reveal(), "v1.k1."))
	tok, _ := store.AccessToken(ctx, key)
	fmt.Println("read back:", tok.Secret.Reveal())
	fmt.Println("keys:", keys.KeyIDs(), "active:", keys.ActiveKeyID())
	// Output:
	// stored sealed with k1: true
	// read back: the-secret
	// keys: [k1] active: k1
}
