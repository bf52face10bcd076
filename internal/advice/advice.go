// Package advice says what to do about the problems a remote reports:
// one table of advice per OAuth 1.0a problem (PROTOCOL.md §5, the README's
// troubleshooting table), refined by what a request tells. applink's
// errors, and through them applink/doctor and the applink command, read
// it: the advice is written once.
//
// Each piece of advice is one clause, lower case, without a final period,
// so that it ends a message after ": ".
package advice

import (
	"fmt"
	"strings"
	"time"

	"github.com/go-applinks/applinks/internal/oauth2link"
	"github.com/go-applinks/applinks/internal/sigbase"
)

// PATProfile says where a user makes a new personal access token.
const PATProfile = "make a new personal access token in their profile at the remote (Profile → Personal Access Tokens)"

// OAuth1 says what to do about an OAuth 1.0a problem (an oauth_problem
// such as "signature_invalid"); "" for a problem it does not know.
func OAuth1(problem string) string { return oauth1[problem] }

// oauth1 is the one table of advice per OAuth 1.0a problem, by the codes
// of the OAuth Problem Reporting extension.
var oauth1 = map[string]string{
	"version_rejected":                  "the remote wants another OAuth version: this link speaks OAuth 1.0a; for an OAuth 2.0 incoming link, give the link oauth2 settings and the oauth2 auth method",
	"parameter_absent":                  "the remote did not get an OAuth parameter it needs (oauth_parameters_absent names it): make sure no proxy strips the Authorization header",
	"parameter_rejected":                "the remote refused a parameter (oauth_parameters_rejected names it): check the request's query and form parameters",
	"timestamp_refused":                 "the clocks differ by more than 5 minutes: synchronize this machine's and the remote's clocks (NTP)",
	"nonce_used":                        "a request was replayed (a proxy retrying on its own?): send it again",
	"signature_method_rejected":         "the remote does not accept this signature method: Atlassian products take RSA-SHA1 (the link's private key), Jenkins HMAC-SHA1 (a shared secret)",
	"signature_invalid":                 "the remote rebuilt a different URL than we signed, or checks the signature with another key: make the two URLs agree, either by setting the link's RPC URL to the URL the remote believes it is at (scheme, host, port and context path), or by making the remote see ours (a reverse proxy must pass on the original scheme, host and port: X-Forwarded-Proto/Host/Port, Tomcat's proxyName, proxyPort and scheme; calls that bypass the proxy need a separate connector without those settings); if the URLs agree, give the remote this application's public key (Jenkins: the same shared secret); 'applink doctor' finds which",
	"consumer_key_unknown":              "the remote has no incoming link for this consumer key: add one (Jira: Application Links → Incoming Authentication; Jenkins: Bitbucket Server consumer) with the same consumer key and this application's public key (Jenkins: its shared secret)",
	"consumer_key_rejected":             "the remote refuses this consumer for this kind of request: check the incoming link's settings (3LO, 2LO, impersonation)",
	"consumer_key_refused":              "the remote refuses this consumer for this kind of request: check the incoming link's settings (3LO, 2LO, impersonation)",
	"token_used":                        "the token was already used: authorize again",
	"token_expired":                     "the access token expired and could not be renewed: authorize again",
	"token_revoked":                     "the user or an administrator revoked the access token: authorize again",
	"token_rejected":                    "the remote does not know the token (revoked, or issued to another consumer): authorize again",
	"token_not_authorized":              "the request token was not approved: approve in the browser, then finish the dance",
	"additional_authorization_required": "the token does not grant this: authorize again, granting the access asked for",
	"permission_unknown":                "the user has not approved yet: approve in the browser, then finish the dance",
	"permission_denied":                 "the user refused access: authorize again and choose Allow",
	"user_refused":                      "the user refused access: authorize again and choose Allow",
}

// TimestampRefused says what to do about timestamp_refused when the
// remote gave the range of timestamps it accepts (Unix seconds), which the
// link has corrected its clock by once already.
func TimestampRefused(minTimestamp, maxTimestamp int64) string {
	return fmt.Sprintf("our timestamp is outside the range the remote accepts (%s to %s), and the link corrects a refused timestamp by that range once: synchronize this machine's and the remote's clocks (NTP)",
		time.Unix(minTimestamp, 0).UTC().Format(time.RFC3339), time.Unix(maxTimestamp, 0).UTC().Format(time.RFC3339))
}

