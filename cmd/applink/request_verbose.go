package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/internal/oauth2link"
	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/signer"
)

// fallbackNote is the line that says the link fell back from 3LO to auth
// for user because the user has no 3LO token (or the link cannot act as
// users at all), or "" when auth is what the link prefers, or was asked for.
func fallbackNote(l *applink.Link, user, asked string, auth applink.Auth) string {
	if user == "" || asked != "auto" || auth == applink.Auth3LO {
		return ""
	}
	auths := l.Auth
	if len(auths) == 0 {
		auths = []applink.Auth{applink.Auth3LO}
	}
	authorize := fmt.Sprintf("applink authorize --link %s --user %s", shellQuote(l.Name), shellQuote(user))
	var using string
	switch auth {
	case applink.Auth2LOi:
		using = fmt.Sprintf("using 2LOi (impersonating %s, which the remote must allow)", user)
	case applink.Auth2LO:
		using = fmt.Sprintf("using 2LO, which acts as the remote's execute-as user, not as %s", user)
	case applink.AuthAnonymous:
		using = "sending the request anonymously"
	default:
		using = "using " + string(auth)
	}
	i3, iAuth := slices.Index(auths, applink.Auth3LO), slices.Index(auths, auth)
	switch {
	case i3 >= 0 && (iAuth < 0 || i3 < iAuth):
		return fmt.Sprintf("%s has no 3LO token for link %q: %s; run '%s' to use 3LO, or pass --auth 3lo to refuse anything else", user, l.Name, using, authorize)
	case !auth.Impersonating() && !slices.ContainsFunc(auths, applink.Auth.Impersonating):
		return fmt.Sprintf("link %q cannot act as a user (its methods: %s): %s", l.Name, authList(auths), using)
	}
	return ""
}

// challengeProblem is the oauth_problem of a WWW-Authenticate: OAuth
// challenge, or the error code and scope of a Bearer one (OAuth 2.0), if
// any.
func challengeProblem(h http.Header) (problem, scope string) {
	for _, v := range h.Values("WWW-Authenticate") {
		if p, err := signer.ParseAuthorization(v); err == nil && p.Get("oauth_problem") != "" {
			return p.Get("oauth_problem"), ""
		}
	}
	if c, ok := oauth2link.ParseBearerChallenge(h); ok {
		return c.Code, c.Scope
	}
	return "", ""
}

// shownOAuthParams are the oauth_* parameters -v prints: none is a secret.
// oauth_token and oauth_signature are abbreviated; any other parameter (oauth_verifier,
// oauth_session_handle, or one we do not know) is redacted.
var shownOAuthParams = []string{
	"oauth_consumer_key", "oauth_signature_method", "oauth_timestamp", "oauth_nonce",
	"oauth_version", "oauth_signature", "oauth_callback", "xoauth_requestor_id",
}

// authorizationSummary is an Authorization header as -v prints it: for an
// OAuth header its parameters with the secrets redacted and the token
// abbreviated; any other scheme's credentials redacted.
func authorizationSummary(v string) string {
	params, err := signer.ParseAuthorization(v)
	if err != nil {
		return redact.Header(http.Header{"Authorization": {v}}).Get("Authorization")
	}
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	slices.Sort(names)
	var parts []string
	for _, k := range names {
		for _, val := range params[k] {
			switch {
			case k == "oauth_token" && val == "":
				val = `""` // 2LO
			case k == "oauth_token", k == "oauth_signature":
				// Not secrets, but long: 'applink sign' prints a
				// signature whole.
				val = signer.Abbrev(val)
			case k == "oauth_callback":
				val = redact.URLString(val)
			case !slices.Contains(shownOAuthParams, k):
				val = "REDACTED"
			}
			parts = append(parts, k+"="+val)
		}
	}
	return "OAuth " + strings.Join(parts, ", ")
}

// verboseTransport prints each request and response line and headers (as
// sent: signed, crumbs added), secrets redacted, to w.
type verboseTransport struct {
	base http.RoundTripper
	w    io.Writer
}

func (t *verboseTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s %s\n", req.Method, redact.URLString(req.URL.RequestURI()), "HTTP/1.1")
	fmt.Fprintf(&b, "> Host: %s\n", req.URL.Host)
	h := redact.Header(req.Header)
	if v := req.Header.Values("Authorization"); len(v) > 0 {
		h = h.Clone()
		h.Del("Authorization")
		for _, a := range v {
			h.Add("Authorization", authorizationSummary(a))
		}
	}
	writeHeaders(&b, "> ", h)
	fmt.Fprint(t.w, b.String())
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		fmt.Fprintf(t.w, "* %v\n", err)
		return nil, err
	}
	b.Reset()
	fmt.Fprintf(&b, "< %s %s\n", resp.Proto, resp.Status)
	writeHeaders(&b, "< ", redact.Header(resp.Header))
	fmt.Fprint(t.w, b.String())
	return resp, nil
}

func writeHeaders(b *strings.Builder, prefix string, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(b, "%s%s: %s\n", prefix, k, v)
		}
	}
}

// verboseLog is the slog handler of -v: what the library logs at info and
// above (each retry, with its attempt number, wait and cause) as one "* "
// line on w. The library's log carries no secret.
type verboseLog struct {
	mu    *sync.Mutex
	w     io.Writer
	attrs []slog.Attr
}

func newVerboseLog(w io.Writer) *verboseLog { return &verboseLog{mu: new(sync.Mutex), w: w} }

func (h *verboseLog) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (h *verboseLog) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString("* " + strings.TrimPrefix(r.Message, "applink: "))
	attrs := slices.Clone(h.attrs)
	r.Attrs(func(a slog.Attr) bool { attrs = append(attrs, a); return true })
	for _, a := range attrs {
		fmt.Fprintf(&b, " %s=%s", a.Key, quoteIfSpace(a.Value.String()))
	}
	b.WriteString("\n")
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

func (h *verboseLog) WithAttrs(as []slog.Attr) slog.Handler {
	return &verboseLog{mu: h.mu, w: h.w, attrs: append(slices.Clone(h.attrs), as...)}
}

// WithGroup is not needed by the library's records: attributes stay flat.
func (h *verboseLog) WithGroup(string) slog.Handler { return h }

func quoteIfSpace(s string) string {
	if strings.ContainsAny(s, " \t\"") {
		return fmt.Sprintf("%q", s)
	}
	return s
}
