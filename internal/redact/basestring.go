package redact

import (
	"strings"
)

// BaseString returns an OAuth signature base string (RFC 5849 §3.4.1.1:
// METHOD&enc(URL)&enc(parameters)) with the values of oauth_verifier,
// oauth_session_handle, oauth_token_secret and oauth_signature
// ([SecretParameters]), and of any other [Sensitive]
// parameter that is not an oauth_* one (api_key=...), replaced by [Mask].
// The third part is decoded, redacted pair by pair and encoded again, so the
// result is still a well-formed base string that can be diffed against
// another redacted one; the URL part is redacted as by [URLString]. The
// oauth_* parameters a signature is debugged with (oauth_consumer_key,
// oauth_token, oauth_nonce, oauth_timestamp, ...) are kept.
//
// A string without that shape (a base string mangled in transit) is still
// scanned: every "oauth_verifier=", "oauth_session_handle=",
// "oauth_token_secret=" or "oauth_signature=" (its "=" plain or percent-encoded once or twice) has its
// value masked up to the next separator.
func BaseString(s string) string {
	parts := strings.Split(s, "&")
	if len(parts) != 3 {
		return scanBaseString(s)
	}
	rawURL, ok := percentDecode(parts[1])
	if !ok {
		return scanBaseString(s)
	}
	params, ok := percentDecode(parts[2])
	if !ok {
		return scanBaseString(s)
	}
	if r := URLString(rawURL); r != rawURL {
		parts[1] = percentEncode(r)
	}
	pairs := strings.Split(params, "&")
	changed := false
	for i, p := range pairs {
		key, _, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		name, ok := percentDecode(key)
		if !ok {
			name = key
		}
		if baseStringSecret(name) {
			pairs[i] = key + "=" + Mask
			changed = true
		}
	}
	if changed {
		parts[2] = percentEncode(strings.Join(pairs, "&"))
	}
	return strings.Join(parts, "&")
}

// baseStringSecrets are the oauth_* parameters a base string may carry that
// are secret: the verifier proves the user's approval, the session handle
// renews an access token, and the other two must never appear in one (a
// signature is not part of its own base string) but are masked should a
// broken client put them there.
var baseStringSecrets = SecretParameters

func baseStringSecret(name string) bool {
	if SecretParameter(name) {
		return true
	}
	if strings.HasPrefix(name, "oauth_") {
		return false
	}
	return Sensitive(name)
}

// equalsForms are "=" as it appears in a base string: plain, encoded once
// (inside the parameters part) and twice (a base string encoded again).
var equalsForms = [...]string{"=", "%3D", "%3d", "%253D", "%253d"}

// separatorForms end a value in scanBaseString.
var separatorForms = [...]string{"&", "%26", "%2526", ",", " ", `"`}

// scanBaseString masks the values of baseStringSecrets wherever they occur in
// s, whatever its shape. It runs in time linear in len(s) times the number of
// names.
func scanBaseString(s string) string {
	var b strings.Builder
	var next [len(baseStringSecrets)]match // next occurrence of each name
	for k := range next {
		next[k] = match{start: -2}
	}
	var nextSep [len(separatorForms)]int // next occurrence of each separator
	for k := range nextSep {
		nextSep[k] = -2
	}
	i := 0
	for i < len(s) {
		best := -1
		for k, name := range baseStringSecrets {
			if next[k].start == -2 || next[k].start >= 0 && next[k].start < i {
				next[k] = findName(s, i, name)
			}
			if next[k].start >= 0 && (best < 0 || next[k].start < next[best].start) {
				best = k
			}
		}
		if best < 0 {
			break
		}
		valueStart := next[best].value
		valueEnd := len(s)
		for k, sep := range separatorForms {
			if nextSep[k] == -2 || nextSep[k] >= 0 && nextSep[k] < valueStart {
				nextSep[k] = -1
				if j := strings.Index(s[valueStart:], sep); j >= 0 {
					nextSep[k] = valueStart + j
				}
			}
			if nextSep[k] >= 0 && nextSep[k] < valueEnd {
				valueEnd = nextSep[k]
			}
		}
		b.WriteString(s[i:valueStart])
		if valueEnd > valueStart {
			b.WriteString(Mask)
		}
		i = valueEnd
	}
	b.WriteString(s[i:])
	return b.String()
}

// match is where a secret's name starts and where its value starts; start
// is -1 when there is none.
type match struct{ start, value int }

// findName finds, at or after from, name followed by one of equalsForms.
func findName(s string, from int, name string) match {
	for off := from; off < len(s); {
		j := strings.Index(s[off:], name)
		if j < 0 {
			break
		}
		at := off + j
		after := at + len(name)
		for _, eq := range equalsForms {
			if strings.HasPrefix(s[after:], eq) {
				return match{start: at, value: after + len(eq)}
			}
		}
		off = at + 1
	}
	return match{start: -1}
}

// percentEncode encodes s as RFC 5849 §3.6 does: every byte but the RFC 3986
// unreserved characters becomes %XX, upper-case hex. It is the same encoding
// as signer.Encode, kept here because internal packages import no public
// package of the module (TestPercentEncoding holds it to RFC 5849).
func percentEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperhex[c>>4])
		b.WriteByte(upperhex[c&15])
	}
	return b.String()
}

const upperhex = "0123456789ABCDEF"

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// percentDecode reverses percentEncode; "+" stays "+". A malformed escape is
// reported with false.
func percentDecode(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		if !isHex(s[i+1]) || !isHex(s[i+2]) {
			return "", false
		}
		b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
		i += 2
	}
	return b.String(), true
}

func isHex(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
