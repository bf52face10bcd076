package main

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/internal/fileread"
	"github.com/go-applinks/applinks/signer"
)

const testServerSynopsis = `[flags]

Runs an OAuth 1.0a provider shaped like Jira (or Jenkins) on loopback, for
integration tests in any language. It prints its base URL alone on the first
line of stdout, logs one JSON line per request to stderr, and runs until
interrupted (SIGINT, SIGTERM). Approve a request token over HTTP with
  GET <authorize URL>&user=<name>&approve=1   (approve=0 denies)
which redirects to the callback with oauth_token and oauth_verifier (for oob:
200 with the verifier in the body and the X-OAuth-Verifier header).

Consumers given by flags may use 3LO and 2LO (2LO runs as anonymous); with
--allow-impersonation also 2LO with impersonation (xoauth_requestor_id).

--shape oauth2 is Jira Data Center with OAuth 2.0 incoming links beside the
OAuth 1.0a ones: /rest/oauth2/latest/authorize and /rest/oauth2/latest/token,
bearer tokens on the resources. Approve over HTTP with
  GET <authorize URL>&user=<name>&approve=1   (approve=0 denies)
which redirects to the client's redirect URL with code and state.

OAuth 2.0 client SPEC (--oauth2-client, repeatable): comma-separated items
  id=ID              the client id (required)
  secret-env=VAR     environment variable holding the client secret (required)
  redirect=URL       the registered redirect URL (required)
  scope=SCOPE        READ, WRITE (default), ADMIN or SYSTEM_ADMIN
  service-user=NAME  allow client_credentials, acting as NAME

Fault SPEC (--fault, repeatable): comma-separated items
  status=CODE        answer with CODE (default 503)
  retry-after=DUR    send Retry-After (e.g. 1s)
  count=N            for the next N matching requests (default 1)
  drop               close the connection without an answer
  delay=DUR          wait DUR first (alone: then serve normally)
  after-auth         strike only after the signature was accepted
  path=/PATH         only requests for this path`

const testServerExamples = `  applink testserver --consumer applink=applink.pub.pem --users alice,bob --allow-impersonation
  JENKINS_SECRET=s3cret applink testserver --shape jenkins --hmac-consumer jira=JENKINS_SECRET --users alice
  applink testserver --tls --cert-out /tmp/ca.pem --consumer applink=applink.pub.pem
  applink testserver --fault status=503,count=2,retry-after=1s --fault drop --fault after-auth,count=1
  CLIENT_SECRET=s3cret applink testserver --shape oauth2 --users alice \
    --oauth2-client id=my-app,secret-env=CLIENT_SECRET,redirect=http://127.0.0.1:8765/callback,scope=WRITE
`

// tsUsagef returns a usage error (exit 2) of the testserver subcommand.
func tsUsagef(format string, args ...any) error {
	return &usageError{cmd: "applink testserver", msg: fmt.Sprintf(format, args...)}
}

// runTestServer is "applink testserver".
func runTestServer(ctx context.Context, args []string, e *env) int {
	return report(ctx, e.stderr, testServer(ctx, args, e))
}

// testServer runs the provider until ctx ends.
func testServer(ctx context.Context, args []string, e *env) error {
	fs := newFlagSet("testserver", testServerSynopsis, testServerExamples, e.stderr)
	var consumers, hmacConsumers, faults, o2clients listFlag
	addr := fs.String("addr", "127.0.0.1:0", "`host:port` to listen on; loopback only")
	shape := fs.String("shape", "atlassian", "product to imitate: atlassian, jenkins or oauth2 (Jira with OAuth 2.0 links)")
	fs.Var(&consumers, "consumer", "RSA-SHA1 consumer `KEY=PUBLIC_KEY_FILE` (Base64 SPKI, PEM or certificate); repeatable")
	fs.Var(&o2clients, "oauth2-client", "with --shape oauth2, an OAuth 2.0 client `SPEC` (see above); repeatable")
	fs.Var(&hmacConsumers, "hmac-consumer", "HMAC-SHA1 consumer `KEY=ENV_VAR`, the secret read from the environment; repeatable")
	users := fs.String("users", "", "comma-separated `names` of the users")
	impersonation := fs.Bool("allow-impersonation", false, "let the consumers use 2LO with impersonation")
	skew := fs.Duration("skew", 0, "shift the server's clock by `DURATION` (e.g. 10m, -10m)")
	fs.Var(&faults, "fault", "inject a fault `SPEC` (see above); repeatable")
	useTLS := fs.Bool("tls", false, "serve HTTPS with a self-signed certificate made for this run")
	certOut := fs.String("cert-out", "", "with --tls, write the certificate (PEM) to `FILE` for clients to trust")
	baseURL := fs.String("base-url", "", "reverse-proxy mode: the `URL` the server believes it is served at")
	brief := fs.Bool("brief-problems", false, "answer OAuth problems with status and WWW-Authenticate only")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	opts, err := testServerOptions(e, testServerFlags{
		addr: *addr, shape: *shape, consumers: consumers, hmacConsumers: hmacConsumers, users: *users,
		impersonation: *impersonation, skew: *skew, faults: faults, tls: *useTLS, baseURL: *baseURL, brief: *brief,
		oauth2Clients: o2clients,
	})
	if err == nil && *certOut != "" && !*useTLS {
		err = tsUsagef("--cert-out needs --tls")
	}
	if err != nil {
		return err
	}
	srv, err := applinktest.Start(opts.options...)
	if err != nil {
		return fmt.Errorf("testserver: %w", err)
	}
	defer srv.Close()
	for _, f := range opts.faults {
		srv.InjectFault(f)
	}
	if *certOut != "" {
		block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
		if err := os.WriteFile(*certOut, block, 0o644); err != nil {
			return fmt.Errorf("testserver: writing the certificate: %w: check the --cert-out path", err)
		}
	}
	fmt.Fprintln(e.stdout, srv.URL)
	if f, ok := e.stdout.(interface{ Sync() error }); ok {
		_ = f.Sync()
	}
	<-ctx.Done()
	return nil
}

