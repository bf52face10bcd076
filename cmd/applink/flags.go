package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// listFlag is a repeatable string flag (-H 'K: V' -H ...).
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ", ") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// optionalString is a string flag that remembers whether it was given, so
// that "--token ”" differs from no --token.
type optionalString struct {
	value string
	set   bool
}

func (o *optionalString) String() string { return o.value }

func (o *optionalString) Set(v string) error {
	o.value, o.set = v, true
	return nil
}

// newFlagSet returns a flag set for a subcommand: errors are returned, not
// fatal, and -h prints usage (synopsis, flags, examples) to stderr.
func newFlagSet(name, synopsis, examples string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("applink "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if col, ok := stderr.(*flagCollector); ok {
		col.sets = append(col.sets, fs)
	}
	fs.Usage = func() {
		stderr := fs.Output()
		fmt.Fprintf(stderr, "usage: applink %s %s\n", name, synopsis)
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintf(stderr, "\nflags:\n")
			fs.PrintDefaults()
		}
		if examples != "" {
			fmt.Fprintf(stderr, "\nexamples:\n%s", examples)
		}
	}
	return fs
}

// parseArgs parses flags wherever they are among the positional arguments
// (flag stops at the first positional one, so parse again after each) and
// returns the positional arguments. "--" ends the flags. -h gives
// flag.ErrHelp; any other problem a *usageError.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	// The flag package prints its own message for a bad flag; silence it and
	// report one line of ours instead, but keep -h's usage on stderr.
	out := fs.Output()
	fs.SetOutput(io.Discard)
	defer fs.SetOutput(out)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(out)
				fs.Usage()
				return nil, flag.ErrHelp
			}
			return nil, usagef(fs, "%v", err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		// fs.Parse consumed a "--" if there was one right before rest.
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// subcommand is one subcommand of a command that has them ("link add"):
// its names (the first is the one help shows) and what runs it.
type subcommand struct {
	names []string
	run   func(args []string) error
}

// dispatch runs the subcommand that args[0] names; with no arguments it is
// a usage error, and -h prints the command's usage followed by each
// subcommand's flags.
func (c *cli) dispatch(name, synopsis, examples string, args []string, subs []subcommand) error {
	stderr := c.stderr
	fs := newFlagSet(name, synopsis, examples, stderr)
	var first []string
	for _, s := range subs {
		first = append(first, s.names[0])
	}
	list := strings.Join(first[:len(first)-1], ", ") + " or " + first[len(first)-1]
	if len(args) == 0 {
		return usagef(fs, "want a subcommand: %s", list)
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		specs := c.subcommandSpecs(subs)
		if col, ok := stderr.(*flagCollector); ok {
			col.subs = specs
			return nil
		}
		fs.Usage()
		for _, s := range specs {
			fmt.Fprintf(stderr, "\nflags of %s %s:\n", name, s.names[0])
			if len(s.flags) == 0 {
				fmt.Fprintln(stderr, "  (none)")
				continue
			}
			s.fs.SetOutput(stderr)
			s.fs.PrintDefaults()
		}
		return nil
	}
	for _, s := range subs {
		if slices.Contains(s.names, args[0]) {
			return s.run(args[1:])
		}
	}
	return usagef(fs, "unknown subcommand %q: use %s", args[0], list)
}

// subcommandSpecs runs each subcommand with -h against a flagCollector to
// read its flags.
func (c *cli) subcommandSpecs(subs []subcommand) []cmdSpec {
	saved := c.stderr
	defer func() { c.stderr = saved }()
	col := &flagCollector{}
	c.stderr = col
	var specs []cmdSpec
	for _, s := range subs {
		n := len(col.sets)
		_ = s.run([]string{"-h"})
		spec := cmdSpec{names: s.names}
		if len(col.sets) > n {
			spec.fs = col.sets[len(col.sets)-1]
			spec.flags = flagSpecs(spec.fs)
		}
		specs = append(specs, spec)
	}
	return specs
}

// configFlag defines --config, which every subcommand that reads the
// config file has.
func configFlag(fs *flag.FlagSet) *string {
	return fs.String("config", "", "config `FILE` (default $APPLINK_CONFIG, else the user config dir's applink/config.json)")
}

// parseNoArgs is parseArgs for a subcommand that takes flags only.
func parseNoArgs(fs *flag.FlagSet, args []string) error {
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef(fs, "unexpected argument %q", pos[0])
	}
	return nil
}

// usagef returns a usage error for the subcommand of fs.
func usagef(fs *flag.FlagSet, format string, args ...any) error {
	return &usageError{cmd: fs.Name(), msg: fmt.Sprintf(format, args...)}
}

// splitHeader parses "Key: Value".
func splitHeader(h string) (key, value string, ok bool) {
	k, v, ok := strings.Cut(h, ":")
	k = strings.TrimSpace(k)
	if !ok || k == "" || strings.ContainsAny(k, " \t\r\n") {
		return "", "", false
	}
	return k, strings.TrimSpace(v), true
}

// splitPair parses "k=v" (the value may be empty).
func splitPair(p string) (key, value string, ok bool) {
	k, v, ok := strings.Cut(p, "=")
	if !ok || k == "" {
		return "", "", false
	}
	return k, v, true
}
