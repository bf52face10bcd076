package main

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/go-applinks/applinks/applink/filestore"
	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/applink/config"
	"github.com/go-applinks/applinks/applink/pgstore"
	"github.com/go-applinks/applinks/internal/redact"
)

// openedStore is a token store the command opened, with where it is (a
// file path, or a URL without password) and how to close it.
type openedStore struct {
	token.Store
	where string
}

// file is the token file's path, "" for a database.
func (s *openedStore) file() string {
	if f, ok := s.Store.(*filestore.Store); ok {
		return f.Path()
	}
	return ""
}

// close closes the store if it holds something (a database pool).
func (s *openedStore) close() {
	if c, ok := s.Store.(interface{ Close() error }); ok {
		_ = c.Close()
	}
}

// storeOpeners open the tokenStore URLs the command knows: postgres:// and
// postgresql:// through applink/pgstore, the password from
// APPLINK_POSTGRES_PASSWORD (read through getenv), PGPASSWORD or ~/.pgpass.
func storeOpeners(getenv func(string) string) []config.Option {
	return []config.Option{
		config.WithTokenStoreOpener("postgres", pgstore.Open, pgstore.WithGetenv(getenv)),
		config.WithTokenStoreOpener("postgresql", pgstore.Open, pgstore.WithGetenv(getenv)),
	}
}

// openTokenStore opens the token store the workspace's config names:
// tokens.json beside the config file unless its tokenStore says otherwise.
func (c *cli) openTokenStore(ctx context.Context, w *workspace) (*openedStore, error) {
	st, err := w.cfg.OpenTokenStore(ctx, w.path, storeOpeners(c.getenv)...)
	if err != nil {
		return nil, err
	}
	return &openedStore{Store: st, where: storeWhere(st, w.cfg.TokenStore)}, nil
}

// openStoreAt opens the token store at location, a path (relative to the
// current directory) or a postgres:// URL, for "tokens copy --to". A
// password in the URL is refused: it would show in the process list and the
// shell's history.
func (c *cli) openStoreAt(ctx context.Context, location string) (*openedStore, error) {
	if !strings.Contains(location, "://") {
		abs, err := filepath.Abs(location)
		if err != nil {
			return nil, err
		}
		st, err := filestore.Open(abs)
		if err != nil {
			return nil, err
		}
		return &openedStore{Store: st, where: st.Path()}, nil
	}
	// The config's rule applies to the command line too.
	if u, err := url.Parse(location); err == nil {
		_, inUser := u.User.Password()
		q := u.Query()
		if inUser || q.Has("password") {
			return nil, fmt.Errorf("--to %s: the URL holds a password, which would show in the process list and the shell's history: remove it and set APPLINK_POSTGRES_PASSWORD (or PGPASSWORD) in the environment", redact.URLString(location))
		}
		if q.Has("sslpassword") {
			return nil, fmt.Errorf("--to %s: the URL holds the client key's password (sslpassword), which would show in the process list and the shell's history: remove it and set PGSSLPASSWORD in the environment", redact.URLString(location))
		}
	}
	cfg := &config.Config{TokenStore: location}
	st, err := cfg.OpenTokenStore(ctx, "", storeOpeners(c.getenv)...)
	if err != nil {
		return nil, err
	}
	return &openedStore{Store: st, where: storeWhere(st, location)}, nil
}

// storeWhere describes where a store keeps its tokens, without secrets.
func storeWhere(st token.Store, location string) string {
	if f, ok := st.(*filestore.Store); ok {
		return f.Path()
	}
	return redact.URLString(location)
}

// tokenStoreWhere describes a config's tokenStore setting without opening
// it: a path made absolute against the config's directory, or the URL
// without password.
func tokenStoreWhere(configPath, location string) string {
	if strings.Contains(location, "://") {
		return redact.URLString(location)
	}
	if !filepath.IsAbs(location) {
		location = filepath.Join(filepath.Dir(configPath), location)
	}
	return location
}
