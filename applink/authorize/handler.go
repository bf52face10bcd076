package authorize

// The 3-legged dance for web applications: an http.Handler with a start
// endpoint and a callback endpoint, as Application Links' "login dance"
// servlet plays it.

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/internal/seam"
)

type handlerConfig struct {
	prefix    string
	base      string
	ttl       time.Duration
	maxStates int
	perUser   int
	store     token.DanceStore
	origins   *http.CrossOriginProtection
}

// Defaults of [NewHandler].
const (
	// DefaultPrefix is where the handler expects to be mounted.
	DefaultPrefix = "/applinks/oauth"
	// defaultDanceStateTTL is how long a started dance may take: the
	// request token's own life.
	defaultDanceStateTTL = 10 * time.Minute
	// defaultDanceMaxStates bounds the dances in progress.
	defaultDanceMaxStates = 10000
	// defaultDanceMaxPerUser bounds one user's dances in progress.
	defaultDanceMaxPerUser = 3
	// maxStartForm bounds the body of the start form.
	maxStartForm = 16 << 10
	// danceCompleteTimeout bounds the exchange at the callback, which goes
	// on if the browser leaves.
	danceCompleteTimeout = 30 * time.Second
	// maxRedirectLen bounds the redirect parameter.
	maxRedirectLen = 2048
)

// StartURL returns the local path of the page that starts the dance
// for a link (id or name) and comes back to redirect, a local path: what a
// web page links to when a request returned *[applink.CredentialsRequiredError].
// Visiting it (GET) shows a page with a button, which starts the dance
// (POST); it is also the action of a start form on the application's own
// page (<form method="post" action="...">, no fields needed: link and
// redirect ride in the query). prefix "" means [DefaultPrefix].
func StartURL(prefix, link, redirect string) string {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	q := url.Values{"link": {link}}
	if redirect != "" {
		q.Set("redirect", redirect)
	}
	return prefix + "/start?" + q.Encode()
}

// CallbackURL returns where the dance handler mounted at prefix ("" means
// [DefaultPrefix]) in the application at base ("https://app.example.com")
// expects the remote to send the browser back for one link:
// {base}{prefix}/callback/{link id}. Register it as an OAuth 2.0 link's
// redirect URL at the remote, and as the link's oauth2.redirectUrl: each
// OAuth 2.0 link needs its own (see [NewHandler]).
func CallbackURL(base, prefix, linkID string) string {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return strings.TrimSuffix(base, "/") + prefix + "/callback/" + url.PathEscape(linkID)
}

