package redact

import (
	"net/http"
	"strings"
)

// Header returns a copy of h safe to print: the values of Authorization and
// Proxy-Authorization keep only their scheme ("OAuth REDACTED"); Cookie
// keeps cookie names ("JSESSIONID=REDACTED; seraph=REDACTED"); Set-Cookie
// keeps the name and attributes ("JSESSIONID=REDACTED; Path=/; HttpOnly");
// WWW-Authenticate and Authentication-Info keep their parameters but mask
// sensitive ones and redact an echoed oauth_signature_base_string with
// [BaseString]; Location, Content-Location and Referer are redacted as URLs; and any
// other header whose name is [Sensitive] (X-Auth-Token, Jenkins-Crumb,
// X-Api-Key, ...) is masked whole, except the literal "no-check" of
// X-Atlassian-Token, which is not a secret. A nil h gives nil; h is not
// modified.
func Header(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for name, values := range h {
		f := headerRedactor(name)
		vs := make([]string, len(values))
		for i, v := range values {
			vs[i] = f(v)
		}
		out[name] = vs
	}
	return out
}

func headerRedactor(name string) func(string) string {
	switch http.CanonicalHeaderKey(name) {
	case "Authorization", "Proxy-Authorization":
		return authorization
	case "Cookie":
		return cookie
	case "Set-Cookie":
		return setCookie
	case "Www-Authenticate", "Proxy-Authenticate", "Authentication-Info":
		return challenge
	case "Location", "Content-Location", "Referer":
		return URLString
	}
	if Sensitive(name) {
		return func(v string) string {
			if strings.EqualFold(strings.TrimSpace(v), "no-check") || v == "" {
				return v
			}
			return Mask
		}
	}
	return func(v string) string { return v }
}

// authorization keeps the scheme: "OAuth REDACTED", "Basic REDACTED".
func authorization(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return v
	}
	scheme, _, hasCredentials := strings.Cut(v, " ")
	if !hasCredentials || !isToken(scheme) {
		return Mask
	}
	return scheme + " " + Mask
}

// cookie keeps names: "a=REDACTED; b=REDACTED".
func cookie(v string) string {
	parts := strings.Split(v, ";")
	for i, p := range parts {
		name, _, ok := strings.Cut(p, "=")
		if ok {
			parts[i] = name + "=" + Mask
		} else if strings.TrimSpace(p) != "" {
			parts[i] = " " + Mask
		}
	}
	return strings.Join(parts, ";")
}

// setCookie masks the value of the first pair and keeps the attributes.
func setCookie(v string) string {
	first, attrs, hasAttrs := strings.Cut(v, ";")
	name, _, ok := strings.Cut(first, "=")
	if !ok {
		name = ""
	}
	out := name + "=" + Mask
	if hasAttrs {
		out += ";" + attrs
	}
	return out
}

// challenge redacts a WWW-Authenticate-style value: a scheme followed by
// comma-separated name=value or name="value" parameters. Sensitive values are
// masked (quotes kept); an oauth_signature_base_string is passed through
// [BaseString] (after decoding, when it is percent-encoded as net.oauth
// sends it, and encoded back). Anything that does not parse is masked whole.
func challenge(v string) string {
	var b strings.Builder
	rest := v
	// Scheme (optional) up to the first space, when it is a bare token
	// followed by a parameter.
	if scheme, after, ok := strings.Cut(strings.TrimLeft(rest, " "), " "); ok && isToken(scheme) && !strings.Contains(scheme, "=") {
		b.WriteString(v[:len(v)-len(after)])
		rest = after
	}
	for rest != "" {
		// Leading separators and spaces.
		i := 0
		for i < len(rest) && (rest[i] == ' ' || rest[i] == ',' || rest[i] == '\t') {
			i++
		}
		b.WriteString(rest[:i])
		rest = rest[i:]
		if rest == "" {
			break
		}
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 || !isToken(strings.TrimSpace(rest[:eq])) {
			// Not a parameter list we understand: mask the rest.
			b.WriteString(Mask)
			break
		}
		name := strings.TrimSpace(rest[:eq])
		b.WriteString(rest[:eq+1])
		rest = rest[eq+1:]
		var value string
		quoted := strings.HasPrefix(rest, `"`)
		if quoted {
			end := closingQuote(rest)
			if end < 0 {
				b.WriteString(Mask)
				break
			}
			value, rest = rest[1:end], rest[end+1:]
		} else {
			end := strings.IndexByte(rest, ',')
			if end < 0 {
				end = len(rest)
			}
			value, rest = rest[:end], rest[end:]
		}
		value = challengeValue(name, value)
		if quoted {
			value = `"` + value + `"`
		}
		b.WriteString(value)
	}
	return b.String()
}

func challengeValue(name, value string) string {
	lower := strings.ToLower(name)
	switch {
	case lower == "oauth_signature_base_string":
		if decoded, ok := percentDecode(value); ok && decoded != value {
			return percentEncode(BaseString(decoded))
		}
		return BaseString(value)
	case lower == "realm" || lower == "oauth_problem" || lower == "oauth_problem_advice" ||
		lower == "oauth_signature_method" || lower == "oauth_acceptable_timestamps" ||
		lower == "oauth_acceptable_versions" || lower == "oauth_parameters_absent" ||
		lower == "oauth_parameters_rejected":
		return value
	case Sensitive(name):
		return Mask
	}
	return value
}

// closingQuote returns the index of the quote closing the quoted string that
// starts s, honoring backslash escapes, or -1.
func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// isToken reports whether s is a non-empty RFC 9110 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isLower(c) || isUpper(c) || isDigit(c) || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}
