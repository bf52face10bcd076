// Package sigbase takes OAuth 1.0a signature base strings apart and says
// how two of them differ. It is the one diagnosis of signature_invalid:
// applink's *OAuthError advice and applink/doctor's probes both use
// [Explain], so that a request and the doctor say the same thing about the
// same answer.
package sigbase

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/go-applinks/applinks/internal/redact"
)

// Base is a signature base string taken apart (RFC 5849 §3.4.1.1:
// METHOD&enc(URL)&enc(parameters)).
type Base struct {
	Method string
	URL    *url.URL
	// Params maps each parameter name to its values, in order.
	Params map[string][]string
}

// Parse takes a signature base string apart. It redacts the string first
// (internal/redact.BaseString: verifiers, session handles and other secret
// parameters become REDACTED), so that a Base never holds a secret. It
// never panics.
func Parse(s string) (*Base, error) {
	parts := strings.Split(redact.BaseString(s), "&")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%d parts separated by \"&\", want 3 (METHOD&URL&PARAMETERS)", len(parts))
	}
	if parts[0] == "" {
		return nil, errors.New("no method")
	}
	rawURI, err := decode(parts[1])
	if err != nil {
		return nil, fmt.Errorf("the URL part: %v", err)
	}
	u, err := url.Parse(rawURI)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, errors.New("the URL part is not an absolute URL")
	}
	rawParams, err := decode(parts[2])
	if err != nil {
		return nil, fmt.Errorf("the parameters part: %v", err)
	}
	b := &Base{Method: parts[0], URL: u, Params: map[string][]string{}}
	if rawParams == "" {
		return b, nil
	}
	for _, p := range strings.Split(rawParams, "&") {
		k, v, _ := strings.Cut(p, "=")
		name, err := decode(k)
		if err != nil {
			name = k
		}
		value, err := decode(v)
		if err != nil {
			value = v
		}
		b.Params[name] = append(b.Params[name], value)
	}
	return b, nil
}

// decode undoes RFC 5849 §3.6 percent-encoding: every "%" starts two hex
// digits, and "+" is a plus sign.
func decode(s string) (string, error) {
	if !strings.Contains(s, "%") {
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
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return "", fmt.Errorf("malformed percent-escape %q", s[i:min(i+3, len(s))])
		}
		b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
		i += 2
	}
	return b.String(), nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// Diff is how two signature base strings differ.
type Diff struct {
	// Method is set when the methods differ.
	Method bool
	// URLParts names the parts of the URL that differ: scheme, host, port,
	// path.
	URLParts []string
	// OnlyOurs, OnlyTheirs and Changed name parameters.
	OnlyOurs, OnlyTheirs, Changed []string
}

// Same reports whether nothing differs.
func (d Diff) Same() bool {
	return !d.Method && len(d.URLParts) == 0 && len(d.OnlyOurs)+len(d.OnlyTheirs)+len(d.Changed) == 0
}

// ParamDiffs lists the differing parameters, each with how it differs.
func (d Diff) ParamDiffs() []string {
	var out []string
	for _, n := range d.OnlyOurs {
		out = append(out, n+" (only ours)")
	}
	for _, n := range d.OnlyTheirs {
		out = append(out, n+" (only the remote's)")
	}
	for _, n := range d.Changed {
		out = append(out, n+" (different value)")
	}
	return out
}

// Compare compares our base string with the remote's. Host names and
// schemes compare without case, and an explicit default port is no port.
func Compare(ours, theirs *Base) Diff {
	var d Diff
	d.Method = !strings.EqualFold(ours.Method, theirs.Method)
	if !strings.EqualFold(ours.URL.Scheme, theirs.URL.Scheme) {
		d.URLParts = append(d.URLParts, "scheme")
	}
	if !strings.EqualFold(ours.URL.Hostname(), theirs.URL.Hostname()) {
		d.URLParts = append(d.URLParts, "host")
	}
	if EffectivePort(ours.URL) != EffectivePort(theirs.URL) {
		d.URLParts = append(d.URLParts, "port")
	}
	if ours.URL.EscapedPath() != theirs.URL.EscapedPath() {
		d.URLParts = append(d.URLParts, "path")
	}
	for name, vs := range ours.Params {
		tv, ok := theirs.Params[name]
		switch {
		case !ok:
			d.OnlyOurs = append(d.OnlyOurs, name)
		case !slices.Equal(sortedCopy(vs), sortedCopy(tv)):
			d.Changed = append(d.Changed, name)
		}
	}
	for name := range theirs.Params {
		if _, ok := ours.Params[name]; !ok {
			d.OnlyTheirs = append(d.OnlyTheirs, name)
		}
	}
	slices.Sort(d.OnlyOurs)
	slices.Sort(d.OnlyTheirs)
	slices.Sort(d.Changed)
	return d
}

