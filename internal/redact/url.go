package redact

import (
	"errors"
	"net/url"
	"strings"
)

// nestedDepth bounds how deep URLs nested in query values are redacted
// (redirectUrl=https://...%3Ftoken%3D...).
const nestedDepth = 2

// URL returns u as a string with its secrets replaced by [Mask]: a password in
// the user info (user:REDACTED@; a user name alone is kept), the value of
// every query parameter whose name is [Sensitive], and the same inside query
// values that are themselves URLs (two levels deep). The fragment is dropped.
// Parameter order and the encoding of everything kept are preserved. A nil u
// gives "". u is not modified.
func URL(u *url.URL) string {
	if u == nil {
		return ""
	}
	return redactURL(u, nestedDepth)
}

// URLString is [URL] for a URL in string form. When s does not parse as a
// URL it is still redacted, by the same rules applied to its text: the
// fragment is dropped, a password between "://" and "@" is masked, and the
// query is redacted parameter by parameter.
func URLString(s string) string {
	return redactURLString(s, nestedDepth)
}

func redactURLString(s string, depth int) string {
	if u, err := url.Parse(s); err == nil {
		return redactURL(u, depth)
	}
	s, _, _ = strings.Cut(s, "#")
	base, query, hasQuery := strings.Cut(s, "?")
	if i := strings.Index(base, "://"); i >= 0 {
		authStart := i + 3
		authEnd := len(base)
		if j := strings.IndexByte(base[authStart:], '/'); j >= 0 {
			authEnd = authStart + j
		}
		authority := base[authStart:authEnd]
		if at := strings.LastIndexByte(authority, '@'); at >= 0 {
			userinfo := authority[:at]
			if name, _, hasPassword := strings.Cut(userinfo, ":"); hasPassword {
				base = base[:authStart] + name + ":" + Mask + base[authStart+at:]
			}
		}
	}
	if !hasQuery {
		return base
	}
	return base + "?" + redactQuery(query, depth)
}

func redactURL(u *url.URL, depth int) string {
	c := *u
	if c.User != nil {
		if _, ok := c.User.Password(); ok {
			c.User = url.UserPassword(c.User.Username(), Mask)
		}
	}
	c.RawQuery = redactQuery(c.RawQuery, depth)
	c.Fragment, c.RawFragment = "", ""
	return c.String()
}

// redactQuery masks the values of sensitive parameters in a raw query,
// keeping separators ('&' and ';', which some servers also split on) and the
// encoding of everything else as they were.
func redactQuery(raw string, depth int) string {
	if raw == "" {
		return raw
	}
	var b strings.Builder
	b.Grow(len(raw))
	for raw != "" {
		seg := raw
		sep := ""
		if i := strings.IndexAny(raw, "&;"); i >= 0 {
			seg, sep, raw = raw[:i], raw[i:i+1], raw[i+1:]
		} else {
			raw = ""
		}
		b.WriteString(redactPair(seg, depth))
		b.WriteString(sep)
	}
	return b.String()
}

func redactPair(seg string, depth int) string {
	key, value, hasValue := strings.Cut(seg, "=")
	if !hasValue {
		return seg
	}
	name, err := url.QueryUnescape(key)
	if err != nil {
		name = key
	}
	if name == "oauth_signature_base_string" {
		if decoded, err := url.QueryUnescape(value); err == nil {
			return key + "=" + url.QueryEscape(BaseString(decoded))
		}
		return key + "=" + Mask
	}
	if Sensitive(name) {
		return key + "=" + Mask
	}
	if depth <= 0 || !strings.Contains(strings.ToLower(value), "%3a%2f%2f") && !strings.Contains(value, "://") {
		return seg
	}
	decoded, err := url.QueryUnescape(value)
	if err != nil {
		return seg
	}
	if r := redactURLString(decoded, depth-1); r != decoded {
		return key + "=" + url.QueryEscape(r)
	}
	return seg
}

// URLError returns the error inside a *url.Error (what url.Parse and
// http.Client.Do return), whose message repeats the whole URL, which may
// hold a password or a token; any other error is returned as is.
func URLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
