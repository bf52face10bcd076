package applink

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-applinks/applinks/internal/cloudsite"
	"github.com/go-applinks/applinks/internal/keylock"
	"github.com/go-applinks/applinks/internal/linkconf"

	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/internal/engine"
	"github.com/go-applinks/applinks/internal/oauth2link"
	"github.com/go-applinks/applinks/signer"
)

// ErrLinkNotFound is returned when no link matches an id, name or type.
var ErrLinkNotFound = errors.New("applink: link not found")

// ErrAmbiguousName is returned by [Service.Link] when several links
// have the name: use the id.
var ErrAmbiguousName = errors.New("applink: several links have that name")

// Service holds a set of links and makes requests through them. It is
// immutable once built and safe for concurrent use.
type Service struct {
	links  []*linkState
	client *http.Client
	store  token.Store
	logger *slog.Logger
	retry  RetryPolicy
	// retrier is retry at work, with the service's clock, logger and hooks.
	retrier *engine.Retry
	agent   string
	// agentHeader is the User-Agent header's value, shared by every
	// request (read only).
	agentHeader []string
	clock       func() time.Time
	// nonce is withFixedNonce's nonce ("" for random ones).
	nonce string
	// backoff, when set, is told every wait between retries instead of the
	// wait happening (tests).
	backoff func(time.Duration)
	// owned is the token store the service closes on Close
	// (withOwnedTokenStore: the store config.Open opened).
	owned token.Store
	// slots is store as the token sources use it.
	slots *engine.Backend[token.Key, *token.AccessToken]
}

// linkState is a link bound to a service: its data, its signer, and what the
// service learns about the remote (the clock offset).
type linkState struct {
	link   Link
	svc    *Service
	signer *signer.Signer // nil for an anonymous-only link
	rpc    *url.URL       // link.RPCURL parsed
	// scope keeps requests on the RPC URL (origin and path).
	scope *engine.Scope
	// offset is the remote's clock minus ours, in nanoseconds, learnt from
	// timestamp_refused; it corrects oauth_timestamp.
	offset atomic.Int64
	crumbs engine.Crumbs
	// throttles paces each user's requests by the remote's rate limit.
	throttles engine.Throttles
	// renews is the in-process renewal lock of each user's token.
	renews keylock.Set[string]
	// o2 is the OAuth 2.0 client of an OAuth 2.0 link (nil otherwise),
	// without its HTTP client; clientCreds caches its service account's
	// token.
	o2          *oauth2link.Config
	clientCreds clientCredsCache
	// authenticators are the link's bearer methods that are not the
	// transport's own (personal access tokens, Atlassian Cloud).
	authenticators map[Auth]authenticator
	// tokens is the token source's view of the link's user tokens.
	tokens engine.Protocol[*token.AccessToken]
	// botPAT is the link's own personal access token (Link.PAT), nil
	// when it has none.
	botPAT *token.AccessToken
	// cloud is an Atlassian Cloud link's gateway and its users' cloud ids
	// (nil for a Data Center link).
	cloud *cloudsite.Gateway
}

// WithHTTPClient makes requests through a copy of c (its Transport, Jar,
// Timeout; CheckRedirect is replaced to keep redirects on the link's origin,
// and token endpoint calls follow none: see [TokenRedirectError]). The
// Timeout bounds each attempt of a request, its body read included, as it
// bounds c.Do; a request it ends is an error for which errors.Is finds
// context.DeadlineExceeded.
// The default is a client with http.DefaultTransport's settings and no
// overall timeout (use per-request timeouts and contexts).
// A nil c means the default. An option of [NewService].
func WithHTTPClient(c *http.Client) Option {
	return serviceOption("WithHTTPClient", func(s *Service) {
		if c != nil {
			cc := *c
			s.client = &cc
		}
	})
}

// WithTokenStore keeps users' tokens in st. The default (and what nil
// means) is an in-memory store ([token.NewMemoryStore]); the applink command
// uses a file store. An option of [NewService].
func WithTokenStore(st token.Store) Option {
	return serviceOption("WithTokenStore", func(s *Service) { s.store = st })
}

// WithLogger logs requests (method, redacted URL, status, auth, user) at
// debug level, and at info level token renewals and deletions and every
// retry: the message "applink: retrying a request" with the attributes
// link, method, url, attempt (the number of the attempt about to be made:
// 2 for the first retry), max_attempts, wait and after (the status or
// error that failed the previous attempt). The default (and what nil
// means) is silent. Secrets, the Authorization header and URL queries'
// sensitive values are never logged. An option of [NewService].
func WithLogger(l *slog.Logger) Option {
	return serviceOption("WithLogger", func(s *Service) { s.logger = l })
}

