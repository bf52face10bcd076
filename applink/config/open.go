package config

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-applinks/applinks/applink/filestore"
	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/internal/engine"
	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/internal/seam"
)

// Env is the environment variable naming the config file that the
// applink command and programs sharing its links read ([DefaultPath]).
const Env = "APPLINK_CONFIG"

// DefaultPath returns the config file the applink command uses, so
// that a program of your own shares its links and tokens: $APPLINK_CONFIG
// when set, else applink/config.json in the user's config directory
// (os.UserConfigDir: ~/.config on Linux, ~/Library/Application Support on
// macOS, %AppData% on Windows). getenv reads the environment; nil means
// os.Getenv (tests pass their own). The path is made absolute.
func DefaultPath(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	p := getenv(Env)
	if p == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("config: no config file given and no user config directory (%v): set %s to the config file", err, Env)
		}
		p = filepath.Join(dir, "applink", "config.json")
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("config: config file %q: %w: give an absolute path", p, err)
	}
	return abs, nil
}

// DefaultTokenPath returns the token file that goes with a config file:
// tokens.json in the same directory. It is where [Open] keeps tokens when
// the config names no other store.
func DefaultTokenPath(configPath string) string {
	return filepath.Join(filepath.Dir(configPath), "tokens.json")
}

// storeOpener opens the token store at a location URL (the config's
// tokenStore, such as "postgres://db.internal/applink"); see
// [WithTokenStoreOpener].
type storeOpener func(ctx context.Context, location string) (token.Store, error)

// Option configures [Open] and [Config.OpenTokenStore].
type Option func(*openConfig)

type openConfig struct {
	svcOpts []applink.Option
	store   token.Store
	clock   func() time.Time
	openers map[string]storeOpener
	only    string       // a link's id or name
	primary applink.Type // the primary link of this type
}

// WithServiceOptions passes options to the service [Open] builds (a
// logger, a retry policy, an HTTP client). Give a token store with
// [WithTokenStore] and a clock with [WithClock], not here.
func WithServiceOptions(opts ...applink.Option) Option {
	return func(c *openConfig) { c.svcOpts = append(c.svcOpts, opts...) }
}

// WithTokenStoreOpener makes [Open] open a config's tokenStore URL of the
// given scheme ("postgres") with a store package's own Open function,
// called with the URL and opts. Package applink knows only token files; a
// store kept elsewhere is opened by its own package, for example
//
//	svc, err := config.Open(ctx, "", config.WithTokenStoreOpener("postgres", pgstore.Open))
//	svc, err := config.Open(ctx, "", config.WithTokenStoreOpener("postgres", pgstore.Open, pgstore.WithPruneInterval(time.Hour)))
//
// The service closes the store on [applink.Service.Close] if it has a Close method.
func WithTokenStoreOpener[S token.Store, O any](scheme string, open func(ctx context.Context, location string, opts ...O) (S, error), opts ...O) Option {
	return func(c *openConfig) {
		if c.openers == nil {
			c.openers = map[string]storeOpener{}
		}
		c.openers[strings.ToLower(scheme)] = func(ctx context.Context, location string) (token.Store, error) {
			s, err := open(ctx, location, opts...)
			if err != nil {
				return nil, err // not a typed nil in an interface
			}
			return s, nil
		}
	}
}

// WithLink makes [Open] build a service of one link, the one with the id
// or name (as [applink.Service.Link] finds it), so that another link's problem
// (an unset secret variable, a missing key file) does not stop it. In that
// service the link is the primary link of its type. WithLink("") chooses
// nothing, so that a command's --link flag can be passed as it is, with
// [WithPrimary] as the fallback:
//
//	svc, err := config.Open(ctx, *config, config.WithLink(*link), config.WithPrimary(applink.TypeJira))
func WithLink(idOrName string) Option { return func(c *openConfig) { c.only = idOrName } }

// WithPrimary makes [Open] build a service of one link, the primary link
// of type t in the config (the link marked primary, else the first of the type), as ApplicationLinkService's
// getPrimaryApplicationLink finds it. A non-empty [WithLink] wins over it.
func WithPrimary(t applink.Type) Option { return func(c *openConfig) { c.primary = t } }

