package main

import (
	"context"
	"flag"
	"io"
	"runtime/debug"
	"time"
)

// cli is what the subcommands keygen, link, authorize, request, sign and
// tokens share: the standard streams, the environment, and the browser opener
// tests replace.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// openBrowser opens a URL in the person's browser; nil means the
	// platform's opener (xdg-open, open, rundll32).
	openBrowser func(ctx context.Context, url string) error
	// buildInfo reads the build information; nil means debug.ReadBuildInfo.
	buildInfo func() (*debug.BuildInfo, bool)
	// now is the clock for what is shown relative to now ("in 52m"); nil
	// means time.Now. loc is the time zone times are shown in; nil means
	// time.Local.
	now func() time.Time
	loc *time.Location
	// jsonOut is the command's --json flag (nil when it has none): with it
	// a failure is reported on stderr as one JSON object.
	jsonOut *bool
	// closers close what the command opened (a token store's database
	// pool) once its result, errors included, has been reported: reporting
	// credentials required still uses the store.
	closers []func()
}

// closeAll runs the closers, last opened first.
func (c *cli) closeAll() {
	for i := len(c.closers) - 1; i >= 0; i-- {
		c.closers[i]()
	}
	c.closers = nil
}

func newCLI(e *env) *cli {
	return &cli{stdin: e.stdin, stdout: e.stdout, stderr: e.stderr, getenv: e.getenv, buildInfo: e.buildInfo, now: e.now, loc: e.loc, openBrowser: e.openBrowser}
}

// clock returns the current time.
func (c *cli) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// location returns the time zone to show times in.
func (c *cli) location() *time.Location {
	if c.loc != nil {
		return c.loc
	}
	return time.Local
}

// jsonFlag defines --json with usage and remembers it, so that a failure of
// the command is reported as JSON too.
func (c *cli) jsonFlag(fs *flag.FlagSet, usage string) *bool {
	p := fs.Bool("json", false, usage)
	c.jsonOut = p
	return p
}

// wantsJSON reports whether the command asked for JSON: its --json flag is
// set, or (when parsing failed before reaching it) given among args.
func (c *cli) wantsJSON(args []string) bool {
	if c.jsonOut == nil {
		return false
	}
	if *c.jsonOut {
		return true
	}
	for i, a := range args {
		switch a {
		case "--":
			return false
		case "-json", "--json", "-json=true", "--json=true", "-output=json", "--output=json":
			return true
		case "-output", "--output":
			if i+1 < len(args) && args[i+1] == "json" {
				return true
			}
		}
	}
	return false
}

// runCLI runs a subcommand that returns an error and reports the error on
// stderr as one line, returning the exit code.
func runCLI(ctx context.Context, args []string, e *env, f func(*cli, context.Context, []string) error) int {
	c := newCLI(e)
	defer c.closeAll()
	err := f(c, ctx, args)
	if err != nil && c.wantsJSON(args) {
		return reportJSON(ctx, e.stderr, err)
	}
	return report(ctx, e.stderr, err)
}

func runVersion(ctx context.Context, args []string, e *env) int {
	return runCLI(ctx, args, e, (*cli).version)
}

func runCompletion(ctx context.Context, args []string, e *env) int {
	return runCLI(ctx, args, e, (*cli).completion)
}

func runKeygen(ctx context.Context, args []string, e *env) int {
	return runCLI(ctx, args, e, (*cli).keygen)
}

func runLink(ctx context.Context, args []string, e *env) int {
	return runCLI(ctx, args, e, (*cli).link)
}

func runSign(ctx context.Context, args []string, e *env) int {
	return runCLI(ctx, args, e, (*cli).sign)
}

func runAuthorize(ctx context.Context, args []string, e *env) int {
	return runCLI(ctx, args, e, (*cli).authorize)
}

func runRequest(ctx context.Context, args []string, e *env) int {
	return runCLI(ctx, args, e, (*cli).request)
}

func runTokens(ctx context.Context, args []string, e *env) int {
	return runCLI(ctx, args, e, (*cli).tokens)
}
