package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"strings"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/internal/advice"
	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/signer"
)

// Exit codes.
const (
	exitOK          = 0 // success (2xx for request)
	exitFailure     = 1 // an HTTP or OAuth error, or anything else that went wrong
	exitUsage       = 2 // a wrong flag or argument
	exitCredentials = 3 // the user must authorize the link first
)

// usageError is a wrong flag or argument: exit 2.
type usageError struct {
	cmd string // "applink request"
	msg string
}

func (e *usageError) Error() string {
	return fmt.Sprintf("%s: %s: run '%s -h' for usage", strings.TrimPrefix(e.cmd, "applink "), e.msg, e.cmd)
}

// statusError is a response that was printed but is not a success: exit 1
// with the message.
type statusError struct {
	method, url string // url redacted
	status      string
	code        int
	problem     string // the oauth_problem (or OAuth 2.0 error) of WWW-Authenticate, if any
	scope       string // the scope a Bearer challenge says is needed
	advice      string
}

func (e *statusError) Error() string {
	msg := fmt.Sprintf("%s %s: %s", e.method, e.url, e.status)
	if e.advice != "" {
		msg += ": " + e.advice
	}
	return msg
}

// credentialsError wraps a *applink.CredentialsRequiredError with what the
// command line should tell the person: the link and user to name in
// "applink authorize".
type credentialsError struct {
	err     *applink.CredentialsRequiredError
	factory *applink.RequestFactory // the request's, to start the dance
	link    string                  // as the person named it
	user    string
}

func (e *credentialsError) Error() string { return e.err.Error() }
func (e *credentialsError) Unwrap() error { return e.err }

// report prints err on stderr as one line ("applink: what went wrong: what
// to do", plus the authorization URL on its own line when credentials are
// required) and returns the exit code.
func report(ctx context.Context, stderr io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintln(stderr, "applink: "+oneLine(message(err)))
	var ue *usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	var ce *credentialsError
	if errors.As(err, &ce) {
		printAuthorizationHint(ctx, stderr, ce)
		return exitCredentials
	}
	var cr *applink.CredentialsRequiredError
	if errors.As(err, &cr) {
		return exitCredentials
	}
	return exitFailure
}

// printAuthorizationHint starts an out-of-band dance so that the person has
// a URL to visit, and says how to finish it or to use the browser flow.
func printAuthorizationHint(ctx context.Context, stderr io.Writer, ce *credentialsError) {
	if ce.err.Method == applink.AuthPAT {
		// No dance exists for a personal access token: no URL to offer.
		fmt.Fprintf(stderr, "%s makes a new personal access token in their profile at the remote (Profile → Personal Access Tokens); then store it: 'applink tokens set --link %s --user %s --pat-env VAR' (or --pat-file FILE, or the token on standard input)\n",
			ce.user, shellQuote(ce.link), shellQuote(ce.user))
		return
	}
	authorize := fmt.Sprintf("applink authorize --link %s --user %s", shellQuote(ce.link), shellQuote(ce.user))
	u, err := ce.factory.AuthorizationURL(ctx, "")
	if err != nil {
		fmt.Fprintf(stderr, "applink: could not get an authorization URL (%s): run '%s'\n", oneLine(message(err)), authorize)
		return
	}
	fmt.Fprintf(stderr, "authorize as %s here:\n%s\n", ce.user, u)
	fmt.Fprintf(stderr, "then paste the verification code it shows (or the address your browser lands on) into '%s --oob --request-token %s', or simply run '%s'\n",
		authorize, shellQuote(pendingToken(u)), authorize)
}

// pendingToken returns what names a pending authorization in its URL: the
// request token (OAuth 1.0a) or the state (OAuth 2.0), which
// "authorize --oob --request-token" takes.
func pendingToken(u *url.URL) string {
	if t := u.Query().Get("oauth_token"); t != "" {
		return t
	}
	return u.Query().Get("state")
}

