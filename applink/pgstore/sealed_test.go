package pgstore

import (
	"errors"
	"github.com/go-applinks/applinks/applink/token"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/sealed"
	"github.com/go-applinks/applinks/applink/storetest"
)

func testKey(t *testing.T, id string) sealed.Key {
	t.Helper()
	k, _, err := sealed.GenerateKey(id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sealedOver(t *testing.T, s *Store, active sealed.Key, older ...sealed.Key) token.Store {
	t.Helper()
	kr, err := sealed.NewKeyring(active, older...)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sealed.New(s, kr)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestConformanceSealed: the sealed wrapper over pgstore keeps the whole
// contract, the locker and the dances included.
func TestConformanceSealed(t *testing.T) {
	t.Parallel()
	pool := suitePool(t)
	key := testKey(t, "k1")
	storetest.Run(t, func(t *testing.T, now func() time.Time) token.Store {
		return sealedOver(t, newTestStore(t, pool, WithClock(now)), key)
	})
}

// rawSecrets reads the stored secret columns of a key as they are in the
// database.
func rawSecrets(t *testing.T, s *Store, k token.Key) (secret, refresh, handle string) {
	t.Helper()
	err := s.pool.QueryRow(t.Context(), `SELECT secret, refresh_token, session_handle FROM `+s.t.access+
		` WHERE link_id = $1 AND user_name = $2`, k.LinkID, k.User).Scan(&secret, &refresh, &handle)
	if err != nil {
		t.Fatal(err)
	}
	return secret, refresh, handle
}

// TestSealedRows: what reaches PostgreSQL is sealed; a row copied onto
// another user does not open; tokens sealed with key 1 are read once key 2
// is active, and sealed with key 2 when written again.
func TestSealedRows(t *testing.T) {
	t.Parallel()
	s := newTestStore(t, nil)
	ctx := t.Context()
	k1, k2 := testKey(t, "k1"), testKey(t, "k2")
	st := sealedOver(t, s, k1)
	alice := token.Key{LinkID: "l", User: "alice"}
	bob := token.Key{LinkID: "l", User: "bob"}
	o1 := token.NewAccessToken("tok-alice", "secret-of-alice")
	o1.SessionHandle = token.NewSecret("handle-of-alice")
	if err := st.PutAccessToken(ctx, alice, o1); err != nil {
		t.Fatal(err)
	}
	o2 := token.NewOAuth2AccessToken("bearer-of-carol", "refresh-of-carol")
	carol := token.Key{LinkID: "l", User: "carol"}
	if err := st.PutAccessToken(ctx, carol, o2); err != nil {
		t.Fatal(err)
	}
	for _, k := range []token.Key{alice, carol} {
		secret, refresh, handle := rawSecrets(t, s, k)
		for _, v := range []string{secret, refresh, handle} {
			if v != "" && !strings.HasPrefix(v, "v1.k1.") {
				t.Errorf("%v: a stored value is not sealed with k1: %.12q…", k, v)
			}
			if strings.Contains(v, "of-alice") || strings.Contains(v, "of-carol") {
				t.Errorf("%v: a secret is in the clear in the database", k)
			}
		}
	}

	// An attacker with SQL access copies alice's row onto bob.
	if _, err := s.pool.Exec(ctx, `INSERT INTO `+s.t.access+` (link_id, user_name, kind, token, secret, refresh_token, session_handle)
		SELECT link_id, 'bob', kind, token, secret, refresh_token, session_handle FROM `+s.t.access+` WHERE user_name = 'alice'`); err != nil {
		t.Fatal(err)
	}
	_, err := st.AccessToken(ctx, bob)
	var oe *sealed.OpenError
	if !errors.As(err, &oe) || !errors.Is(err, sealed.ErrAuthentication) || oe.KeyID != "k1" {
		t.Errorf("bob's copy of alice's row: %v, want a *sealed.OpenError for k1 wrapping ErrAuthentication", err)
	}

	// Rotation: k2 active, k1 still read.
	rotated := sealedOver(t, s, k2, k1)
	got, err := rotated.AccessToken(ctx, alice)
	if err != nil || got.Secret.Reveal() != "secret-of-alice" || got.SessionHandle.Reveal() != "handle-of-alice" {
		t.Fatalf("alice's k1 token after rotating to k2: %v, %v", got, err)
	}
	if err := rotated.PutAccessToken(ctx, alice, got); err != nil {
		t.Fatal(err)
	}
	if secret, _, handle := rawSecrets(t, s, alice); !strings.HasPrefix(secret, "v1.k2.") || !strings.HasPrefix(handle, "v1.k2.") {
		t.Errorf("alice's token written after the rotation is not sealed with k2: %.8q…, %.8q…", secret, handle)
	}
	// Without k1 the old token does not open, and is neither used nor
	// deleted.
	onlyK2 := sealedOver(t, s, k2)
	if _, err := onlyK2.AccessToken(ctx, carol); !errors.Is(err, sealed.ErrUnknownKey) {
		t.Errorf("carol's k1 token with a keyring of k2 alone: %v, want ErrUnknownKey", err)
	}
	if got, err := rotated.AccessToken(ctx, carol); err != nil || got.Secret.Reveal() != "bearer-of-carol" || got.RefreshToken.Reveal() != "refresh-of-carol" {
		t.Errorf("carol's token after the failed read: %v, %v; want it intact", got, err)
	}
}
