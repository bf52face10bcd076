package authorize

// The 3-legged dance for programs: the loopback flow (a callback on
// 127.0.0.1) and the out-of-band flow (a code the user enters).

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/internal/oauth2link"
	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/internal/seam"
)

type loopbackConfig struct {
	addr    string
	timeout time.Duration
}

// defaultLoopbackTimeout is how long Loopback waits by default.
const defaultLoopbackTimeout = 5 * time.Minute

// errLoopbackTimeout is the cause of the loopback wait's own deadline.
var errLoopbackTimeout = errors.New("applink/authorize: loopback timeout")

// Loopback plays the 3-legged dance for f's user on its link, for a
// program with a browser but no web server (a CLI, a script): it listens
// on a free port of 127.0.0.1, obtains the authorization URL with
// http://127.0.0.1:PORT/callback?state=RANDOM as the callback, and calls
// open with it; open shows the URL to the user (print it, start a
// browser) and returns. When the remote redirects the browser to the
// callback, Loopback checks the state and the request token, completes
// the dance as [applink.RequestFactory.CompleteAuthorization] does,
// answers the browser with a short page saying the window may be closed
// (or what went wrong), and returns. The listener is closed on every path.
//
// It waits at most [WithLoopbackTimeout] (5 minutes by default) and until
// ctx is done. Errors: those of
// [applink.RequestFactory.CompleteAuthorization] (a denial at the remote
// is a *[applink.DanceError] for which errors.Is(err,
// [applink.ErrDanceDenied]) holds), an error wrapping
// context.DeadlineExceeded on timeout, ctx.Err() when ctx ends, and open's
// error (wrapped) if it fails. Requests to the listener with a wrong state
// are answered 400 and otherwise ignored.
//
// For an OAuth 2.0 link it listens on the host and port of the link's
// registered redirect URL (which must be loopback; [WithLoopbackAddr], if
// given, must agree) and serves the redirect URL's path: the consent page
// redirects there with the code and the state.
func Loopback(ctx context.Context, f *applink.RequestFactory, open func(ctx context.Context, authURL string) error, opts ...Option) error {
	cfg := loopbackConfig{}
	if err := (&optionSet{target: forLoopback, loopback: &cfg}).apply(opts); err != nil {
		return err
	}
	link := f.Link()
	if link == nil {
		return errUnbound
	}
	path, redirectURL, err := loopbackTarget(link, &cfg)
	if err != nil {
		return err
	}
	if cfg.timeout <= 0 {
		cfg.timeout = defaultLoopbackTimeout
	}
	if open == nil {
		return errors.New("applink/authorize: Loopback needs an open function that shows the authorization URL to the user")
	}
	if err := checkLoopbackAddr(cfg.addr); err != nil {
		return err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("applink/authorize: listening for the authorization callback on %s: %w", cfg.addr, err)
	}
	defer func() { _ = ln.Close() }()

	waitCtx, cancel := context.WithTimeoutCause(ctx, cfg.timeout, errLoopbackTimeout)
	defer cancel()

	state := rand.Text()
	callback := "http://" + ln.Addr().String() + "/callback?state=" + state
	if redirectURL != "" {
		callback = withState(redirectURL, state)
	}
	started, err := seam.Start(waitCtx, f, callback)
	if err != nil {
		return loopbackErr(ctx, waitCtx, link.Name, cfg.timeout, err)
	}

	h := &loopbackHandler{f: f, linkName: link.Name, user: started.User, ctx: waitCtx, state: state, token: started.RequestToken,
		path: path, oauth2: redirectURL != "", done: make(chan error, 1)}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln)
	}()
	defer func() {
		// Let the browser get its page, but do not wait for long.
		sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer scancel()
		if srv.Shutdown(sctx) != nil {
			_ = srv.Close()
		}
		<-served
	}()

	if err := open(waitCtx, started.URL.String()); err != nil {
		if waitCtx.Err() != nil {
			return loopbackErr(ctx, waitCtx, link.Name, cfg.timeout, waitCtx.Err())
		}
		return fmt.Errorf("applink/authorize: link %q: showing the authorization URL: %w", link.Name, err)
	}
	select {
	case err := <-h.done:
		return err
	case <-waitCtx.Done():
		return loopbackErr(ctx, waitCtx, link.Name, cfg.timeout, waitCtx.Err())
	}
}

// loopbackErr turns the end of the wait into the right error: the
// caller's ctx.Err(), a timeout naming the wait, or err itself.
func loopbackErr(ctx, waitCtx context.Context, linkName string, timeout time.Duration, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(context.Cause(waitCtx), errLoopbackTimeout) {
		return fmt.Errorf("applink/authorize: link %q: no authorization callback within %s: approve at the authorization URL sooner, or raise the timeout: %w",
			linkName, timeout, context.DeadlineExceeded)
	}
	return err
}

// checkLoopbackAddr refuses a listen address that is not loopback.
func checkLoopbackAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("applink/authorize: loopback address %q: %w: use host:port, such as 127.0.0.1:0", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("applink/authorize: loopback address %q is not a loopback address: use 127.0.0.1 or ::1 (the callback carries the verifier)", addr)
	}
	return nil
}

// loopbackHandler receives the one callback of a loopback dance.
type loopbackHandler struct {
	f        *applink.RequestFactory
	linkName string
	user     string
	ctx      context.Context // the dance's, not the request's: the browser may go away
	state    string
	token    string
	path     string // the callback's path
	oauth2   bool   // an OAuth 2.0 redirect: code and state, no oauth_token
	claimed  atomic.Bool
	done     chan error // buffered, receives once
}

