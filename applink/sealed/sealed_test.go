package sealed_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/filestore"
	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/applink/sealed"
	"github.com/go-applinks/applinks/applink/storetest"
	"github.com/google/go-cmp/cmp"
)

// testKeyBytes returns a deterministic 32-byte test key.
func testKeyBytes(seed byte) []byte { return bytes.Repeat([]byte{seed}, sealed.KeySize) }

func testKey(t *testing.T, id string, seed byte) sealed.Key {
	t.Helper()
	k, err := sealed.NewKey(id, testKeyBytes(seed))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testKeyring(t *testing.T, active sealed.Key, older ...sealed.Key) *sealed.Keyring {
	t.Helper()
	kr, err := sealed.NewKeyring(active, older...)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func newSealed(t *testing.T, inner token.Store, kr *sealed.Keyring, opts ...sealed.Option) token.Store {
	t.Helper()
	s, err := sealed.New(inner, kr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var tokenCmp = cmp.AllowUnexported(token.AccessToken{}, token.RequestToken{})

func TestConformance(t *testing.T) {
	t.Parallel()
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		storetest.Run(t, func(t *testing.T, now func() time.Time) token.Store {
			return newSealed(t, token.NewMemoryStore(token.WithClock(now)), testKeyring(t, testKey(t, "k1", 1)))
		})
	})
	t.Run("file", func(t *testing.T) {
		t.Parallel()
		storetest.Run(t, func(t *testing.T, now func() time.Time) token.Store {
			inner, err := filestore.Open(filepath.Join(t.TempDir(), "tokens.json"), filestore.WithClock(now))
			if err != nil {
				t.Fatal(err)
			}
			return newSealed(t, inner, testKeyring(t, testKey(t, "k1", 1)))
		})
	})
}

// TestReplicas: two sealed stores on one token file, as two processes with
// the same keyring.
func TestReplicas(t *testing.T) {
	t.Parallel()
	storetest.RunReplicas(t, func(t *testing.T, now func() time.Time) (token.Store, token.Store) {
		path := filepath.Join(t.TempDir(), "tokens.json")
		var out []token.Store
		for range 2 {
			inner, err := filestore.Open(path, filestore.WithClock(now))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, newSealed(t, inner, testKeyring(t, testKey(t, "k1", 1))))
		}
		return out[0], out[1]
	})
}

// fullToken is an OAuth 1.0a token with a secret and a session handle.
func fullToken() *token.AccessToken {
	tok := token.NewAccessToken("token-alice", "SECRET-alice")
	tok.SessionHandle = token.NewSecret("HANDLE-alice")
	tok.ExpiresAt = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	return tok
}

// TestSealedAtRest: the inner store holds no secret in the clear, every
// secret field is sealed with the active key's id, and the sealed store
// gives the token back whole.
func TestSealedAtRest(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	inner := token.NewMemoryStore()
	s := newSealed(t, inner, testKeyring(t, testKey(t, "k1", 1)))
	alice := token.Key{LinkID: "link-1", User: "alice"}
	o2 := token.NewOAuth2AccessToken("BEARER-bob", "REFRESH-bob")
	o2.Scopes = []string{"READ"}
	bob := token.Key{LinkID: "link-1", User: "bob"}
	for key, tok := range map[token.Key]*token.AccessToken{alice: fullToken(), bob: o2} {
		if err := s.PutAccessToken(ctx, key, tok); err != nil {
			t.Fatal(err)
		}
		raw, err := inner.AccessToken(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		for field, v := range map[string]string{"secret": raw.Secret.Reveal(), "refresh": raw.RefreshToken.Reveal(), "handle": raw.SessionHandle.Reveal()} {
			if v == "" && field == "refresh" && !tok.IsOAuth2() || v == "" && field == "handle" && tok.IsOAuth2() {
				continue // nothing to seal: stays empty
			}
			if !strings.HasPrefix(v, "v1.k1.") {
				t.Errorf("%s %s stored as %q, want a value sealed with k1", key.User, field, v)
			}
			if strings.Contains(v, "alice") || strings.Contains(v, "bob") {
				t.Errorf("%s %s stored with the plaintext in it: %q", key.User, field, v)
			}
		}
		if raw.Token != tok.Token {
			t.Errorf("token value stored as %q, want %q (not secret, kept)", raw.Token, tok.Token)
		}
		got, err := s.AccessToken(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tok, got, tokenCmp); diff != "" {
			t.Errorf("AccessToken(%s) (-want +got):\n%s", key.User, diff)
		}
	}
	rt := token.NewRequestToken("request-1", "REQUEST-SECRET")
	rt.LinkID, rt.User = "link-1", "alice"
	if err := s.PutRequestToken(ctx, rt); err != nil {
		t.Fatal(err)
	}
	raw, err := inner.RequestToken(ctx, "request-1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(raw.Secret.Reveal(), "v1.k1.") {
		t.Errorf("request token secret stored as %q, want it sealed", raw.Secret.Reveal())
	}
	got, err := s.RequestToken(ctx, "request-1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rt, got, tokenCmp); diff != "" {
		t.Errorf("RequestToken (-want +got):\n%s", diff)
	}
}

// TestMovedValueFails: a sealed row copied onto another user or link, a
// sealed field copied into another field, a request token's secret copied
// onto another request token: none opens, each with ErrAuthentication
// naming the key id.
func TestMovedValueFails(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	inner := token.NewMemoryStore()
	s := newSealed(t, inner, testKeyring(t, testKey(t, "k1", 1)))
	alice := token.Key{LinkID: "link-1", User: "alice"}
	if err := s.PutAccessToken(ctx, alice, fullToken()); err != nil {
		t.Fatal(err)
	}
	raw, err := inner.AccessToken(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	swapped := raw.Clone()
	swapped.Secret, swapped.RefreshToken, swapped.SessionHandle = raw.SessionHandle, token.Secret{}, raw.Secret
	for name, tc := range map[string]struct {
		key token.Key
		tok *token.AccessToken
	}{
		"row copied to another user": {token.Key{LinkID: "link-1", User: "mallory"}, raw},
		"row copied to another link": {token.Key{LinkID: "link-2", User: "alice"}, raw},
		"fields swapped":             {alice, swapped},
	} {
		if err := inner.PutAccessToken(ctx, tc.key, tc.tok); err != nil {
			t.Fatal(err)
		}
		got, err := s.AccessToken(ctx, tc.key)
		var oe *sealed.OpenError
		if !errors.As(err, &oe) || !errors.Is(err, sealed.ErrAuthentication) || oe.KeyID != "k1" {
			t.Errorf("%s: AccessToken = %v, %v; want an *OpenError wrapping ErrAuthentication for key k1", name, got, err)
			continue
		}
		if !strings.Contains(err.Error(), `"k1"`) || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: error %q should name key k1 and no secret", name, err)
		}
	}

	rt := token.NewRequestToken("request-1", "REQUEST-SECRET")
	if err := s.PutRequestToken(ctx, rt); err != nil {
		t.Fatal(err)
	}
	rawRT, err := inner.RequestToken(ctx, "request-1")
	if err != nil {
		t.Fatal(err)
	}
	moved := token.NewRequestToken("request-2", rawRT.Secret.Reveal())
	if err := inner.PutRequestToken(ctx, moved); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RequestToken(ctx, "request-2"); !errors.Is(err, sealed.ErrAuthentication) {
		t.Errorf("request token secret moved to another token: %v, want ErrAuthentication", err)
	}
}

// TestRotation: tokens sealed with k1 are read once k2 is active (k1 kept
// for reading), sealed with k2 when written again, and then read without
// k1; a keyring without the key a value names refuses it by that id.
func TestRotation(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	k1, k2 := testKey(t, "k1", 1), testKey(t, "k2", 2)
	inner := token.NewMemoryStore()
	key := token.Key{LinkID: "link-1", User: "alice"}
	if err := newSealed(t, inner, testKeyring(t, k1)).PutAccessToken(ctx, key, fullToken()); err != nil {
		t.Fatal(err)
	}
	rotated := newSealed(t, inner, testKeyring(t, k2, k1))
	got, err := rotated.AccessToken(ctx, key)
	if err != nil {
		t.Fatalf("reading a k1 token with k2 active and k1 older: %v", err)
	}
	if diff := cmp.Diff(fullToken(), got, tokenCmp); diff != "" {
		t.Errorf("AccessToken (-want +got):\n%s", diff)
	}
	// Without k1 it is refused, naming k1.
	var oe *sealed.OpenError
	if _, err := newSealed(t, inner, testKeyring(t, k2)).AccessToken(ctx, key); !errors.As(err, &oe) || !errors.Is(err, sealed.ErrUnknownKey) || oe.KeyID != "k1" {
		t.Fatalf("reading a k1 token without k1: %v, want ErrUnknownKey naming k1", err)
	}
	if !strings.Contains(oe.Error(), `"k1"`) {
		t.Errorf("error %q does not name key k1", oe)
	}
	// Written again (a renewal), it is sealed with k2 ...
	if err := rotated.PutAccessToken(ctx, key, got); err != nil {
		t.Fatal(err)
	}
	raw, err := inner.AccessToken(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(raw.Secret.Reveal(), "v1.k2.") || !strings.HasPrefix(raw.SessionHandle.Reveal(), "v1.k2.") {
		t.Errorf("after a write the values are %q, %q; want them sealed with k2", raw.Secret.Reveal(), raw.SessionHandle)
	}
	// ... and k1 can go.
	if _, err := newSealed(t, inner, testKeyring(t, k2)).AccessToken(ctx, key); err != nil {
		t.Errorf("reading the re-sealed token with k2 alone: %v", err)
	}
}

// TestWrongKeyAndTampering: a key with the right id and the wrong bytes,
// a changed ciphertext, a malformed value: each refused with its reason.
func TestWrongKeyAndTampering(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	inner := token.NewMemoryStore()
	key := token.Key{LinkID: "link-1", User: "alice"}
	s := newSealed(t, inner, testKeyring(t, testKey(t, "k1", 1)))
	if err := s.PutAccessToken(ctx, key, fullToken()); err != nil {
		t.Fatal(err)
	}
	if _, err := newSealed(t, inner, testKeyring(t, testKey(t, "k1", 9))).AccessToken(ctx, key); !errors.Is(err, sealed.ErrAuthentication) {
		t.Errorf("another key under the same id: %v, want ErrAuthentication", err)
	}
	raw, err := inner.AccessToken(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	sec := raw.Secret.Reveal()
	flip := "A"
	if sec[len(sec)-5:len(sec)-4] == "A" {
		flip = "B"
	}
	for name, tc := range map[string]struct {
		value string
		want  error
	}{
		"changed ciphertext": {sec[:len(sec)-5] + flip + sec[len(sec)-4:], sealed.ErrAuthentication},
		"truncated":          {sec[:len("v1.k1.")+8], sealed.ErrMalformed},
		"not base64":         {"v1.k1.!!!", sealed.ErrMalformed},
		"no key id":          {"v1.", sealed.ErrMalformed},
		"in the clear":       {"SECRET-alice", sealed.ErrNotSealed},
	} {
		changed := raw.Clone()
		changed.Secret, changed.RefreshToken = token.NewSecret(tc.value), token.Secret{}
		if err := inner.PutAccessToken(ctx, key, changed); err != nil {
			t.Fatal(err)
		}
		got, err := s.AccessToken(ctx, key)
		var oe *sealed.OpenError
		if !errors.As(err, &oe) || !errors.Is(err, tc.want) || oe.Field != "secret" {
			t.Errorf("%s: AccessToken = %v, %v; want an *OpenError on the secret wrapping %v", name, got, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "SECRET-alice") {
			t.Errorf("%s: the error holds the value: %v", name, err)
		}
	}
}

// TestAllowUnsealed: a plaintext store is read with AllowUnsealed, and
// each token is sealed when written through the sealed store.
func TestAllowUnsealed(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	inner := token.NewMemoryStore()
	key := token.Key{LinkID: "link-1", User: "alice"}
	if err := inner.PutAccessToken(ctx, key, fullToken()); err != nil {
		t.Fatal(err)
	}
	kr := testKeyring(t, testKey(t, "k1", 1))
	if _, err := newSealed(t, inner, kr).AccessToken(ctx, key); !errors.Is(err, sealed.ErrNotSealed) {
		t.Fatalf("plaintext without AllowUnsealed: %v, want ErrNotSealed", err)
	}
	migrating := newSealed(t, inner, kr, sealed.AllowUnsealed())
	got, err := migrating.AccessToken(ctx, key)
	if err != nil {
		t.Fatalf("plaintext with AllowUnsealed: %v", err)
	}
	if diff := cmp.Diff(fullToken(), got, tokenCmp); diff != "" {
		t.Errorf("AccessToken (-want +got):\n%s", diff)
	}
	if err := migrating.PutAccessToken(ctx, key, got); err != nil {
		t.Fatal(err)
	}
	if _, err := newSealed(t, inner, kr).AccessToken(ctx, key); err != nil {
		t.Errorf("after the write, the strict store reads it: %v", err)
	}
}

// hidden hides the optional interfaces of the store it holds.
type hidden struct{ token.Store }

// lockerOnly is a store that is a TokenLocker and not a DanceStore.
type lockerOnly struct {
	token.Store
	token.Locker
}

func TestPassesThroughOptionalInterfaces(t *testing.T) {
	t.Parallel()
	mem := token.NewMemoryStore()
	kr := testKeyring(t, testKey(t, "k1", 1))
	for _, tc := range []struct {
		name                string
		inner               token.Store
		wantLocker, wantDan bool
	}{
		{"both", mem, true, true},
		{"neither", hidden{mem}, false, false},
		{"locker only", lockerOnly{hidden{mem}, mem}, true, false},
		{"dances only", struct {
			token.Store
			token.DanceStore
		}{hidden{mem}, mem}, false, true},
	} {
		s := newSealed(t, tc.inner, kr)
		_, locker := s.(token.Locker)
		_, dances := s.(token.DanceStore)
		if locker != tc.wantLocker || dances != tc.wantDan {
			t.Errorf("%s: sealed store is TokenLocker %v, DanceStore %v; want %v, %v", tc.name, locker, dances, tc.wantLocker, tc.wantDan)
		}
	}
}

func TestNewRefuses(t *testing.T) {
	t.Parallel()
	kr := testKeyring(t, testKey(t, "k1", 1))
	if _, err := sealed.New(nil, kr); err == nil {
		t.Error("New(nil store) = nil error")
	}
	if _, err := sealed.New(token.NewMemoryStore(), nil); err == nil {
		t.Error("New(nil keyring) = nil error")
	}
	if _, err := sealed.NewKeyring(sealed.Key{}); err == nil {
		t.Error("NewKeyring(zero Key) = nil error")
	}
	if _, err := sealed.NewKeyring(testKey(t, "k1", 1), testKey(t, "k1", 2)); err == nil {
		t.Error("NewKeyring with a repeated id = nil error")
	}
}

func TestParseKeyring(t *testing.T) {
	t.Parallel()
	std := base64.StdEncoding.EncodeToString(testKeyBytes(1))
	url := base64.RawURLEncoding.EncodeToString(append(testKeyBytes(2)[:31], 0xfb)) // has '-' or '_'
	for _, tc := range []struct {
		name, in string
		wantIDs  []string // nil: an error
	}{
		{"one", "k1:" + std, []string{"k1"}},
		{"active first, comma", "k2:" + url + ",k1:" + std, []string{"k2", "k1"}},
		{"lines and comments", "# rotated 2026-03\nk2:" + url + "\n\nk1:" + std + "\n", []string{"k2", "k1"}},
		{"unpadded", "k1:" + strings.TrimRight(std, "="), []string{"k1"}},
		{"empty", " \n", nil},
		{"no id", std, nil},
		{"short key", "k1:" + base64.StdEncoding.EncodeToString([]byte("short")), nil},
		{"bad id", "k.1:" + std, nil},
		{"not base64", "k1:***", nil},
		{"repeated id", "k1:" + std + ",k1:" + std, nil},
		{"key:id", std + ":k1", nil},
		{"url key:id", url + ":k1", nil},
		{"second entry key:id", "k1:" + std + "\n" + std + ":k2", nil},
	} {
		kr, err := sealed.ParseKeyring(tc.in)
		if tc.wantIDs == nil {
			if err == nil {
				t.Errorf("%s: ParseKeyring = %v, want an error", tc.name, kr)
			} else if k := quotedKey(err.Error(), std, url); k != "" {
				t.Errorf("%s: the error quotes key material %q: %v", tc.name, k, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: ParseKeyring: %v", tc.name, err)
			continue
		}
		if diff := cmp.Diff(tc.wantIDs, kr.KeyIDs()); diff != "" || kr.ActiveKeyID() != tc.wantIDs[0] {
			t.Errorf("%s: key ids (-want +got):\n%s (active %s)", tc.name, diff, kr.ActiveKeyID())
		}
	}
}

func TestKeyringFromEnvAndFile(t *testing.T) {
	std := base64.StdEncoding.EncodeToString(testKeyBytes(1))
	t.Setenv("SEALED_TEST_KEYS", "k1:"+std)
	kr, err := sealed.KeyringFromEnv("SEALED_TEST_KEYS")
	if err != nil || kr.ActiveKeyID() != "k1" {
		t.Fatalf("KeyringFromEnv = %v, %v", kr, err)
	}
	if _, err := sealed.KeyringFromEnv("SEALED_TEST_KEYS_UNSET"); err == nil || !strings.Contains(err.Error(), "SEALED_TEST_KEYS_UNSET") {
		t.Errorf("KeyringFromEnv(unset) = %v, want an error naming the variable", err)
	}
	path := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(path, []byte("k1:"+std+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if kr, err := sealed.KeyringFromFile(path); err != nil || kr.ActiveKeyID() != "k1" {
		t.Fatalf("KeyringFromFile = %v, %v", kr, err)
	}
	if runtime.GOOS != "windows" {
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := sealed.KeyringFromFile(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("KeyringFromFile of a readable file = %v, want an error with chmod 600", err)
		}
	}
	if _, err := sealed.KeyringFromFile(filepath.Dir(path)); err == nil {
		t.Error("KeyringFromFile(a directory) = nil error")
	}
}

func TestGenerateKey(t *testing.T) {
	t.Parallel()
	k, enc, err := sealed.GenerateKey("fresh")
	if err != nil {
		t.Fatal(err)
	}
	kr, err := sealed.ParseKeyring("fresh:" + enc)
	if err != nil || k.ID() != "fresh" || kr.ActiveKeyID() != "fresh" {
		t.Fatalf("GenerateKey then ParseKeyring: %v, %v", kr, err)
	}
	_, enc2, err := sealed.GenerateKey("fresh")
	if err != nil || enc2 == enc {
		t.Errorf("two generated keys are equal (%v)", err)
	}
}

// TestRedaction prints keys, keyrings and sealed stores every way: no key
// byte appears, in base64 or hex.
func TestRedaction(t *testing.T) {
	t.Parallel()
	raw := testKeyBytes(0x5a)
	k, err := sealed.NewKey("k1", raw)
	if err != nil {
		t.Fatal(err)
	}
	kr := testKeyring(t, k)
	s := newSealed(t, token.NewMemoryStore(), kr)
	leaks := []string{string(raw), base64.StdEncoding.EncodeToString(raw), hex.EncodeToString(raw), strings.ToUpper(hex.EncodeToString(raw))}
	values := map[string]any{"Key": k, "*Key": &k, "*Keyring": kr, "store": s, "struct": struct {
		K  sealed.Key
		KR *sealed.Keyring
	}{k, kr}}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%X", "%10v", "%t"} {
			out := fmt.Sprintf(verb, v)
			for _, l := range leaks {
				if strings.Contains(out, l) {
					t.Errorf("%s printed with %s leaks key bytes: %s", name, verb, out)
				}
			}
		}
		var text bytes.Buffer
		slog.New(slog.NewTextHandler(&text, nil)).Info("m", "v", v)
		js, _ := json.Marshal(v)
		for _, out := range []string{text.String(), string(js)} {
			for _, l := range leaks {
				if strings.Contains(out, l) {
					t.Errorf("%s logged or marshaled leaks key bytes: %s", name, out)
				}
			}
		}
	}
	if got := fmt.Sprint(kr); !strings.Contains(got, "k1") {
		t.Errorf("Keyring prints as %q, want its key ids", got)
	}
}

// quotedKey returns the first 6-character piece of one of keys that msg
// holds, or "".
func quotedKey(msg string, keys ...string) string {
	for _, k := range keys {
		for i := 0; i+6 <= len(k); i++ {
			if strings.Contains(msg, k[i:i+6]) {
				return k[i : i+6]
			}
		}
	}
	return ""
}

// FuzzParseKeyring: ParseKeyring never panics, and its errors quote
// nothing of the input: renaming every ASCII letter and digit (which keeps
// ids valid or not, base64 decodable or not, lengths and repeats) leaves
// the error message unchanged. Any quoted id, key or piece of one would
// change it.
func FuzzParseKeyring(f *testing.F) {
	std := base64.StdEncoding.EncodeToString(testKeyBytes(1))
	for _, seed := range []string{
		"k1:" + std, std + ":k1", "k2:" + std + ",k1:" + std, "k1:" + std + ",k1:" + std, "# c\nk1:" + std,
		"k1:***", "k.1:" + std, std, "k1:" + std[:20], "", " \n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		_, err := sealed.ParseKeyring(in)
		_, err2 := sealed.ParseKeyring(rotateAlnum(in))
		if (err == nil) != (err2 == nil) {
			t.Fatalf("renaming letters and digits changed the outcome: %v, then %v", err, err2)
		}
		if err != nil && err.Error() != err2.Error() {
			t.Fatalf("the error depends on the input's letters and digits, so it quotes them:\n%v\n%v", err, err2)
		}
	})
}

// rotateAlnum replaces each ASCII letter by the next one of its case and
// each digit by the next digit, cyclically.
func rotateAlnum(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return 'a' + (r-'a'+1)%26
		case r >= 'A' && r <= 'Z':
			return 'A' + (r-'A'+1)%26
		case r >= '0' && r <= '9':
			return '0' + (r-'0'+1)%10
		}
		return r
	}, s)
}