// message is err's text without the package prefixes that would repeat
// "applink: ", with advice for OAuth problems that have a known fix.
func message(err error) string {
	msg := err.Error()
	for _, p := range []string{"applink: ", "signer: "} {
		msg = strings.TrimPrefix(msg, p)
		msg = strings.ReplaceAll(msg, ": "+p, ": ")
	}
	// An *applink.OAuthError already carries the advice and both base
	// strings, and credentials required says to authorize; a bare problem
	// (from the dance) gets the library's advice.
	var (
		pe *signer.ProblemError
		oe *applink.OAuthError
		cr *applink.CredentialsRequiredError
	)
	if errors.As(err, &pe) && !errors.As(err, &oe) && !errors.As(err, &cr) {
		if advice := (&applink.OAuthError{Problem: pe}).Advice(); advice != "" && !strings.Contains(msg, advice) {
			msg += ": " + advice
		}
		if pe.Problem == signer.ProblemSignatureInvalid && !pe.SignatureBaseString.IsZero() && !strings.Contains(msg, "the remote signed") {
			msg += "; the remote signed " + redact.Shorten(redact.BaseString(pe.SignatureBaseString.Reveal()), 512)
		}
	}
	var (
		opErr  *net.OpError
		dnsErr *net.DNSError
	)
	// Network advice only where the library gave none (token endpoints do).
	advised := strings.Contains(msg, "the remote is up")
	switch {
	case advised:
	case errors.Is(err, fs.ErrNotExist):
		msg += ": check the path"
	case errors.Is(err, fs.ErrPermission):
		msg += ": check the file's permissions"
	case errors.As(err, &dnsErr):
		msg += ": check the host name in the link's RPC URL (applink link show)"
	case errors.As(err, &opErr) && opErr.Timeout():
		msg += ": the remote did not answer in time: check that it is up, or try again"
	case errors.As(err, &opErr):
		msg += ": check the link's RPC URL (applink link show) and that the remote is up and reachable from here"
	}
	return msg
}

// oneLine joins a multi-line message (errors.Join) with "; ".
func oneLine(s string) string {
	var parts []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, strings.TrimPrefix(l, "applink: "))
		}
	}
	return strings.Join(parts, "; ")
}

// redactedURL is a URL safe to print.
func redactedURL(u *url.URL) string { return redact.URL(u) }

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@=,+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Error kinds of the JSON error object.
const (
	kindCredentialsRequired = "credentials_required" // exit 3: authorize first
	kindOAuthProblem        = "oauth_problem"        // the remote refused the OAuth request (OAuth 1.0a problem or OAuth 2.0 error)
	kindInsufficientScope   = "insufficient_scope"   // OAuth 2.0: the token's scope does not allow the request
	kindHTTPStatus          = "http_status"          // the remote answered with a status that is not a success
	kindUsage               = "usage"                // exit 2: a wrong flag or argument
	kindNetwork             = "network"              // the remote could not be reached or did not answer
	kindOther               = "other"                // anything else (config file, key file, token store, ...)
)

// jsonError is what a command run with --json writes on stderr when it
// fails: one JSON object, so that a script never parses prose.
type jsonError struct {
	ExitCode int    `json:"exitCode"`
	Kind     string `json:"kind"`
	Message  string `json:"message"`
	// Problem and Advice are the remote's oauth_problem and
	// oauth_problem_advice (or ours when it gave none); for OAuth 2.0,
	// Problem is the error code (invalid_token, insufficient_scope, ...).
	Problem string `json:"problem,omitempty"`
	Advice  string `json:"advice,omitempty"`
	// Status is the HTTP status code, whenever the remote answered.
	Status int `json:"status,omitempty"`
	// Scope is the scope the remote said the request needs
	// (insufficient_scope with WWW-Authenticate scope=).
	Scope string `json:"scope,omitempty"`
	// Attempts is how many times the request was sent, when retried.
	Attempts int    `json:"attempts,omitempty"`
	Link     string `json:"link,omitempty"`
	User     string `json:"user,omitempty"`
	// AuthorizationURL and RequestToken start the dance for credentials
	// required: visit the URL, then finish with AuthorizeCommand (which
	// reads the verification code on standard input).
	AuthorizationURL string `json:"authorizationUrl,omitempty"`
	RequestToken     string `json:"requestToken,omitempty"`
	AuthorizeCommand string `json:"authorizeCommand,omitempty"`
	// AuthorizationError says why no authorization URL could be had.
	AuthorizationError string `json:"authorizationError,omitempty"`
}

