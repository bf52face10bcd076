package applinktest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/signer"
)

// Server is an OAuth 1.0a service provider shaped like an Atlassian product
// or Jenkins, listening on loopback. Start one with [NewServer] in a test or
// [Start] elsewhere. Its methods are safe for concurrent use, also while
// requests are being served.
type Server struct {
	// URL is the base URL the server is reached at, such as
	// "http://127.0.0.1:53211", with no trailing slash.
	URL string

	shape      Shape
	brief      bool
	oauth10    bool // WithOAuth10Callback
	clock      func() time.Time
	skew       atomic.Int64
	requestTTL time.Duration
	accessTTL  time.Duration
	logger     *slog.Logger
	base       *url.URL // the base URL the server believes it has
	proxied    bool     // WithBaseURL: base differs from URL
	realm      string

	httpSrv  *http.Server
	listener net.Listener
	cert     *x509.Certificate
	certPool *x509.CertPool
	client   *http.Client

	endpoints *http.ServeMux // token endpoints and discovery, not authenticated here
	resources *http.ServeMux // built-in resources, authenticated first
	custom    *http.ServeMux // resources registered with Handle

	verifyNone     *signer.Verifier // request-token: no token expected
	verifyExchange *signer.Verifier // access-token: request tokens, renewals
	verifyAccess   *signer.Verifier // resources: access tokens
	nonces         *nonceStore

	keyOnce sync.Once
	key     *rsa.PrivateKey
	keyErr  error
	id      string
	secret  []byte // keys crumbs

	closeOnce sync.Once
	serveDone chan struct{}

	mu        sync.Mutex
	users     map[string]bool
	consumers map[string]*consumerEntry
	tokens    map[string]*token
	tokenSeq  int
	faults    []*Fault
	records   []Record
	builds    []Build
	issueSeq  int
	queueSeq  int
	o2        oauth2State // the OAuth 2.0 provider (OAuth2 shape)
	pats      patState    // personal access tokens
	cloud     cloudState  // the Cloud shape's authorization server and gateway
}

// Format names the server by its shape and URL,
// "applinktest.Server(jenkins, http://127.0.0.1:port)", for every verb, so
// that no verb (%v, %d, %+v, %#v), nor slog's text handler, reaches the
// server's private key, crumb key or tokens.
func (s *Server) Format(f fmt.State, verb rune) {
	name := "applinktest.Server(" + string(s.shape) + ", " + s.URL + ")"
	redact.Format(f, verb, name, name)
}

// NewServer starts a server on a random loopback port, like
// httptest.NewServer, and closes it when the test ends. It fails the test if
// the options are invalid.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := Start(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts a server, for use outside tests (see `applink testserver`).
// It listens on a random port of 127.0.0.1 unless [WithAddr] or
// [WithListener] say otherwise. The caller must call [Server.Close].
func Start(opts ...Option) (*Server, error) {
	cfg := config{shape: Atlassian}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	s, err := newServer(cfg)
	if err != nil {
		if cfg.listener != nil {
			_ = cfg.listener.Close()
		}
		return nil, err
	}
	return s, nil
}

