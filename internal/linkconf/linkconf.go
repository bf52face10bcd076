// Package linkconf checks and derives what a link's settings hold, for
// package applink: its base URLs (an RPC or display URL, and endpoint paths
// joined to one) and its id (a UUID, derived from the name and RPC URL when
// none is given). It knows nothing about links: it takes strings, and its
// errors say what is wrong with one value, for the caller to name the field.
package linkconf

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-applinks/applinks/internal/redact"
)

// CheckBaseURL checks an RPC or display URL: absolute http(s), a host, a
// valid port or none, no user info, query or fragment. Its errors never
// hold a password the URL carries.
func CheckBaseURL(s string) error {
	if s == "" {
		return errors.New("missing: give the remote's base URL, e.g. https://jira.example.com")
	}
	u, err := url.Parse(s)
	if err != nil {
		err = redact.URLError(err)
		if strings.HasPrefix(err.Error(), "invalid port") {
			return fmt.Errorf("not a URL: %v: %s", err, portAdvice)
		}
		return fmt.Errorf("not a URL: %v", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%q must start with http:// or https://", redact.URL(u))
	case u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("%q has no host", redact.URL(u))
	case u.User != nil:
		return fmt.Errorf("%q must not carry a user name or password: credentials come from the link's key or secret", redact.URL(u))
	case u.RawQuery != "" || u.ForceQuery:
		return fmt.Errorf("%q must not have a query", redact.URL(u))
	case u.Fragment != "":
		return fmt.Errorf("%q must not have a fragment", redact.URL(u))
	}
	return checkPort(u)
}

// portAdvice says what a base URL's port may be.
const portAdvice = "give a port number from 1 to 65535 (e.g. https://jira.example.com:8443), or none for the scheme's default"

// checkPort refuses a base URL whose port is empty (a bare colon), zero or
// above 65535; url.Parse has already refused one that is not decimal digits.
func checkPort(u *url.URL) error {
	port := u.Port()
	if port == "" {
		if strings.HasSuffix(u.Host, ":") {
			return fmt.Errorf("%q has an empty port: %s", redact.URL(u), portAdvice)
		}
		return nil
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%q has an invalid port %q: %s", redact.URL(u), port, portAdvice)
	}
	return nil
}

// JoinBase joins an endpoint path to a base URL (which may have a context
// path such as "/jira"), dropping the base's query, fragment and user
// info.
func JoinBase(base, path string) (*url.URL, error) {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("applink: base URL %q is not an absolute http or https URL: fix the link", base)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + strings.TrimPrefix(path, "/")
	u.RawPath, u.RawQuery, u.Fragment, u.User = "", "", "", nil
	return u, nil
}

// IsUUID reports whether s is a UUID: 8-4-4-4-12 hexadecimal digits, in
// either case.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// idNamespace is the UUID namespace of [DefaultID].
var idNamespace = [16]byte{0x6b, 0x1f, 0x2e, 0x3a, 0x9c, 0x54, 0x4d, 0x0e, 0x8f, 0x31, 0x52, 0xa7, 0xc4, 0x0b, 0x7d, 0x96}

// DefaultID returns the name-based (version 5, SHA-1) UUID of a link's
// name and RPC URL (its scheme and host in lower case, without a trailing
// slash): the same in every run and on every machine.
func DefaultID(name, rpcURL string) string {
	u := strings.TrimSuffix(strings.TrimSpace(rpcURL), "/")
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		p.Scheme, p.Host = strings.ToLower(p.Scheme), strings.ToLower(p.Host)
		u = p.String()
	}
	h := sha1.New()
	h.Write(idNamespace[:])
	h.Write([]byte(strings.TrimSpace(name) + "\n" + u))
	var b [16]byte
	copy(b[:], h.Sum(nil))
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return FormatUUID(b)
}

// FormatUUID writes b as a UUID, in lower case.
func FormatUUID(b [16]byte) string {
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
