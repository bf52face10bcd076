package signer

import (
	"crypto/rsa"
	"errors"
	"testing"

	"golang.org/x/crypto/ssh"
)

// sshAuthorizedKey returns pub as an authorized_keys line.
func sshAuthorizedKey(t *testing.T, pub *rsa.PublicKey) []byte {
	t.Helper()
	pk, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return ssh.MarshalAuthorizedKey(pk)
}

func addKeySeeds(f *testing.F) {
	for _, name := range []string{
		"keys-rsa2048-pkcs1-TEST-ONLY.pem", "keys-rsa2048-pkcs8-TEST-ONLY.der", "keys-rsa2048-openssh-TEST-ONLY.pem",
		"keys-rsa2048-encrypted-TEST-ONLY.pem", "keys-rsa2048-atlassian-TEST-ONLY.txt", "keys-rsa2048-cert-TEST-ONLY.pem",
		"keys-rsa2048-pkcs1pub-TEST-ONLY.pem", "keys-ec-p256-TEST-ONLY.pem", "keys-rsa512-TEST-ONLY.pem",
	} {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte("ssh-rsa AAAA"))
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n"))
}

func FuzzParsePrivateKey(f *testing.F) {
	addKeySeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		k1, err1 := ParsePrivateKey(data)
		k2, err2 := ParsePrivateKey(data)
		if (err1 == nil) != (err2 == nil) || (k1 != nil && !k1.Equal(k2)) {
			t.Fatalf("not deterministic: %v / %v", err1, err2)
		}
		if err1 == nil && k1.N.BitLen() < MinKeyBits {
			t.Fatalf("accepted a %d-bit key", k1.N.BitLen())
		}
		if err1 != nil && k1 != nil {
			t.Fatal("key returned with an error")
		}
		_, _ = ParsePrivateKeyWithPassphrase(data, []byte("x"))
		var kse *KeySizeError
		_ = errors.As(err1, &kse)
	})
}

func FuzzParsePublicKey(f *testing.F) {
	addKeySeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		k1, err1 := ParsePublicKey(data)
		k2, err2 := ParsePublicKey(data)
		if (err1 == nil) != (err2 == nil) || (k1 != nil && !k1.Equal(k2)) {
			t.Fatalf("not deterministic: %v / %v", err1, err2)
		}
		if err1 != nil {
			if k1 != nil {
				t.Fatal("key returned with an error")
			}
			return
		}
		if k1.N.BitLen() < MinKeyBits {
			t.Fatalf("accepted a %d-bit key", k1.N.BitLen())
		}
		// Whatever we accept, we encode to Atlassian's form and read back.
		line, err := EncodePublicKey(k1)
		if err != nil {
			t.Fatal(err)
		}
		k3, err := ParsePublicKey([]byte(line))
		if err != nil || !k3.Equal(k1) {
			t.Fatalf("round trip: %v", err)
		}
	})
}
