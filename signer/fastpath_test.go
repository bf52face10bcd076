package signer

import (
	"cmp"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// viaInterface hides a Method's type, so that Sign takes its general path
// (Method.Sign over a copy of the base string) for it.
type viaInterface struct{ Method }

// signBothWays signs one request with HMAC-SHA1 through Sign's HMAC-SHA1
// path and through its general path, and wants the same header, a
// signature crypto/hmac computes over the base string a provider rebuilds,
// and the same outcome on error. It reports whether the request was signed.
func signBothWays(t *testing.T, consumerSecret, tokenSecret, realm, rawURL string, extra map[string]string) bool {
	t.Helper()
	m, err := NewHMACSHA1(consumerSecret)
	if err != nil {
		return false
	}
	fast := mustNew(t, "consumer key", m, WithRealm(realm))
	general := mustNew(t, "consumer key", viaInterface{m}, WithRealm(realm))
	p := Params{Token: NewToken("token", tokenSecret), Extra: extra, Nonce: "n", Timestamp: time.Unix(1e9, 0)}
	r1, err1 := http.NewRequest("GET", rawURL, nil)
	r2, err2 := http.NewRequest("GET", rawURL, nil)
	if err1 != nil || err2 != nil {
		return false
	}
	err1, err2 = fast.Sign(r1, p), general.Sign(r2, p)
	if (err1 == nil) != (err2 == nil) {
		t.Fatalf("%s: the HMAC-SHA1 path says %v, the general path %v", rawURL, err1, err2)
	}
	if err1 != nil {
		return false
	}
	h1, h2 := r1.Header.Get("Authorization"), r2.Header.Get("Authorization")
	if h1 != h2 {
		t.Fatalf("%s: the HMAC-SHA1 path signs\n%s\nthe general path\n%s", rawURL, h1, h2)
	}
	base, err := BaseString(r1)
	if err != nil {
		t.Fatalf("%s: BaseString of a signed request: %v", rawURL, err)
	}
	got, _ := ParseAuthorization(h1)
	if want := cryptoHMACSHA1(consumerSecret, tokenSecret, base); got.Get("oauth_signature") != want {
		t.Fatalf("%s: oauth_signature %q, crypto/hmac over the base string says %q\n%s",
			rawURL, got.Get("oauth_signature"), want, base)
	}
	return true
}

// randomText returns up to n bytes that lean on what encoding and sorting
// care about: unreserved bytes, "%", "+", "=", "&", spaces, upper and
// lower case, non-ASCII, and now and then any byte.
func randomText(rng *rand.Rand, n int) string {
	const alphabet = "aAzZ09-._~%+=& /?:#é"
	var b strings.Builder
	for range rng.IntN(n + 1) {
		if rng.IntN(10) == 0 {
			b.WriteByte(byte(rng.IntN(256)))
			continue
		}
		b.WriteByte(alphabet[rng.IntN(len(alphabet))])
	}
	return b.String()
}

// Sign's HMAC-SHA1 path produces, byte for byte, what its general path
// produces, over random secrets (shorter and longer than SHA-1's block),
// realms, queries (encoded or not, valid or not, long enough to leave the
// stack buffers) and extra parameters.
func TestSignHMACPathMatchesGeneralPath(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(19, 2026))
	signed := 0
	for range 400 {
		var q []string
		for range rng.IntN(12) {
			q = append(q, url.QueryEscape(randomText(rng, 6))+"="+url.QueryEscape(randomText(rng, 20)))
			if rng.IntN(4) == 0 {
				q = append(q, randomText(rng, 8)) // raw, maybe not a valid query
			}
		}
		if rng.IntN(20) == 0 {
			q = append(q, "long="+strings.Repeat("%25", 400+rng.IntN(400)))
		}
		var extra map[string]string
		if rng.IntN(3) == 0 {
			extra = map[string]string{"oauth_" + randomText(rng, 5): randomText(rng, 10), "xoauth_z": randomText(rng, 10)}
		}
		if signBothWays(t, randomText(rng, 80)+"s", randomText(rng, 80), randomText(rng, 10),
			"https://jira.example.com/rest/api/2/search?"+strings.Join(q, "&"), extra) {
			signed++
		}
	}
	if signed < 200 { // the others are refused, by both paths alike
		t.Fatalf("only %d of 400 random requests were signed: the test no longer tests", signed)
	}
}

