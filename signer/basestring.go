package signer

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-applinks/applinks/internal/redact"
)

// maxFormBody caps how much of an application/x-www-form-urlencoded body is
// read to collect signature parameters.
const maxFormBody = 10 << 20

// BaseString returns the signature base string (RFC 5849 §3.4.1) of a request
// that carries its OAuth parameters in an "Authorization: OAuth ..." header, as
// a provider rebuilds it. On the client it reproduces what [Signer.Sign]
// signed; on a provider it is what the signature is checked against.
//
// The URL's scheme and host come from r.URL; when r.Host is set it wins over
// r.URL.Host (it is what goes on the wire), and an empty scheme means "https"
// when r.TLS is set, "http" otherwise (a server-side request). A form body is
// read and put back (through r.GetBody when it is set), so r can still be sent
// or handled.
//
// The result carries the oauth_verifier or oauth_session_handle (secrets)
// in clear when the request has one: pass it through [RedactBaseString]
// before showing it to anyone.
func BaseString(r *http.Request) (string, error) { return RFC5849.BaseString(r) }

// BuildBaseString assembles a signature base string from its three parts: the
// HTTP method (upper-cased here), the request URL (only scheme, host, port and
// path are used; query and fragment are ignored) and every parameter to sign
// (query, form body and oauth_* parameters, already decoded). An
// "oauth_signature" or "realm" entry in params is left out, as RFC 5849
// §3.4.1.3.1 says.
func BuildBaseString(method string, u *url.URL, params url.Values) string {
	if u == nil {
		u = &url.URL{}
	}
	pairs := make([]pair, 0, len(params)+2)
	for k, vs := range params {
		if k == "oauth_signature" || k == "realm" {
			continue
		}
		for _, v := range vs {
			pairs = append(pairs, pair{k, v})
		}
	}
	return assemble(method, baseURI(u.Scheme, u.Host, u.EscapedPath()), pairs)
}

// RequestParams returns the parameters that a signature covers besides the
// oauth_* ones: every query parameter and every parameter of an
// application/x-www-form-urlencoded body. Repeated names keep every value; a
// name without "=" has an empty value; "+" in the query or body means a space.
// The body is read and put back.
func RequestParams(r *http.Request) (url.Values, error) { return RFC5849.RequestParams(r) }

// pair is one decoded parameter.
type pair struct{ k, v string }

// requestBaseString builds the base string of r with the given oauth
// parameters (decoded; oauth_signature and realm are skipped), collecting
// the others in dialect d.
func requestBaseString(r *http.Request, oauth []pair, d Dialect) (string, error) {
	var buf [16]pair
	enc := buf[:0]
	for _, p := range oauth {
		if p.k == "oauth_signature" || p.k == "realm" {
			continue
		}
		enc = append(enc, pair{Encode(p.k), Encode(p.v)})
	}
	return baseString(r, enc, d)
}

// requestPairs collects query and form parameters of r in dialect d and
// appends the oauth parameters given, skipping oauth_signature and realm.
func requestPairs(r *http.Request, oauth []pair, d Dialect) ([]pair, error) {
	n := len(oauth) + 2 // a form body's parameters are not known yet
	if r.URL != nil && r.URL.RawQuery != "" {
		n += strings.Count(r.URL.RawQuery, "&") + 1
	}
	pairs := make([]pair, 0, n)
	dropEmpty := d == Servlet
	var err error
	if r.URL != nil && r.URL.RawQuery != "" {
		if pairs, err = appendForm(pairs, r.URL.RawQuery, dropEmpty, url.QueryUnescape); err != nil {
			return nil, fmt.Errorf("signer: query: %w", err)
		}
	}
	if isFormRequest(r) && d.signsForm(r.Method) {
		body, err := peekBody(r)
		if err != nil {
			return nil, err
		}
		if pairs, err = appendForm(pairs, string(body), dropEmpty, url.QueryUnescape); err != nil {
			return nil, fmt.Errorf("signer: form body: %w", err)
		}
	}
	for _, p := range oauth {
		if p.k == "oauth_signature" || p.k == "realm" {
			continue
		}
		pairs = append(pairs, p)
	}
	return pairs, nil
}

// isFormRequest reports whether r's Content-Type names a URL-encoded form.
// Its canonical key is looked up directly: Header.Get would only check it.
func isFormRequest(r *http.Request) bool {
	ct := r.Header["Content-Type"]
	return len(ct) > 0 && isForm(ct[0])
}

// isForm reports whether a Content-Type names a URL-encoded form, with or
// without parameters such as "; charset=UTF-8".
func isForm(contentType string) bool {
	if contentType == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		// Be lenient with a malformed parameter list: the media type is what matters.
		mt, _, _ = strings.Cut(contentType, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
	}
	return mt == "application/x-www-form-urlencoded"
}

// peekBody returns the request body and leaves r able to send or read it again.
func peekBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.GetBody != nil {
		rc, err := r.GetBody()
		if err != nil {
			return nil, fmt.Errorf("signer: reading form body: %w", err)
		}
		defer rc.Close()
		return readCapped(rc)
	}
	b, err := readCapped(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return b, nil
}

func readCapped(rd io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(rd, maxFormBody+1))
	if err != nil {
		return nil, fmt.Errorf("signer: reading form body: %w", err)
	}
	if len(b) > maxFormBody {
		return nil, fmt.Errorf("signer: form body is larger than %d bytes: too large to sign", maxFormBody)
	}
	return b, nil
}

