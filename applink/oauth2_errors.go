package applink

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-applinks/applinks/internal/oauth2link"
	"github.com/go-applinks/applinks/internal/redact"
)

// OAuth2Error is an OAuth 2.0 error a remote answered: its token endpoint
// refused a grant (RFC 6749 §5.2: invalid_grant, invalid_client, ...), the
// consent page redirected with an error, or a resource refused a bearer
// token (RFC 6750 §3: invalid_token, insufficient_scope). It never holds a
// token, code or secret.
type OAuth2Error struct {
	LinkName string
	// Step is what failed: "exchanging the authorization code",
	// "refreshing the access token", "getting a client credentials
	// token", "authorizing at the consent page", or the method and
	// redacted URL of a resource request.
	Step string
	// Status is the HTTP status; 0 if none (a redirect's error).
	Status int
	// Code is the OAuth 2.0 error code; "" when the remote's answer was
	// not OAuth 2.0 JSON.
	Code string
	// Description is the remote's error_description, shortened, with
	// every secret the SDK sent in that exchange (bearer, refresh token,
	// client secret, code, PKCE verifier) masked: servers echo them.
	Description string
	// Scope is the scope a resource said it needs (insufficient_scope).
	Scope string
}

// Error names the link, the step, the code and what to do.
func (e *OAuth2Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "applink: link %q: %s: the remote answered", e.LinkName, e.Step)
	if e.Status != 0 {
		fmt.Fprintf(&b, " %d", e.Status)
	}
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Description != "" {
		b.WriteString(" (" + e.Description + ")")
	}
	if advice := oauth2Advice(e); advice != "" {
		b.WriteString(": " + advice)
	}
	return b.String()
}

// Advice says what to do about the error, from the one table of advice per
// OAuth 2.0 error code that [OAuth2Error.Error] ends with; "" when there is
// none for the code.
func (e *OAuth2Error) Advice() string { return oauth2Advice(e) }

func oauth2Advice(e *OAuth2Error) string {
	switch e.Code {
	case oauth2link.CodeInvalidClient, oauth2link.CodeUnauthorized:
		return "check the client id and secret (oauth2.clientId, oauth2.clientSecretEnv or oauth2.clientSecretFile) against the remote's incoming OAuth 2.0 link"
	case oauth2link.CodeInvalidGrant:
		if e.Step == "refreshing the access token" && e.Description == "" {
			return "the refresh token is spent, revoked or expired, or the redirect URL differs from the registered one (Data Center checks it on refresh): the user must authorize again"
		}
		return "the grant is no longer valid: the user must authorize again"
	case oauth2link.CodeInvalidScope:
		return "ask for no more than the incoming link's scope (oauth2.scopes)"
	case oauth2link.CodeInsufficientScope:
		need := e.Scope
		if need == "" {
			need = "a wider scope"
		}
		return "the token's scope does not allow this request: it needs " + need + ": add it to oauth2.scopes (and allow it for the remote's incoming link, or for the Cloud app in the developer console), then authorize again"
	case "unsupported_grant_type":
		if strings.Contains(e.Step, "client credentials") {
			return "this remote does not offer client_credentials (service accounts need a newer Data Center version)"
		}
	}
	return ""
}

// oauth2Error turns an error of package oauth2link into an *OAuth2Error
// of the link; other errors are wrapped with the link's name.
func (st *linkState) oauth2Error(err error) error {
	var e *oauth2link.Error
	if errors.As(err, &e) {
		return &OAuth2Error{LinkName: st.link.Name, Step: e.Step, Status: e.Status, Code: e.Code, Description: e.Description}
	}
	var own *TokenRedirectError
	if errors.As(err, &own) {
		return own
	}
	return fmt.Errorf("applink: link %q: %w", st.link.Name, err)
}

// bearerProblem reads a resource's refusal of a bearer token: 401 or 403
// with a "WWW-Authenticate: Bearer" challenge. It returns nil for any other
// response.
func bearerProblem(linkName, step string, resp *http.Response) *OAuth2Error {
	if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
		return nil
	}
	ch, ok := oauth2link.ParseBearerChallenge(resp.Header)
	if !ok {
		return nil
	}
	// The resource may echo the bearer token it refused: mask it.
	bearer := sentBearer(resp.Request)
	code := redact.Secrets(ch.Code, bearer)
	if code == "" && resp.StatusCode == http.StatusUnauthorized {
		code = oauth2link.CodeInvalidToken
	}
	return &OAuth2Error{LinkName: linkName, Step: step, Status: resp.StatusCode, Code: code,
		Description: redact.Secrets(ch.Description, bearer), Scope: redact.Secrets(ch.Scope, bearer)}
}

// sentBearer returns the bearer token a request was sent with, or "".
func sentBearer(req *http.Request) string {
	if req == nil {
		return ""
	}
	scheme, tok, ok := strings.Cut(req.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}
