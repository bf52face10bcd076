// Package authorize plays the 3-legged dance (OAuth 2.0: the consent) by
// which a user lets an application act for them through an application
// link, for the three kinds of program that need it:
//
//   - a web application: [NewHandler] serves a start page and one callback
//     per link under a prefix ([DefaultPrefix]); a page sends the user to
//     [StartURL] when a request returned *applink.CredentialsRequiredError,
//     and the user comes back there authorized. An OAuth 2.0 link registers
//     its own [CallbackURL] as its redirect URL at the remote;
//   - a program with a browser but no web server (a command, a script):
//     [Loopback] receives the callback on 127.0.0.1;
//   - a program that cannot receive a callback: [OutOfBand] takes the code
//     the remote shows the user, or the address the browser lands on.
//
// Each flow is built on package applink's two primitives,
// applink.RequestFactory.AuthorizationURL (a request token, the remote's
// authorize page) and applink.RequestFactory.CompleteAuthorization (the
// verifier exchanged, the access token stored), as golang.org/x/oauth2
// keeps its 3-legged flow in package authhandler. A program with its own
// callback calls those two itself.
//
//	// A web application:
//	dance, err := authorize.NewHandler(svc, currentUser)
//	if err != nil { ... }
//	mux.Handle(authorize.DefaultPrefix+"/", dance)
//	// in a handler, on *applink.CredentialsRequiredError:
//	http.Redirect(w, r, authorize.StartURL("", link.ID, r.URL.Path), http.StatusSeeOther)
//
//	// A command:
//	err = authorize.Loopback(ctx, f, func(_ context.Context, authURL string) error {
//		fmt.Println("visit", authURL)
//		return nil
//	})
//
// # Options
//
// One [Option] type configures both [NewHandler] (WithPrefix, WithBaseURL,
// WithStateTTL, WithDanceStore, WithMaxPending, WithMaxPendingPerUser,
// WithCrossOriginProtection) and [Loopback] (WithLoopbackAddr,
// WithLoopbackTimeout); an option given to the other one is an error that
// names it and where it belongs.
//
// # Errors
//
// The flows return applink's errors: a failure of the dance is an
// *applink.DanceError whose Reason errors.Is tells apart
// (applink.ErrDanceDenied, applink.ErrDanceExpired, ...), a link that does
// not allow the dance an *applink.AuthNotConfiguredError. [Loopback] adds
// a timeout wrapping context.DeadlineExceeded, and both program flows
// return ctx.Err() when ctx ends:
//
//	err := authorize.OutOfBand(ctx, f, prompt)
//	if errors.Is(err, applink.ErrDanceDenied) {
//		// the user said no: nothing was stored
//	}
//
// The handler answers the browser with a short HTML page saying what went
// wrong, with a matching status (see [NewHandler]).
//
// # Concurrency
//
// The handler is safe for concurrent use, by any number of users and
// replicas (the pending dances are in a token.DanceStore). Loopback and
// OutOfBand may run concurrently, for different users or links.
//
// # Security
//
// A dance's state is random, single use, bound to the signed-in user, the
// link, the request token and the local path to come back to; a callback
// completes only its own link's dances (no OAuth mix-up, RFC 9700 §4.4);
// starting a dance is a POST refused from other sites; the redirect after
// the dance is a local path only. The loopback listener binds loopback
// addresses only and is closed on every path. No verifier, token or state
// appears in an error, a log or a page.
//
// # Testing
//
// Package applinktest's server approves in code: its Approver is what
// [OutOfBand] takes and its Browser what [Loopback] takes, so a test plays
// the whole dance in one call:
//
//	err := authorize.OutOfBand(t.Context(), f, srv.Approver("alice"))
package authorize
