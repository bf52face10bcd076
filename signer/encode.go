package signer

import (
	"fmt"
	"strings"

	"github.com/go-applinks/applinks/internal/requri"
)

// Encode percent-encodes s by RFC 5849 §3.6: every byte except the RFC 3986
// unreserved characters (ALPHA, DIGIT, "-", ".", "_", "~") becomes %XX with
// upper-case hex digits. A space is "%20" and "+" is "%2B".
func Encode(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	// Built on the stack when it fits; the string is the one allocation.
	var buf [256]byte
	return string(appendEncoded(buf[:0], s))
}

// appendEncoded appends [Encode](s) to b, each run of unreserved bytes in
// one append.
func appendEncoded(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			continue
		}
		b = append(b, s[start:i]...)
		b = append(b, '%', upperhex[c>>4], upperhex[c&15])
		start = i + 1
	}
	return append(b, s[start:]...)
}

// appendEncodedAgain appends [Encode](s) to b for an s that Encode wrote
// (unreserved bytes and percent-escapes), where only "%" is left to encode:
// each becomes "%25". It is how a base string writes its parameters, which
// are percent-encoded once before they are sorted; it finds the "%" with
// strings.IndexByte instead of looking at every byte.
func appendEncodedAgain(b []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, '%')
		if i < 0 {
			return append(b, s...)
		}
		b = append(b, s[:i+1]...)
		b = append(b, "25"...)
		s = s[i+1:]
	}
}

// Decode reverses [Encode]. Unlike url.QueryUnescape it leaves "+" as is:
// in OAuth parameters (header values and signature base strings) only
// percent-escapes are special. A malformed escape is an error.
func Decode(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+2 >= len(s) || !ishex(s[i+1]) || !ishex(s[i+2]) {
			end := min(i+3, len(s))
			return "", fmt.Errorf("signer: malformed percent-escape %q", s[i:end])
		}
		b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
		i += 2
	}
	return b.String(), nil
}

const upperhex = "0123456789ABCDEF"

// unreserved reports whether Encode keeps c as it is: the RFC 3986
// unreserved characters.
func unreserved(c byte) bool { return requri.Unreserved(c) }

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
