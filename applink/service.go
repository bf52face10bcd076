package applink

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-applinks/applinks/signer"
)

// ErrLinkNotFound is returned when no link matches an id, name or type.
var ErrLinkNotFound = errors.New("applink: link not found")

// ErrAmbiguousName is returned by [Service.LinkByName] when several links
// have the name: use the id.
var ErrAmbiguousName = errors.New("applink: several links have that name")

// Service holds a set of links and makes requests through them. It is
// immutable once built and safe for concurrent use.
type Service struct {
	links  []*linkState
	client *http.Client
	store  TokenStore
	logger *slog.Logger
	retry  RetryPolicy
	agent  string
	clock  func() time.Time
}

// linkState is a link bound to a service: its data, its signer, and what the
// service learns about the remote (the clock offset).
type linkState struct {
	link   Link
	svc    *Service
	signer *signer.Signer // nil for an anonymous-only link
}

// Option configures a [Service].
type Option func(*Service)

// WithHTTPClient makes requests through a copy of c (its Transport, Jar,
// Timeout; CheckRedirect is replaced to keep redirects on the link's origin).
// The default is a client with http.DefaultTransport's settings and no
// overall timeout (use per-request timeouts and contexts).
func WithHTTPClient(c *http.Client) Option { return func(s *Service) { s.client = c } }

// WithTokenStore keeps users' tokens in st. The default is an in-memory
// store ([NewMemoryTokenStore]); the applink command uses a file store.
func WithTokenStore(st TokenStore) Option { return func(s *Service) { s.store = st } }

// WithLogger logs requests (method, redacted URL, status, auth, user) at
// debug level and token deletions at info level. The default is silent.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.logger = l } }

// WithRetry sets the retry policy; see [RetryPolicy] for the default.
func WithRetry(p RetryPolicy) Option { return func(s *Service) { s.retry = p } }

// WithoutRetry sends every request once.
func WithoutRetry() Option { return func(s *Service) { s.retry = RetryPolicy{Max: -1} } }

// WithUserAgent sets the User-Agent header; the default is
// "go-applinks/<version>".
func WithUserAgent(ua string) Option { return func(s *Service) { s.agent = ua } }

// WithClock sets the clock used for timestamps and token expiry (tests).
// The default is time.Now.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.clock = now } }

// RetryPolicy says when and how often a failed request is sent again. Every
// attempt is signed afresh (new nonce and timestamp). The zero value means
// the defaults.
type RetryPolicy struct {
	// Max is the number of retries after the first attempt; 0 means 3, a
	// negative value means none.
	Max int
	// WaitMin and WaitMax bound the exponential backoff between attempts;
	// 0 means 250ms and 5s.
	WaitMin, WaitMax time.Duration
	// MaxRetryAfter caps how long a Retry-After header may make us wait;
	// 0 means 30s. A longer Retry-After ends the retries and returns the
	// response.
	MaxRetryAfter time.Duration
	// MaxElapsed bounds the total time spent on one request including
	// waits; 0 means 2 minutes.
	MaxElapsed time.Duration
	// NonIdempotent also retries POST and PATCH (connection errors and
	// 429/502/503/504), which may then take effect twice. Off by default;
	// [Request.Retryable] turns it on for one request.
	NonIdempotent bool
}

// NewService returns a service holding links. Each link is validated and its
// credentials loaded (keys read from their files or environment variables)
// now, so a bad link fails here and not on the first request. Ids must be
// unique, and at most one link of each type may be primary (when none is,
// the first of the type is).
func NewService(links []Link, opts ...Option) (*Service, error) {
	return nil, errNotImplemented
}

// Links returns every link, in the order given.
func (s *Service) Links() []*Link { return nil }

// LinksOfType returns the links of type t, the primary first.
func (s *Service) LinksOfType(t Type) []*Link { return nil }

// Primary returns the primary link of type t, or an error wrapping
// [ErrLinkNotFound].
func (s *Service) Primary(t Type) (*Link, error) { return nil, errNotImplemented }

// Link returns the link with the id, or an error wrapping [ErrLinkNotFound].
func (s *Service) Link(id string) (*Link, error) { return nil, errNotImplemented }

// LinkByName returns the link with the name (exact match first, then
// case-insensitive), or an error wrapping [ErrLinkNotFound] or
// [ErrAmbiguousName].
func (s *Service) LinkByName(name string) (*Link, error) { return nil, errNotImplemented }

// Lookup finds a link by id, else by name: what a command line takes.
func (s *Service) Lookup(idOrName string) (*Link, error) { return nil, errNotImplemented }

// TokenStore returns the service's token store.
func (s *Service) TokenStore() TokenStore { return s.store }
