package applink

import (
	"strings"

	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/internal/sigbase"
	"github.com/go-applinks/applinks/signer"
)

// problemAdvice is the one table of what to do about each OAuth 1.0a
// problem (PROTOCOL.md §5, the README's troubleshooting table). The
// library's errors, applink/doctor and the applink command all read it,
// through [ProblemAdvice] and [OAuthError.Advice].
var problemAdvice = map[string]string{
	signer.ProblemVersionRejected:                 "the remote wants another OAuth version: this link speaks OAuth 1.0a; for an OAuth 2.0 incoming link, give the link oauth2 settings and the oauth2 auth method",
	signer.ProblemParameterAbsent:                 "the remote did not get an OAuth parameter it needs (oauth_parameters_absent names it): make sure no proxy strips the Authorization header",
	signer.ProblemParameterRejected:               "the remote refused a parameter (oauth_parameters_rejected names it): check the request's query and form parameters",
	signer.ProblemTimestampRefused:                "the clocks differ by more than 5 minutes: synchronize this machine's and the remote's clocks (NTP)",
	signer.ProblemNonceUsed:                       "a request was replayed (a proxy retrying on its own?): send it again",
	signer.ProblemSignatureMethodRejected:         "the remote does not accept this signature method: Atlassian products take RSA-SHA1 (the link's private key), Jenkins HMAC-SHA1 (a shared secret)",
	signer.ProblemSignatureInvalid:                "the remote rebuilt a different URL than we signed, or checks the signature with another key: make the two URLs agree, either by setting the link's RPC URL to the URL the remote believes it is at (scheme, host, port and context path), or by making the remote see ours (a reverse proxy must pass on the original scheme, host and port: X-Forwarded-Proto/Host/Port, Tomcat's proxyName, proxyPort and scheme; calls that bypass the proxy need a separate connector without those settings); if the URLs agree, give the remote this application's public key (Jenkins: the same shared secret); 'applink doctor' finds which",
	signer.ProblemConsumerKeyUnknown:              "the remote has no incoming link for this consumer key: add one (Jira: Application Links → Incoming Authentication; Jenkins: Bitbucket Server consumer) with the same consumer key and this application's public key (Jenkins: its shared secret)",
	signer.ProblemConsumerKeyRejected:             "the remote refuses this consumer for this kind of request: check the incoming link's settings (3LO, 2LO, impersonation)",
	signer.ProblemConsumerKeyRefused:              "the remote refuses this consumer for this kind of request: check the incoming link's settings (3LO, 2LO, impersonation)",
	signer.ProblemTokenUsed:                       "the token was already used: authorize again",
	signer.ProblemTokenExpired:                    "the access token expired and could not be renewed: authorize again",
	signer.ProblemTokenRevoked:                    "the user or an administrator revoked the access token: authorize again",
	signer.ProblemTokenRejected:                   "the remote does not know the token (revoked, or issued to another consumer): authorize again",
	signer.ProblemTokenNotAuthorized:              "the request token was not approved: approve in the browser, then finish the dance",
	signer.ProblemAdditionalAuthorizationRequired: "the token does not grant this: authorize again, granting the access asked for",
	signer.ProblemPermissionUnknown:               "the user has not approved yet: approve in the browser, then finish the dance",
	signer.ProblemPermissionDenied:                "the user refused access: authorize again and choose Allow",
	signer.ProblemUserRefused:                     "the user refused access: authorize again and choose Allow",
}

// ProblemAdvice says what to do about an OAuth 1.0a problem (an
// oauth_problem such as [signer.ProblemSignatureInvalid]), in one clause
// without a capital or a final period; "" for a problem it does not know.
// It is the advice [OAuthError.Error] gives, and the applink command and
// applink/doctor give; [OAuthError.Advice] refines it with what the
// request tells.
func ProblemAdvice(problem string) string { return problemAdvice[problem] }

// Advice says what to do about the problem: [ProblemAdvice], refined by
// what this request tells. On signature_invalid it compares the two
// signature base strings (ours and the one the remote echoed): the same
// string on both sides means the remote checks the signature with another
// key; a different scheme, host, port or path means a reverse proxy; a
// different method or parameters, something rewriting the request. On
// permission_denied for 2LO or 2LOi it names the authentication level the
// remote's incoming link must allow.
func (e *OAuthError) Advice() string {
	if e == nil || e.Problem == nil {
		return ""
	}
	switch e.Problem.Problem {
	case signer.ProblemSignatureInvalid:
		if advice := signatureAdvice(redact.BaseString(e.BaseString), e.ProviderBaseString()); advice != "" {
			return advice
		}
	case signer.ProblemPermissionDenied:
		switch e.Auth {
		case Auth2LOi:
			return "the remote's incoming link does not allow impersonation through 2LO: tick \"Allow user impersonation through 2-Legged OAuth\" in its incoming authentication, or remove 2loi from the link's auth list"
		case Auth2LO:
			return "the remote's incoming link does not allow 2-legged OAuth: tick \"Allow 2-Legged OAuth\" (with an execute-as user) in its incoming authentication, or remove 2lo from the link's auth list"
		}
	}
	return ProblemAdvice(e.Problem.Problem)
}

// signatureAdvice says what a signature_invalid comes from, given our
// signature base string and the one the remote echoed (either may be
// redacted): the wrong key when both are the same, a reverse proxy when
// the URLs differ, something rewriting the request when the method or the
// parameters do. It returns "" when the two cannot be compared (the remote
// echoed none): then [ProblemAdvice] is all there is to say.
func signatureAdvice(ours, theirs string) string {
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
