// Package appcfg is what the examples share: it opens the links and tokens
// the applink command keeps (config.json, and tokens.json beside it), finds
// a link the way the Java API's ApplicationLinkService does, and turns a
// "credentials required" error into one that says where the user must go.
//
// It is internal to the examples: a program of your own would open its
// links the same way (applink.LoadConfig, applink.OpenFileTokenStore,
// applink.NewService) or build them in code.
package appcfg

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-applinks/applinks/applink"
)

// ConfigUsage is the help text of the examples' --config flag.
const ConfigUsage = "applink config `FILE` (default $APPLINK_CONFIG, else the user config dir's applink/config.json)"

// Open loads the applink command's config file (config, else the
// APPLINK_CONFIG variable read with getenv, else applink/config.json in the
// user config dir) with the tokens.json beside it, and returns the service
// and its link named (or with the id) linkName; "" means the primary link
// of type t, as ApplicationLinkService.getPrimaryApplicationLink does.
func Open(config, linkName string, t applink.Type, getenv func(string) string) (*applink.Service, *applink.Link, error) {
	if config == "" && getenv != nil {
		config = getenv("APPLINK_CONFIG")
	}
	if config == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return nil, nil, fmt.Errorf("no config file: pass --config or set APPLINK_CONFIG (%v)", err)
		}
		config = filepath.Join(dir, "applink", "config.json")
	}
	cfg, err := applink.LoadConfig(config)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("no applink config at %s: set a link up with 'applink link add' (or pass --config)", config)
	}
	if err != nil {
		return nil, nil, err
	}
	l, err := pick(cfg.Links, linkName, t)
	if err != nil {
		return nil, nil, fmt.Errorf("%w in %s: see 'applink link list', then pass --link NAME", err, config)
	}
	store, err := applink.OpenFileTokenStore(filepath.Join(filepath.Dir(config), "tokens.json"))
	if err != nil {
		return nil, nil, err
	}
	// A service of this link alone: another link's problem (an unset
	// secret variable, a missing key file) does not stop this one.
	svc, err := applink.NewService([]applink.Link{l}, applink.WithTokenStore(store))
	if err != nil {
		return nil, nil, err
	}
	link, err := svc.Link(l.ID)
	if err != nil {
		return nil, nil, err
	}
	return svc, link, nil
}

// pick finds the link with the id or name (exact name first, then any
// case), or for "" the primary link of type t (the one marked primary, else
// the first of the type), as applink.Service does.
func pick(links []applink.Link, idOrName string, t applink.Type) (applink.Link, error) {
	if idOrName == "" {
		var first *applink.Link
		for i, l := range links {
			if l.Type != t {
				continue
			}
			if l.Primary {
				return l, nil
			}
			if first == nil {
				first = &links[i]
			}
		}
		if first == nil {
			return applink.Link{}, fmt.Errorf("%w: no link of type %s", applink.ErrLinkNotFound, t)
		}
		return *first, nil
	}
	for _, l := range links {
		if strings.EqualFold(l.ID, idOrName) {
			return l, nil
		}
	}
	for _, fold := range []bool{false, true} {
		var found []applink.Link
		for _, l := range links {
			if l.Name == idOrName || fold && strings.EqualFold(l.Name, idOrName) {
				found = append(found, l)
			}
		}
		switch len(found) {
		case 0:
			continue
		case 1:
			return found[0], nil
		}
		return applink.Link{}, fmt.Errorf("%w: %d links are named %q: pass the link's id", applink.ErrAmbiguousName, len(found), idOrName)
	}
	return applink.Link{}, fmt.Errorf("%w: no link has id or name %q", applink.ErrLinkNotFound, idOrName)
}

// Explain adds where to authorize to a credentials-required error: the
// authorization URL when the remote gives one, and the applink command that
// plays the whole dance. Other errors are returned as they are.
func Explain(ctx context.Context, err error, link *applink.Link, user string) error {
	var cre *applink.CredentialsRequiredError
	if !errors.As(err, &cre) {
		return err
	}
	u, uerr := cre.AuthorizationURI(ctx, "")
	if uerr != nil {
		return fmt.Errorf("%w; run: applink authorize --link %q --user %q", err, link.Name, user)
	}
	return fmt.Errorf("%w; visit %s as user %q to authorize (or run: applink authorize --link %q --user %q)", err, u, user, link.Name, user)
}

// Usage makes fs's help print "usage: NAME ARGS", then the about text and
// the flags.
func Usage(fs *flag.FlagSet, args, about string) {
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s %s\n\n%s\n\nflags:\n", fs.Name(), args, about)
		fs.PrintDefaults()
	}
}

// ExitCode is the exit status of an example whose run returned err: 0 for
// nil and for -h, 3 when the user must authorize the link first, 1
// otherwise. It prints err to stderr prefixed by name.
func ExitCode(stderr io.Writer, name string, err error) int {
	var cre *applink.CredentialsRequiredError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &cre):
		fmt.Fprintln(stderr, name+":", err)
		return 3
	default:
		fmt.Fprintln(stderr, name+":", err)
		return 1
	}
}
