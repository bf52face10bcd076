package engine

import (
	"net/http"
	"net/url"
	"strings"
)

// Requestor is the parameter that names the user a 2LOi request acts as.
const Requestor = "xoauth_requestor_id"

// WithRequestor returns a raw query with xoauth_requestor_id=user added
// (replacing any there), leaving the other parameters exactly as they were
// written.
func WithRequestor(rawQuery, user string) string {
	var b strings.Builder
	for seg := range strings.SplitSeq(rawQuery, "&") {
		if seg == "" {
			continue
		}
		k, _, _ := strings.Cut(seg, "=")
		if name, err := url.QueryUnescape(k); err == nil && name == Requestor {
			continue
		}
		b.WriteString(seg)
		b.WriteByte('&')
	}
	b.WriteString(Requestor + "=")
	b.WriteString(strings.ReplaceAll(url.QueryEscape(user), "+", "%20"))
	return b.String()
}

// HasRequestor reports whether a raw query names xoauth_requestor_id, as
// url.ParseQuery reads it, without parsing a query that cannot (one
// without a percent-escape that does not spell the name), which is most.
func HasRequestor(rawQuery string) bool {
	if !strings.Contains(rawQuery, Requestor) && !strings.Contains(rawQuery, "%") {
		return false
	}
	q, _ := url.ParseQuery(rawQuery)
	return q.Has(Requestor)
}

// BodyNamesRequestor reports whether req's form body names a user in
// xoauth_requestor_id: whether params (what a signed request's parameters
// are, the signer's rule) finds it more often in the whole request than in
// its URL's query. A body that cannot be replayed is read here (the signer
// would read it anyway): the request returned, then a clone of req,
// carries it.
func BodyNamesRequestor(req *http.Request, params func(*http.Request) (url.Values, error)) (*http.Request, bool, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return req, false, nil
	}
	if req.GetBody == nil {
		req = req.Clone(req.Context())
	}
	all, err := params(req) // buffers a body without GetBody
	if err != nil {
		return nil, false, err
	}
	query, err := params(&http.Request{URL: req.URL})
	if err != nil {
		return nil, false, err
	}
	return req, len(all[Requestor]) != len(query[Requestor]), nil
}
