package signer

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"os"
	"strings"
	"testing"
)

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// wantPublic is the public half of the 2048-bit test key, read with
// crypto/x509 alone.
func wantPublic(tb testing.TB) *rsa.PublicKey {
	tb.Helper()
	k := readPKCS1(tb, "testdata/keys-rsa2048-pkcs1-TEST-ONLY.pem")
	return &k.PublicKey
}

func TestParsePrivateKey(t *testing.T) {
	t.Parallel()
	want := wantPublic(t)
	pkcs8DER := readTestdata(t, "keys-rsa2048-pkcs8-TEST-ONLY.der")
	tests := []struct {
		name string
		data []byte
	}{
		{"PKCS #1 PEM", readTestdata(t, "keys-rsa2048-pkcs1-TEST-ONLY.pem")},
		{"PKCS #8 PEM", readTestdata(t, "keys-rsa2048-pkcs8-TEST-ONLY.pem")},
		{"PKCS #1 DER", readTestdata(t, "keys-rsa2048-pkcs1-TEST-ONLY.der")},
		{"PKCS #8 DER", pkcs8DER},
		{"OpenSSH", readTestdata(t, "keys-rsa2048-openssh-TEST-ONLY.pem")},
		{"PEM with text before and blank lines around", append([]byte("Bag Attributes\n  localKeyID: 01\n\n"),
			append(readTestdata(t, "keys-rsa2048-pkcs8-TEST-ONLY.pem"), "\n\n"...)...)},
		{"PEM with CRLF", []byte(strings.ReplaceAll(string(readTestdata(t, "keys-rsa2048-pkcs1-TEST-ONLY.pem")), "\n", "\r\n"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, parse := range []func([]byte) (*rsa.PrivateKey, error){
				ParsePrivateKey,
				func(b []byte) (*rsa.PrivateKey, error) { return ParsePrivateKeyWithPassphrase(b, []byte("unused")) },
			} {
				k, err := parse(tt.data)
				if err != nil {
					t.Fatalf("parse: %v", err)
				}
				if !k.PublicKey.Equal(want) {
					t.Error("parsed a different key")
				}
			}
		})
	}
}

func TestParsePrivateKeyWithPassphrase(t *testing.T) {
	t.Parallel()
	want := wantPublic(t)
	for _, name := range []string{"keys-rsa2048-encrypted-TEST-ONLY.pem", "keys-rsa2048-openssh-encrypted-TEST-ONLY.pem"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data := readTestdata(t, name)
			k, err := ParsePrivateKeyWithPassphrase(data, []byte("test-passphrase"))
			if err != nil {
				t.Fatalf("right passphrase: %v", err)
			}
			if !k.PublicKey.Equal(want) {
				t.Error("parsed a different key")
			}
			if _, err := ParsePrivateKey(data); !errors.Is(err, ErrEncryptedKey) {
				t.Errorf("ParsePrivateKey of an encrypted key: %v, want ErrEncryptedKey", err)
			}
			_, err = ParsePrivateKeyWithPassphrase(data, []byte("wrong-passphrase"))
			if !errors.Is(err, x509.IncorrectPasswordError) {
				t.Errorf("wrong passphrase: %v, want x509.IncorrectPasswordError", err)
			}
			if err != nil && strings.Contains(err.Error(), "wrong-passphrase") {
				t.Errorf("error shows the passphrase: %v", err)
			}
			if _, err := ParsePrivateKeyWithPassphrase(data, nil); !errors.Is(err, ErrEncryptedKey) {
				t.Errorf("empty passphrase: %v, want ErrEncryptedKey", err)
			}
		})
	}
}

func TestParsePrivateKeyErrors(t *testing.T) {
	t.Parallel()
	encPKCS8 := pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{0x30, 0}})
	tests := []struct {
		name     string
		data     []byte
		contains string
		size     int // want a *KeySizeError with these bits
	}{
		{name: "empty", data: nil, contains: "empty"},
		{name: "garbage", data: []byte("hello"), contains: "not an RSA private key"},
		{name: "broken PEM", data: []byte("-----BEGIN RSA PRIVATE KEY-----\nAAAA"), contains: "not valid PEM"},
		{name: "512-bit key", data: readTestdata(t, "keys-rsa512-TEST-ONLY.pem"), size: 512},
		{name: "EC key", data: readTestdata(t, "keys-ec-p256-TEST-ONLY.pem"), contains: "EC (ECDSA)"},
		{name: "EC key PKCS #8", data: readTestdata(t, "keys-ec-p256-pkcs8-TEST-ONLY.pem"), contains: "ECDSA P-256 private key"},
		{name: "Ed25519 key", data: readTestdata(t, "keys-ed25519-TEST-ONLY.pem"), contains: "Ed25519 private key"},
		{name: "public key", data: readTestdata(t, "keys-rsa2048-spki-TEST-ONLY.pem"), contains: "not a private key"},
		{name: "encrypted PKCS #8", data: encPKCS8, contains: "openssl pkcs8"},
		{name: "unknown block", data: pem.EncodeToMemory(&pem.Block{Type: "FOO", Bytes: []byte{1}}), contains: `unsupported PEM block "FOO"`},
		{name: "malformed PKCS #1", data: pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte{0x30, 3, 2, 1, 0}}), contains: "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k, err := ParsePrivateKey(tt.data)
			if err == nil {
				t.Fatalf("ParsePrivateKey = %v, want an error", k != nil)
			}
			checkKeyError(t, err, tt.data)
			if tt.size != 0 {
				var kse *KeySizeError
				if !errors.As(err, &kse) || kse.Bits != tt.size {
					t.Errorf("error %v, want *KeySizeError{%d}", err, tt.size)
				}
				return
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not say %q", err, tt.contains)
			}
		})
	}
}

