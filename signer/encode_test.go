package signer

import "testing"

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
