package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/config"
	"github.com/go-applinks/applinks/internal/engine"
)

// configEnv is the environment variable naming the config file.
const configEnv = config.Env

// configPath returns the config file to use: the --config flag, else
// config.DefaultPath ($APPLINK_CONFIG, else applink/config.json in
// the user's config directory).
func configPath(flagValue string, getenv func(string) string) (string, error) {
	if flagValue == "" {
		if getenv == nil {
			getenv = func(string) string { return "" }
		}
		p, err := config.DefaultPath(getenv)
		if err != nil {
			return "", fmt.Errorf("%w, or pass --config FILE", err)
		}
		return p, nil
	}
	abs, err := filepath.Abs(flagValue)
	if err != nil {
		return "", fmt.Errorf("config file %q: %v: pass an absolute --config path", flagValue, err)
	}
	return abs, nil
}

// tokensPath is the token file beside the config file.
func tokensPath(configFile string) string { return config.DefaultTokenPath(configFile) }

// workspace is the config file and what was read from it.
type workspace struct {
	path   string
	cfg    *config.Config
	exists bool // the file was there
}

// errNoConfig is the message for a command that needs links when there is
// no config file.
var errNoConfig = errors.New("no links configured")

// loadWorkspace reads the config file at path. A missing file is an empty
// config when mayBeMissing, else an error saying how to create one.
func loadWorkspace(path string, mayBeMissing bool) (*workspace, error) {
	cfg, err := config.Load(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if mayBeMissing {
				return &workspace{path: path, cfg: &config.Config{}}, nil
			}
			return nil, fmt.Errorf("%w: there is no config file %s: add a link with 'applink link add' (or pass --config FILE / set %s)", errNoConfig, path, configEnv)
		}
		return nil, err
	}
	return &workspace{path: path, cfg: cfg, exists: true}, nil
}

// find returns the index of the link with the id or name, by the rule of
// Service.Link (an id without regard to case; an exact name first, then
// case-insensitive).
func (w *workspace) find(idOrName string) (int, error) {
	links := w.cfg.Links
	found := engine.Match(len(links), idOrName, func(i int) string { return links[i].ID }, func(i int) string { return links[i].Name })
	switch len(found) {
	case 0:
		return -1, &lookupError{fmt.Sprintf("no link %q in %s: see 'applink link list'", idOrName, w.path), applink.ErrLinkNotFound}
	case 1:
		return found[0], nil
	}
	return -1, &lookupError{fmt.Sprintf("%d links are named %q in %s: name the link by its id (applink link list)", len(found), idOrName, w.path), applink.ErrAmbiguousName}
}

// lookup loads the config at path and returns the link named (or with the
// id) name, in a service of that link alone with the config's token store
// (tokens.json beside the config unless its tokenStore says otherwise),
// which the command closes after reporting its result: another link's
// problem (an unset secret variable, a missing key file) does not stop this
// one.
func (c *cli) lookup(ctx context.Context, path, name string, opts ...applink.Option) (*applink.Link, error) {
	w, err := loadWorkspace(path, false)
	if err != nil {
		return nil, err
	}
	i, err := w.find(name)
	if err != nil {
		return nil, err
	}
	store, err := c.openTokenStore(ctx, w)
	if err != nil {
		return nil, err
	}
	c.closers = append(c.closers, store.close)
	svc, err := applink.NewService([]applink.Link{w.cfg.Links[i]}, append([]applink.Option{applink.WithTokenStore(store.Store)}, opts...)...)
	if err != nil {
		return nil, err
	}
	l, err := svc.Link(w.cfg.Links[i].ID)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// lookupError is a link that cannot be found in the config file; it wraps
// applink.ErrLinkNotFound or applink.ErrAmbiguousName.
type lookupError struct {
	msg string
	err error
}

func (e *lookupError) Error() string { return e.msg }
func (e *lookupError) Unwrap() error { return e.err }
