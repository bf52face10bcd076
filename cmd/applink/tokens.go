package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/go-applinks/applinks/applink"
)

const tokensSynopsis = `list | revoke --link NAME --user U

  list                        the users' access tokens stored beside the config file
  revoke --link NAME --user U delete a user's token here, and say where to revoke it at the remote

Tokens are kept in tokens.json beside the config file (mode 0600).`

const tokensExamples = `  applink tokens list
  applink tokens revoke --link jira --user alice
`

// tokens dispatches the tokens subcommands.
func (c *cli) tokens(ctx context.Context, args []string) error {
	return dispatch("tokens", tokensSynopsis, tokensExamples, c.stderr, args, []subcommand{
		{[]string{"list", "ls"}, func(a []string) error { return c.tokensList(ctx, a) }},
		{[]string{"revoke", "delete", "rm"}, func(a []string) error { return c.tokensRevoke(ctx, a) }},
	})
}

func (c *cli) tokensList(ctx context.Context, args []string) error {
	fs := newFlagSet("tokens list", "", tokensExamples, c.stderr)
	config := configFlag(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	path, err := configPath(*config, c.getenv)
	if err != nil {
		return err
	}
	w, err := loadWorkspace(path, true)
	if err != nil {
		return err
	}
	store, err := applink.OpenFileTokenStore(tokensPath(path))
	if err != nil {
		return err
	}
	keys, err := store.AccessTokens(ctx)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		fmt.Fprintf(c.stderr, "no tokens in %s: authorize a user with 'applink authorize'\n", store.Path())
		return nil
	}
	names := map[string]string{}
	for _, l := range w.cfg.Links {
		names[l.ID] = l.Name
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LINK\tUSER\tOBTAINED\tEXPIRES\tLINK ID")
	for _, k := range keys {
		obtained, expires := "-", "-"
		if t, err := store.AccessToken(ctx, k); err == nil {
			obtained, expires = day(t.CreatedAt), day(t.ExpiresAt)
		}
		name, ok := names[k.LinkID]
		if !ok {
			name = "(removed link)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, k.User, obtained, expires, k.LinkID)
	}
	return tw.Flush()
}

func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.DateOnly)
}

func (c *cli) tokensRevoke(ctx context.Context, args []string) error {
	fs := newFlagSet("tokens revoke", "--link NAME --user U", tokensExamples, c.stderr)
	config := configFlag(fs)
	linkName := fs.String("link", "", "the link's `NAME` or id (required)")
	user := fs.String("user", "", "the `USER` whose token to delete (required)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	switch {
	case *linkName == "":
		return usagef(fs, "--link is required")
	case *user == "":
		return usagef(fs, "--user is required")
	}
	path, err := configPath(*config, c.getenv)
	if err != nil {
		return err
	}
	w, err := loadWorkspace(path, false)
	if err != nil {
		return err
	}
	i, err := w.find(*linkName)
	if err != nil {
		return err
	}
	l := w.cfg.Links[i]
	store, err := applink.OpenFileTokenStore(tokensPath(path))
	if err != nil {
		return err
	}
	key := applink.TokenKey{LinkID: l.ID, User: *user}
	_, lookupErr := store.AccessToken(ctx, key)
	if err := store.DeleteAccessToken(ctx, key); err != nil {
		return err
	}
	if lookupErr == nil {
		fmt.Fprintf(c.stdout, "deleted %s's token for link %q from %s\n", *user, l.Name, store.Path())
	} else {
		fmt.Fprintf(c.stdout, "no token of %s for link %q in %s\n", *user, l.Name, store.Path())
	}
	fmt.Fprintf(c.stdout, "the remote still honours a token until it is revoked there: %s revokes it at %s\n", *user, revocationPage(l, *user))
	return nil
}
