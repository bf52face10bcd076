// Package requri percent-encodes what cannot appear raw in an HTTP request
// line, as browsers and curl do, so that a request is sent (and signed)
// the way servlet containers such as Tomcat accept it: Tomcat answers 400 to
// a request line with a raw space, a raw non-ASCII byte or one of
// " < > \ ^ ` { | } [ ] in it.
//
// Everything RFC 3986 allows in a path or query is kept as written, valid
// percent-escapes included; every other byte is percent-encoded; a "%" not
// followed by two hexadecimal digits is ambiguous (a literal percent sign,
// or a broken escape?) and is an *EscapeError.
package requri

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// EscapeError reports a "%" that does not start a percent-escape.
type EscapeError struct {
	// Part is "path" or "query".
	Part string
	// Offset is the byte offset of the "%" in that part.
	Offset int
	// Text is the "%" and up to two bytes after it.
	Text string
}

// Error names the escape and where it is.
func (e *EscapeError) Error() string {
	return fmt.Sprintf("%q at byte %d of the %s does not start a percent-escape (%%XX)", e.Text, e.Offset, e.Part)
}

// EscapeQuery returns a raw query (without "?") with every byte RFC 3986
// does not allow in a query percent-encoded. "+" is kept: in a query it
// means a space to every form decoder.
func EscapeQuery(raw string) (string, error) { return escape(raw, "query", true) }

// EscapePath returns an escaped path with every byte RFC 3986 does not
// allow in a path percent-encoded.
func EscapePath(escaped string) (string, error) { return escape(escaped, "path", false) }

func escape(s, part string, query bool) (string, error) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "", &EscapeError{Part: part, Offset: i, Text: s[i:min(i+3, len(s))]}
			}
			i += 2
			continue
		}
		if !allowed(c, query) {
			n++
		}
	}
	if n == 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' || allowed(c, query) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperhex[c>>4])
		b.WriteByte(upperhex[c&15])
	}
	return b.String(), nil
}

// allowed reports whether c may appear raw in a path (pchar or "/") or a
// query (pchar, "/" or "?"), RFC 3986 §3.3 and §3.4.
func allowed(c byte, query bool) bool {
	if query {
		return allowedBytes[c]&inQuery != 0
	}
	return allowedBytes[c]&inPath != 0
}

// Unreserved reports whether c is an RFC 3986 unreserved character:
// a letter, a digit, "-", ".", "_" or "~". The signer's percent-encoding
// (RFC 5849 §3.6) keeps exactly these.
func Unreserved(c byte) bool { return allowedBytes[c]&unreserved != 0 }

const (
	inPath = 1 << iota
	inQuery
	unreserved
)

// allowedBytes says, for each byte, where [allowed] lets it appear raw
// (read only).
var allowedBytes = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			t[c] = inPath | inQuery | unreserved
		}
		switch c {
		case '-', '.', '_', '~':
			t[c] = inPath | inQuery | unreserved
		case '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', // sub-delims
			':', '@', '/':
			t[c] = inPath | inQuery
		case '?':
			t[c] = inQuery
		}
	}
	return t
}()

const upperhex = "0123456789ABCDEF"

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// URL returns u when its path and query can be sent as they are, else a
// copy with them escaped by [EscapePath] and [EscapeQuery]. An opaque URL
// is returned as it is. u is not modified.
func URL(u *url.URL) (*url.URL, error) {
	if u == nil || u.Opaque != "" {
		return u, nil
	}
	p := u.EscapedPath()
	ep, err := EscapePath(p)
	if err != nil {
		return nil, err
	}
	q, err := EscapeQuery(u.RawQuery)
	if err != nil {
		return nil, err
	}
	if ep == p && q == u.RawQuery {
		return u, nil
	}
	out := *u
	out.RawQuery = q
	if ep != p {
		dp, err := url.PathUnescape(ep)
		if err != nil {
			return nil, err
		}
		out.Path, out.RawPath = dp, ep
	}
	return &out, nil
}

// Origin returns "scheme://host:port" lower-cased, with the scheme's
// default port filled in (RFC 6454).
func Origin(scheme, host string) string {
	scheme = strings.ToLower(scheme)
	host = strings.ToLower(host)
	h, port, err := net.SplitHostPort(host)
	if err != nil {
		h = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
		port = ""
	}
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	if port == "" { // a scheme without a default port, and none given
		if strings.Contains(h, ":") {
			h = "[" + h + "]"
		}
		return scheme + "://" + h
	}
	return scheme + "://" + net.JoinHostPort(h, port)
}

// CheckOrigin returns nil when the URL u and the Host header host ("" for
// none) are both on origin's origin, else an error wrapping foreign that
// says which is not: a request is signed for its origin only. The same
// scheme and host as written (as on every request built from origin) is
// the same origin: only others need Origin.
func CheckOrigin(u *url.URL, host string, origin *url.URL, foreign error) error {
	if strings.EqualFold(u.Scheme, origin.Scheme) && strings.EqualFold(u.Host, origin.Host) &&
		(host == "" || strings.EqualFold(host, origin.Host)) {
		return nil
	}
	want := Origin(origin.Scheme, origin.Host)
	if got := Origin(u.Scheme, u.Host); got != want {
		return fmt.Errorf("%w: %s is not %s", foreign, got, want)
	}
	if host != "" {
		if got := Origin(u.Scheme, host); got != want {
			return fmt.Errorf("%w: Host header %q is not the host of %s", foreign, host, want)
		}
	}
	return nil
}