// Open opens what a config file describes, as the applink command does: it
// loads the config at path ("" means [DefaultConfigPath] with os.Getenv),
// opens the token store the config names (by default the file
// [DefaultTokenPath] beside it) and returns a [applink.Service] of its links with
// that store. Call [applink.Service.Close] when done: it closes the store if Open
// opened one that needs closing.
//
// Errors: a missing config file wraps fs.ErrNotExist and says how to create
// one; problems in the file are those of [Load] and [applink.NewService]; a
// link that [WithLink] or [WithPrimary] cannot find wraps
// [applink.ErrLinkNotFound] or [applink.ErrAmbiguousName]; a tokenStore URL whose scheme no
// [WithTokenStoreOpener] handles is an error saying so.
func Open(ctx context.Context, path string, opts ...Option) (*applink.Service, error) {
	var cfg openConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if path == "" {
		p, err := DefaultPath(nil)
		if err != nil {
			return nil, err
		}
		path = p
	}
	conf, err := Load(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("config: config file %s: %w: add a link with 'applink link add', or point %s at another config", path, fs.ErrNotExist, Env)
	}
	if err != nil {
		return nil, err
	}
	links, err := cfg.pick(conf, path)
	if err != nil {
		return nil, err
	}

	// A token store given with WithTokenStore wins; else the config's,
	// which the service then owns and closes.
	store, owned := cfg.store, false
	if store == nil {
		if store, err = cfg.openStore(ctx, path, conf.TokenStore, cfg.clock); err != nil {
			return nil, err
		}
		owned = true
	}
	svcOpts := []applink.Option{applink.WithTokenStore(store)}
	if owned {
		svcOpts = []applink.Option{seam.OwnedTokenStore(store).(applink.Option)}
	}
	if cfg.clock != nil {
		svcOpts = append(svcOpts, applink.WithClock(cfg.clock))
	}
	svc, err := applink.NewService(links, append(svcOpts, cfg.svcOpts...)...)
	if err != nil {
		if owned {
			_ = engine.CloseStore(store)
		}
		return nil, err
	}
	return svc, nil
}

// pick returns the links the service is to hold.
func (c *openConfig) pick(conf *Config, path string) ([]applink.Link, error) {
	switch {
	case c.only != "":
		i, err := lookupIndex(conf.Links, c.only)
		if err != nil {
			return nil, fmt.Errorf("%w in %s: see 'applink link list'", err, path)
		}
		return []applink.Link{conf.Links[i]}, nil
	case c.primary != "":
		t := c.primary
		if p, err := applink.ParseType(string(t)); err == nil {
			t = p
		}
		i := primaryIndex(conf.Links, t)
		if i < 0 {
			return nil, fmt.Errorf("%w: no link of type %s in %s: add one with 'applink link add', or name another link", applink.ErrLinkNotFound, t, path)
		}
		return []applink.Link{conf.Links[i]}, nil
	}
	return conf.Links, nil
}

// lookupIndex finds a link as [applink.Service.Link] does: by id (any case),
// else by name (exact, then any case).
func lookupIndex(links []applink.Link, idOrName string) (int, error) {
	found := engine.Match(len(links), idOrName, func(i int) string { return links[i].ID }, func(i int) string { return links[i].Name })
	switch len(found) {
	case 0:
		return -1, fmt.Errorf("%w: %q matches no id or name", applink.ErrLinkNotFound, idOrName)
	case 1:
		return found[0], nil
	}
	return -1, fmt.Errorf("%w: %d links are named %q: use the link's id", applink.ErrAmbiguousName, len(found), idOrName)
}

// OpenTokenStore opens the token store the config names, as [Open] does:
// its token.Store setting, read relative to configPath (the file the config
// was loaded from); "" is the file [DefaultTokenPath] beside it. A URL is
// opened by the [WithTokenStoreOpener] given for its scheme; other options
// are ignored. The caller closes the store if it has a Close method.
func (c *Config) OpenTokenStore(ctx context.Context, configPath string, opts ...Option) (token.Store, error) {
	var cfg openConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return cfg.openStore(ctx, configPath, c.TokenStore, cfg.clock)
}

// openStore opens the token store at location ("" is the file beside the
// config).
func (c *openConfig) openStore(ctx context.Context, configPath, location string, clock func() time.Time) (token.Store, error) {
	var sopts []filestore.Option
	if clock != nil {
		sopts = append(sopts, filestore.WithClock(clock))
	}
	if location == "" {
		return filestore.Open(DefaultTokenPath(configPath), sopts...)
	}
	scheme, _, isURL := strings.Cut(location, "://")
	if !isURL {
		if !filepath.IsAbs(location) {
			location = filepath.Join(filepath.Dir(configPath), location)
		}
		return filestore.Open(location, sopts...)
	}
	open := c.openers[strings.ToLower(scheme)]
	if open == nil {
		return nil, &applink.FieldError{Path: configPath, Field: "tokenStore",
			Err: fmt.Errorf("%s: this program cannot open %s:// stores: it must pass config.WithTokenStoreOpener(%q, ...) to config.Open", redact.URLString(location), scheme, scheme)}
	}
	st, err := open(ctx, location)
	if err != nil {
		return nil, fmt.Errorf("config: %s: opening the token store %s: %w", configPath, redact.URLString(location), err)
	}
	if st == nil {
		return nil, fmt.Errorf("config: %s: the %s:// opener returned no token store", configPath, scheme)
	}
	return st, nil
}

// WithTokenStore makes [Open] use st instead of the token store the config
// names, which is then not opened. The caller owns st: the service's Close
// does not close it.
func WithTokenStore(st token.Store) Option { return func(c *openConfig) { c.store = st } }

// WithClock makes the service [Open] builds, and the token file it opens,
// read the time from now (tests). nil means time.Now.
func WithClock(now func() time.Time) Option { return func(c *openConfig) { c.clock = now } }