type testServerFlags struct {
	addr, shape                      string
	consumers, hmacConsumers, faults []string
	oauth2Clients                    []string
	users                            string
	impersonation, tls, brief        bool
	skew                             time.Duration
	baseURL                          string
}

type testServerSetup struct {
	options []applinktest.Option
	faults  []applinktest.Fault
}

// testServerOptions turns the flags into server options; usage mistakes
// are *usageError.
func testServerOptions(e *env, f testServerFlags) (*testServerSetup, error) {
	out := &testServerSetup{}
	add := func(o applinktest.Option) { out.options = append(out.options, o) }
	switch applinktest.Shape(f.shape) {
	case applinktest.Atlassian, applinktest.Jenkins, applinktest.OAuth2:
		add(applinktest.WithShape(applinktest.Shape(f.shape)))
	default:
		return nil, tsUsagef("--shape %q: want atlassian, jenkins or oauth2", f.shape)
	}
	if len(f.oauth2Clients) > 0 && applinktest.Shape(f.shape) != applinktest.OAuth2 {
		return nil, tsUsagef("--oauth2-client needs --shape oauth2")
	}
	for _, spec := range f.oauth2Clients {
		c, err := parseOAuth2Client(spec, e.getenv)
		if err != nil {
			return nil, tsUsagef("--oauth2-client %q: %s", spec, err)
		}
		add(applinktest.WithOAuth2Client(c))
	}
	if err := checkLoopbackAddr(f.addr); err != nil {
		return nil, err
	}
	add(applinktest.WithAddr(f.addr))
	add(applinktest.WithLogger(slog.New(slog.NewJSONHandler(e.stderr, nil))))
	if f.tls {
		add(applinktest.WithTLS())
	}
	if f.skew != 0 {
		add(applinktest.WithSkew(f.skew))
	}
	if f.baseURL != "" {
		add(applinktest.WithBaseURL(f.baseURL))
	}
	if f.brief {
		add(applinktest.WithBriefProblems())
	}
	for _, u := range strings.Split(f.users, ",") {
		if u = strings.TrimSpace(u); u != "" {
			add(applinktest.WithUsers(u))
		}
	}
	base := applinktest.Consumer{ThreeLO: true, TwoLO: true, Impersonation: f.impersonation}
	for _, spec := range f.consumers {
		key, file, ok := strings.Cut(spec, "=")
		if !ok || key == "" || file == "" {
			return nil, tsUsagef("--consumer %q: want KEY=PUBLIC_KEY_FILE", spec)
		}
		data, err := fileread.ReadFile(file, fileread.MaxKeySize)
		if err != nil {
			return nil, fmt.Errorf("--consumer %s: reading the public key: %w", key, err)
		}
		pub, err := signer.ParsePublicKey(data)
		if err != nil {
			return nil, fmt.Errorf("--consumer %s: %s: %w", key, file, err)
		}
		c := base
		c.Key, c.PublicKey = key, pub
		add(applinktest.WithConsumer(c))
	}
	for _, spec := range f.hmacConsumers {
		key, name, ok := strings.Cut(spec, "=")
		if !ok || key == "" || name == "" {
			return nil, tsUsagef("--hmac-consumer %q: want KEY=ENV_VAR", spec)
		}
		secret := e.getenv(name)
		if secret == "" {
			return nil, tsUsagef("--hmac-consumer %s: environment variable %s is not set or empty: export the shared secret in it", key, name)
		}
		c := base
		c.Key, c.Secret = key, signer.NewSecret(secret)
		add(applinktest.WithConsumer(c))
	}
	for _, spec := range f.faults {
		fault, err := parseFault(spec)
		if err != nil {
			return nil, tsUsagef("--fault %q: %s", spec, err)
		}
		out.faults = append(out.faults, fault)
	}
	return out, nil
}

