package redact

import (
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
)

// Secrets replaces with [Mask] every occurrence in s of each non-empty
// secret, as it was sent or encoded the ways a remote may echo it: percent
// encoded as in a query or form (both "+" and "%20" for a space). It is for
// text a remote answered after the SDK sent it these secrets (an
// error_description, a problem's advice, a body excerpt): a server that
// echoes the request must not carry a refresh token or client secret into
// an error or a log. Longer secrets are masked first, so that one that
// contains another is masked whole.
func Secrets(s string, secrets ...string) string {
	if s == "" {
		return s
	}
	forms := make([]string, 0, 3*len(secrets))
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		forms = append(forms, secret, url.QueryEscape(secret), url.PathEscape(secret))
	}
	slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) })
	for _, f := range slices.Compact(forms) {
		if strings.Contains(s, f) {
			s = strings.ReplaceAll(s, f, Mask)
		}
	}
	return s
}

// SecretsIn masks secrets, as [Secrets] does, in place: in each string
// strs points to, each string of lists, and each key and value of values
// (a key that changes is merged into its masked form). It is for the
// fields of a structure a remote answered, such as an OAuth problem.
func SecretsIn(secrets []string, strs []*string, lists [][]string, values map[string][]string) {
	for _, p := range strs {
		*p = Secrets(*p, secrets...)
	}
	for _, l := range lists {
		for i, v := range l {
			l[i] = Secrets(v, secrets...)
		}
	}
	for k, vs := range values {
		for i, v := range vs {
			vs[i] = Secrets(v, secrets...)
		}
		if m := Secrets(k, secrets...); m != k {
			delete(values, k)
			values[m] = append(values[m], vs...)
		}
	}
}

// BasicCredentials returns the value an "Authorization: Basic" header
// carries for id and secret (RFC 6749 §2.3.1: each form encoded first), so
// that [Secrets] can mask it when a remote echoes the header.
func BasicCredentials(id, secret string) string {
	return base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id) + ":" + url.QueryEscape(secret)))
}