// NewHandler returns the 3-legged dance for a web application, to be
// mounted at the prefix (see [WithPrefix]; mux.Handle(prefix+"/", h)):
//
//   - POST {prefix}/start with the form fields link=<id or name> and
//     redirect=<local path> (or the same in the query) obtains a request
//     token with {base}{prefix}/callback/{link id}?state=S as the callback and
//     redirects the browser to the remote's authorize page. The state S is
//     random, bound to the current user, the link, the request token and
//     the redirect, single use, and forgotten after 10 minutes.
//   - GET {prefix}/start?link=...&redirect=... ([StartURL]) changes
//     nothing: it answers a page whose "Authorize" button posts that form.
//   - GET {prefix}/callback/{link id}?state=S&oauth_token=T&oauth_verifier=V,
//     where the remote sends the browser back, checks that S is known,
//     unused, the current user's and this link's, completes the dance
//     ([applink.RequestFactory.CompleteAuthorization]) and redirects to the
//     redirect path.
//
// Starting a dance changes state (a request token at the remote, a pending
// dance here), so it takes POST and is refused (403) when the browser says
// it comes from another site: [http.CrossOriginProtection] checks the
// Sec-Fetch-Site and Origin headers (see [WithCrossOriginProtection]).
// Another site can neither start dances in a user's name nor fill the
// pending dances; the application's own page posts the form, or links to
// [StartURL]. Each user has at most 3 dances pending
// ([WithMaxPendingPerUser]; a new one forgets their oldest) and all users
// together 10000 ([WithMaxPending]; beyond, 503).
//
// currentUser returns the signed-in user of the application's own session;
// an error or "" answers 401. redirect must be a local path ("/x"; not
// "//x", not absolute, no backslash) or the start answers 400: there is no
// open redirect. Errors are answered with a short HTML page saying what
// went wrong, with the matching status (400 bad or replayed callback, 401
// not signed in, 403 another user's callback, a denial or a cross-site
// start, 404 unknown link, 502 the remote failed, 504 it did not answer).
// When the token exchange at the callback fails for a reason a retry may
// cure (the remote unreachable, slow or answering 5xx, or the user not
// having approved yet), the page says what happened and the dance stays
// pending: reloading the callback tries again.
//
// OAuth 2.0 links (auth oauth2) work the same way: the start redirects to
// the remote's consent page with S as the OAuth 2.0 state and a PKCE
// challenge, and the remote redirects to
// {base}{prefix}/callback/{link id}?code=C&state=S. Register exactly that
// URL ([CallbackURL]) as the incoming link's redirect URL at the
// remote, and as the link's oauth2.redirectUrl. A callback completes only
// the dances of its own link: a state of another link is refused (400)
// before any code is exchanged. So a remote that sends a user back with
// another link's state (an OAuth mix-up, RFC 9700 §4.4) gets neither that
// link's code nor its PKCE verifier posted to its token endpoint. When the
// redirect carries iss (RFC 9207), it must be the link's issuer (see
// [applink.OAuth2Client]). Two OAuth 2.0 links with one redirect URL are refused.
// The shared {prefix}/callback of earlier versions still completes OAuth
// 1.0a dances, and the OAuth 2.0 dances of the one link whose registered
// redirect URL it is.
//
// The dances in progress are kept in a [token.DanceStore] (see [WithDanceStore]):
// by default the service's token store when it is one. When every replica
// of an application uses one shared store (applink/pgstore, or a token
// file shared by the processes of one host), a dance started on one
// replica completes on any other: no sticky sessions are needed. Only with
// a token store that is not a token.DanceStore are they kept in the handler's
// memory, and then the callback must reach the instance that started the
// dance. It is safe for concurrent use.
func NewHandler(svc *applink.Service, currentUser func(*http.Request) (string, error), opts ...Option) (http.Handler, error) {
	if svc == nil {
		return nil, errors.New("applink/authorize: NewHandler needs a Service")
	}
	if currentUser == nil {
		return nil, errors.New("applink/authorize: NewHandler needs a currentUser function returning the signed-in user of the application")
	}
	view, err := seam.OpenService(svc)
	if err != nil {
		return nil, err
	}
	cfg := handlerConfig{prefix: DefaultPrefix, ttl: defaultDanceStateTTL, maxStates: defaultDanceMaxStates}
	if err := (&optionSet{target: forHandler, handler: &cfg}).apply(opts); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(cfg.prefix, "/") || strings.HasSuffix(cfg.prefix, "/") || strings.ContainsAny(cfg.prefix, "?#\\") {
		return nil, fmt.Errorf("applink/authorize: prefix %q must start with \"/\", not end with one, and have no ?, # or \\ (such as %q)", cfg.prefix, DefaultPrefix)
	}
	if cfg.base != "" {
		u, err := url.Parse(cfg.base)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("applink/authorize: base URL %q must be an absolute http or https URL without query or fragment", cfg.base)
		}
		cfg.base = strings.TrimSuffix(u.String(), "/")
	}
	if cfg.ttl <= 0 {
		cfg.ttl = defaultDanceStateTTL
	}
	if cfg.maxStates <= 0 {
		cfg.maxStates = defaultDanceMaxStates
	}
	if cfg.perUser <= 0 {
		cfg.perUser = defaultDanceMaxPerUser
	}
	if cfg.origins == nil {
		cfg.origins = http.NewCrossOriginProtection()
	}
	if err := checkRedirectURLs(svc, cfg.prefix); err != nil {
		return nil, err
	}
	if cfg.store == nil {
		if ds, ok := svc.TokenStore().(token.DanceStore); ok {
			cfg.store = ds
		} else {
			cfg.store = token.NewMemoryStore(token.WithClock(view.Now))
		}
	}
	return &danceHandler{svc: svc, view: view, currentUser: currentUser, cfg: cfg}, nil
}

