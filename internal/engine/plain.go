package engine

import (
	"net/url"
	"strings"

	"github.com/go-applinks/applinks/internal/requri"
)

// Most requests name a plain path such as "/rest/api/2/myself?expand=groups":
// nothing to escape, no dot segment, no scheme or host. resolvePlain builds
// the URL of such a reference directly, without parsing it, cleaning it and
// checking the result against the scope again: what it accepts lies under
// the RPC path by construction. Anything else goes the general way
// (Scope.resolve), and FuzzResolvePlain holds the two to the same result.

// plainBase returns the path that plain references are joined to (the RPC
// URL's path without its trailing slash) and whether they may be: only when
// the RPC URL is an http or https URL without user information whose path
// is written as Go writes it (no RawPath) and needs no cleaning.
func plainBase(rpc *url.URL) (string, bool) {
	sc := strings.ToLower(rpc.Scheme)
	if sc != "http" && sc != "https" || rpc.User != nil || rpc.Opaque != "" || rpc.RawPath != "" || rpc.Host == "" {
		return "", false
	}
	esc := strings.TrimSuffix(rpc.EscapedPath(), "/")
	if cleanPath(esc+"/x") != esc+"/x" {
		return "", false
	}
	return strings.TrimSuffix(rpc.Path, "/"), true
}

// resolvePlain returns the URL of a plain reference, and false for any
// other, which the caller resolves the general way. A plain reference has
// a path of unreserved characters and "/" without an empty, "." or ".."
// segment (a leading "/" aside; a trailing "/" is kept), and optionally a
// query with nothing to escape; no fragment.
func (s *Scope) resolvePlain(ref string) (*url.URL, bool) {
	if !s.plain {
		return nil, false
	}
	p, q, hasQuery := strings.Cut(ref, "?")
	if !plainPath(p) || hasQuery && !plainQuery(q) {
		return nil, false
	}
	out := *s.rpc
	out.Path = s.base + "/" + strings.TrimPrefix(p, "/")
	out.RawPath = ""
	out.RawQuery, out.ForceQuery = q, hasQuery && q == ""
	return &out, true
}

// plainPath reports whether p is a path resolvePlain can join as it is:
// Go writes it as it is (so no RawPath), and cleaning would not change it.
func plainPath(p string) bool {
	rest := strings.TrimPrefix(p, "/")
	if p == "" || strings.HasPrefix(rest, "/") || strings.Contains(rest, "//") {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; c != '/' && !requri.Unreserved(c) {
			return false
		}
	}
	for seg := range strings.SplitSeq(rest, "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// plainQuery reports whether q can be sent as it is: escapeRef would
// neither escape nor refuse anything in it.
func plainQuery(q string) bool {
	e, err := requri.EscapeQuery(q)
	return err == nil && e == q
}
