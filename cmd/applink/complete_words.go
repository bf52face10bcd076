package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
)

// completeCommand is the hidden subcommand the completion scripts call to
// complete words from the config and the token store, as git completes
// branches: "applink __complete links" prints the link names,
// "applink __complete users [--link NAME]" the users with a stored token
// (of that link), one a line. It prints nothing on an error: a completion
// never shows one.
const completeCommand = "__complete"

// runComplete is "applink __complete links|users [--config FILE] [--link NAME]".
func runComplete(ctx context.Context, args []string, e *env) int {
	c := newCLI(e)
	defer c.closeAll()
	words, err := c.completeWords(ctx, args)
	if err != nil {
		return exitFailure
	}
	for _, w := range words {
		fmt.Fprintln(e.stdout, w)
	}
	return exitOK
}

// completeWords returns the words "__complete" prints.
func (c *cli) completeWords(ctx context.Context, args []string) ([]string, error) {
	fs := flag.NewFlagSet(completeCommand, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	config := configFlag(fs)
	linkName := fs.String("link", "", "only the users of this link")
	if len(args) == 0 {
		return nil, usagef(fs, "want links or users")
	}
	what := args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return nil, err
	}
	path, err := configPath(*config, c.getenv)
	if err != nil {
		return nil, err
	}
	w, err := loadWorkspace(path, true)
	if err != nil {
		return nil, err
	}
	switch what {
	case "links":
		var names []string
		for _, l := range w.cfg.Links {
			names = append(names, l.Name)
		}
		return names, nil
	case "users":
		linkID := ""
		if *linkName != "" {
			i, err := w.find(*linkName)
			if err != nil {
				return nil, err
			}
			linkID = w.cfg.Links[i].ID
		}
		store, err := c.openTokenStore(ctx, w)
		if err != nil {
			return nil, err
		}
		defer store.close()
		keys, err := store.AccessTokens(ctx)
		if err != nil {
			return nil, err
		}
		var users []string
		for _, k := range keys {
			if linkID == "" || k.LinkID == linkID {
				users = append(users, k.User)
			}
		}
		slices.Sort(users)
		return slices.Compact(users), nil
	}
	return nil, usagef(fs, "want links or users, not %q", what)
}
