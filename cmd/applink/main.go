// Command applink acts as a user through Atlassian Application Links from
// the command line, over OAuth 1.0a (3LO, 2LO and 2LOi, RSA-SHA1 or
// Jenkins' HMAC-SHA1) and over OAuth 2.0 incoming links of Data Center
// products (authorization code with PKCE, refresh, client credentials).
//
// It adds links to a config file (applink link add), authorizes users
// (applink authorize), sends requests as them like curl (applink request),
// diagnoses a link (applink doctor), and runs a test provider on loopback
// (applink testserver). Run "applink help" for its subcommands and
// "applink help COMMAND" for one's flags.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env is what a subcommand gets besides its context and arguments: the
// standard streams and the environment.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// buildInfo reads the build information; nil means debug.ReadBuildInfo.
	buildInfo func() (*debug.BuildInfo, bool)
	// now and loc are the clock and time zone of what is shown to people;
	// nil means time.Now and time.Local (tests fix them).
	now func() time.Time
	loc *time.Location
	// openBrowser opens a URL in the person's browser; nil means the
	// platform's opener (tests approve instead).
	openBrowser func(ctx context.Context, url string) error
}

// command is a subcommand: a one-line summary for "applink help" and the
// function that runs it and returns the exit code (0 ok, 1 runtime error,
// 2 usage).
type command struct {
	summary string
	run     func(ctx context.Context, args []string, e *env) int
}

// commands is the table of subcommands: adding one is adding an entry.
func commands() map[string]command {
	return map[string]command{
		"testserver": {summary: "run a test OAuth provider (Atlassian- or Jenkins-shaped) on loopback", run: runTestServer},
		"keygen":     {summary: "generate an RSA key pair and print the public key to paste into the remote", run: runKeygen},
		"link":       {summary: "add, list, show or remove links in the config file", run: runLink},
		"authorize":  {summary: "play the 3-legged dance so that a link can act as a user", run: runAuthorize},
		"request":    {summary: "send a request through a link as a user, like curl", run: runRequest},
		"sign":       {summary: "print the signature base string and Authorization header of a request", run: runSign},
		"tokens":     {summary: "list stored tokens, delete one, or copy them to another store", run: runTokens},
		"doctor":     {summary: "diagnose a link and say how to fix what is wrong", run: runDoctor},
		"version":    {summary: "print the module version and VCS revision of this build", run: runVersion},
		"completion": {summary: "print a bash or zsh completion script", run: runCompletion},
		"help":       {summary: "print the commands, or a command's flags", run: runHelp},
	}
}

// run runs the command line args (without the program name) and returns the
// exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return execute(ctx, args, &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv})
}

// execute dispatches to the subcommand named by args[0].
func execute(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 {
		printUsage(e.stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help":
		return runHelp(ctx, args[1:], e)
	case "-version", "--version":
		return runVersion(ctx, args[1:], e)
	case completeCommand:
		return runComplete(ctx, args[1:], e)
	}
	c, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "applink: unknown command %q; commands: %s\n", args[0], commandList())
		return 2
	}
	return c.run(ctx, args[1:], e)
}

func commandNames() []string {
	var names []string
	for n := range commands() {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func commandList() string {
	s := ""
	for i, n := range commandNames() {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s
}

// runHelp is "applink help [COMMAND]".
func runHelp(ctx context.Context, args []string, e *env) int {
	fs := newFlagSet("help", "[COMMAND]", "  applink help\n  applink help request\n", e.stderr)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return report(ctx, e.stderr, err)
	}
	switch {
	case len(pos) == 0:
		printUsage(e.stdout)
		return exitOK
	case len(pos) > 1:
		return report(ctx, e.stderr, usagef(fs, "want at most one COMMAND, got %s", plural(len(pos), "argument")))
	}
	c, ok := commands()[pos[0]]
	if !ok {
		return report(ctx, e.stderr, usagef(fs, "unknown command %q; commands: %s", pos[0], commandList()))
	}
	return c.run(ctx, []string{"-h"}, e)
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "usage: applink <command> [flags] [args]\n\ncommands:\n")
	cmds := commands()
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-12s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintf(w, "\nrun 'applink <command> -h' for a command's flags\n")
}
