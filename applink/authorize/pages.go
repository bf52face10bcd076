package authorize

// The web dance's pages: what the browser is answered, and which failures
// of the dance may be retried.

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/internal/seam"
	"github.com/go-applinks/applinks/signer"
)

// writeDancePage answers with a small HTML page.
func writeDancePage(w http.ResponseWriter, status int, title, message string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'")
	w.WriteHeader(status)
	t := html.EscapeString(title)
	_, _ = fmt.Fprintf(w, "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>%s</title></head>\n<body><h1>%s</h1>\n<p>%s</p></body></html>\n",
		t, t, html.EscapeString(message))
}

// writeError answers a browser with the page for an error of the dance.
// The dance's own errors are shown as they are; the remote's OAuth
// problems without the link's (possibly internal) RPC URL; anything else
// (a network failure) as a short message, the details going to the
// service's log.
func (h *danceHandler) writeError(r *http.Request, w http.ResponseWriter, linkName string, err error) {
	status, title := danceErrorStatus(err)
	var (
		dance   *applink.DanceError
		notConf *applink.AuthNotConfiguredError
	)
	msg := err.Error()
	_, problem := seam.TokenEndpoint(err)
	switch {
	case errors.As(err, &dance), errors.As(err, &notConf):
	case problem != "":
		msg = problem
	default:
		msg = fmt.Sprintf("applink: link %q: the authorization could not be completed with the remote application; the application's log has the details.", linkName)
	}
	if h.view.Logger != nil && status >= http.StatusInternalServerError {
		h.view.Logger.WarnContext(r.Context(), "applink/authorize: the dance failed", "link", linkName, "err", err)
	}
	writeDancePage(w, status, title, msg)
}

// danceRetryable reports whether a failed exchange at the callback may
// succeed when tried again with the same request token and verifier: not
// after a denial, an expired or used request token, or a token of another
// user (those delete the pending token or never could succeed), but after
// the remote failed (unreachable, slow, 5xx) or said the user has not
// approved yet.
func danceRetryable(err error) bool {
	switch danceReason(err) {
	case applink.ErrDanceNotApproved:
		return true
	case applink.ErrDanceDenied, applink.ErrDanceExpired, applink.ErrDanceWrongUser, applink.ErrDanceIssuerMismatch, applink.ErrDanceCallbackNotConfirmed:
		return false
	}
	status, problem := seam.TokenEndpoint(err)
	var pe *signer.ProblemError
	switch {
	case status != 0:
		return status >= http.StatusInternalServerError || status == http.StatusTooManyRequests
	case problem != "" && errors.As(err, &pe):
		// An OAuth problem: the remote's considered answer. Only its
		// unavailable-for-now problems are worth a retry.
		return pe.StatusCode() >= http.StatusInternalServerError && pe.Problem != signer.ProblemUserRefused &&
			pe.Problem != signer.ProblemConsumerKeyRefused
	}
	// Anything else is the network (refused, reset, timed out) or a
	// store that failed to save: nothing was decided.
	return true
}

// writeRetryable answers a failed exchange whose dance was kept: what
// happened, and that reloading tries again.
func (h *danceHandler) writeRetryable(r *http.Request, w http.ResponseWriter, linkName string, err error) {
	status, title := http.StatusBadGateway, "The remote application failed"
	what := "the remote application could not be reached"
	endpointStatus, problem := seam.TokenEndpoint(err)
	var pe *signer.ProblemError
	switch {
	case errors.Is(err, applink.ErrDanceNotApproved):
		status, title = http.StatusConflict, "Not approved yet"
		what = "the remote application says you have not approved the access yet: approve it there first"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		status, title = http.StatusGatewayTimeout, "The remote did not answer"
		what = "the remote application did not answer in time"
	case endpointStatus != 0:
		what = fmt.Sprintf("the remote application answered HTTP %d (%s) instead of an access token", endpointStatus, http.StatusText(endpointStatus))
	case problem != "" && errors.As(err, &pe):
		what = "the remote application is not available: " + pe.Error()
	}
	if h.view.Logger != nil && status >= http.StatusInternalServerError {
		h.view.Logger.WarnContext(r.Context(), "applink/authorize: the dance's token exchange failed; the dance is kept for a retry", "link", linkName, "err", err)
	}
	writeDancePage(w, status, title, fmt.Sprintf("applink: link %q: %s. Nothing was lost: reload this page to try again.", linkName, what))
}

// writeStartPage answers GET {prefix}/start: a page with a button that
// posts the start form for the link and redirect, which are valid. The
// page may not be framed (no clickjacking of its button).
func writeStartPage(w http.ResponseWriter, linkID, linkName, redirect string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(http.StatusOK)
	title := html.EscapeString("Authorize " + linkName)
	_, _ = fmt.Fprintf(w, "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>%s</title></head>\n<body><h1>%s</h1>\n"+
		"<p>%s</p>\n<form method=\"post\" action=\"start\"><input type=\"hidden\" name=\"link\" value=\"%s\">"+
		"<input type=\"hidden\" name=\"redirect\" value=\"%s\"><button type=\"submit\">Continue</button></form></body></html>\n",
		title, title, html.EscapeString("This application asks to act as you on "+linkName+": you will be sent there to approve it."),
		html.EscapeString(linkID), html.EscapeString(redirect))
}

// writeDanceError answers with the page for an error of the dance.
func writeDanceError(w http.ResponseWriter, err error) {
	status, title := danceErrorStatus(err)
	writeDancePage(w, status, title, err.Error())
}

// danceErrorStatus maps an error of the dance to a status and a title.
func danceErrorStatus(err error) (int, string) {
	switch danceReason(err) {
	case applink.ErrDanceIssuerMismatch:
		return http.StatusBadRequest, "Authorization refused"
	case applink.ErrDanceCallbackNotConfirmed:
		return http.StatusBadGateway, "Unsafe remote application"
	case applink.ErrDanceDenied:
		return http.StatusForbidden, "Access denied"
	case applink.ErrDanceWrongUser:
		return http.StatusForbidden, "Authorization refused"
	case applink.ErrDanceExpired:
		return http.StatusBadRequest, "Authorization expired"
	case applink.ErrDanceNotApproved:
		return http.StatusConflict, "Not approved yet"
	}
	var notConf *applink.AuthNotConfiguredError
	switch {
	case errors.As(err, &notConf):
		return http.StatusBadRequest, "Not available"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout, "The remote did not answer"
	}
	return http.StatusBadGateway, "The remote application refused"
}

// danceReason returns the Reason of the *applink.DanceError err is or
// wraps, or nil.
func danceReason(err error) error {
	var de *applink.DanceError
	if errors.As(err, &de) {
		return de.Reason
	}
	return nil
}

// isTimeout reports whether err is a network timeout.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
