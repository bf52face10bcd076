package applink

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/go-applinks/applinks/applink/token"
)

// Option configures one of the package's constructors and flows: a
// [Service] ([NewService]), a [RequestFactory] ([Link.RequestFactory]), the
// web dance ([NewDanceHandler]) or the loopback flow
// ([RequestFactory.AuthorizeLoopback]). Each With… function's doc comment
// says which one it configures. An option given to another one is not
// ignored: that call returns an error naming the option and where it
// belongs. A nil Option does nothing.
type Option func(*optionSet)

// optionTarget is what an option configures.
type optionTarget int

const (
	forService optionTarget = iota + 1
	forFactory
	forDance
	forLoopback
)

// String names the function an option of t is given to.
func (t optionTarget) String() string {
	switch t {
	case forService:
		return "NewService (or config.WithServiceOptions)"
	case forFactory:
		return "Link.RequestFactory"
	case forDance:
		return "NewDanceHandler"
	case forLoopback:
		return "RequestFactory.AuthorizeLoopback"
	}
	return "nothing"
}

// optionSet is what options are applied to: exactly one of its pointers is
// set, the one of the call the options were given to.
type optionSet struct {
	target   optionTarget
	service  *Service
	factory  *factoryOptions
	dance    *danceConfig
	loopback *loopbackConfig
	errs     []error
}

// misplaced records that the option named name, which configures belongs,
// was given to another call.
func (s *optionSet) misplaced(name string, belongs optionTarget) {
	s.errs = append(s.errs, fmt.Errorf("applink: %s configures %s, not %s: give it there", name, belongs, s.target))
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

// serviceOption is an option of NewService named name.
func serviceOption(name string, f func(*Service)) Option {
	return func(s *optionSet) {
		if s.service == nil {
			s.misplaced(name, forService)
			return
		}
		f(s.service)
	}
}

// factoryOption is an option of Link.RequestFactory named name.
func factoryOption(name string, f func(*factoryOptions)) Option {
	return func(s *optionSet) {
		if s.factory == nil {
			s.misplaced(name, forFactory)
			return
		}
		f(s.factory)
	}
}

// danceOption is an option of NewDanceHandler named name.
func danceOption(name string, f func(*danceConfig)) Option {
	return func(s *optionSet) {
		if s.dance == nil {
			s.misplaced(name, forDance)
			return
		}
		f(s.dance)
	}
}

// loopbackOption is an option of RequestFactory.AuthorizeLoopback named name.
func loopbackOption(name string, f func(*loopbackConfig)) Option {
	return func(s *optionSet) {
		if s.loopback == nil {
			s.misplaced(name, forLoopback)
			return
		}
		f(s.loopback)
	}
}

// withDefaults fills in the zero fields of a policy.
func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Max == 0 {
		p.Max = 3
	}
	if p.WaitMin <= 0 {
		p.WaitMin = 250 * time.Millisecond
	}
	if p.WaitMax <= 0 {
		p.WaitMax = 5 * time.Second
	}
	if p.WaitMax < p.WaitMin {
		p.WaitMax = p.WaitMin
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = 30 * time.Second
	}
	if p.MaxElapsed <= 0 {
		p.MaxElapsed = 2 * time.Minute
	}
	return p
}

// WithDancePrefix sets the path the handler is mounted at (default
// "/applinks/oauth"): it serves {prefix}/start and {prefix}/callback. It
// must start with "/" and not end with one.
// An option of [NewDanceHandler].
func WithDancePrefix(prefix string) Option {
	return danceOption("WithDancePrefix", func(c *danceConfig) { c.prefix = prefix })
}

// WithDanceBaseURL sets the application's external base URL ("https://app.example.com"),
// from which the callback URL given to the remote is built. By default it
// is taken from each request (its Host, and https when it came over TLS);
// set it when the application runs behind a reverse proxy.
// An option of [NewDanceHandler].
func WithDanceBaseURL(base string) Option {
	return danceOption("WithDanceBaseURL", func(c *danceConfig) { c.base = base })
}

// WithDanceStateTTL sets how long a started dance may take before its
// callback is refused; the default is 10 minutes, the life of a request
// token.
// An option of [NewDanceHandler].
func WithDanceStateTTL(d time.Duration) Option {
	return danceOption("WithDanceStateTTL", func(c *danceConfig) { c.ttl = d })
}

// WithMaxPendingDances bounds how many started dances are pending (default
// 10000; in a shared [token.DanceStore], across every replica); beyond it,
// starting one answers 503. The per-user limit ([WithMaxPendingDancesPerUser])
// keeps one user from filling it. n <= 0 means the default.
// An option of [NewDanceHandler].
func WithMaxPendingDances(n int) Option {
	return danceOption("WithMaxPendingDances", func(c *danceConfig) { c.maxStates = n })
}

// WithMaxPendingDancesPerUser bounds how many started dances one user may have
// pending (default 3): starting one more forgets that user's oldest, whose
// callback then answers that the authorization is unknown. So one user
// (or a page they visit) can neither fill [WithMaxPendingDances] and lock
// everyone else out, nor lock themselves out. n <= 0 means the default.
// An option of [NewDanceHandler].
func WithMaxPendingDancesPerUser(n int) Option {
	return danceOption("WithMaxPendingDancesPerUser", func(c *danceConfig) { c.perUser = n })
}

// WithCrossOriginProtection sets the check a dance start (a POST) must
// pass: the application's own [http.CrossOriginProtection], with the
// trusted origins or bypass patterns it configured. The default is
// http.NewCrossOriginProtection(), which refuses a POST that a browser
// says comes from another site (Sec-Fetch-Site), or whose Origin header
// names another host than the request's. A nil p means the default.
// An option of [NewDanceHandler].
func WithCrossOriginProtection(p *http.CrossOriginProtection) Option {
	return danceOption("WithCrossOriginProtection", func(c *danceConfig) { c.origins = p })
}

// WithDanceStore keeps the pending dances (each started dance until its
// callback) in ds. By default they are kept in the service's token store
// when it is a [token.DanceStore] ([token.MemoryStore], [filestore.Store],
// applink/pgstore, and the sealed store over any of them), else in the
// handler's memory. A store shared by every replica of the application
// lets the callback reach any replica: no sticky sessions are needed. A
// nil ds means the default.
// An option of [NewDanceHandler].
func WithDanceStore(ds token.DanceStore) Option {
	return danceOption("WithDanceStore", func(c *danceConfig) { c.store = ds })
}
