package applinktest

import (
	"crypto/rand"
	"fmt"
	"net/url"
	"strings"

	"github.com/go-applinks/applinks/internal/redact"
)

// authzRequest is a checked authorization request.
type authzRequest struct {
	client                        *OAuth2Client
	redirect, state, scope        string
	challenge                     string
	errCode, errDesc              string // an error to send to the redirect URI
	pageErr                       string // an error shown on the page (no redirect)
	responseType, challengeMethod string
}

// checkAuthz checks an authorization request's parameters as the consent
// page does; the caller holds s.mu. Errors about the client or the redirect
// URI are shown on the page, never sent to the redirect URI (RFC 6749
// §4.1.2.1); others are sent to it.
func (s *Server) checkAuthzLocked(q url.Values) *authzRequest {
	a := &authzRequest{redirect: q.Get("redirect_uri"), state: q.Get("state"),
		responseType: q.Get("response_type"), challenge: q.Get("code_challenge"),
		challengeMethod: q.Get("code_challenge_method")}
	c, ok := s.o2.clients[q.Get("client_id")]
	switch {
	case q.Get("client_id") == "":
		a.pageErr = "client_id is missing"
		return a
	case !ok:
		a.pageErr = "unknown client_id: no incoming OAuth 2.0 link has it"
		return a
	case a.redirect == "":
		a.pageErr = "redirect_uri is missing"
		return a
	case a.redirect != c.RedirectURL:
		a.pageErr = "redirect_uri does not match the redirect URL of the incoming link exactly"
		return a
	}
	a.client = c
	scope, serr := grantScope(q.Get("scope"), c.scope())
	a.scope = scope
	switch {
	case a.responseType != "code":
		a.errCode, a.errDesc = "unsupported_response_type", "response_type must be code"
	case serr != "":
		a.errCode, a.errDesc = "invalid_scope", serr
	case a.challenge == "" && a.challengeMethod != "":
		a.errCode, a.errDesc = "invalid_request", "code_challenge_method without code_challenge"
	case a.challenge != "" && a.challengeMethod != "S256":
		a.errCode, a.errDesc = "invalid_request", "code_challenge_method must be S256"
	case a.challenge != "" && (len(a.challenge) < 43 || len(a.challenge) > 128):
		a.errCode, a.errDesc = "invalid_request", "code_challenge must be 43 to 128 characters"
	}
	return a
}

// grantScope reads a requested scope (space-separated; "" means the
// client's) and returns the strongest one asked for, or a description of
// why it is refused.
func grantScope(requested, max string) (string, string) {
	fields := strings.Fields(requested)
	if len(fields) == 0 {
		return max, ""
	}
	best := ""
	for _, f := range fields {
		r := scopeRank(f)
		if r == 0 {
			return "", fmt.Sprintf("unknown scope %q: use READ, WRITE, ADMIN or SYSTEM_ADMIN", f)
		}
		if r > scopeRank(best) {
			best = f
		}
	}
	if scopeRank(best) > scopeRank(max) {
		return "", fmt.Sprintf("scope %s exceeds %s, the scope of the incoming link", best, max)
	}
	return best, ""
}

// redirectWith returns the redirect URI with params added.
func redirectWith(redirect string, params [][2]string) string {
	u, err := url.Parse(redirect)
	if err != nil {
		return redirect
	}
	q := u.Query()
	for _, p := range params {
		if p[1] != "" {
			q.Set(p[0], p[1])
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// ApproveOAuth2 approves an OAuth 2.0 authorization URL (the consent page
// URL a client sends the user to) as user, as the user's click on "Allow"
// does, and returns the URL the browser is then redirected to: the client's
// redirect URL with code and state, or with error and state for an invalid
// request (unsupported response type, invalid scope or PKCE parameters). An
// unknown client, a redirect URL other than the registered one, a URL of
// another page and an unknown user are errors (nothing is redirected).
func (s *Server) ApproveOAuth2(authorizationURL, user string) (redirect string, err error) {
	q, err := s.authorizationQuery(authorizationURL)
	if err != nil {
		return "", err
	}
	return s.approveOAuth2(q, user)
}

// DenyOAuth2 refuses an OAuth 2.0 authorization URL, as the user's click on
// "Deny" does, and returns the client's redirect URL with
// error=access_denied and the state.
func (s *Server) DenyOAuth2(authorizationURL string) (redirect string, err error) {
	q, err := s.authorizationQuery(authorizationURL)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	a := s.checkAuthzLocked(q)
	s.mu.Unlock()
	if a.pageErr != "" {
		return "", fmt.Errorf("applinktest: cannot deny: %s", a.pageErr)
	}
	return redirectWith(a.redirect, [][2]string{{"error", "access_denied"}, {"state", a.state}}), nil
}

// authorizationQuery returns the query of an authorization URL of this server.
func (s *Server) authorizationQuery(authorizationURL string) (url.Values, error) {
	u, err := url.Parse(authorizationURL)
	if err != nil {
		return nil, fmt.Errorf("applinktest: not an OAuth 2.0 authorization URL: %w", err)
	}
	if u.Path != OAuth2AuthorizePath && u.Path != strings.TrimSuffix(s.base.Path, "/")+OAuth2AuthorizePath {
		return nil, fmt.Errorf("applinktest: %s is not this server's OAuth 2.0 authorization page (%s)", redact.URL(u), OAuth2AuthorizePath)
	}
	return u.Query(), nil
}

// approveOAuth2 issues an authorization code for q as user.
func (s *Server) approveOAuth2(q url.Values, user string) (string, error) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shape != OAuth2 {
		return "", fmt.Errorf("applinktest: the %s shape has no OAuth 2.0 provider", s.shape)
	}
	a := s.checkAuthzLocked(q)
	if a.pageErr != "" {
		return "", fmt.Errorf("applinktest: cannot approve: %s", a.pageErr)
	}
	if a.errCode != "" {
		return redirectWith(a.redirect, [][2]string{{"error", a.errCode}, {"error_description", a.errDesc}, {"state", a.state}}), nil
	}
	if !s.users[user] {
		return "", fmt.Errorf("applinktest: cannot approve as %q: no such user: add it with WithUsers or AddUser", user)
	}
	if len(s.o2.codes) >= purgeAt {
		for k, c := range s.o2.codes {
			if !now.Before(c.expires) {
				delete(s.o2.codes, k)
			}
		}
	}
	code := rand.Text()
	s.o2.codes[code] = &o2code{client: a.client.ID, user: user, redirect: a.redirect, scope: a.scope,
		challenge: a.challenge, expires: now.Add(s.o2.codeTTL)}
	return redirectWith(a.redirect, [][2]string{{"code", code}, {"state", a.state}}), nil
}
