package authorize

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/go-applinks/applinks/applink/token"
)

// Option configures [NewHandler] or [Loopback]; each With… function's doc
// comment says which. An option given to the other one is not ignored:
// that call returns an error naming the option and where it belongs. A nil
// Option does nothing.
type Option func(*optionSet)

// target is what an option configures.
type target int

const (
	forHandler target = iota + 1
	forLoopback
)

// call names the function an option of t is given to.
func (t target) call() string {
	if t == forHandler {
		return "NewHandler"
	}
	return "Loopback"
}

// optionSet is what options are applied to: exactly one of its pointers is
// set, the one of the call the options were given to.
type optionSet struct {
	target   target
	handler  *handlerConfig
	loopback *loopbackConfig
	errs     []error
}

// apply applies opts to s and returns an error for each option that does
// not configure s's target.
func (s *optionSet) apply(opts []Option) error {
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	return errors.Join(s.errs...)
}

// handlerOption is an option of NewHandler named name.
func handlerOption(name string, f func(*handlerConfig)) Option {
	return func(s *optionSet) {
		if s.handler == nil {
			s.errs = append(s.errs, misplaced(name, forHandler, s.target))
			return
		}
		f(s.handler)
	}
}

// loopbackOption is an option of Loopback named name.
func loopbackOption(name string, f func(*loopbackConfig)) Option {
	return func(s *optionSet) {
		if s.loopback == nil {
			s.errs = append(s.errs, misplaced(name, forLoopback, s.target))
			return
		}
		f(s.loopback)
	}
}

// misplaced is the error of the option named name, which configures
// belongs, given to given.
func misplaced(name string, belongs, given target) error {
	return fmt.Errorf("applink/authorize: %s configures %s, not %s: give it there", name, belongs.call(), given.call())
}

// WithPrefix sets the path the handler is mounted at (default
// [DefaultPrefix], "/applinks/oauth"): it serves {prefix}/start and
// {prefix}/callback/{link id}. It must start with "/" and not end with one.
// An option of [NewHandler].
func WithPrefix(prefix string) Option {
	return handlerOption("WithPrefix", func(c *handlerConfig) { c.prefix = prefix })
}

// WithBaseURL sets the application's external base URL
// ("https://app.example.com"), from which the callback URL given to the
// remote is built. By default it is taken from each request (its Host, and
// https when it came over TLS); set it when the application runs behind a
// reverse proxy.
// An option of [NewHandler].
func WithBaseURL(base string) Option {
	return handlerOption("WithBaseURL", func(c *handlerConfig) { c.base = base })
}

// WithStateTTL sets how long a started dance may take before its callback
// is refused; the default is 10 minutes, the life of a request token.
// An option of [NewHandler].
func WithStateTTL(d time.Duration) Option {
	return handlerOption("WithStateTTL", func(c *handlerConfig) { c.ttl = d })
}

// WithMaxPending bounds how many started dances are pending (default
// 10000; in a shared [token.DanceStore], across every replica); beyond it,
// starting one answers 503. The per-user limit ([WithMaxPendingPerUser])
// keeps one user from filling it. n <= 0 means the default.
// An option of [NewHandler].
func WithMaxPending(n int) Option {
	return handlerOption("WithMaxPending", func(c *handlerConfig) { c.maxStates = n })
}

// WithMaxPendingPerUser bounds how many started dances one user may have
// pending (default 3): starting one more forgets that user's oldest, whose
// callback then answers that the authorization is unknown. So one user (or
// a page they visit) can neither fill [WithMaxPending] and lock everyone
// else out, nor lock themselves out. n <= 0 means the default.
// An option of [NewHandler].
func WithMaxPendingPerUser(n int) Option {
	return handlerOption("WithMaxPendingPerUser", func(c *handlerConfig) { c.perUser = n })
}

// WithCrossOriginProtection sets the check a dance start (a POST) must
// pass: the application's own [http.CrossOriginProtection], with the
// trusted origins or bypass patterns it configured. The default is
// http.NewCrossOriginProtection(), which refuses a POST that a browser
// says comes from another site (Sec-Fetch-Site), or whose Origin header
// names another host than the request's. A nil p means the default.
// An option of [NewHandler].
func WithCrossOriginProtection(p *http.CrossOriginProtection) Option {
	return handlerOption("WithCrossOriginProtection", func(c *handlerConfig) { c.origins = p })
}

// WithDanceStore keeps the pending dances (each started dance until its
// callback) in ds. By default they are kept in the service's token store
// when it is a [token.DanceStore] ([token.MemoryStore], filestore.Store,
// applink/pgstore, and the sealed store over any of them), else in the
// handler's memory. A store shared by every replica of the application
// lets the callback reach any replica: no sticky sessions are needed. A
// nil ds means the default.
// An option of [NewHandler].
func WithDanceStore(ds token.DanceStore) Option {
	return handlerOption("WithDanceStore", func(c *handlerConfig) { c.store = ds })
}

// WithLoopbackAddr sets the address the callback listener binds: a
// loopback IP or "localhost" with a port ("127.0.0.1:8765"; port 0 picks a
// free one). The default is "127.0.0.1:0". Other hosts are refused: the
// callback carries the verifier.
// An option of [Loopback].
func WithLoopbackAddr(addr string) Option {
	return loopbackOption("WithLoopbackAddr", func(c *loopbackConfig) { c.addr = addr })
}

// WithLoopbackTimeout bounds the wait for the browser's redirect; the
// default is 5 minutes, and the context's deadline also applies. 0 or less
// means the default.
// An option of [Loopback].
func WithLoopbackTimeout(d time.Duration) Option {
	return loopbackOption("WithLoopbackTimeout", func(c *loopbackConfig) { c.timeout = d })
}
