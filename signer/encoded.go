package signer

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// baseString builds the base string of r over the oauth parameters in enc,
// which are already percent-encoded (oauth_signature and realm left out),
// and the query and form parameters of r collected in dialect d. It appends
// to enc: callers hand over a slice they no longer read.
func baseString(r *http.Request, enc []pair, d Dialect) (string, error) {
	enc, err := appendEncodedRequestPairs(enc, r, d)
	if err != nil {
		return "", err
	}
	scheme := r.URL.Scheme
	if scheme == "" {
		scheme = "http"
		if r.TLS != nil {
			scheme = "https"
		}
	}
	host := r.URL.Host
	if r.Host != "" {
		host = r.Host
	}
	if host == "" {
		return "", errors.New("signer: the request has no host: set its URL or Host")
	}
	for i := 0; i < len(host); i++ {
		if host[i] >= 0x80 {
			// net/http sends such a host in its IDNA (punycode) form, which
			// is what a provider signs: refuse rather than sign another host.
			return "", fmt.Errorf("signer: the host %q is not ASCII: use its IDNA (punycode, xn--...) form in the URL", host)
		}
	}
	scheme, host, path := normalizeURI(scheme, host, r.URL.EscapedPath())
	return buildBase(r.Method, enc, scheme, "://", host, path), nil
}

// appendEncodedRequestPairs appends the query and form parameters of r,
// collected in dialect d, to enc, percent-encoded.
func appendEncodedRequestPairs(enc []pair, r *http.Request, d Dialect) ([]pair, error) {
	dropEmpty := d == Servlet
	var err error
	if r.URL != nil && r.URL.RawQuery != "" {
		if enc, err = appendForm(enc, r.URL.RawQuery, dropEmpty, reencode); err != nil {
			return nil, fmt.Errorf("signer: query: %w", err)
		}
	}
	if isForm(r.Header.Get("Content-Type")) && d.signsForm(r.Method) {
		body, err := peekBody(r)
		if err != nil {
			return nil, err
		}
		if enc, err = appendForm(enc, string(body), dropEmpty, reencode); err != nil {
			return nil, fmt.Errorf("signer: form body: %w", err)
		}
	}
	return enc, nil
}

// reencode returns [Encode] of s decoded as a form decodes it ("+" is a
// space): s itself when it is in that form already.
func reencode(s string) (string, error) {
	if encoded(s) {
		return s, nil
	}
	d, err := url.QueryUnescape(s)
	if err != nil {
		return "", err
	}
	return Encode(d), nil
}

// encoded reports whether Encode would write s, decoded, as s: it has only
// unreserved bytes and upper-case percent-escapes of other bytes.
func encoded(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			continue
		}
		if c != '%' || i+2 >= len(s) {
			return false
		}
		h, l := upperHexValue(s[i+1]), upperHexValue(s[i+2])
		if h < 0 || l < 0 || unreserved(byte(h<<4|l)) {
			return false
		}
		i += 2
	}
	return true
}

// upperHexValue returns the value of an upper-case hex digit, or -1.
func upperHexValue(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// buildBase sorts the percent-encoded parameters and builds the base string
// (RFC 5849 §3.4.1.1) in one buffer of its exact length: the method
// upper-cased, the base string URI (the concatenation of the parts of uri,
// each percent-encoded), and the normalized parameter string, percent-encoded
// again as it is written.
func buildBase(method string, enc []pair, uri ...string) string {
	slices.SortFunc(enc, func(a, b pair) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	// "%" in an encoded name or value becomes "%25", and "=" and "&"
	// become "%3D" and "%26".
	size := len(method) + 2
	for _, u := range uri {
		size += encodedLen(u)
	}
	for _, p := range enc {
		size += encodedLen(p.k) + encodedLen(p.v) + 6
	}
	if len(enc) > 0 {
		size -= 3
	}
	var b strings.Builder
	b.Grow(size)
	for i := 0; i < len(method); i++ {
		c := method[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		b.WriteByte(c)
	}
	b.WriteByte('&')
	for _, u := range uri {
		writeEncoded(&b, u)
	}
	b.WriteByte('&')
	for i, p := range enc {
		if i > 0 {
			b.WriteString("%26")
		}
		writeEncoded(&b, p.k)
		b.WriteString("%3D")
		writeEncoded(&b, p.v)
	}
	return b.String()
}