// checkRedirectURLs refuses OAuth 2.0 links that share a redirect URL: the
// callback could not tell which remote sent the browser back.
func checkRedirectURLs(svc *applink.Service, prefix string) error {
	seen := map[string]string{}
	for _, l := range svc.Links() {
		if !isOAuth2(l) || l.OAuth2.RedirectURL == "" {
			continue
		}
		key := strings.ToLower(strings.TrimSuffix(l.OAuth2.RedirectURL, "/"))
		if other, ok := seen[key]; ok {
			return fmt.Errorf("applink/authorize: the OAuth 2.0 links %q and %q share the redirect URL %s, so the dance could not tell which remote sent a user back (an OAuth mix-up, RFC 9700 §4.4): give each link its own, {base}%s/callback/{link id} (CallbackURL), at the remote and in oauth2.redirectUrl",
				other, l.Name, redact.URLString(l.OAuth2.RedirectURL), prefix)
		}
		seen[key] = l.Name
	}
	return nil
}

// isOAuth2 reports whether l is an OAuth 2.0 link: one whose auth lists
// oauth2 or client-credentials, with an OAuth 2.0 client. Its 3-legged
// dance is OAuth 2.0's consent, and its callback carries code and state.
func isOAuth2(l *applink.Link) bool {
	return l.OAuth2 != nil && slices.ContainsFunc(l.Auth, func(a applink.Auth) bool {
		return a == applink.AuthOAuth2 || a == applink.AuthClientCredentials
	})
}

// danceHandler serves the start and callback endpoints.
type danceHandler struct {
	svc         *applink.Service
	view        *seam.Service // the service's clock and logger
	currentUser func(*http.Request) (string, error)
	cfg         handlerConfig
}

func (h *danceHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	// The callback URL carries the verifier: keep it out of Referer headers.
	w.Header().Set("Referrer-Policy", "no-referrer")
	switch {
	case r.URL.Path == h.cfg.prefix+"/start" && r.Method == http.MethodPost:
		if err := h.cfg.origins.Check(r); err != nil {
			writeDancePage(w, http.StatusForbidden, "Cross-site request refused",
				"the authorization can only be started from this application's own pages: go back to the application and start it there.")
			return
		}
		h.start(w, r)
	case r.URL.Path == h.cfg.prefix+"/start" && r.Method == http.MethodGet:
		h.confirmStart(w, r)
	case r.URL.Path == h.cfg.prefix+"/callback" && r.Method == http.MethodGet:
		h.callback(w, r, nil)
	case strings.HasPrefix(r.URL.Path, h.cfg.prefix+"/callback/") && r.Method == http.MethodGet:
		st, ok := h.callbackLink(r)
		if !ok {
			writeDancePage(w, http.StatusNotFound, "Unknown link", "this callback is for a link the application does not have: start the authorization again from the application.")
			return
		}
		h.callback(w, r, st)
	case r.URL.Path == h.cfg.prefix+"/start":
		w.Header().Set("Allow", "GET, POST")
		writeDancePage(w, http.StatusMethodNotAllowed, "Method not allowed", "the start of the authorization takes GET (a page with a button) or POST (the button's form) only.")
	case r.URL.Path == h.cfg.prefix+"/callback" || strings.HasPrefix(r.URL.Path, h.cfg.prefix+"/callback/"):
		w.Header().Set("Allow", http.MethodGet)
		writeDancePage(w, http.StatusMethodNotAllowed, "Method not allowed", "the callback of the authorization takes GET only.")
	default:
		writeDancePage(w, http.StatusNotFound, "Not found", "there is no such page of the authorization.")
	}
}

// user returns the signed-in user, or answers 401.
func (h *danceHandler) user(w http.ResponseWriter, r *http.Request) (string, bool) {
	user, err := h.currentUser(r)
	if err != nil || user == "" {
		writeDancePage(w, http.StatusUnauthorized, "Not signed in", "sign in to the application first, then try again.")
		return "", false
	}
	return user, true
}

func (h *danceHandler) now() time.Time { return h.view.Now() }