// WithRetry sets the retry policy; see [RetryPolicy] for the default.
// WithRetry(RetryPolicy{Max: -1}) sends every request once. An option of
// [NewService].
func WithRetry(p RetryPolicy) Option {
	return serviceOption("WithRetry", func(s *Service) { s.retry = p })
}

// withFixedNonce makes every OAuth 1.0a signature carry oauth_nonce n
// instead of a random one (internal/seam.FixedNonce: applink sign --link
// --nonce, and tests).
func withFixedNonce(n string) Option {
	return serviceOption("withFixedNonce", func(s *Service) { s.nonce = n })
}

// withOwnedTokenStore is [WithTokenStore] for a store opened for this
// service alone, which [Service.Close] closes (internal/seam.OwnedTokenStore:
// the store config.Open opens).
func withOwnedTokenStore(st token.Store) Option {
	return serviceOption("withOwnedTokenStore", func(s *Service) { s.store, s.owned = st, st })
}

// WithUserAgent sets the User-Agent header; the default is
// "go-applinks/<version>". An option of [NewService].
func WithUserAgent(ua string) Option {
	return serviceOption("WithUserAgent", func(s *Service) { s.agent = ua })
}

// WithClock sets the clock used for timestamps and token expiry (tests).
// The default (and what nil means) is time.Now. An option of [NewService].
func WithClock(now func() time.Time) Option {
	return serviceOption("WithClock", func(s *Service) { s.clock = now })
}

// withBackoff makes the service report each wait between retries to f
// instead of waiting (tests).
func withBackoff(f func(time.Duration)) Option {
	return serviceOption("withBackoff", func(s *Service) { s.backoff = f })
}

// defaultUserAgent is the User-Agent sent when none is set.
const defaultUserAgent = "go-applinks/0.1"

// RetryPolicy says when and how often a failed request is sent again. Every
// attempt is signed afresh (new nonce and timestamp) and logged (see
// [WithLogger]); a request that still fails after more than one attempt
// returns a *[RetryError] saying how many were made and over how long, and
// one whose last attempt got a response returns that response. The zero
// value means the defaults.
type RetryPolicy struct {
	// Max is the number of retries after the first attempt; 0 means 3, a
	// negative value means none.
	Max int
	// WaitMin and WaitMax bound the exponential backoff between attempts;
	// 0 means 250ms and 5s.
	WaitMin, WaitMax time.Duration
	// MaxRetryAfter caps how long a Retry-After header may make us wait;
	// 0 means 30s. A longer Retry-After (also a number of seconds too
	// large to represent) ends the retries and returns the response.
	MaxRetryAfter time.Duration
	// MaxElapsed bounds the total time spent on one request including
	// waits; 0 means 2 minutes.
	MaxElapsed time.Duration
	// NonIdempotent also retries POST and PATCH (connection errors and
	// 429/502/503/504), which may then take effect twice. Off by default;
	// [Request.Retryable] turns it on for one request.
	NonIdempotent bool
}

