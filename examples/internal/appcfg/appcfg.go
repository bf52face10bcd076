// Package appcfg is the command-line plumbing the examples share: the
// --config flag's help, a usage line, exit codes, and a "credentials
// required" error that says where the user must go. The examples open the
// applink command's links and tokens with config.Open, as a program of
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
const ConfigUsage = "applink config `FILE` (default $APPLINK_CONFIG, else the user config dir's applink/config.json: config.DefaultPath)"

// Explain turns a "credentials required" error into one that says where
// the user must go: the authorization URL when the remote gives one, and
// the applink command that plays the whole dance. It still wraps err
// (errors.As finds the *applink.CredentialsRequiredError). Other errors are
// returned as they are. f is the factory of the request that failed (nil:
// no authorization URL is given).
func Explain(ctx context.Context, f *applink.RequestFactory, err error) error {
	var cre *applink.CredentialsRequiredError
	if !errors.As(err, &cre) {
		return err
	}
	why := "has not authorized it yet"
	if cre.Cause != nil {
		why = "must authorize it again: the remote rejected their token"
	}
	run := fmt.Sprintf("applink authorize --link %q --user %q", cre.LinkName, cre.User)
	if f == nil {
		run = "run: " + run
	} else if u, uerr := f.AuthorizationURL(ctx, ""); uerr == nil {
		run = fmt.Sprintf("visit %s as %s (or run: %s)", u, cre.User, run)
	} else {
		run = "run: " + run
	}
	return &explained{msg: fmt.Sprintf("link %q: user %q %s: %s", cre.LinkName, cre.User, why, run), err: err}
}

// explained is an error with a message of its own that wraps another.
type explained struct {
	msg string
	err error
}

func (e *explained) Error() string { return e.msg }
func (e *explained) Unwrap() error { return e.err }

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