// appendForm appends the parameters of an application/x-www-form-urlencoded
// string ("+" is a space, a key without "=" has an empty value, "&"
// separates; ";" is data), each name and value turned by conv: decoded
// (url.QueryUnescape), or percent-encoded as the base string sorts and
// joins them ([reencode]). With dropEmpty, a parameter whose name is empty
// is left out, as servlet containers leave it out.
func appendForm(pairs []pair, s string, dropEmpty bool, conv func(string) (string, error)) ([]pair, error) {
	for s != "" {
		var kv string
		kv, s, _ = strings.Cut(s, "&")
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		ck, err := conv(k)
		if err != nil {
			return nil, fmt.Errorf("parameter name %q: %w", k, err)
		}
		if ck == "" && dropEmpty {
			continue
		}
		cv, err := conv(v)
		if err != nil {
			dk, _ := url.QueryUnescape(k)
			return nil, fmt.Errorf("value of %q: %w", dk, err)
		}
		pairs = append(pairs, pair{ck, cv})
	}
	return pairs, nil
}

// baseURI normalizes scheme, host and path by RFC 5849 §3.4.1.2.
func baseURI(scheme, host, path string) string {
	scheme, host, path = normalizeURI(scheme, host, path)
	return scheme + "://" + host + path
}

// normalizeURI returns the parts of the base string URI (RFC 5849
// §3.4.1.2): scheme and host in lower case, the host without its default
// port, and "/" for an empty path.
func normalizeURI(scheme, host, path string) (string, string, string) {
	scheme = strings.ToLower(scheme)
	host = strings.ToLower(host)
	// Only a host with a port is split: SplitHostPort allocates an error
	// for one without.
	if strings.LastIndexByte(host, ':') > strings.LastIndexByte(host, ']') {
		if h, port, err := net.SplitHostPort(host); err == nil {
			// An empty port is the default one (RFC 3986 §6.2.3); Go's
			// client drops it from the Host header too.
			if port == "" || (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
				host = h
				if strings.Contains(h, ":") {
					host = "[" + h + "]"
				}
			}
		}
	}
	if path == "" {
		path = "/"
	}
	return scheme, host, path
}

// assemble encodes the parameters and builds the base string with
// [appendBase].
//
// It encodes the pairs in place: callers hand over a slice they no longer
// read.
func assemble(method, uri string, pairs []pair) string {
	for i, p := range pairs {
		pairs[i] = pair{Encode(p.k), Encode(p.v)}
	}
	var buf [1024]byte
	return string(appendBase(buf[:0], method, nil, pairs, uri))
}

// SecretParameter reports whether the value of the OAuth parameter name is
// a secret that must never be shown: oauth_verifier (it proves the user's
// approval), oauth_session_handle (it renews an access token),
// oauth_token_secret, and oauth_signature (with PLAINTEXT it is the secrets
// themselves; it never belongs in a base string). Every redaction of a base
// string, header or form this module prints masks these. oauth_token,
// oauth_consumer_key, oauth_nonce and the other oauth_* parameters a
// signature is debugged with are not secret.
func SecretParameter(name string) bool { return redact.SecretParameter(name) }

// RedactBaseString returns a signature base string with the value of every
// [SecretParameter] (oauth_verifier, oauth_session_handle,
// oauth_token_secret, oauth_signature) replaced by "REDACTED", fit for a log
// or an error message. Other text is kept, so two redacted base strings can
// still be compared to find why a signature failed.
func RedactBaseString(base string) string {
	return redactParams(base, "%3D", "%26")
}

// redactParams masks the values of the secret parameters in s, where a
// parameter is name+eq+value and values end at sep (a base string's
// parameters: "%3D" and "%26"; a form: "=" and "&"). A name counts only
// where a parameter starts: at the start of s, after sep, or after the "&"
// that starts a base string's parameter part.
func redactParams(s, eq, sep string) string {
	// next[k] is where the next parameter secretParams[k] starts at or after
	// pos (-1: none left; -2: not looked for yet). Each name is searched
	// forward only, so the whole runs in time linear in len(s).
	var next [len(secretParams)]int
	for k := range next {
		next[k] = -2
	}
	var b strings.Builder
	pos := 0
	for {
		best := -1
		for k, n := range secretParams {
			if next[k] == -2 || next[k] >= 0 && next[k] < pos {
				next[k] = findParam(s, pos, n+eq, sep)
			}
			if next[k] >= 0 && (best < 0 || next[k] < next[best]) {
				best = k
			}
		}
		if best < 0 {
			b.WriteString(s[pos:])
			return b.String()
		}
		value := next[best] + len(secretParams[best]) + len(eq)
		end := strings.Index(s[value:], sep)
		if end < 0 {
			end = len(s) - value
		}
		b.WriteString(s[pos:value])
		b.WriteString("REDACTED")
		pos = value + end
	}
}

// findParam returns the index of the first key (a name and its "=") at or
// after from that starts a parameter, or -1.
func findParam(s string, from int, key, sep string) int {
	for from <= len(s) {
		i := strings.Index(s[from:], key)
		if i < 0 {
			return -1
		}
		i += from
		if i == 0 || s[i-1] == '&' || strings.HasSuffix(s[:i], sep) {
			return i
		}
		from = i + 1
	}
	return -1
}

// secretParams are the parameters [SecretParameter] names, from the
// module's one list.
var secretParams = redact.SecretParameters