// NewService returns a service holding links. A link without an ID gets
// [DefaultLinkID] of its name and RPC URL. Each link is validated and its
// credentials loaded (keys read from their files or environment variables)
// now, so a bad link fails here and not on the first request; the error
// joins a *[FieldError] per problem. Ids must be unique, and at most one
// link of each type may be primary (when none is, the first of the type is).
//
// The service keeps its own copies of the links: the ones its lookups
// return have the endpoint defaults of their type filled in and the
// effective primary flag set, and can make requests.
func NewService(links []Link, opts ...Option) (*Service, error) {
	s := &Service{}
	if err := (&optionSet{target: forService, service: s}).apply(opts); err != nil {
		return nil, err
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.client == nil {
		s.client = &http.Client{Transport: engine.DefaultTransport()}
	}
	if s.store == nil {
		s.store = token.NewMemoryStore(token.WithClock(s.clock))
	}
	s.slots = s.newTokenSlots()
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.agent == "" {
		s.agent = defaultUserAgent
	}
	s.agentHeader = []string{s.agent}
	r := &engine.Retry{Max: s.retry.Max, WaitMin: s.retry.WaitMin, WaitMax: s.retry.WaitMax,
		MaxRetryAfter: s.retry.MaxRetryAfter, MaxElapsed: s.retry.MaxElapsed, NonIdempotent: s.retry.NonIdempotent,
		Clock: s.clock, Logger: s.logger, Backoff: s.backoff,
		GiveUp: func(attempts int, elapsed time.Duration, err error) error {
			return &RetryError{Attempts: attempts, Elapsed: elapsed, Err: err}
		}}
	r.FillDefaults()
	s.retrier, s.retry = r, RetryPolicy{Max: r.Max, WaitMin: r.WaitMin, WaitMax: r.WaitMax,
		MaxRetryAfter: r.MaxRetryAfter, MaxElapsed: r.MaxElapsed, NonIdempotent: r.NonIdempotent}

	var errs []error
	var unique linkconf.Unique
	for _, l := range links {
		l.state = nil
		if l.ID == "" {
			l.ID = DefaultLinkID(l.Name, l.RPCURL)
		}
		if err := l.Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := unique.ID(l.ID, l.label()); err != nil {
			errs = append(errs, &FieldError{Link: l.label(), Field: "id", Err: err})
			continue
		}
		if l.Primary {
			if err := unique.Primary(string(l.Type), l.label()); err != nil {
				errs = append(errs, &FieldError{Link: l.label(), Field: "primary", Err: err})
				continue
			}
		}
		d, _ := l.dialect() // checked by Validate
		sig, err := l.newSigner(signer.WithClock(s.clock), signer.WithDialect(d), signer.WithNonce(s.nonce))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		o2, err := l.newOAuth2()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		bot, err := l.loadPAT()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rpc, _ := url.Parse(l.RPCURL) // checked by Validate
		st := &linkState{svc: s, signer: sig, rpc: rpc, scope: engine.NewScope(l.Name, rpc), o2: o2, botPAT: bot, cloud: newCloudState(&l, s.agent)}
		st.throttles.Clock, st.throttles.Sleep = s.clock, s.throttleSleep()
		l.Endpoints = l.endpoints()
		st.link = l
		st.link.state = st
		st.authenticators = st.newAuthenticators()
		st.tokens = st.newTokenViews()
		s.links = append(s.links, st)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	// The primary of each type: the one marked, else the first (the rule
	// of Config.Primary).
	for _, st := range s.links {
		if !unique.HasPrimary(string(st.link.Type)) {
			st.link.Primary = true
			_ = unique.Primary(string(st.link.Type), st.link.label())
		}
	}
	return s, nil
}

// view returns a copy of the service's link, bound to it: a caller that
// changes the copy changes nothing in the service, and factories made from
// it use the service's own link.
func (st *linkState) view() *Link {
	c := st.link
	c.Auth = slices.Clone(c.Auth)
	return &c
}

// Links returns the links of the given types (read as [ParseType] reads
// them; "Jira" is jira), each type's primary first, or, with no type,
// every link in the order given. Each is a copy: changing it changes
// nothing in the service (the links of a Service are fixed when it is
// built), as for every lookup below. This is Application Links'
// getApplicationLinks(type).
func (s *Service) Links(types ...Type) []*Link {
	if len(types) == 0 {
		out := make([]*Link, len(s.links))
		for i, st := range s.links {
			out[i] = st.view()
		}
		return out
	}
	var out []*Link
	for _, t := range types {
		t = canonical(ParseType, string(t))
		var primary, others []*Link
		for _, st := range s.links {
			switch {
			case st.link.Type != t:
			case st.link.Primary:
				primary = append(primary, st.view())
			default:
				others = append(others, st.view())
			}
		}
		out = append(append(out, primary...), others...)
	}
	return out
}

// Primary returns the primary link of type t (read as [ParseType] reads
// it), or an error wrapping [ErrLinkNotFound]. This is Application Links'
// getPrimaryApplicationLink(type).
func (s *Service) Primary(t Type) (*Link, error) {
	t = canonical(ParseType, string(t))
	for _, st := range s.links {
		if st.link.Type == t && st.link.Primary {
			return st.view(), nil
		}
	}
	return nil, fmt.Errorf("%w: no link of type %s", ErrLinkNotFound, t)
}

// Link returns the link with the id (compared without regard to case),
// else the one with the name (an exact match first, then without regard to
// case): what a command line or a config takes. The error wraps
// [ErrLinkNotFound], or [ErrAmbiguousName] when several links have the
// name (use the id then).
func (s *Service) Link(idOrName string) (*Link, error) {
	found := engine.Match(len(s.links), idOrName, func(i int) string { return s.links[i].link.ID }, func(i int) string { return s.links[i].link.Name })
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("%w: %q matches no id or name", ErrLinkNotFound, idOrName)
	case 1:
		return s.links[found[0]].view(), nil
	}
	ids := make([]string, len(found))
	for i, j := range found {
		ids[i] = s.links[j].link.ID
	}
	return nil, fmt.Errorf("%w: %q names links %s: use an id", ErrAmbiguousName, idOrName, strings.Join(ids, ", "))
}

// TokenStore returns the service's token store.
func (s *Service) TokenStore() token.Store { return s.store }

// Close closes the token store that config.Open opened for the service,
// if it has a Close method, and returns its error. For a store given with
// [WithTokenStore] it does nothing: whoever opened it closes it.
func (s *Service) Close() error { return engine.CloseStore(s.owned) }

// dialect returns how the remote collects the parameters it verifies a
// signature over: the link's signer's dialect.
func (st *linkState) dialect() signer.Dialect {
	if st.signer == nil {
		return signer.RFC5849
	}
	return st.signer.Dialect()
}