func FuzzSignHMACPath(f *testing.F) {
	f.Add("kd94hf93k423kf44", "pfkkdhi9sl3r4s00", "", "file=vacation.jpg&size=original", "oauth_x", "1")
	f.Add(strings.Repeat("s", 70), "", "Example", "a=%2B+b&a=&=&%20", "xoauth_y", "é")
	f.Fuzz(func(t *testing.T, consumerSecret, tokenSecret, realm, query, extraName, extraValue string) {
		signBothWays(t, consumerSecret, tokenSecret, realm, "http://example.com/p?"+query,
			map[string]string{extraName: extraValue})
	})
}

// The writers merge the parameters Sign keeps apart (sorted already) with
// the others as if all were in one list: the header by name (the ones kept
// apart first of two with the same name), the base string by name and
// value.
func TestOrderMergesAsOneList(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5849, 19))
	names := []string{"oauth_consumer_key", "oauth_nonce", "oauth_signature", "oauth_signature_method",
		"oauth_sig", "oauth_token", "oauth_version", "a", "z", "oauth_signaturf"}
	random := func(n int, sorted bool) []pair {
		var ps []pair
		for range rng.IntN(n) {
			ps = append(ps, pair{names[rng.IntN(len(names))], Encode(randomText(rng, 3))})
		}
		if sorted {
			slices.SortStableFunc(ps, func(a, b pair) int {
				return cmp.Or(strings.Compare(a.k, b.k), strings.Compare(a.v, b.v))
			})
		}
		return ps
	}
	for range 1000 {
		fixed, more := random(8, true), random(40, false)
		all := append(fixed[:len(fixed):len(fixed)], more...)
		realm := randomText(rng, 3)
		if got, want := string(appendAuthorization(nil, realm, fixed, more)), formatAuthorization(realm, all); got != want {
			t.Fatalf("header with %d parameters apart:\n%s\nwith all in one list:\n%s", len(fixed), got, want)
		}
		got := string(appendBase(nil, "GET", fixed, more, "http://h/"))
		if want := string(appendBase(nil, "GET", nil, all, "http://h/")); got != want {
			t.Fatalf("base string with %d parameters apart:\n%s\nwith all in one list:\n%s", len(fixed), got, want)
		}
	}
}

// appendEncodedAgain is Encode for every string the base string writers
// hand it: what Encode and reencode (a query or form name or value) return.
func FuzzEncodeAgain(f *testing.F) {
	for _, s := range []string{"", "abc", "a b+c", "%", "%41%2b%2B", "50%25", "ü€", "%zz", "a%2Fb%2f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := Encode(s)
		if got, want := string(appendEncodedAgain([]byte("x"), once)), "x"+Encode(once); got != want {
			t.Fatalf("appendEncodedAgain(%q) = %q, want %q", once, got, want)
		}
		if re, err := reencode(s); err == nil {
			if got, want := string(appendEncodedAgain(nil, re)), Encode(re); got != want {
				t.Fatalf("appendEncodedAgain(reencode(%q) = %q) = %q, want %q", s, re, got, want)
			}
		}
	})
}

// Signing a GET allocates the header value and its slice, and, for a
// Method other than HMAC-SHA1, the base string handed to it: the nonce,
// the timestamp, the HMAC-SHA1 signature and the parameter lists stay on
// the stack. Not parallel: AllocsPerRun counts every allocation in the
// process.
func TestSignAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes what escapes to the heap; .ci/run checks allocations in its run without it")
	}
	for _, tt := range []struct {
		name   string
		method Method
		max    float64
	}{
		{"HMAC-SHA1", mustHMAC(t, "consumer secret"), 2},
		{"another method", noopMethod{}, 3},
	} {
		s := mustNew(t, "consumer", tt.method)
		r, err := http.NewRequest("GET", benchURL, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := Params{Token: NewToken("AjGrdXo8ctfnRhmVnW8kPHeXDBNX2wGe", "token secret")}
		got := testing.AllocsPerRun(50, func() {
			if err := s.Sign(r, p); err != nil {
				t.Fatal(err)
			}
		})
		if got > tt.max {
			t.Errorf("%s: Sign allocates %v times, want at most %v", tt.name, got, tt.max)
		}
	}
}