// PermissionDenied says what to do about permission_denied to a 2LO
// ("2lo") or 2LOi ("2loi") request: the remote's incoming link does not
// allow that level; "" for another method.
func PermissionDenied(auth string) string {
	switch auth {
	case "2loi":
		return "the remote's incoming link does not allow impersonation through 2LO: tick \"Allow user impersonation through 2-Legged OAuth\" in its incoming authentication, or remove 2loi from the link's auth list"
	case "2lo":
		return "the remote's incoming link does not allow 2-legged OAuth: tick \"Allow 2-Legged OAuth\" (with an execute-as user) in its incoming authentication, or remove 2lo from the link's auth list"
	}
	return ""
}

// Signature says what a signature_invalid comes from, given our signature
// base string and the one the remote echoed (either may be redacted): the
// wrong key when both are the same, a reverse proxy when the URLs differ,
// something rewriting the request when the method or the parameters do.
// It returns "" when the two cannot be compared (the remote echoed none):
// then [OAuth1] is all there is to say.
func Signature(ours, theirs string) string {
	v := sigbase.Explain(ours, theirs)
	switch v.Cause {
	case sigbase.CauseKey:
		return "the same signature base string on both sides, so the remote checks the signature with another key: give the remote's incoming link this application's public key for the consumer, or give the link the private key whose public half the remote has (Jenkins: the same shared secret)"
	case sigbase.CauseURL:
		return "the remote sees another " + andList(v.Diff.URLParts) + " than the link's rpcUrl (a reverse proxy): make the two URLs agree, either by setting the link's rpcUrl to the URL the remote believes it is at, or by making the remote see ours (X-Forwarded-Proto/Host/Port; Tomcat's proxyName, proxyPort and scheme)"
	case sigbase.CauseMethod:
		return "the remote saw another HTTP method than we signed (" + v.Ours.Method + " → " + v.Theirs.Method + "): something between here and the remote rewrites it; send the request straight to the remote"
	case sigbase.CauseParams:
		return "the parameters differ (" + strings.Join(v.Diff.ParamDiffs(), ", ") + "): something between here and the remote changes the query or form parameters (a CDN or proxy); send requests to the remote without it"
	}
	return ""
}

// andList joins words as prose: "a", "a and b", "a, b and c".
func andList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// OAuth2 says what to do about an OAuth 2.0 error code (RFC 6749 §5.2,
// RFC 6750 §3.1) that a token endpoint or a resource answered at step
// (such as "refreshing the access token"), with its error_description
// and, for insufficient_scope, the scope the resource asked for; "" for a
// code it has no advice for.
func OAuth2(code, step, description, scope string) string {
	switch code {
	case oauth2link.CodeInvalidClient, oauth2link.CodeUnauthorized:
		return "check the client id and secret (oauth2.clientId, oauth2.clientSecretEnv or oauth2.clientSecretFile) against the remote's incoming OAuth 2.0 link"
	case oauth2link.CodeInvalidGrant:
		if step == "refreshing the access token" && description == "" {
			return "the refresh token is spent, revoked or expired, or the redirect URL differs from the registered one (Data Center checks it on refresh): the user must authorize again"
		}
		return "the grant is no longer valid: the user must authorize again"
	case oauth2link.CodeInvalidScope:
		return "ask for no more than the incoming link's scope (oauth2.scopes)"
	case oauth2link.CodeInsufficientScope:
		need := scope
		if need == "" {
			need = "a wider scope"
		}
		return "the token's scope does not allow this request: it needs " + need + ": add it to oauth2.scopes (and allow it for the remote's incoming link, or for the Cloud app in the developer console), then authorize again"
	case "unsupported_grant_type":
		if strings.Contains(step, "client credentials") {
			return "this remote does not offer client_credentials (service accounts need a newer Data Center version)"
		}
	}
	return ""
}
