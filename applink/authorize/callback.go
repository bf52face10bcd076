package authorize

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/token"
)

// callbackURL returns the callback for a link's dances: its own,
// {base}{prefix}/callback/{link id}, or for an OAuth 2.0 link whose
// registered redirect URL is the shared {prefix}/callback of earlier
// versions, that one (NewHandler made sure no other OAuth 2.0 link has
// it).
func (h *danceHandler) callbackURL(l *applink.Link, base string) string {
	if isOAuth2(l) && h.sharedCallback(l) {
		return base + h.cfg.prefix + "/callback"
	}
	return CallbackURL(base, h.cfg.prefix, l.ID)
}

// sharedCallback reports whether an OAuth 2.0 link's registered redirect
// URL is the shared {prefix}/callback.
func (h *danceHandler) sharedCallback(l *applink.Link) bool {
	u, err := url.Parse(l.OAuth2.RedirectURL)
	return err == nil && u.Path == h.cfg.prefix+"/callback"
}

// callbackLink returns the link of a request to {prefix}/callback/{link id}.
func (h *danceHandler) callbackLink(r *http.Request) (*applink.Link, bool) {
	seg := strings.TrimPrefix(r.URL.EscapedPath(), h.cfg.prefix+"/callback/")
	id, err := url.PathUnescape(seg)
	if err != nil || id == "" || strings.Contains(seg, "/") {
		return nil, false
	}
	l := h.linkByID(id)
	return l, l != nil
}

// linkByID returns the service's link with the id (compared without regard
// to case), or nil.
func (h *danceHandler) linkByID(id string) *applink.Link {
	for _, l := range h.svc.Links() {
		if strings.EqualFold(l.ID, id) {
			return l
		}
	}
	return nil
}

// callback completes a dance at {prefix}/callback/{link id} (at the link's
// callback, own) or at the shared {prefix}/callback (own nil).
func (h *danceHandler) callback(w http.ResponseWriter, r *http.Request, own *applink.Link) {
	user, ok := h.user(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	ds, status, msg := h.claim(r, q.Get("state"), user)
	if ds == nil {
		writeDancePage(w, status, "Authorization refused", msg)
		return
	}
	l := h.linkByID(ds.LinkID)
	if l == nil {
		writeDancePage(w, http.StatusNotFound, "Unknown link", "the link of this authorization no longer exists.")
		return
	}
	// A callback completes only its own link's dances: a remote that sends
	// the browser back to the wrong link's callback, or with another
	// link's state, must not have a code (and the PKCE verifier) sent to
	// the other link's token endpoint (an OAuth mix-up, RFC 9700 §4.4).
	// The dance is spent: it is not put back.
	if (own != nil && own.ID != l.ID) || (own == nil && isOAuth2(l) && !h.sharedCallback(l)) {
		writeDancePage(w, http.StatusBadRequest, "Authorization refused",
			fmt.Sprintf("this authorization was started for the link %q but came back to the callback of another link, as in an OAuth mix-up attack: a remote sent it to the wrong place. Nothing was sent to any remote: start the authorization again, and check each link's redirect URL at its remote.", l.Name))
		return
	}
	verifier := callbackVerifier(q.Get("oauth_verifier"), q.Get("oauth_problem"))
	if isOAuth2(l) {
		// An OAuth 2.0 redirect: the state (claimed above) is the pending
		// authorization's value; the code or the error is in the query.
		verifier = r.URL.RawQuery
	} else if q.Get("oauth_token") != ds.RequestToken {
		writeDancePage(w, http.StatusBadRequest, "Authorization refused", "the callback is for another request token: start the authorization again.")
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), danceCompleteTimeout)
	defer cancel()
	f, err := l.RequestFactory(user)
	if err == nil {
		err = f.CompleteAuthorization(ctx, ds.RequestToken, verifier)
	}
	if err != nil {
		if !danceRetryable(err) {
			h.writeError(r, w, l.Name, err)
			return
		}
		// The request token is still pending: keep the dance, so that
		// reloading the callback tries the exchange again. It goes back
		// as it was (same state and expiry), outside the limits: it was
		// counted when it started.
		if perr := h.cfg.store.PutDance(ctx, ds, token.DanceLimits{}); perr != nil {
			h.logStoreError(r, "keeping a pending dance for a retry", perr)
			h.writeError(r, w, l.Name, err)
			return
		}
		h.writeRetryable(r, w, l.Name, err)
		return
	}
	w.Header().Set("Location", ds.Redirect)
	w.WriteHeader(http.StatusFound)
}

// claim takes the state's dance from the store (single use) and returns
// it, or says why it cannot be used: unknown, expired or already used
// (400), another user's (403, and it stays usable by its user), the store
// failing (503).
func (h *danceHandler) claim(r *http.Request, state, user string) (*token.PendingDance, int, string) {
	if state == "" {
		return nil, http.StatusBadRequest, "this authorization is unknown or has expired: start it again."
	}
	ds, err := h.cfg.store.TakeDance(r.Context(), state, user)
	var mismatch *token.DanceMismatchError
	switch {
	case errors.As(err, &mismatch):
		return nil, http.StatusForbidden, "this authorization was started by another user: sign in as that user, or start it again."
	case errors.Is(err, token.ErrDanceNotFound):
		return nil, http.StatusBadRequest, "this authorization is unknown, has expired or has already been completed (a callback cannot be used twice): start it again."
	case err != nil:
		h.logStoreError(r, "taking a pending dance", err)
		return nil, http.StatusServiceUnavailable, "the authorization could not be read: try again in a few minutes."
	case ds.Expired(h.now()):
		return nil, http.StatusBadRequest, "this authorization has expired: start it again."
	case ds.RequestToken == "":
		return nil, http.StatusBadRequest, "this authorization has not finished starting: start it again."
	}
	return ds, 0, ""
}

// lookupLink finds a link by id, else by name ([applink.Service.Link]).
func (h *danceHandler) lookupLink(idOrName string) (*applink.Link, int, error) {
	if idOrName == "" {
		return nil, http.StatusBadRequest, errors.New("the link parameter is missing: say which link to authorize (its id or name)")
	}
	l, err := h.svc.Link(idOrName)
	switch {
	case errors.Is(err, applink.ErrAmbiguousName):
		return nil, http.StatusBadRequest, fmt.Errorf("several links are named %q: use the link's id", idOrName)
	case err != nil || l == nil:
		return nil, http.StatusNotFound, fmt.Errorf("there is no link %q", idOrName)
	}
	return l, 0, nil
}

// baseURL returns the application's external base URL.
func (h *danceHandler) baseURL(r *http.Request) (string, error) {
	if h.cfg.base != "" {
		return h.cfg.base, nil
	}
	host := r.Host
	if host == "" || strings.ContainsAny(host, "/\\?#@ ") {
		return "", errors.New("the request has no usable Host: configure the application's base URL (WithBaseURL)")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + host, nil
}

// localRedirect checks that s is a path on this application ("" means
// "/"), so that the dance cannot be used to send a browser elsewhere.
func localRedirect(s string) (string, error) {
	if s == "" {
		return "/", nil
	}
	bad := fmt.Errorf("the redirect %q is not a local path: give a path on this application such as \"/projects\"", truncateForError(s))
	if len(s) > maxRedirectLen || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.Contains(s, "\\") {
		return "", bad
	}
	for _, c := range s {
		if unicode.IsControl(c) || unicode.IsSpace(c) {
			return "", bad
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "", bad
	}
	return s, nil
}

// truncateForError shortens a value quoted in an error message.
func truncateForError(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}
