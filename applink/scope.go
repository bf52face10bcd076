package applink

import (
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/signer"
)

// resolve turns what a caller gave NewRequest (a path relative to the RPC
// URL, or an absolute URL) into the URL to request, refusing anything
// outside the link's origin and RPC path with an error wrapping
// ErrForeignURL. Dot segments are cleaned; ones that would climb out of the
// RPC path are refused.
func (st *linkState) resolve(ref string) (*url.URL, error) {
	u, err := url.Parse(ref)
	if err != nil {
		return nil, fmt.Errorf("applink: link %q: %q is not a URL or path: %v", st.link.Name, redact.URLString(ref), redactParseError(err))
	}
	u.Fragment, u.RawFragment = "", ""
	if u.Scheme != "" || u.Host != "" {
		if err := st.inScope(u); err != nil {
			return nil, err
		}
		return u, nil
	}
	if u.Opaque != "" {
		return nil, fmt.Errorf("applink: link %q: %q is not a path: %w", st.link.Name, redact.URLString(ref), ErrForeignURL)
	}
	joined := strings.TrimSuffix(st.rpc.EscapedPath(), "/") + "/" + strings.TrimPrefix(u.EscapedPath(), "/")
	out := *st.rpc
	out.RawQuery, out.ForceQuery = u.RawQuery, u.ForceQuery
	if err := setEscapedPath(&out, cleanPath(joined)); err != nil {
		return nil, fmt.Errorf("applink: link %q: bad path %q: %v", st.link.Name, redact.URLString(ref), err)
	}
	if err := st.inScope(&out); err != nil {
		return nil, err
	}
	return &out, nil
}

// inScope reports, as an error wrapping ErrForeignURL, a URL that is not on
// the link's origin (scheme, host and port) or not under its RPC path, once
// dot segments (also percent-encoded ones) are resolved.
func (st *linkState) inScope(u *url.URL) error {
	if u == nil {
		return fmt.Errorf("applink: link %q: no URL: %w", st.link.Name, ErrForeignURL)
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return fmt.Errorf("applink: link %q: %s is not an http or https URL: give a path under the link's RPC URL %s, or an absolute URL below it: %w",
			st.link.Name, redact.URL(u), redact.URL(st.rpc), ErrForeignURL)
	}
	if got, want := origin(u.Scheme, u.Host), origin(st.rpc.Scheme, st.rpc.Host); got != want {
		return fmt.Errorf("applink: link %q: %s is on %s, not on the link's %s: %w",
			st.link.Name, redact.URL(u), got, want, ErrForeignURL)
	}
	if u.User != nil {
		return fmt.Errorf("applink: link %q: %s carries a user name or password: %w", st.link.Name, redact.URL(u), ErrForeignURL)
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
			return fmt.Errorf("applink: link %q: %s climbs out of the link's RPC URL with dot segments: %w", st.link.Name, redact.URL(u), ErrForeignURL)
		}
		return fmt.Errorf("applink: link %q: %s is not under the link's RPC URL %s: %w",
			st.link.Name, redact.URL(u), redact.URL(st.rpc), ErrForeignURL)
	}
	return nil
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
			return &ownError{fmt.Errorf("applink: link %q: refusing a redirect: %w", st.link.Name, err)}
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