func (h *loopbackHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != h.path {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeDancePage(w, http.StatusMethodNotAllowed, "Method not allowed", "the authorization callback takes GET only.")
		return
	}
	q := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(h.state)) != 1 {
		writeDancePage(w, http.StatusBadRequest, "Not this authorization",
			"this is not the callback of the authorization in progress (wrong or missing state): start again from the program.")
		return
	}
	if !h.claimed.CompareAndSwap(false, true) {
		writeDancePage(w, http.StatusConflict, "Already done", "this authorization has already been completed or refused; you may close this window.")
		return
	}
	var err error
	if h.oauth2 {
		err = h.f.CompleteAuthorization(h.ctx, h.token, r.URL.RawQuery)
	} else if token := q.Get("oauth_token"); token != h.token {
		err = fmt.Errorf("applink/authorize: link %q: the callback is for another request token: start the authorization again", h.linkName)
	} else {
		err = h.f.CompleteAuthorization(h.ctx, token, callbackVerifier(q.Get("oauth_verifier"), q.Get("oauth_problem")))
	}
	if err != nil {
		writeDanceError(w, err)
	} else {
		writeDancePage(w, http.StatusOK, "Authorized",
			fmt.Sprintf("%s can now act for you (%s). You may close this window.", h.linkName, h.user))
	}
	h.done <- err
}

// deniedVerifier is the verifier a remote sends when the user refused,
// which CompleteAuthorization takes as a denial.
const deniedVerifier = "denied"

// callbackVerifier returns the verifier of a callback: the one given, or
// "denied" when the remote reported a refusal as an oauth_problem.
func callbackVerifier(verifier, problem string) string {
	if verifier == "" && (problem == "permission_denied" || problem == "user_refused") {
		return deniedVerifier
	}
	return verifier
}

// loopbackTarget fills in the listening address and returns the callback
// path, and for a link whose dance is OAuth 2.0's consent (auth oauth2),
// the registered redirect URL, which decides both ("" otherwise).
func loopbackTarget(l *applink.Link, cfg *loopbackConfig) (path, redirectURL string, err error) {
	if !isOAuth2(l) || !slices.Contains(l.Auth, applink.AuthOAuth2) {
		if cfg.addr == "" {
			cfg.addr = "127.0.0.1:0"
		}
		return "/callback", "", nil
	}
	redirectURL = l.OAuth2.RedirectURL
	u, err := url.Parse(redirectURL)
	if err != nil || u.Scheme != "http" || !oauth2link.IsLoopbackHost(u.Hostname()) || u.Port() == "" {
		return "", "", fmt.Errorf("applink/authorize: link %q: the loopback flow listens on the registered redirect URL %s, which is not http://127.0.0.1:PORT/... (or localhost, ::1): register such a redirect URL for the command, or use the out-of-band flow",
			l.Name, redact.URLString(redirectURL))
	}
	if cfg.addr != "" && cfg.addr != u.Host {
		return "", "", fmt.Errorf("applink/authorize: link %q: WithLoopbackAddr %s differs from the registered redirect URL's %s: the remote redirects only there", l.Name, cfg.addr, u.Host)
	}
	cfg.addr = u.Host
	path = u.Path
	if path == "" {
		path = "/"
	}
	return path, redirectURL, nil
}

// withState returns u with state=value added to its query.
func withState(u, value string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	q := p.Query()
	q.Set("state", value)
	p.RawQuery = q.Encode()
	return p.String()
}

// OutOfBand plays the 3-legged dance out of band ("oob") for f's user on
// its link, for a program that cannot receive a callback: it obtains the
// authorization URL and calls verifier with it; verifier shows the URL to the user (print it,
// open a browser) and returns the verification code the remote then shows
// them. Leading and trailing space is ignored, and a pasted URL or query
// string holding oauth_verifier=CODE gives its code: Jenkins' plugin shows
// no code page, and after approval the browser lands on a missing page
// whose address ends in "oob?oauth_token=...&oauth_verifier=CODE" (6
// letters and digits), which the user can paste whole.
// OutOfBand then completes the dance as
// [applink.RequestFactory.CompleteAuthorization] does and stores the user's token.
//
// A verifier that returns an error ends the dance with that error (the
// pending request token expires by itself). The errors of
// [applink.RequestFactory.AuthorizationURL] and
// [applink.RequestFactory.CompleteAuthorization] apply.
func OutOfBand(ctx context.Context, f *applink.RequestFactory, verifier func(ctx context.Context, authURL string) (string, error)) error {
	if verifier == nil {
		return errors.New("applink/authorize: OutOfBand needs a verifier function that shows the URL and returns the code")
	}
	link := f.Link()
	if link == nil {
		return errUnbound
	}
	started, err := seam.Start(ctx, f, "")
	if err != nil {
		return err
	}
	code, err := verifier(ctx, started.URL.String())
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("applink/authorize: link %q: getting the verification code: %w", link.Name, err)
	}
	// CompleteAuthorization takes the code as pasted (a URL or query
	// string holding oauth_verifier=CODE gives its CODE).
	if strings.TrimSpace(code) == "" {
		return fmt.Errorf("applink/authorize: link %q: the verification code is empty: approve at the authorization URL and enter the code it shows", link.Name)
	}
	return f.CompleteAuthorization(ctx, started.RequestToken, code)
}

// errUnbound is the error of a flow given a request factory that does not
// come from a Service.
var errUnbound = errors.New("applink/authorize: the request factory's link does not come from a Service: get it with Service.Link and call its RequestFactory")