// reportJSON is report for --json: err as one JSON object on one line of
// stderr, and the exit code.
func reportJSON(ctx context.Context, stderr io.Writer, err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return report(ctx, stderr, err)
	}
	je := describe(ctx, err)
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)   // URLs keep their "&"
	if enc.Encode(je) != nil { // cannot happen with these field types
		return report(ctx, stderr, err)
	}
	fmt.Fprint(stderr, b.String())
	return je.ExitCode
}

// describe classifies err for the JSON error object; for credentials
// required it starts a dance to have an authorization URL.
func describe(ctx context.Context, err error) jsonError {
	je := jsonError{ExitCode: exitFailure, Kind: kindOther, Message: oneLine(message(err))}
	var (
		ue   *usageError
		ce   *credentialsError
		cr   *applink.CredentialsRequiredError
		se   *statusError
		pe   *signer.ProblemError
		ne   net.Error
		ope  *net.OpError
		dnse *net.DNSError
		re   *applink.RetryError
		o2e  *applink.OAuth2Error
		rse  *handler.ResponseError
		tre  *applink.TokenRedirectError
	)
	if errors.As(err, &re) {
		je.Attempts = re.Attempts
	}
	switch {
	case errors.As(err, &ue):
		je.ExitCode, je.Kind = exitUsage, kindUsage
	case errors.As(err, &cr):
		je.ExitCode, je.Kind = exitCredentials, kindCredentialsRequired
		je.Link, je.User = cr.LinkName, cr.User
		if errors.As(err, &pe) {
			je.Problem, je.Advice, je.Status = pe.Problem, adviceOf(err, pe), pe.Status
		}
		link := cr.LinkName
		if errors.As(err, &ce) {
			link, je.User = ce.link, ce.user
		}
		if cr.Method == applink.AuthPAT {
			// No dance: a new token from the user's profile, stored.
			je.Advice = strings.Replace(advice.PATProfile, "their", "the user's", 1) + " and store it"
			je.AuthorizeCommand = fmt.Sprintf("applink tokens set --link %s --user %s --pat-env VAR", shellQuote(link), shellQuote(je.User))
			break
		}
		authorize := fmt.Sprintf("applink authorize --link %s --user %s", shellQuote(link), shellQuote(je.User))
		var u *url.URL
		aerr := errors.New("no request factory to start the dance with")
		if ce != nil && ce.factory != nil {
			u, aerr = ce.factory.AuthorizationURL(ctx, "")
		}
		if aerr != nil {
			je.AuthorizationError = oneLine(message(aerr))
			je.AuthorizeCommand = authorize
			break
		}
		je.AuthorizationURL = u.String()
		je.RequestToken = pendingToken(u)
		je.AuthorizeCommand = authorize + " --oob --request-token " + shellQuote(je.RequestToken)
	case errors.As(err, &o2e):
		je.Kind, je.Status, je.Problem, je.Scope = kindOAuthProblem, o2e.Status, o2e.Code, o2e.Scope
		je.Advice = o2e.Advice()
		if o2e.Code == "insufficient_scope" {
			je.Kind = kindInsufficientScope
		}
	case errors.As(err, &pe):
		je.Kind = kindOAuthProblem
		je.Problem, je.Advice, je.Status = pe.Problem, adviceOf(err, pe), pe.Status
		if je.Status == 0 {
			je.Status = signer.ProblemStatus(pe.Problem)
		}
	case errors.As(err, &se):
		je.Kind, je.Status, je.Advice = kindHTTPStatus, se.code, se.advice
		if se.problem != "" {
			je.Kind, je.Problem = kindOAuthProblem, se.problem
		}
		if se.problem == "insufficient_scope" {
			je.Kind, je.Scope = kindInsufficientScope, se.scope
		}
	case errors.As(err, &rse):
		je.Kind, je.Status = kindHTTPStatus, rse.StatusCode
	case errors.As(err, &tre):
		je.Status = tre.Status
	case errors.As(err, &dnse), errors.As(err, &ope), errors.As(err, &ne):
		je.Kind = kindNetwork
	}
	return je
}

// adviceOf is the remote's oauth_problem_advice, else the library's for
// the problem (refined by the request's *applink.OAuthError when err has
// one).
func adviceOf(err error, pe *signer.ProblemError) string {
	if pe.Advice != "" {
		return pe.Advice
	}
	var oe *applink.OAuthError
	if !errors.As(err, &oe) {
		oe = &applink.OAuthError{Problem: pe}
	}
	return oe.Advice()
}
