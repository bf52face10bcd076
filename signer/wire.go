package signer

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Parameter names of the OAuth Problem Reporting extension, as net.oauth
// sends them.
const (
	paramProblem            = "oauth_problem"
	paramProblemAdvice      = "oauth_problem_advice"
	paramAcceptableTimes    = "oauth_acceptable_timestamps"
	paramAcceptableVersions = "oauth_acceptable_versions"
	paramParametersAbsent   = "oauth_parameters_absent"
	paramParametersRejected = "oauth_parameters_rejected"
	paramSignature          = "oauth_signature"
	paramSignatureMethod    = "oauth_signature_method"
	paramSignatureBase      = "oauth_signature_base_string"
)

// maxProblemBody caps how much of a response body [ParseProblem] looks at.
const maxProblemBody = 64 << 10

// ParseProblem reads the OAuth problem a provider reported, from the
// WWW-Authenticate "OAuth ..." header and/or an application/x-www-form-urlencoded
// (or text/plain, form-encoded) body, as net.oauth sends them; status is the
// response's HTTP status. It returns nil when neither carries oauth_problem.
// A body counts only when it is a problem form in its entirety (oauth_*
// parameters, form encoded, nothing else): a page that merely contains
// "oauth_problem=token_revoked" is not a problem.
// The header wins where both give a parameter. Free-text problems are kept
// as sent. It never panics on any input.
//
// oauth_parameters_absent and oauth_parameters_rejected are lists of
// percent-encoded names joined with "&" (net.oauth's form); they come back
// decoded, one name per element. Only the first 64 KiB of body are read.
func ParseProblem(status int, header http.Header, body []byte) *ProblemError {
	params := make(url.Values)
	var realm string
	for _, h := range header.Values("WWW-Authenticate") {
		ps, ok := parseChallenge(h)
		if !ok {
			continue
		}
		for _, p := range ps {
			if p.k == "realm" {
				if realm == "" {
					realm = p.v
				}
				continue
			}
			params[p.k] = append(params[p.k], p.v)
		}
	}
	if len(body) > 0 && bodyMayBeForm(header.Get("Content-Type")) {
		fromBody := make(url.Values)
		for _, p := range parseProblemForm(body) {
			fromBody[p.k] = append(fromBody[p.k], p.v)
		}
		for k, vs := range fromBody {
			if _, seen := params[k]; !seen {
				params[k] = vs
			}
		}
	}
	problem := params.Get(paramProblem)
	if problem == "" {
		return nil
	}
	e := &ProblemError{Status: status, Problem: problem, Realm: realm}
	for k, vs := range params {
		v := vs[0]
		switch k {
		case paramProblem:
		case paramProblemAdvice:
			e.Advice = v
		case paramAcceptableTimes:
			lo, hi, ok := parseTimestampRange(v)
			if !ok {
				e.addExtra(k, vs...)
				continue
			}
			e.MinTimestamp, e.MaxTimestamp = lo, hi
		case paramAcceptableVersions:
			e.AcceptableVersions = v
		case paramParametersAbsent:
			e.ParametersAbsent = splitNames(v)
		case paramParametersRejected:
			e.ParametersRejected = splitNames(v)
		case paramSignature:
			e.Signature = NewSecret(v)
		case paramSignatureMethod:
			e.SignatureMethod = v
		case paramSignatureBase:
			e.SignatureBaseString = NewSecret(v)
		default:
			e.addExtra(k, vs...)
		}
	}
	return e
}

func (e *ProblemError) addExtra(k string, vs ...string) {
	if e.Extra == nil {
		e.Extra = make(url.Values)
	}
	if SecretParameter(k) {
		// What a provider echoes of a secret parameter is the secret we
		// sent: keep that it came, never its value.
		masked := make([]string, len(vs))
		for i := range masked {
			masked[i] = "REDACTED"
		}
		vs = masked
	}
	e.Extra[k] = append(e.Extra[k], vs...)
}

