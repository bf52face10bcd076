package applink

import (
	"context"
	"errors"
	"fmt"
	"github.com/go-applinks/applinks/applink/filestore"
	"github.com/go-applinks/applinks/applink/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-applinks/applinks/internal/redact"
)

// ConfigEnv is the environment variable naming the config file that the
// applink command and programs sharing its links read ([DefaultConfigPath]).
const ConfigEnv = "APPLINK_CONFIG"

// DefaultConfigPath returns the config file the applink command uses, so
// that a program of your own shares its links and tokens: $APPLINK_CONFIG
// when set, else applink/config.json in the user's config directory
// (os.UserConfigDir: ~/.config on Linux, ~/Library/Application Support on
// macOS, %AppData% on Windows). getenv reads the environment; nil means
// os.Getenv (tests pass their own). The path is made absolute.
func DefaultConfigPath(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	p := getenv(ConfigEnv)
	if p == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("applink: no config file given and no user config directory (%v): set %s to the config file", err, ConfigEnv)
		}
		p = filepath.Join(dir, "applink", "config.json")
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("applink: config file %q: %w: give an absolute path", p, err)
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

// OpenOption configures [Open].
type OpenOption func(*openConfig)

type openConfig struct {
	svcOpts []Option
	openers map[string]storeOpener
	only    string // a link's id or name
	primary Type   // the primary link of this type
}

// WithServiceOptions passes options to the service [Open] builds (a
// logger, a retry policy, an HTTP client). A [WithTokenStore] among them
// replaces the config's token store, which is then not opened.
func WithServiceOptions(opts ...Option) OpenOption {
	return func(c *openConfig) { c.svcOpts = append(c.svcOpts, opts...) }
}

