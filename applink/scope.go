package applink

import (
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/internal/requri"
	"github.com/go-applinks/applinks/signer"
)

// resolve turns what a caller gave NewRequest (a path relative to the RPC
// URL, or an absolute URL) into the URL to request, refusing anything
// outside the link's origin and RPC path with an error wrapping
// ErrForeignURL. What cannot be sent raw in a request line is
// percent-encoded first (see escapeRef). Dot segments are cleaned; ones that
// would climb out of the RPC path are refused.
func (st *linkState) resolve(ref string) (*url.URL, error) {
	escaped, err := escapeRef(ref)
	if err != nil {
		return nil, fmt.Errorf("applink: link %q: %q: %v: write a percent sign as %%25, or pass query values unencoded with Request.AddQuery, which encodes them once",
			st.link.Name, redact.URLString(ref), err)
	}
	u, err := url.Parse(escaped)
	if err != nil {
		return nil, fmt.Errorf("applink: link %q: %q is not a URL or path: %v", st.link.Name, redact.URLString(ref), redactParseError(err))
	}
	u.Fragment, u.RawFragment = "", ""
	if u.Scheme != "" || u.Host != "" {
		if err := st.inScope(u); err != nil {
			return nil, st.outOfScope(err)
		}
		return u, nil
	}
	if u.Opaque != "" {
		return nil, st.outOfScope(&scopeError{fmt.Sprintf("%q is not a path", redact.URLString(ref))})
	}
	joined := strings.TrimSuffix(st.rpc.EscapedPath(), "/") + "/" + strings.TrimPrefix(u.EscapedPath(), "/")
	out := *st.rpc
	out.RawQuery, out.ForceQuery = u.RawQuery, u.ForceQuery
	if err := setEscapedPath(&out, cleanPath(joined)); err != nil {
		return nil, fmt.Errorf("applink: link %q: bad path %q: %v", st.link.Name, redact.URLString(ref), err)
	}
	if err := st.inScope(&out); err != nil {
		return nil, st.outOfScope(err)
	}
	return &out, nil
}

// outOfScope is the error of a request URL that inScope refused, with what
// to do.
func (st *linkState) outOfScope(err error) error {
	return fmt.Errorf("applink: link %q: %w: give a path relative to the link's RPC URL %s, or an absolute URL under it (signed requests never leave it)",
		st.link.Name, err, redact.URL(st.rpc))
}

// scopeError says why a URL is outside a link's RPC URL; it is
// [ErrForeignURL] for errors.Is, without repeating that sentinel's text.
type scopeError struct{ why string }

func (e *scopeError) Error() string        { return e.why }
func (e *scopeError) Is(target error) bool { return target == ErrForeignURL }

// inScope reports, as a *scopeError (errors.Is ErrForeignURL) saying why
// and naming neither the link nor what to do (callers add both), a URL that
// is not on the link's origin (scheme, host and port) or not under its RPC
// path, once dot segments (also percent-encoded ones) are resolved.
func (st *linkState) inScope(u *url.URL) error {
	if u == nil {
		return &scopeError{"no URL"}
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return &scopeError{fmt.Sprintf("%s is not an http or https URL", redact.URL(u))}
	}
	if got, want := origin(u.Scheme, u.Host), origin(st.rpc.Scheme, st.rpc.Host); got != want {
		return &scopeError{fmt.Sprintf("%s is on %s, not on the link's %s", redact.URL(u), got, want)}
	}
	if u.User != nil {
		return &scopeError{fmt.Sprintf("%s carries a user name or password", redact.URL(u))}
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	// Decode percent-encoded dots so that %2e%2e cannot climb either.
	decoded := strings.NewReplacer("%2e", ".", "%2E", ".").Replace(p)
	base := strings.TrimSuffix(st.rpc.EscapedPath(), "/")
	if cleaned := cleanPath(decoded); !under(cleaned, base) {
		if cleaned != decoded {
			return &scopeError{fmt.Sprintf("%s climbs out of the link's RPC URL with dot segments", redact.URL(u))}
		}
		return &scopeError{fmt.Sprintf("%s is not under the link's RPC URL %s", redact.URL(u), redact.URL(st.rpc))}
	}
	return nil
}

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

// origin returns "scheme://host:port" lower-cased, with the scheme's default
// port filled in ([signer.Origin]).
func origin(scheme, host string) string { return signer.Origin(scheme, host) }

// checkRedirect is the http.Client CheckRedirect of requests through the
// link: it follows at most 10 redirects, only within the link's origin and
// RPC path (each hop goes through the signing transport again, so it is
// signed afresh), or none when follow is false.
func (st *linkState) checkRedirect(follow bool) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if !follow {
			return http.ErrUseLastResponse
		}
		if len(via) >= 10 {
			return &ownError{fmt.Errorf("applink: link %q: stopped after 10 redirects", st.link.Name)}
		}
		if err := st.inScope(req.URL); err != nil {
			return &ownError{fmt.Errorf("applink: link %q: refusing a redirect: %w: signed requests follow redirects within the link's RPC URL only (ask the remote's administrator, or request the final URL)", st.link.Name, err)}
		}
		return nil
	}
}

// ownError marks an error made by this package inside the HTTP machinery
// (transport, redirect check), so that it is neither retried nor wrapped
// again; it is unwrapped before reaching the caller of Do.
type ownError struct{ err error }

func (e *ownError) Error() string { return e.err.Error() }
func (e *ownError) Unwrap() error { return e.err }

// dialect returns how the remote collects the parameters it verifies a
// signature over: the link's signer's dialect.
func (st *linkState) dialect() signer.Dialect {
	if st.signer == nil {
		return signer.RFC5849
	}
	return st.signer.Dialect()
}
