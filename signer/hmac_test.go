package signer

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"strings"
	"testing"
)

// cryptoHMACSHA1 is hmacSHA1 through crypto/hmac, the reference.
func cryptoHMACSHA1(consumerSecret, tokenSecret, message string) string {
	mac := hmac.New(sha1.New, []byte(Encode(consumerSecret)+"&"+Encode(tokenSecret)))
	mac.Write([]byte(message))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// The HMAC-SHA1 signature is crypto/hmac's for keys shorter than, as long
// as and longer than SHA-1's 64-byte block (a longer key is hashed first),
// keys with bytes to percent-encode, and messages shorter and longer than
// the 1 KiB kept on the stack.
func TestHMACSHA1MatchesCryptoHMAC(t *testing.T) {
	t.Parallel()
	secrets := []string{"", "kd94hf93k423kf44", "a b&c=d/é", strings.Repeat("s", 31), strings.Repeat("s", 62),
		strings.Repeat("s", 63), strings.Repeat("s", 64), strings.Repeat("%", 30), strings.Repeat("x", 200)}
	messages := []string{"", "GET&http%3A%2F%2Fexample.com%2F&a%3D1", strings.Repeat("m", 1024),
		strings.Repeat("m", 1025), strings.Repeat("m", 5000)}
	for _, cs := range secrets {
		for _, ts := range []string{"", "pfkkdhi9sl3r4s00", strings.Repeat("t", 70)} {
			for _, m := range messages {
				if got, want := hmacSHA1(cs, ts, m), cryptoHMACSHA1(cs, ts, m); got != want {
					t.Errorf("hmacSHA1(%d-byte secret, %d-byte token secret, %d-byte message) = %s, crypto/hmac says %s",
						len(cs), len(ts), len(m), got, want)
				}
			}
		}
	}
}

func FuzzHMACSHA1(f *testing.F) {
	f.Add("kd94hf93k423kf44", "pfkkdhi9sl3r4s00", "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg")
	f.Fuzz(func(t *testing.T, cs, ts, m string) {
		if got, want := hmacSHA1(cs, ts, m), cryptoHMACSHA1(cs, ts, m); got != want {
			t.Errorf("hmacSHA1 = %s, crypto/hmac says %s", got, want)
		}
	})
}
