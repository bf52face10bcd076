package oauth2link

import (
	"crypto/rand"
	"fmt"
	"net/url"
	"strings"

	"github.com/go-applinks/applinks/internal/redact"
)

// Denied is the code [CodeFromInput] returns for a redirect with
// error=access_denied: the user refused at the consent page.
const Denied = "denied"

// ErrorPrefix starts the code [CodeFromInput] returns for a redirect with
// another error; the error code follows it.
const ErrorPrefix = "error:"

// State returns the state of an authorization: the callback's state
// parameter, else a new random one. The callback must be "", "oob" or the
// registered redirect URL (with a state parameter added or not): a remote
// redirects only there.
func State(callback, redirect string) (string, error) {
	if callback == "" || callback == "oob" {
		return rand.Text(), nil
	}
	cb, err := url.Parse(callback)
	if err != nil {
		return "", fmt.Errorf("the callback is not a URL: %v", redact.URLError(err))
	}
	q := cb.Query()
	state := q.Get("state")
	q.Del("state")
	cb.RawQuery = q.Encode()
	want, err := url.Parse(redirect)
	if err != nil {
		return "", fmt.Errorf("the redirect URL is not a URL: %v", redact.URLError(err))
	}
	want.RawQuery = want.Query().Encode()
	if !strings.EqualFold(cb.Scheme, want.Scheme) || !strings.EqualFold(cb.Host, want.Host) ||
		cb.EscapedPath() != want.EscapedPath() || cb.RawQuery != want.RawQuery {
		return "", fmt.Errorf("the callback %s is not the link's registered redirect URL %s: an OAuth 2.0 remote redirects only there: register the callback as the incoming link's redirect URL and set oauth2.redirectUrl to it",
			redact.URL(cb), redact.URL(want))
	}
	if state == "" {
		state = rand.Text()
	}
	return state, nil
}

// CodeFromInput reads what a user pasted or a redirect carried: a bare
// code, or the redirect URL (or its query) with code and state, or an
// error. It returns the code ([Denied] for error=access_denied,
// [ErrorPrefix] and the code for another error) and the state found ("" if
// none).
func CodeFromInput(s string) (code, state string) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, "?")
	raw := s
	if i >= 0 {
		raw = s[i+1:]
	}
	if !strings.Contains(raw, "code=") && !strings.Contains(raw, "error=") {
		return s, ""
	}
	if j := strings.IndexByte(raw, '#'); j >= 0 {
		raw = raw[:j]
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return s, ""
	}
	if e := q.Get("error"); e != "" {
		if e == CodeAccessDenied {
			return Denied, q.Get("state")
		}
		return ErrorPrefix + e, q.Get("state")
	}
	if q.Get("code") == "" {
		return s, ""
	}
	return q.Get("code"), q.Get("state")
}

// Issuer returns the iss parameter (RFC 9207) of a redirect's query as
// [CodeFromInput] reads it, or "".
func Issuer(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s = s[i+1:]
	}
	if j := strings.IndexByte(s, '#'); j >= 0 {
		s = s[:j]
	}
	if !strings.Contains(s, "iss=") {
		return ""
	}
	q, err := url.ParseQuery(s)
	if err != nil {
		return ""
	}
	return q.Get("iss")
}

// IsIssuer reports whether iss names one of the authorization servers
// given (base URLs): a trailing "/" and the case of the scheme and host do
// not matter.
func IsIssuer(iss string, servers ...string) bool {
	norm := func(s string) string {
		u, err := url.Parse(strings.TrimSuffix(s, "/"))
		if err != nil {
			return s
		}
		u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
		return u.String()
	}
	got := norm(iss)
	for _, s := range servers {
		if got == norm(s) {
			return true
		}
	}
	return false
}
