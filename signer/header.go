package signer

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// formatAuthorization returns the "OAuth ..." header value: realm first
// when set, then the parameters sorted by name, each value
// percent-encoded.
func formatAuthorization(realm string, params []pair) string {
	var buf [512]byte
	return string(appendAuthorization(buf[:0], realm, nil, params))
}

// appendAuthorization appends to b the header value of
// [formatAuthorization] over the parameters in fixed, sorted by name
// already, and in params (see [order]).
func appendAuthorization(b []byte, realm string, fixed, params []pair) []byte {
	b = append(b, "OAuth "...)
	if realm != "" {
		b = append(b, `realm="`...)
		b = appendEncoded(b, realm)
		b = append(b, '"')
	}
	var buf [32]int
	for n, i := range order(buf[:0], fixed, params, false) {
		if n > 0 || realm != "" {
			b = append(b, ", "...)
		}
		p := at(fixed, params, i)
		b = appendEncoded(b, p.k)
		b = append(b, `="`...)
		b = appendEncoded(b, p.v)
		b = append(b, '"')
	}
	return b
}

// ErrNoAuthorization means a request carries no "Authorization: OAuth ..."
// header.
var ErrNoAuthorization = errors.New("signer: no OAuth Authorization header")

// ParseAuthorization parses an "OAuth ..." header value, from Authorization or
// WWW-Authenticate, into its parameters, decoded. The scheme is matched
// without regard to case; values may be quoted or bare; realm is included when
// present. A parameter that appears twice is kept twice. A value that is not
// an OAuth header is an error wrapping [ErrNoAuthorization].
func ParseAuthorization(header string) (url.Values, error) {
	ps, err := parseOAuthHeader(header, false)
	if err != nil {
		return nil, err
	}
	v := make(url.Values, len(ps))
	for _, p := range ps {
		v[p.k] = append(v[p.k], p.v)
	}
	return v, nil
}

// authorizationParams returns the parameters of the request's OAuth
// Authorization header, decoded as a provider of dialect d decodes them.
func authorizationParams(h http.Header, d Dialect) ([]pair, error) {
	for _, v := range h.Values("Authorization") {
		if isOAuthScheme(v) {
			return parseOAuthHeader(v, d == Servlet)
		}
	}
	return nil, ErrNoAuthorization
}

func isOAuthScheme(v string) bool {
	v = strings.TrimSpace(v)
	return len(v) >= 5 && strings.EqualFold(v[:5], "oauth") && (len(v) == 5 || v[5] == ' ' || v[5] == '\t')
}

// parseOAuthHeader parses `OAuth k="v", k2="v2"` with percent-encoded values.
// With plusIsSpace a raw "+" decodes to a space, as net.oauth decodes it
// (with java.net.URLDecoder); RFC 5849 §3.5.1 leaves it a "+".
func parseOAuthHeader(header string, plusIsSpace bool) ([]pair, error) {
	if !isOAuthScheme(header) {
		return nil, fmt.Errorf("%w: the header does not start with \"OAuth \"", ErrNoAuthorization)
	}
	s := strings.TrimSpace(header)[5:]
	// One parameter per "=" at most: the slice is allocated once.
	out := make([]pair, 0, strings.Count(s, "="))
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return out, nil
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return nil, fmt.Errorf("signer: malformed OAuth header: parameter %q has no value", truncate(s, 40))
		}
		name := strings.TrimSpace(s[:eq])
		if name == "" {
			return nil, fmt.Errorf("signer: malformed OAuth header: a parameter has no name near %q", truncate(s, 40))
		}
		if strings.ContainsAny(name, " \t,\"") {
			return nil, fmt.Errorf("signer: malformed OAuth header: bad parameter name %q", truncate(name, 40))
		}
		s = strings.TrimLeft(s[eq+1:], " \t")
		var raw string
		if strings.HasPrefix(s, `"`) {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("signer: malformed OAuth header: the value of %q has no closing quote", name)
			}
			raw, s = s[1:1+end], s[2+end:]
		} else {
			end := strings.IndexAny(s, ", \t")
			if end < 0 {
				end = len(s)
			}
			raw, s = s[:end], s[end:]
		}
		if plusIsSpace {
			raw = strings.ReplaceAll(raw, "+", " ")
		}
		val, err := Decode(raw)
		if err != nil {
			return nil, fmt.Errorf("signer: malformed OAuth header: the value of %q: %w", name, err)
		}
		dname, err := Decode(name)
		if err != nil {
			return nil, fmt.Errorf("signer: malformed OAuth header: parameter name: %w", err)
		}
		out = append(out, pair{dname, val})
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