// checkLoopbackAddr refuses --addr values that are not loopback: the test
// server approves as whichever user a query names.
func checkLoopbackAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return tsUsagef("--addr %q: want host:port, such as 127.0.0.1:0", addr)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return tsUsagef("--addr %q: not a loopback address: the test server listens on 127.0.0.1, ::1 or localhost only", addr)
	}
	return nil
}

// parseFault parses a --fault SPEC: comma-separated status=CODE,
// retry-after=DUR, count=N, drop, delay=DUR, after-auth, path=/PATH.
func parseFault(spec string) (applinktest.Fault, error) {
	var f applinktest.Fault
	if strings.TrimSpace(spec) == "" {
		return f, errors.New("empty fault: give at least one of status=, drop, delay=, after-auth")
	}
	for item := range strings.SplitSeq(spec, ",") {
		item = strings.TrimSpace(item)
		name, value, hasValue := strings.Cut(item, "=")
		needValue := func() error {
			if !hasValue || value == "" {
				return fmt.Errorf("%s needs a value (%s=...)", name, name)
			}
			return nil
		}
		switch name {
		case "status":
			if err := needValue(); err != nil {
				return f, err
			}
			n, err := strconv.Atoi(value)
			if err != nil || n < 400 || n > 599 {
				return f, fmt.Errorf("status %q: want an HTTP error status, 400 to 599", value)
			}
			f.Status = n
		case "count":
			if err := needValue(); err != nil {
				return f, err
			}
			n, err := strconv.Atoi(value)
			if err != nil || n < 1 {
				return f, fmt.Errorf("count %q: want a positive number", value)
			}
			f.Count = n
		case "retry-after", "delay":
			if err := needValue(); err != nil {
				return f, err
			}
			d, err := time.ParseDuration(value)
			if err != nil || d < 0 {
				return f, fmt.Errorf("%s %q: want a duration such as 1s", name, value)
			}
			if name == "delay" {
				f.Delay = d
			} else {
				f.RetryAfter = d
			}
		case "path":
			if err := needValue(); err != nil {
				return f, err
			}
			if !strings.HasPrefix(value, "/") {
				return f, fmt.Errorf("path %q: want an absolute path such as /rest/api/2/myself", value)
			}
			f.Path = value
		case "drop", "after-auth":
			if hasValue {
				return f, fmt.Errorf("%s takes no value", name)
			}
			if name == "drop" {
				f.Drop = true
			} else {
				f.AfterAuth = true
			}
		default:
			return f, fmt.Errorf("unknown item %q: want status=, retry-after=, count=, drop, delay=, after-auth or path=", item)
		}
	}
	if f.Drop && f.Status != 0 {
		return f, errors.New("drop and status= exclude each other")
	}
	return f, nil
}

// parseOAuth2Client parses an --oauth2-client SPEC: comma-separated id=,
// secret-env=, redirect=, scope=, service-user=. The secret is read from
// the environment and never appears in an error.
func parseOAuth2Client(spec string, getenv func(string) string) (applinktest.OAuth2Client, error) {
	var c applinktest.OAuth2Client
	for item := range strings.SplitSeq(spec, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(item), "=")
		if value == "" {
			return c, fmt.Errorf("%s needs a value (%s=...)", name, name)
		}
		switch name {
		case "id":
			c.ID = value
		case "secret-env":
			c.Secret = signer.NewSecret(getenv(value))
			if c.Secret.IsZero() {
				return c, fmt.Errorf("environment variable %s is not set or empty: export the client secret in it", value)
			}
		case "redirect":
			c.RedirectURL = value
		case "scope":
			c.Scope = strings.ToUpper(value)
		case "service-user":
			c.ServiceUser = value
		default:
			return c, fmt.Errorf("unknown item %q: want id=, secret-env=, redirect=, scope= or service-user=", name)
		}
	}
	switch {
	case c.ID == "":
		return c, errors.New("id= is missing")
	case c.Secret.IsZero():
		return c, errors.New("secret-env= is missing")
	case c.RedirectURL == "":
		return c, errors.New("redirect= is missing")
	}
	return c, nil
}