func sortedCopy(vs []string) []string {
	c := slices.Clone(vs)
	slices.Sort(c)
	return c
}

// URLPartDiffs describes each differing URL part, ours → the remote's.
func URLPartDiffs(parts []string, ours, theirs *url.URL) []string {
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		var a, b string
		switch p {
		case "scheme":
			a, b = ours.Scheme, theirs.Scheme
		case "host":
			a, b = ours.Hostname(), theirs.Hostname()
		case "port":
			a, b = EffectivePort(ours), EffectivePort(theirs)
		case "path":
			a, b = ours.EscapedPath(), theirs.EscapedPath()
		}
		out = append(out, fmt.Sprintf("%s (ours %s, the remote's %s)", p, a, b))
	}
	return out
}

// EffectivePort is a URL's port, the scheme's default when it has none.
func EffectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}

// RemoteBase returns the base URL the remote sees itself at, from the URL
// it put in its base string for a request to rel (the path relative to the
// RPC URL): scheme, host, port (when not the default) and the path before
// rel.
func RemoteBase(theirs *url.URL, rel string) string {
	p := theirs.EscapedPath()
	if rel != "" && rel != "/" {
		p = strings.TrimSuffix(p, strings.TrimSuffix(rel, "/"))
	}
	p = strings.TrimSuffix(p, "/")
	host := strings.ToLower(theirs.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port := theirs.Port(); port != "" && port != EffectivePort(&url.URL{Scheme: theirs.Scheme}) {
		host += ":" + port
	}
	return strings.ToLower(theirs.Scheme) + "://" + host + p
}

// Cause is what a signature_invalid comes from, as far as the two base
// strings tell.
type Cause int

// Causes of a signature_invalid.
const (
	// CauseUnknown: the remote echoed no base string, or one of the two
	// cannot be read.
	CauseUnknown Cause = iota
	// CauseURL: the remote sees another scheme, host, port or path (a
	// reverse proxy).
	CauseURL
	// CauseMethod: something rewrote the HTTP method.
	CauseMethod
	// CauseParams: something changed the query or form parameters.
	CauseParams
	// CauseKey: the same base string on both sides, so the remote checks
	// the signature with another key or secret.
	CauseKey
)

// Verdict is the diagnosis of a signature_invalid from our base string and
// the one the remote echoed.
type Verdict struct {
	Cause Cause
	// Diff is how the base strings differ (zero for CauseUnknown).
	Diff Diff
	// Ours and Theirs are the base strings taken apart (nil when absent or
	// unreadable); TheirsErr says why the remote's cannot be read.
	Ours, Theirs *Base
	TheirsErr    error
}

// Explain diagnoses a signature_invalid from our signature base string and
// the remote's ("" when it echoed none). It is the one place that decides
// between a URL mismatch, a rewritten method, changed parameters and the
// wrong key.
func Explain(ours, theirs string) Verdict {
	var v Verdict
	if ours == "" || theirs == "" {
		return v
	}
	o, err := Parse(ours)
	if err != nil {
		return v
	}
	t, err := Parse(theirs)
	if err != nil {
		v.TheirsErr = err
		return v
	}
	v.Ours, v.Theirs = o, t
	v.Diff = Compare(o, t)
	switch {
	case len(v.Diff.URLParts) > 0:
		v.Cause = CauseURL
	case v.Diff.Method:
		v.Cause = CauseMethod
	case !v.Diff.Same():
		v.Cause = CauseParams
	default:
		v.Cause = CauseKey
	}
	return v
}
