package engine

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/internal/requri"
)

// ErrForeignURL is wrapped by the error of a request URL outside a link's
// RPC URL: another origin (scheme, host or port), or not under its path.
var ErrForeignURL = errors.New("applink: URL is outside the link's RPC URL")

// Scope keeps requests on one link's RPC URL: its origin, and under its
// path. Signed requests never leave it, and neither do redirects. A Scope
// is immutable and safe for concurrent use.
type Scope struct {
	link string   // the link's name, for messages
	rpc  *url.URL // the RPC URL
	// base is the RPC URL's path without its trailing slash, when plain
	// references may take resolvePlain (see plainBase); plain says so.
	base  string
	plain bool
	// The CheckRedirect functions, made once: a request should not
	// allocate one.
	follow, stop func(*http.Request, []*http.Request) error
}

// NewScope returns the scope of the link named link whose RPC URL is rpc.
func NewScope(link string, rpc *url.URL) *Scope {
	u := *rpc
	s := &Scope{link: link, rpc: &u}
	s.base, s.plain = plainBase(&u)
	s.follow = s.checkRedirect
	s.stop = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return s
}

// Resolve turns what a caller gave NewRequest (a path relative to the RPC
// URL, or an absolute URL) into the URL to request, refusing anything
// outside the link's origin and RPC path with an error wrapping
// ErrForeignURL. What cannot be sent raw in a request line is
// percent-encoded first (see escapeRef). Dot segments are cleaned; ones that
// would climb out of the RPC path are refused.
func (s *Scope) Resolve(ref string) (*url.URL, error) {
	if u, ok := s.resolvePlain(ref); ok {
		return u, nil
	}
	return s.resolve(ref)
}

