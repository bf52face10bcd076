package signer

import (
	"net/http"
)

// ParseProblem reads the OAuth problem a provider reported, from the
// WWW-Authenticate "OAuth ..." header and/or an application/x-www-form-urlencoded
// (or text/plain, form-encoded) body, as net.oauth sends them; status is the
// response's HTTP status. It returns nil when neither carries oauth_problem.
// The header wins where both give a parameter. Free-text problems are kept
// as sent. It never panics on any input.
func ParseProblem(status int, header http.Header, body []byte) *ProblemError {
	return nil
}

// WriteProblem writes p as net.oauth does: the status (p.StatusCode()), a
// "WWW-Authenticate: OAuth realm=..., oauth_problem=..." header with the
// percent-encoded realm and every parameter of p, and the same parameters as
// an application/x-www-form-urlencoded body. On signature_invalid the header
// and body include oauth_signature, oauth_signature_method and
// oauth_signature_base_string when p has them.
func WriteProblem(w http.ResponseWriter, p *ProblemError) {
	w.WriteHeader(p.StatusCode())
}