func newServer(cfg config) (*Server, error) {
	switch cfg.shape {
	case Atlassian, Jenkins, OAuth2, Cloud:
	case "":
		cfg.shape = Atlassian
	default:
		return nil, fmt.Errorf("applinktest: unknown shape %q: use %q, %q, %q or %q", cfg.shape, Atlassian, Jenkins, OAuth2, Cloud)
	}
	if (len(cfg.cloudClients) > 0 || len(cfg.cloudSites) > 0) && cfg.shape != Cloud {
		return nil, fmt.Errorf("applinktest: WithCloudClient and WithCloudSite: the %s shape is not Atlassian Cloud: add WithShape(applinktest.Cloud)", cfg.shape)
	}
	if len(cfg.o2clients) > 0 && cfg.shape != OAuth2 {
		return nil, fmt.Errorf("applinktest: WithOAuth2Client: the %s shape has no OAuth 2.0 provider: add WithShape(applinktest.OAuth2)", cfg.shape)
	}
	if cfg.clock == nil {
		cfg.clock = time.Now
	}
	if cfg.requestTTL <= 0 {
		cfg.requestTTL = DefaultRequestTokenTTL
	}
	if cfg.accessTTL <= 0 {
		cfg.accessTTL = DefaultAccessTokenTTL
	}
	s := &Server{
		shape:      cfg.shape,
		brief:      cfg.brief,
		oauth10:    cfg.oauth10,
		clock:      cfg.clock,
		requestTTL: cfg.requestTTL,
		accessTTL:  cfg.accessTTL,
		logger:     cfg.logger,
		users:      map[string]bool{},
		consumers:  map[string]*consumerEntry{},
		tokens:     map[string]*token{},
		serveDone:  make(chan struct{}),
		id:         newUUID(),
		secret:     []byte(rand.Text()),
		o2:         newOAuth2State(cfg),
		cloud:      newCloudState(cfg),
	}
	s.skew.Store(int64(cfg.skew))
	for _, u := range cfg.users {
		if u == "" {
			return nil, errors.New("applinktest: WithUsers: a user name is empty")
		}
		s.users[u] = true
	}
	for _, c := range cfg.consumers {
		if err := s.addConsumer(c); err != nil {
			return nil, err
		}
	}
	for _, c := range cfg.o2clients {
		if err := s.AddOAuth2Client(c); err != nil {
			return nil, err
		}
	}
	if cp := cfg.contextPath; cp != "" && (!strings.HasPrefix(cp, "/") || strings.HasSuffix(cp, "/") || strings.ContainsAny(cp, "?#% ")) {
		return nil, fmt.Errorf("applinktest: WithContextPath(%q): want a path such as /jira (a leading slash, no trailing one)", cp)
	}
	if cfg.baseURL != "" {
		u, err := url.Parse(cfg.baseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("applinktest: WithBaseURL(%q): want an absolute http or https URL", cfg.baseURL)
		}
		u.Path = strings.TrimSuffix(u.Path, "/")
		u.RawQuery, u.Fragment, u.RawPath = "", "", ""
		s.base = u
		s.proxied = true
	}

	l := cfg.listener
	if l != nil {
		if ta, ok := l.Addr().(*net.TCPAddr); ok && !ta.IP.IsLoopback() {
			return nil, fmt.Errorf("applinktest: WithListener: %s is not a loopback address: the test server listens on loopback only", ta)
		}
	}
	if l == nil {
		addr := cfg.addr
		if addr == "" {
			addr = "127.0.0.1:0"
		}
		if err := checkLoopback(addr); err != nil {
			return nil, err
		}
		var err error
		l, err = net.Listen("tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("applinktest: listening on %s: %w", addr, err)
		}
	}
	scheme := "http"
	if cfg.tls {
		cert, tlsCert, err := newCertificate()
		if err != nil {
			_ = l.Close()
			return nil, err
		}
		s.cert = cert
		s.certPool = x509.NewCertPool()
		s.certPool.AddCert(cert)
		l = tls.NewListener(l, &tls.Config{
			Certificates: []tls.Certificate{tlsCert},
			NextProtos:   []string{"http/1.1"},
			MinVersion:   tls.VersionTLS12,
		})
		scheme = "https"
	}
	s.listener = l
	s.URL = scheme + "://" + hostPort(l.Addr()) + cfg.contextPath
	if s.base == nil {
		s.base, _ = url.Parse(s.URL)
		// Under a context path the server sees paths without it: the
		// verifier puts the base URL's path back in front.
		s.proxied = cfg.contextPath != ""
	}
	s.realm = s.base.String()

	if err := s.setupVerifiers(); err != nil {
		_ = l.Close()
		return nil, err
	}
	s.setupRoutes()
	if err := s.handleResources(cfg.resources); err != nil {
		_ = l.Close()
		return nil, err
	}

	tr := &http.Transport{
		Proxy:             nil,
		ForceAttemptHTTP2: false,
		TLSClientConfig:   &tls.Config{RootCAs: s.certPool, MinVersion: tls.VersionTLS12},
	}
	s.client = &http.Client{Transport: tr}
	var handler http.Handler = s
	if cp := cfg.contextPath; cp != "" {
		handler = underContextPath(cp, s)
	}
	s.httpSrv = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	if s.logger != nil {
		s.httpSrv.ErrorLog = slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn)
	}
	go func() {
		defer close(s.serveDone)
		_ = s.httpSrv.Serve(l)
	}()
	return s, nil
}

// underContextPath serves h under the context path cp (stripped), and 404
// for every other path, as a servlet container does.
func underContextPath(cp string, h http.Handler) http.Handler {
	strip := http.StripPrefix(cp, h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, cp+"/") {
			http.NotFound(w, r)
			return
		}
		strip.ServeHTTP(w, r)
	})
}

func hostPort(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok {
		return net.JoinHostPort(ta.IP.String(), fmt.Sprint(ta.Port))
	}
	return a.String()
}

// checkLoopback refuses an address whose host is not a loopback IP or
// "localhost": the server holds test credentials only and must not be
// reachable from elsewhere.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("applinktest: address %q: %w: use host:port, such as 127.0.0.1:0", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("applinktest: address %q is not a loopback address: the test server listens on 127.0.0.1, ::1 or localhost only", addr)
	}
	return nil
}

// Close shuts the server down: it closes the listener and every connection,
// and waits for the serving goroutine. It can be called more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		_ = s.httpSrv.Close()
		<-s.serveDone
		s.client.CloseIdleConnections()
	})
}

// Client returns an HTTP client for this server: it trusts the server's
// certificate with [WithTLS] and uses no proxy. It signs nothing: wrap its
// transport in a signing one. It is the same client on every call.
func (s *Server) Client() *http.Client { return s.client }

// Certificate returns the server's TLS certificate, or nil without
// [WithTLS].
func (s *Server) Certificate() *x509.Certificate { return s.cert }

// Shape returns the product the server imitates.
func (s *Server) Shape() Shape { return s.shape }

// Now returns the server's time: its clock plus its skew.
func (s *Server) Now() time.Time {
	return s.clock().Add(time.Duration(s.skew.Load()))
}

// SetSkew sets how far the server's clock is ahead of its clock source
// (negative: behind), as [WithSkew] does.
func (s *Server) SetSkew(d time.Duration) { s.skew.Store(int64(d)) }

// AddUser adds a user (a no-op if it exists).
func (s *Server) AddUser(name string) {
	if name == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[name] = true
}

// RemoveUser removes a user, as an administrator deleting the account: the
// user's access tokens then fail with "No user associated with the token",
// and the user can no longer approve or be impersonated.
func (s *Server) RemoveUser(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.users, name)
}

func (s *Server) userExists(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users[name]
}

// baseLink returns the absolute URL of path as the server believes it is
// served (the [WithBaseURL] address in proxy mode).
func (s *Server) baseLink(path string) string {
	return s.base.String() + path
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