// resolve is Resolve for any reference: the general way, which
// resolvePlain must agree with.
func (s *Scope) resolve(ref string) (*url.URL, error) {
	escaped, err := escapeRef(ref)
	if err != nil {
		return nil, fmt.Errorf("applink: link %q: %q: %v: write a percent sign as %%25, or pass query values unencoded with Request.AddQuery, which encodes them once",
			s.link, redact.URLString(ref), err)
	}
	u, err := url.Parse(escaped)
	if err != nil {
		return nil, fmt.Errorf("applink: link %q: %q is not a URL or path: %v", s.link, redact.URLString(ref), redact.URLError(err))
	}
	u.Fragment, u.RawFragment = "", ""
	if u.Scheme != "" || u.Host != "" {
		if err := s.Check(u); err != nil {
			return nil, err
		}
		return u, nil
	}
	if u.Opaque != "" {
		return nil, s.outOfScope(&scopeError{fmt.Sprintf("%q is not a path", redact.URLString(ref))})
	}
	joined := strings.TrimSuffix(s.rpc.EscapedPath(), "/") + "/" + strings.TrimPrefix(u.EscapedPath(), "/")
	out := *s.rpc
	out.RawQuery, out.ForceQuery = u.RawQuery, u.ForceQuery
	if err := setEscapedPath(&out, cleanPath(joined)); err != nil {
		return nil, fmt.Errorf("applink: link %q: bad path %q: %v", s.link, redact.URLString(ref), err)
	}
	if err := s.Check(&out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Check returns nil for a URL inside the scope, else an error wrapping
// ErrForeignURL that says why and what to do.
func (s *Scope) Check(u *url.URL) error {
	if err := s.contains(u); err != nil {
		return s.outOfScope(err)
	}
	return nil
}

// outOfScope is the error of a request URL that contains refused, with what
// to do.
func (s *Scope) outOfScope(err error) error {
	return fmt.Errorf("applink: link %q: %w: give a path relative to the link's RPC URL %s, or an absolute URL under it (signed requests never leave it)",
		s.link, err, redact.URL(s.rpc))
}

// scopeError says why a URL is outside a link's RPC URL; it is
// [ErrForeignURL] for errors.Is, without repeating that sentinel's text.
type scopeError struct{ why string }

func (e *scopeError) Error() string        { return e.why }
func (e *scopeError) Is(target error) bool { return target == ErrForeignURL }

// contains reports, as a *scopeError (errors.Is ErrForeignURL) saying why
// and naming neither the link nor what to do (callers add both), a URL that
// is not on the link's origin (scheme, host and port) or not under its RPC
// path, once dot segments (also percent-encoded ones) are resolved.
func (s *Scope) contains(u *url.URL) error {
	if u == nil {
		return &scopeError{"no URL"}
	}
	if sc := strings.ToLower(u.Scheme); sc != "http" && sc != "https" {
		return &scopeError{fmt.Sprintf("%s is not an http or https URL", redact.URL(u))}
	}
	// The same scheme and host (as on every request built by Resolve) is
	// the same origin; only others need the default port filled in.
	if !strings.EqualFold(u.Scheme, s.rpc.Scheme) || !strings.EqualFold(u.Host, s.rpc.Host) {
		if got, want := requri.Origin(u.Scheme, u.Host), requri.Origin(s.rpc.Scheme, s.rpc.Host); got != want {
			return &scopeError{fmt.Sprintf("%s is on %s, not on the link's %s", redact.URL(u), got, want)}
		}
	}
	if u.User != nil {
		return &scopeError{fmt.Sprintf("%s carries a user name or password", redact.URL(u))}
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	// Decode percent-encoded dots so that %2e%2e cannot climb either.
	decoded := p
	if strings.Contains(p, "%") {
		decoded = dotDecoder.Replace(p)
	}
	base := strings.TrimSuffix(s.rpc.EscapedPath(), "/")
	if cleaned := cleanPath(decoded); !under(cleaned, base) {
		if cleaned != decoded {
			return &scopeError{fmt.Sprintf("%s climbs out of the link's RPC URL with dot segments", redact.URL(u))}
		}
		return &scopeError{fmt.Sprintf("%s is not under the link's RPC URL %s", redact.URL(u), redact.URL(s.rpc))}
	}
	return nil
}

// dotDecoder decodes percent-encoded dots; a Replacer is safe for
// concurrent use.
var dotDecoder = strings.NewReplacer("%2e", ".", "%2E", ".")

// CheckRedirect is the http.Client CheckRedirect of requests through the
// link: it follows at most 10 redirects, only within the scope (each hop
// goes through the signing transport again, so it is signed afresh), or
// none when follow is false. Its errors are *OwnError.
func (s *Scope) CheckRedirect(follow bool) func(*http.Request, []*http.Request) error {
	if !follow {
		return s.stop
	}
	return s.follow
}

func (s *Scope) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return &OwnError{fmt.Errorf("applink: link %q: stopped after 10 redirects", s.link)}
	}
	if err := s.contains(req.URL); err != nil {
		return &OwnError{fmt.Errorf("applink: link %q: refusing a redirect: %w: signed requests follow redirects within the link's RPC URL only (ask the remote's administrator, or request the final URL)", s.link, err)}
	}
	return nil
}

// OwnError marks an error made by applink inside the HTTP machinery
// (transport, redirect check), so that it is neither retried nor wrapped
// again; it is unwrapped before it reaches the caller.
type OwnError struct{ Err error }

func (e *OwnError) Error() string { return e.Err.Error() }

// Unwrap returns Err.
func (e *OwnError) Unwrap() error { return e.Err }

// escapeRef percent-encodes, in the path and query of a URL reference,
// every byte that cannot appear raw in an HTTP request line (a space, a
// non-ASCII byte, " < > \ ^ ` { | } [ ], controls), keeping valid
// percent-escapes and "+" as written, as browsers and curl do; a "%" not
// followed by two hex digits is an *requri.EscapeError. The scheme and
// authority of an absolute URL are kept as they are; a fragment is
// dropped.
func escapeRef(ref string) (string, error) {
	ref, _, _ = strings.Cut(ref, "#")
	rest, query, hasQuery := strings.Cut(ref, "?")
	prefix := ""
	if i := schemeEnd(rest); i > 0 {
		prefix, rest = rest[:i+1], rest[i+1:]
		if strings.HasPrefix(rest, "//") {
			end := len(rest)
			if j := strings.IndexByte(rest[2:], '/'); j >= 0 {
				end = 2 + j
			}
			prefix, rest = prefix+rest[:end], rest[end:]
		}
	}
	p, err := requri.EscapePath(rest)
	if err != nil {
		return "", err
	}
	if !hasQuery {
		return prefix + p, nil
	}
	q, err := requri.EscapeQuery(query)
	if err != nil {
		return "", err
	}
	if p == rest && q == query {
		return ref, nil // nothing escaped: no new string
	}
	return prefix + p + "?" + q, nil
}

// schemeEnd returns the index of the ":" ending a URL scheme at the start
// of s (RFC 3986 §3.1), or -1.
func schemeEnd(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.':
			if i == 0 {
				return -1
			}
		case c == ':':
			if i == 0 {
				return -1
			}
			return i
		default:
			return -1
		}
	}
	return -1
}

// under reports whether the escaped path p is base or below it.
func under(p, base string) bool {
	return base == "" || p == base || strings.HasPrefix(p, base+"/")
}

// cleanPath resolves dot segments in an escaped path, keeping a trailing
// slash.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

func setEscapedPath(u *url.URL, escaped string) error {
	p, err := url.PathUnescape(escaped)
	if err != nil {
		return err
	}
	u.Path, u.RawPath = p, ""
	if u.EscapedPath() != escaped {
		u.RawPath = escaped
	}
	return nil
}

// RedirectNote says what a redirect from one URL to another crosses, for
// an error that names both: " (from https to plain http)", " (another
// origin)", or "" (either URL unreadable, or the same origin).
func RedirectNote(from, to string) string {
	f, err := url.Parse(from)
	if err != nil {
		return ""
	}
	t, err := url.Parse(to)
	switch {
	case err != nil:
	case strings.EqualFold(f.Scheme, "https") && strings.EqualFold(t.Scheme, "http"):
		return " (from https to plain http)"
	case requri.Origin(f.Scheme, f.Host) != requri.Origin(t.Scheme, t.Host):
		return " (another origin)"
	}
	return ""
}

// CauseText returns the message of a cause that an error of the link named
// link quotes, without the prefix ("applink: link "x": ") that the cause's
// own message gives it wherever it appears: the error around it already
// says it, once.
func CauseText(link string, cause error) string {
	return strings.ReplaceAll(cause.Error(), "applink: link "+strconv.Quote(link)+": ", "")
}