// parseProblemForm parses a response body as net.oauth's problem form, or
// returns nil when it is not one in its entirety: every "&"-separated pair
// must be name=value with an oauth_ (or xoauth_) name, percent-encoded
// without error and without spaces, control characters or markup. So an
// application page that merely contains "&oauth_problem=token_revoked&"
// (say, echoing what a user typed) is not taken for a problem. Only the
// first 64 KiB are looked at; in a longer body the pair cut there is left
// out.
func parseProblemForm(body []byte) []pair {
	s := string(body)
	if len(s) > maxProblemBody {
		s = s[:maxProblemBody]
		if i := strings.LastIndexByte(s, '&'); i >= 0 {
			s = s[:i]
		} else {
			return nil
		}
	}
	s = strings.TrimSpace(s)
	var out []pair
	for kv := range strings.SplitSeq(s, "&") {
		if kv == "" {
			continue
		}
		for i := 0; i < len(kv); i++ {
			if c := kv[i]; c <= ' ' || c >= 0x7f || strings.IndexByte(`"<>\^{|}`+"`", c) >= 0 {
				return nil
			}
		}
		rawK, rawV, ok := strings.Cut(kv, "=")
		if !ok {
			return nil
		}
		k, err1 := url.QueryUnescape(rawK)
		v, err2 := url.QueryUnescape(rawV)
		if err1 != nil || err2 != nil || !isOAuthName(k) {
			return nil
		}
		out = append(out, pair{k, v})
	}
	return out
}

// bodyMayBeForm reports whether a response body of this content type may hold
// form-encoded problem parameters: a form, text/plain (Atlassian's token
// endpoints), or no content type at all.
func bodyMayBeForm(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "" || mt == "application/x-www-form-urlencoded" || mt == "text/plain"
}

// parseTimestampRange parses "min-max" in Unix seconds.
func parseTimestampRange(s string) (lo, hi int64, ok bool) {
	a, b, found := strings.Cut(strings.TrimSpace(s), "-")
	if !found {
		return 0, 0, false
	}
	lo, err1 := strconv.ParseInt(strings.TrimSpace(a), 10, 64)
	hi, err2 := strconv.ParseInt(strings.TrimSpace(b), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return lo, hi, true
}

// splitNames splits net.oauth's "&"-joined list of percent-encoded names.
func splitNames(s string) []string {
	var out []string
	for _, n := range strings.Split(s, "&") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if d, err := Decode(n); err == nil {
			n = d
		}
		out = append(out, n)
	}
	return out
}

// joinNames is the inverse of splitNames.
func joinNames(names []string) string {
	enc := make([]string, len(names))
	for i, n := range names {
		enc[i] = Encode(n)
	}
	return strings.Join(enc, "&")
}

// parseChallenge parses one WWW-Authenticate value of the OAuth scheme,
// leniently: a value whose percent-escapes are malformed is kept as sent, and
// parsing stops at the first malformed parameter, keeping what came before.
// ok is false when the value is not an OAuth challenge.
func parseChallenge(h string) (ps []pair, ok bool) {
	if !isOAuthScheme(h) {
		return nil, false
	}
	s := strings.TrimSpace(h)[5:]
	for {
		s = strings.TrimLeft(s, " \t,")
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return ps, true
		}
		name := strings.TrimSpace(s[:eq])
		if strings.ContainsAny(name, " \t,\"") {
			return ps, true
		}
		s = strings.TrimLeft(s[eq+1:], " \t")
		var raw string
		if strings.HasPrefix(s, `"`) {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				raw, s = s[1:], ""
			} else {
				raw, s = s[1:1+end], s[2+end:]
			}
		} else {
			end := strings.IndexAny(s, ", \t")
			if end < 0 {
				end = len(s)
			}
			raw, s = s[:end], s[end:]
		}
		ps = append(ps, pair{lenientDecode(name), lenientDecode(raw)})
	}
}

func lenientDecode(s string) string {
	if d, err := Decode(s); err == nil {
		return d
	}
	return s
}

// problemParams returns p's parameters in net.oauth's order: oauth_problem
// first, then its companions, then Extra sorted by name.
func problemParams(p *ProblemError) []pair {
	ps := []pair{{paramProblem, p.Problem}}
	add := func(k, v string) {
		if v != "" {
			ps = append(ps, pair{k, v})
		}
	}
	add(paramProblemAdvice, p.Advice)
	if p.MinTimestamp != 0 || p.MaxTimestamp != 0 {
		add(paramAcceptableTimes, strconv.FormatInt(p.MinTimestamp, 10)+"-"+strconv.FormatInt(p.MaxTimestamp, 10))
	}
	add(paramAcceptableVersions, p.AcceptableVersions)
	add(paramParametersAbsent, joinNames(p.ParametersAbsent))
	add(paramParametersRejected, joinNames(p.ParametersRejected))
	add(paramSignature, p.Signature.Reveal())
	add(paramSignatureMethod, p.SignatureMethod)
	add(paramSignatureBase, p.SignatureBaseString.Reveal())
	keys := make([]string, 0, len(p.Extra))
	for k := range p.Extra {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if k == "realm" || isProblemParam(k) || !isOAuthName(k) {
			continue
		}
		for _, v := range p.Extra[k] {
			ps = append(ps, pair{k, v})
		}
	}
	return ps
}

// isOAuthName reports whether k is an OAuth parameter name (oauth_ or the
// xoauth_ extensions): the only names a problem form may hold.
func isOAuthName(k string) bool {
	return strings.HasPrefix(k, "oauth_") || strings.HasPrefix(k, "xoauth_")
}

func isProblemParam(k string) bool {
	switch k {
	case paramProblem, paramProblemAdvice, paramAcceptableTimes, paramAcceptableVersions,
		paramParametersAbsent, paramParametersRejected, paramSignature, paramSignatureMethod, paramSignatureBase:
		return true
	}
	return false
}

// ChallengeHeader returns the value of the WWW-Authenticate header that
// [WriteProblem] sends for p: `OAuth realm="<percent-encoded realm>",
// oauth_problem="..."` and every other oauth_ parameter of p, each value
// percent-encoded (RFC 5849 §3.6). As in net.oauth, xoauth_ parameters go in
// the body only.
func ChallengeHeader(p *ProblemError) string {
	var b strings.Builder
	b.WriteString(`OAuth realm="`)
	b.WriteString(Encode(p.Realm))
	b.WriteByte('"')
	for _, kv := range problemParams(p) {
		if !strings.HasPrefix(kv.k, "oauth_") {
			continue
		}
		b.WriteString(", ")
		b.WriteString(Encode(kv.k))
		b.WriteString(`="`)
		b.WriteString(Encode(kv.v))
		b.WriteByte('"')
	}
	return b.String()
}

// WriteProblem writes p as net.oauth does: the status (p.StatusCode()), a
// "WWW-Authenticate: OAuth realm=..., oauth_problem=..." header with the
// percent-encoded realm and every parameter of p, and the same parameters as
// an application/x-www-form-urlencoded body. On signature_invalid the header
// and body include oauth_signature, oauth_signature_method and
// oauth_signature_base_string when p has them.
//
// Every non-empty field of p is written; a provider that does not want to
// echo the signature leaves it empty. Extra parameters whose names do not
// start with "oauth_" or "xoauth_" are not written: [ParseProblem] takes a
// body for a problem only when it holds OAuth parameters alone. A nil p
// writes nothing.
func WriteProblem(w http.ResponseWriter, p *ProblemError) {
	if p == nil {
		return
	}
	h := w.Header()
	h.Set("WWW-Authenticate", ChallengeHeader(p))
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	h.Set("Cache-Control", "no-store")
	var body strings.Builder
	for i, kv := range problemParams(p) {
		if i > 0 {
			body.WriteByte('&')
		}
		body.WriteString(Encode(kv.k))
		body.WriteByte('=')
		body.WriteString(Encode(kv.v))
	}
	h.Set("Content-Length", strconv.Itoa(body.Len()))
	w.WriteHeader(p.StatusCode())
	_, _ = io.WriteString(w, body.String())
}

// WriteProblemBrief writes p with its status and WWW-Authenticate header
// only, and no body: the shape of a provider's answer to an ordinary
// (non-token-endpoint) request. A nil p writes nothing.
func WriteProblemBrief(w http.ResponseWriter, p *ProblemError) {
	if p == nil {
		return
	}
	w.Header().Set("WWW-Authenticate", ChallengeHeader(p))
	w.WriteHeader(p.StatusCode())
}
