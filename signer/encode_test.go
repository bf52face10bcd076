package signer

import (
	"net/url"
	"testing"
)

func TestEncode(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"abcXYZ019-._~", "abcXYZ019-._~"},
		{" ", "%20"},
		{"+", "%2B"},
		{"a b+c", "a%20b%2Bc"},
		{"!*'();:@&=+$,/?#[]", "%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%2F%3F%23%5B%5D"},
		{"%", "%25"},
		{"%20", "%2520"},
		{"ü", "%C3%BC"},
		{"€", "%E2%82%AC"},
		{"\x00\x7f\xff", "%00%7F%FF"},
		// RFC 5849 §3.4.1.3.2 example values.
		{"r b", "r%20b"},
		{"=%3D", "%3D%253D"},
		{"c@", "c%40"},
	}
	for _, tt := range tests {
		if got := Encode(tt.in); got != tt.want {
			t.Errorf("Encode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"", "", false},
		{"abc", "abc", false},
		{"a+b", "a+b", false}, // "+" is not a space in OAuth parameters
		{"a%20b", "a b", false},
		{"%2b%2B", "++", false},
		{"%C3%BC", "ü", false},
		{"%", "", true},
		{"%2", "", true},
		{"%zz", "", true},
		{"ok%G0", "", true},
	}
	for _, tt := range tests {
		got, err := Decode(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("Decode(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

// reencodeCases are names and values of a form in and out of Encode's form,
// for TestReencode and the seeds of FuzzReencode.
var reencodeCases = []string{
	"", "abc", "-._~", "a%20b", "a+b", "a b", "%41", "%2b", "%2B", "%2F%3D%26", "%e2%82%ac", "%E2%82%AC",
	"%", "%4", "%zz", "%G0", "a%2", "*", "!", "%7E", "%7e", "ü", "\x00", "%25", "%2525",
}

// TestReencode checks that reencode is Encode of the form-decoded value,
// including where it skips the decoding because s is in that form already.
func TestReencode(t *testing.T) {
	for _, s := range reencodeCases {
		checkReencode(t, s)
	}
}

func FuzzReencode(f *testing.F) {
	for _, s := range reencodeCases {
		f.Add(s)
	}
	f.Fuzz(checkReencode)
}

func checkReencode(t *testing.T, s string) {
	got, err := reencode(s)
	d, werr := url.QueryUnescape(s)
	if (err != nil) != (werr != nil) {
		t.Fatalf("reencode(%q) error = %v, url.QueryUnescape's = %v", s, err, werr)
	}
	if werr == nil && got != Encode(d) {
		t.Errorf("reencode(%q) = %q, want Encode(QueryUnescape) = %q", s, got, Encode(d))
	}
	if encoded(s) != (werr == nil && Encode(d) == s) {
		t.Errorf("encoded(%q) = %v, but Encode(QueryUnescape) = %q", s, encoded(s), Encode(d))
	}
}
