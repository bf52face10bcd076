// Package appcfg is the command-line plumbing the examples share: the
// --config flag's help, a usage line, exit codes, and a "credentials
// required" error that says where the user must go. The examples open the
// applink command's links and tokens with applink.Open, as a program of
// your own would.
package appcfg

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/go-applinks/applinks/applink"
)

// ConfigUsage is the help text of the examples' --config flag.
const ConfigUsage = "applink config `FILE` (default $APPLINK_CONFIG, else the user config dir's applink/config.json: applink.DefaultConfigPath)"

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
