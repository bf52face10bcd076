package applinktest

import (
	"log/slog"
	"net"
	"time"
)

// Shape selects which product the server imitates: its endpoint paths, its
// signature methods and the flows it allows.
type Shape string

// The shapes a [Server] can take.
const (
	// Atlassian is Jira, Confluence, Bitbucket or Bamboo: token endpoints
	// under /plugins/servlet/oauth, RSA-SHA1 (and HMAC-SHA1) consumers,
	// 3LO, 2LO and 2LOi, consumer-info and the applinks manifest, and a few
	// Jira resources. The default.
	Atlassian Shape = "atlassian"
	// Jenkins is Jenkins with the Atlassian Bitbucket Server Integration
	// plugin: token endpoints under /bitbucket/oauth, HMAC-SHA1 consumers
	// only, 3LO only, CSRF crumbs, and a build queue.
	Jenkins Shape = "jenkins"
	// OAuth2 is Jira Data Center 8.22 or later: everything [Atlassian]
	// serves, plus the OAuth 2.0 provider of incoming "external
	// application" links (/rest/oauth2/latest/authorize and /token,
	// bearer tokens on the resources). Add clients with
	// [WithOAuth2Client].
	OAuth2 Shape = "oauth2"
)

// Default token lifetimes, as Atlassian's products have them.
const (
	DefaultRequestTokenTTL = 10 * time.Minute
	DefaultAccessTokenTTL  = 5 * 365 * 24 * time.Hour
)

// Option configures a [Server] at [NewServer] or [Start].
type Option func(*config)

type config struct {
	shape     Shape
	tls       bool
	users     []string
	consumers []Consumer
	clock     func() time.Time
	skew      time.Duration
	baseURL   string
	// contextPath is WithContextPath's path ("" for none).
	contextPath string
	brief       bool
	oauth10     bool
	requestTTL  time.Duration
	accessTTL   time.Duration
	logger      *slog.Logger
	listener    net.Listener
	addr        string
	o2clients   []OAuth2Client
	codeTTL     time.Duration
	bearerTTL   time.Duration
	refreshTTL  time.Duration
	resources   []resource
	// The Cloud shape's clients, sites and reuse interval.
	cloudClients []CloudClient
	cloudSites   []CloudSite
	reuse        time.Duration
}

// WithShape sets the product the server imitates; the default is
// [Atlassian].
func WithShape(s Shape) Option { return func(c *config) { c.shape = s } }

// WithTLS serves HTTPS with a certificate generated for this server (valid
// for 127.0.0.1, ::1 and localhost). [Server.Client] trusts it;
// [Server.Certificate] returns it.
func WithTLS() Option { return func(c *config) { c.tls = true } }

// WithUsers adds users; more can be added with [Server.AddUser]. Only known
// users can approve tokens, be impersonated or be a consumer's 2LO user.
func WithUsers(names ...string) Option {
	return func(c *config) { c.users = append(c.users, names...) }
}

// WithConsumer adds a consumer (an incoming link). Repeat it for more.
func WithConsumer(cons Consumer) Option {
	return func(c *config) { c.consumers = append(c.consumers, cons) }
}

// WithClock sets the clock the server's time is read from; nil means
// time.Now. The server's time is the clock plus the skew ([WithSkew]).
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// WithSkew shifts the server's clock by d (positive: the server is ahead),
// to reproduce timestamp_refused. [Server.SetSkew] changes it later.
func WithSkew(d time.Duration) Option { return func(c *config) { c.skew = d } }

// WithBaseURL puts the server in "reverse proxy" mode: it believes it is
// served at u (scheme, host, port and context path) and rebuilds signature
// base strings, realms and absolute links from u rather than from the
// address it is reached on. A client that signs for the address it connects
// to then gets signature_invalid, as behind a real proxy.
func WithBaseURL(u string) Option { return func(c *config) { c.baseURL = u } }

// WithContextPath serves the provider under path (such as "/jira"), as a
// servlet container deploys an application under a context path: URL
// includes it, every endpoint and resource is under it, and anything else
// answers 404 (and is not recorded). Signature base strings are rebuilt
// with the path, as the real product does. With [WithBaseURL] too, the base
// URL's path should end in the context path.
func WithContextPath(path string) Option { return func(c *config) { c.contextPath = path } }

// WithBriefProblems makes problems brief: only the status and the
// WWW-Authenticate header, no form body and no base-string echo, as some
// deployments answer.
func WithBriefProblems() Option { return func(c *config) { c.brief = true } }

// WithOAuth10Callback makes the request-token endpoint answer without
// oauth_callback_confirmed=true, as an OAuth 1.0 (not 1.0a) provider does,
// to test that a client refuses such a remote. By default the server sends
// it, in both shapes, whenever the client sent oauth_callback (a URL or
// "oob"), as Atlassian's products and the Jenkins plugin do.
func WithOAuth10Callback() Option { return func(c *config) { c.oauth10 = true } }

// WithRequestTokenTTL sets how long request tokens live; 0 means
// [DefaultRequestTokenTTL] (10 minutes).
func WithRequestTokenTTL(d time.Duration) Option { return func(c *config) { c.requestTTL = d } }

// WithAccessTokenTTL sets how long access tokens (and their sessions) live;
// 0 means [DefaultAccessTokenTTL] (5 years).
func WithAccessTokenTTL(d time.Duration) Option { return func(c *config) { c.accessTTL = d } }

// WithLogger logs one line per request (method, path, flow, consumer, user,
// status, problem) at level Info. Nil, the default, logs nothing. Headers,
// tokens and secrets are never logged.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithListener serves on l instead of a new listener on 127.0.0.1. The
// server takes ownership of l and closes it. Do not expose it beyond
// loopback: the server is for tests.
func WithListener(l net.Listener) Option { return func(c *config) { c.listener = l } }

// WithAddr listens on addr (such as "127.0.0.1:8990") instead of a random
// loopback port. Addresses that are not loopback are refused.
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }
