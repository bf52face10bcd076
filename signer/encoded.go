package signer

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
)

// baseString returns the base string of r over the oauth parameters in
// enc, which are already percent-encoded (oauth_signature and realm left
// out), and the query and form parameters of r collected in dialect d. It
// appends to enc: callers hand over a slice they no longer read.
func baseString(r *http.Request, enc []pair, d Dialect) (string, error) {
	var buf [1024]byte
	b, err := appendBaseString(buf[:0], r, nil, enc, d)
	return string(b), err
}

// appendBaseString appends to b the base string of [baseString] over the
// oauth parameters in fixed, sorted already, and in enc.
func appendBaseString(b []byte, r *http.Request, fixed, enc []pair, d Dialect) ([]byte, error) {
	enc, err := appendEncodedRequestPairs(enc, r, d)
	if err != nil {
		return nil, err
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
		return nil, errors.New("signer: the request has no host: set its URL or Host")
	}
	for i := 0; i < len(host); i++ {
		if host[i] >= 0x80 {
			// net/http sends such a host in its IDNA (punycode) form, which
			// is what a provider signs: refuse rather than sign another host.
			return nil, fmt.Errorf("signer: the host %q is not ASCII: use its IDNA (punycode, xn--...) form in the URL", host)
		}
	}
	scheme, host, path := normalizeURI(scheme, host, r.URL.EscapedPath())
	return appendBase(b, r.Method, fixed, enc, scheme, "://", host, path), nil
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
	if isFormRequest(r) && d.signsForm(r.Method) {
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

// appendBase appends the base string (RFC 5849 §3.4.1.1) to b: the method
// upper-cased, the base string URI (the concatenation of the parts of uri,
// each percent-encoded), and the normalized parameter string of the
// parameters in fixed (sorted already) and enc, which [Encode] wrote (as
// every caller does), sorted and percent-encoded again as they are written
// ("%" becomes "%25", "=" and "&" become "%3D" and "%26").
func appendBase(b []byte, method string, fixed, enc []pair, uri ...string) []byte {
	for i := 0; i < len(method); i++ {
		c := method[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		b = append(b, c)
	}
	b = append(b, '&')
	for _, u := range uri {
		b = appendEncoded(b, u)
	}
	b = append(b, '&')
	var buf [32]int
	for n, i := range order(buf[:0], fixed, enc, true) {
		if n > 0 {
			b = append(b, "%26"...)
		}
		p := at(fixed, enc, i)
		b = appendEncodedAgain(b, p.k)
		b = append(b, "%3D"...)
		b = appendEncodedAgain(b, p.v)
	}
	return b
}

// order appends to pos the positions of the pairs of fixed and more
// (numbered fixed first: see [at]) in the order a base string (byValue) or
// a header lists them: by name and, with byValue, by value. fixed must be
// in that order already (Sign's parameters of every signature are); more is
// sorted here and merged with it, fixed's pair first of two equal ones.
// Sign keeps fixed in an array it never appends to, so that the strings it
// makes for them (nonce, timestamp, signature) can stay on its stack.
func order(pos []int, fixed, more []pair, byValue bool) []int {
	var buf [32]int
	i := 0
	for _, j := range sortedPositions(buf[:0], more, byValue) {
		for ; i < len(fixed) && !lessPair(more[j], fixed[i], byValue); i++ {
			pos = append(pos, i)
		}
		pos = append(pos, len(fixed)+j)
	}
	for ; i < len(fixed); i++ {
		pos = append(pos, i)
	}
	return pos
}

// at returns the pair at position i of [order].
func at(fixed, more []pair, i int) pair {
	if i < len(fixed) {
		return fixed[i]
	}
	return more[i-len(fixed)]
}

// lessPair reports whether a sorts before b: by name and, with byValue, by
// value. It compares with < and !=, not strings.Compare, which the
// compiler takes to let its arguments escape to the heap.
func lessPair(a, b pair, byValue bool) bool {
	if a.k != b.k {
		return a.k < b.k
	}
	return byValue && a.v < b.v
}

// sortedPositions returns the positions of the pairs of ps, appended to
// pos, in the order of [lessPair]; pairs that compare equal keep their
// order. Sorting positions rather than the pairs moves no pointers, which
// costs write barriers while the garbage collector runs.
func sortedPositions(pos []int, ps []pair, byValue bool) []int {
	for i := range ps {
		pos = append(pos, i)
	}
	less := func(i, j int) bool { return lessPair(ps[i], ps[j], byValue) }
	if len(pos) > 32 {
		slices.SortStableFunc(pos, func(i, j int) int {
			switch {
			case less(i, j):
				return -1
			case less(j, i):
				return 1
			}
			return 0
		})
		return pos
	}
	// The parameters of a request are few: an insertion sort, which is
	// stable, with less inlined.
	for i := 1; i < len(pos); i++ {
		for j := i; j > 0 && less(pos[j], pos[j-1]); j-- {
			pos[j], pos[j-1] = pos[j-1], pos[j]
		}
	}
	return pos
}
