package main

import (
	"strings"

	"github.com/go-applinks/applinks/signer"
)

// escapeTarget percent-encodes what cannot be sent as is in a request
// target (a path, or an absolute URL, with its query): spaces, control
// characters, non-ASCII bytes and the other characters outside RFC 3986,
// which Tomcat refuses with 400 before any OAuth check. What is already
// encoded (%XX) and RFC 3986's reserved characters are kept, so an encoded
// target is unchanged and nothing is encoded twice.
func escapeTarget(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(ch)
		case ch == '#':
			// A fragment is never sent: drop it, as a browser does.
			return b.String()
		case ch != '%' && isURIChar(ch):
			b.WriteByte(ch)
		default:
			b.WriteString("%" + strings.ToUpper(hex2(ch)))
		}
	}
	return b.String()
}

// isURIChar reports whether c may appear unencoded in a URL's path or
// query: RFC 3986's unreserved and reserved characters (but '#').
func isURIChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~:/?[]@!$&'()*+,;=", c) >= 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func hex2(c byte) string {
	const digits = "0123456789ABCDEF"
	return string([]byte{digits[c>>4], digits[c&15]})
}

// withQuery appends raw (already encoded, as -G -d gives it) and the pairs,
// each key and value percent-encoded once (RFC 3986: a space is %20), to
// the target's query.
func withQuery(target, raw string, pairs [][2]string) string {
	parts := []string{}
	if raw != "" {
		parts = append(parts, escapeTarget(raw))
	}
	for _, p := range pairs {
		parts = append(parts, signer.Encode(p[0])+"="+signer.Encode(p[1]))
	}
	if len(parts) == 0 {
		return target
	}
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
		if strings.HasSuffix(target, "?") || strings.HasSuffix(target, "&") {
			sep = ""
		}
	}
	return target + sep + strings.Join(parts, "&")
}