// checkKeyError checks an error from a key parser: prefixed, and free of any
// run of the input's bytes or its Base64.
func checkKeyError(t *testing.T, err error, data []byte) {
	t.Helper()
	msg := err.Error()
	if !strings.HasPrefix(msg, "signer: ") {
		t.Errorf("error %q has no signer: prefix", msg)
	}
	for _, s := range []string{string(data), base64.StdEncoding.EncodeToString(data)} {
		for _, line := range strings.Split(s, "\n") {
			if len(line) >= 16 && !strings.HasPrefix(line, "-----") && strings.Contains(msg, line[:16]) {
				t.Errorf("error %q contains key material %q", msg, line[:16])
			}
		}
	}
}

func TestParsePublicKey(t *testing.T) {
	t.Parallel()
	want := wantPublic(t)
	oneLine := readTestdata(t, "keys-rsa2048-atlassian-TEST-ONLY.txt")
	spkiDER, err := base64.StdEncoding.DecodeString(string(oneLine))
	if err != nil {
		t.Fatal(err)
	}
	pkcs1DER := x509.MarshalPKCS1PublicKey(want)
	sshLine := "ssh-rsa " + sshRSAWire(t, want) + " test@example"
	tests := []struct {
		name string
		data []byte
	}{
		{"Atlassian one line", oneLine},
		{"Atlassian one line with newline", append(append([]byte(nil), oneLine...), '\n')},
		{"Base64 wrapped at 64", readTestdata(t, "keys-rsa2048-atlassian-wrapped-TEST-ONLY.txt")},
		{"Base64 with spaces and CRLF", []byte(" " + string(oneLine[:100]) + "\r\n  " + string(oneLine[100:200]) + "\t" + string(oneLine[200:]) + "\r\n")},
		{"Base64 without padding", []byte(strings.TrimRight(string(oneLine), "="))},
		{"PEM SPKI", readTestdata(t, "keys-rsa2048-spki-TEST-ONLY.pem")},
		{"PEM PKCS #1", readTestdata(t, "keys-rsa2048-pkcs1pub-TEST-ONLY.pem")},
		{"PEM certificate", readTestdata(t, "keys-rsa2048-cert-TEST-ONLY.pem")},
		{"DER certificate", readTestdata(t, "keys-rsa2048-cert-TEST-ONLY.der")},
		{"DER SPKI", spkiDER},
		{"DER PKCS #1", pkcs1DER},
		{"Base64 PKCS #1", []byte(base64.StdEncoding.EncodeToString(pkcs1DER))},
		{"ssh-rsa line", []byte(sshLine)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParsePublicKey(tt.data)
			if err != nil {
				t.Fatalf("ParsePublicKey: %v", err)
			}
			if !got.Equal(want) {
				t.Error("parsed a different key")
			}
		})
	}
}

func sshRSAWire(t *testing.T, pub *rsa.PublicKey) string {
	t.Helper()
	line := string(sshAuthorizedKey(t, pub))
	f := strings.Fields(line)
	return f[1]
}

func TestParsePublicKeyErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		data     []byte
		contains string
		size     int
	}{
		{name: "empty", data: []byte(" \n"), contains: "empty"},
		{name: "garbage", data: []byte("not a key at all"), contains: "not an RSA public key"},
		{name: "Base64 garbage", data: []byte("MIIBIjANBgkqhkiG9w0BAQEFAAOC"), contains: "not an RSA public key"},
		{name: "512-bit key", data: readTestdata(t, "keys-rsa512-spki-TEST-ONLY.pem"), size: 512},
		{name: "EC public key", data: readTestdata(t, "keys-ec-p256-spki-TEST-ONLY.pem"), contains: "ECDSA P-256 public key"},
		{name: "private key PEM", data: readTestdata(t, "keys-rsa2048-pkcs8-TEST-ONLY.pem"), contains: "this is a private key"},
		{name: "private key DER", data: readTestdata(t, "keys-rsa2048-pkcs1-TEST-ONLY.der"), contains: "this is a private key"},
		{name: "broken PEM", data: []byte("-----BEGIN PUBLIC KEY-----\nMIIB"), contains: "not valid PEM"},
		{name: "malformed SPKI PEM", data: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{0x30, 0}}), contains: "malformed"},
		{name: "unknown block", data: pem.EncodeToMemory(&pem.Block{Type: "X", Bytes: []byte{1}}), contains: `unsupported PEM block "X"`},
		{name: "ssh-ed25519 line", data: []byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl x"), contains: "Ed25519 public key"},
		{name: "broken ssh line", data: []byte("ssh-rsa AAAA"), contains: "OpenSSH public key is malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k, err := ParsePublicKey(tt.data)
			if err == nil {
				t.Fatalf("ParsePublicKey = %v, want an error", k != nil)
			}
			checkKeyError(t, err, tt.data)
			if tt.size != 0 {
				var kse *KeySizeError
				if !errors.As(err, &kse) || kse.Bits != tt.size {
					t.Errorf("error %v, want *KeySizeError{%d}", err, tt.size)
				}
				return
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not say %q", err, tt.contains)
			}
		})
	}
}

func TestEncodePublicKey(t *testing.T) {
	t.Parallel()
	want := wantPublic(t)
	line, err := EncodePublicKey(want)
	if err != nil {
		t.Fatal(err)
	}
	// Byte for byte what openssl printed for the same key.
	if golden := strings.TrimSpace(string(readTestdata(t, "keys-rsa2048-atlassian-TEST-ONLY.txt"))); line != golden {
		t.Errorf("EncodePublicKey = %s\nwant %s", line, golden)
	}
	if !strings.HasPrefix(line, "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA") || strings.ContainsAny(line, "\n ") {
		t.Errorf("not Atlassian's one-line form: %s", line)
	}
	p, err := EncodePublicKeyPEM(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(p) != string(readTestdata(t, "keys-rsa2048-spki-TEST-ONLY.pem")) {
		t.Errorf("EncodePublicKeyPEM differs from openssl's:\n%s", p)
	}
	for _, f := range []func() error{
		func() error { _, err := EncodePublicKey(nil); return err },
		func() error { _, err := EncodePublicKeyPEM(nil); return err },
		func() error { _, err := EncodePrivateKeyPEM(nil); return err },
	} {
		if err := f(); err == nil || !strings.HasPrefix(err.Error(), "signer: ") {
			t.Errorf("encoding nil: %v", err)
		}
	}
}

func TestEncodePrivateKeyPEM(t *testing.T) {
	t.Parallel()
	key := readPKCS1(t, "testdata/keys-rsa2048-pkcs1-TEST-ONLY.pem")
	p, err := EncodePrivateKeyPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(p), "-----BEGIN PRIVATE KEY-----\n") {
		t.Errorf("not PKCS #8 PEM: %.40s", p)
	}
	back, err := ParsePrivateKey(p)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Equal(key) {
		t.Error("round trip changed the key")
	}
}

func TestGenerateKey(t *testing.T) {
	t.Parallel()
	for _, bits := range []int{-1, 512, 1023} {
		_, err := GenerateKey(bits)
		var kse *KeySizeError
		if !errors.As(err, &kse) || kse.Bits != bits {
			t.Errorf("GenerateKey(%d) = %v, want *KeySizeError", bits, err)
		}
	}
	if _, err := GenerateKey(1 << 20); err == nil {
		t.Error("GenerateKey(1<<20) succeeded")
	}
	if testing.Short() {
		return
	}
	k, err := GenerateKey(0)
	if err != nil {
		t.Fatal(err)
	}
	if k.N.BitLen() != 2048 {
		t.Errorf("GenerateKey(0) made %d bits, want 2048", k.N.BitLen())
	}
	line, err := EncodePublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKey([]byte(line))
	if err != nil || !pub.Equal(&k.PublicKey) {
		t.Errorf("ParsePublicKey(EncodePublicKey(k)) = %v", err)
	}
	if _, err := NewRSASHA1(k); err != nil {
		t.Errorf("NewRSASHA1 on a generated key: %v", err)
	}
}

func TestKeySizeErrorMessage(t *testing.T) {
	t.Parallel()
	got := (&KeySizeError{Bits: 512}).Error()
	if !strings.Contains(got, "512 bits") || !strings.Contains(got, "1024") || !strings.HasPrefix(got, "signer: ") {
		t.Errorf("KeySizeError = %q", got)
	}
}