// WithTokenStoreOpener makes [Open] open a config's tokenStore URL of the
// given scheme ("postgres") with a store package's own Open function,
// called with the URL and opts. Package applink knows only token files; a
// store kept elsewhere is opened by its own package, for example
//
//	svc, err := applink.Open(ctx, "", applink.WithTokenStoreOpener("postgres", pgstore.Open))
//	svc, err := applink.Open(ctx, "", applink.WithTokenStoreOpener("postgres", pgstore.Open, pgstore.WithPruneInterval(time.Hour)))
//
// The service closes the store on [Service.Close] if it has a Close method.
func WithTokenStoreOpener[S token.Store, O any](scheme string, open func(ctx context.Context, location string, opts ...O) (S, error), opts ...O) OpenOption {
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

// OnlyLink makes [Open] build a service of one link, the one with the id
// or name (as [Service.Lookup] finds it), so that another link's problem
// (an unset secret variable, a missing key file) does not stop it. In that
// service the link is the primary link of its type. OnlyLink("") chooses
// nothing, so that a command's --link flag can be passed as it is, with
// [OnlyPrimary] as the fallback:
//
//	svc, err := applink.Open(ctx, *config, applink.OnlyLink(*link), applink.OnlyPrimary(applink.TypeJira))
func OnlyLink(idOrName string) OpenOption { return func(c *openConfig) { c.only = idOrName } }

// OnlyPrimary makes [Open] build a service of one link, the primary link
// of type t in the config ([Config.Primary]), as ApplicationLinkService's
// getPrimaryApplicationLink finds it. A non-empty [OnlyLink] wins over it.
func OnlyPrimary(t Type) OpenOption { return func(c *openConfig) { c.primary = t } }

// Open opens what a config file describes, as the applink command does: it
// loads the config at path ("" means [DefaultConfigPath] with os.Getenv),
// opens the token store the config names (by default the file
// [DefaultTokenPath] beside it) and returns a [Service] of its links with
// that store. Call [Service.Close] when done: it closes the store if Open
// opened one that needs closing.
//
// Errors: a missing config file wraps fs.ErrNotExist and says how to create
// one; problems in the file are those of [LoadConfig] and [NewService]; a
// link that [OnlyLink] or [OnlyPrimary] cannot find wraps
// [ErrLinkNotFound] or [ErrAmbiguousName]; a tokenStore URL whose scheme no
// [WithTokenStoreOpener] handles is an error saying so.
func Open(ctx context.Context, path string, opts ...OpenOption) (*Service, error) {
	var cfg openConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if path == "" {
		p, err := DefaultConfigPath(nil)
		if err != nil {
			return nil, err
		}
		path = p
	}
	conf, err := LoadConfig(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("applink: config file %s: %w: add a link with 'applink link add', or point %s at another config", path, fs.ErrNotExist, ConfigEnv)
	}
	if err != nil {
		return nil, err
	}
	links, err := cfg.pick(conf, path)
	if err != nil {
		return nil, err
	}

	// A token store given in the options wins; else the config's.
	probe := &Service{}
	for _, o := range cfg.svcOpts {
		if o != nil {
			o(probe)
		}
	}
	var store token.Store
	if probe.store == nil {
		if store, err = cfg.openStore(ctx, path, conf.TokenStore, probe.clock); err != nil {
			return nil, err
		}
	}
	svcOpts := cfg.svcOpts
	if store != nil {
		svcOpts = append([]Option{WithTokenStore(store)}, svcOpts...)
	}
	svc, err := NewService(links, svcOpts...)
	if err != nil {
		closeStore(store)
		return nil, err
	}
	svc.owned = store
	return svc, nil
}

// pick returns the links the service is to hold.
func (c *openConfig) pick(conf *Config, path string) ([]Link, error) {
	switch {
	case c.only != "":
		i, err := lookupIndex(conf.Links, c.only)
		if err != nil {
			return nil, fmt.Errorf("%w in %s: see 'applink link list'", err, path)
		}
		return []Link{conf.Links[i]}, nil
	case c.primary != "":
		l, err := conf.Primary(c.primary)
		if err != nil {
			return nil, fmt.Errorf("%w in %s: add one with 'applink link add', or name another link", err, path)
		}
		return []Link{l}, nil
	}
	return conf.Links, nil
}

// lookupIndex finds a link as [Service.Lookup] does: by id (any case),
// else by name (exact, then any case).
func lookupIndex(links []Link, idOrName string) (int, error) {
	for i, l := range links {
		if strings.EqualFold(l.ID, idOrName) {
			return i, nil
		}
	}
	for _, fold := range []bool{false, true} {
		var found []int
		for i, l := range links {
			if l.Name == idOrName || fold && strings.EqualFold(l.Name, idOrName) {
				found = append(found, i)
			}
		}
		switch len(found) {
		case 0:
			continue
		case 1:
			return found[0], nil
		}
		return -1, fmt.Errorf("%w: %d links are named %q: use the link's id", ErrAmbiguousName, len(found), idOrName)
	}
	return -1, fmt.Errorf("%w: %q matches no id or name", ErrLinkNotFound, idOrName)
}

// OpenTokenStore opens the token store the config names, as [Open] does:
// its token.Store setting, read relative to configPath (the file the config
// was loaded from); "" is the file [DefaultTokenPath] beside it. A URL is
// opened by the [WithTokenStoreOpener] given for its scheme; other options
// are ignored. The caller closes the store if it has a Close method.
func (c *Config) OpenTokenStore(ctx context.Context, configPath string, opts ...OpenOption) (token.Store, error) {
	var cfg openConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return cfg.openStore(ctx, configPath, c.TokenStore, nil)
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
		return nil, &FieldError{Path: configPath, Field: "tokenStore",
			Err: fmt.Errorf("%s: this program cannot open %s:// stores: it must pass applink.WithTokenStoreOpener(%q, ...) to applink.Open", redact.URLString(location), scheme, scheme)}
	}
	st, err := open(ctx, location)
	if err != nil {
		return nil, fmt.Errorf("applink: %s: opening the token store %s: %w", configPath, redact.URLString(location), err)
	}
	if st == nil {
		return nil, fmt.Errorf("applink: %s: the %s:// opener returned no token store", configPath, scheme)
	}
	return st, nil
}

// Close closes what [Open] opened for the service: its token store, if the
// store has a Close method. On a service from [NewService] it does nothing
// (the caller owns the store it gave). It returns the store's error.
func (s *Service) Close() error { return closeStore(s.owned) }

func closeStore(st token.Store) error {
	switch c := st.(type) {
	case interface{ Close() error }:
		return c.Close()
	case interface{ Close() }:
		c.Close()
	}
	return nil
}