// startParams checks what a start names (the link and the local path to
// come back to) or answers the error page.
func (h *danceHandler) startParams(w http.ResponseWriter, link, redirect string) (*applink.Link, string, bool) {
	l, status, err := h.lookupLink(link)
	if err != nil {
		writeDancePage(w, status, "Unknown link", err.Error())
		return nil, "", false
	}
	redirect, err = localRedirect(redirect)
	if err != nil {
		writeDancePage(w, http.StatusBadRequest, "Bad redirect", err.Error())
		return nil, "", false
	}
	return l, redirect, true
}

// confirmStart answers GET {prefix}/start: a page whose button posts the
// start form. It changes nothing, so a link from another site cannot start
// a dance.
func (h *danceHandler) confirmStart(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.user(w, r); !ok {
		return
	}
	q := r.URL.Query()
	l, redirect, ok := h.startParams(w, q.Get("link"), q.Get("redirect"))
	if !ok {
		return
	}
	writeStartPage(w, l.ID, l.Name, redirect)
}

// start answers POST {prefix}/start, which passed the cross-origin check.
func (h *danceHandler) start(w http.ResponseWriter, r *http.Request) {
	user, ok := h.user(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxStartForm)
	if err := r.ParseForm(); err != nil {
		writeDancePage(w, http.StatusBadRequest, "Bad request", "the start form could not be read: start the authorization again from the application.")
		return
	}
	l, redirect, ok := h.startParams(w, r.FormValue("link"), r.FormValue("redirect"))
	if !ok {
		return
	}
	base, err := h.baseURL(r)
	if err != nil {
		writeDancePage(w, http.StatusBadRequest, "Bad request", err.Error())
		return
	}
	now := h.now()
	ds := &token.PendingDance{State: token.NewSecret(rand.Text()), User: user, LinkID: l.ID, Redirect: redirect, ExpiresAt: now.Add(h.cfg.ttl), CreatedAt: now}
	// Reserve the place first, without a request token, so that a full
	// store refuses before the remote is asked for one.
	if !h.putDance(r, w, ds) {
		return
	}
	callback := h.callbackURL(l, base) + "?state=" + ds.State.Reveal()
	f, err := l.RequestFactory(user)
	var started *seam.Started
	if err == nil {
		started, err = seam.Start(r.Context(), f, callback)
	}
	if err != nil {
		h.forgetDance(r, ds.State.Reveal())
		h.writeError(r, w, l.Name, err)
		return
	}
	ds.RequestToken = started.RequestToken
	if !h.putDance(r, w, ds) {
		return
	}
	// 303: the browser fetches the authorize page with GET.
	http.Redirect(w, r, started.URL.String(), http.StatusSeeOther)
}

// limits returns the limits the handler puts new dances under.
func (h *danceHandler) limits() token.DanceLimits {
	return token.DanceLimits{PerUser: h.cfg.perUser, Total: h.cfg.maxStates}
}

// putDance stores ds, or answers 503 and reports false.
func (h *danceHandler) putDance(r *http.Request, w http.ResponseWriter, ds *token.PendingDance) bool {
	err := h.cfg.store.PutDance(r.Context(), ds, h.limits())
	switch {
	case err == nil:
		return true
	case errors.Is(err, token.ErrTooManyDances):
		writeDancePage(w, http.StatusServiceUnavailable, "Busy", "too many authorizations are in progress: try again in a few minutes.")
	default:
		h.logStoreError(r, "storing a pending dance", err)
		writeDancePage(w, http.StatusServiceUnavailable, "Unavailable", "the authorization could not be saved: try again in a few minutes.")
	}
	return false
}

// forgetDance removes a dance whose start failed.
func (h *danceHandler) forgetDance(r *http.Request, state string) {
	if err := h.cfg.store.DeleteDance(context.WithoutCancel(r.Context()), state); err != nil {
		h.logStoreError(r, "deleting a pending dance", err)
	}
}

// logStoreError logs a failure of the dance store.
func (h *danceHandler) logStoreError(r *http.Request, what string, err error) {
	if h.view.Logger != nil {
		h.view.Logger.WarnContext(r.Context(), "applink/authorize: the dance store failed", "while", what, "err", err)
	}
}
