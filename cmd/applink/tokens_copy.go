package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-applinks/applinks/applink/token"
)

// copyReport is the output of "tokens copy --json": where from and to, and
// how many tokens each way went. Never a token.
type copyReport struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Copied were written to the destination (new there, or replaced with
	// --overwrite).
	Copied int `json:"copied"`
	// Unchanged were in the destination already, the same.
	Unchanged int `json:"unchanged"`
	// Kept differ in the destination and were left as they are there
	// (without --overwrite).
	Kept int `json:"kept"`
	// KeptKeys name them, so that they can be checked.
	KeptKeys []copyKey `json:"keptTokens,omitempty"`
	// ConfigUpdated is the config file whose tokenStore now names the
	// destination (--use); omitted otherwise.
	ConfigUpdated string `json:"configUpdated,omitempty"`
}

type copyKey struct {
	LinkID string `json:"linkId"`
	User   string `json:"user"`
}

func (c *cli) tokensCopy(ctx context.Context, args []string) error {
	fs := newFlagSet("tokens copy", "--to PATH_OR_URL [--overwrite] [--use]", tokensExamples, c.stderr)
	config := configFlag(fs)
	to := fs.String("to", "", "the destination store: a token file `PATH_OR_URL` or a postgres:// URL (required; no password in it)")
	overwrite := fs.Bool("overwrite", false, "replace a token that differs in the destination (by default it is kept and reported)")
	use := fs.Bool("use", false, "then point the config's tokenStore at the destination, so that every command uses it from now on")
	asJSON := c.jsonFlag(fs, "print the counts as JSON (from, to, copied, unchanged, kept, keptTokens)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *to == "" {
		return usagef(fs, "--to is required")
	}
	path, err := configPath(*config, c.getenv)
	if err != nil {
		return err
	}
	w, err := loadWorkspace(path, true)
	if err != nil {
		return err
	}
	from, err := c.openTokenStore(ctx, w)
	if err != nil {
		return err
	}
	defer from.close()
	dest, err := c.openStoreAt(ctx, *to)
	if err != nil {
		return err
	}
	defer dest.close()
	if from.where == dest.where {
		return fmt.Errorf("--to %s is the configured token store itself: name another store", dest.where)
	}
	rep, err := copyTokens(ctx, from, dest, *overwrite)
	if err != nil {
		return err
	}
	if *use {
		location := *to
		if !strings.Contains(location, "://") {
			location = dest.where // the absolute path
		}
		w.cfg.TokenStore = location
		if err := w.cfg.Save(path); err != nil {
			return fmt.Errorf("the tokens were copied, but the config was not changed: %w", err)
		}
		rep.ConfigUpdated = path
	}
	if *asJSON {
		return writeJSON(c.stdout, rep)
	}
	fmt.Fprintf(c.stdout, "copied %d tokens from %s to %s (%d already there, unchanged)\n", rep.Copied, rep.From, rep.To, rep.Unchanged)
	if rep.Kept > 0 {
		fmt.Fprintf(c.stdout, "kept %d tokens that differ in %s (pass --overwrite to replace them with the copies):\n", rep.Kept, rep.To)
		for _, k := range rep.KeptKeys {
			fmt.Fprintf(c.stdout, "  link %s, user %q\n", k.LinkID, k.User)
		}
	}
	if rep.ConfigUpdated != "" {
		fmt.Fprintf(c.stdout, "%s now keeps its tokens in %s\n", rep.ConfigUpdated, rep.To)
	}
	return nil
}

// copyTokens copies every access token of from to dest. A token the same in
// both is left alone, so running it again changes nothing.
func copyTokens(ctx context.Context, from, dest *openedStore, overwrite bool) (*copyReport, error) {
	rep := &copyReport{From: from.where, To: dest.where}
	keys, err := from.AccessTokens(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the tokens of %s: %w", from.where, err)
	}
	for _, k := range keys {
		t, err := from.AccessToken(ctx, k)
		if errors.Is(err, token.ErrNotFound) {
			continue // expired or deleted since the listing
		}
		if err != nil {
			return rep, fmt.Errorf("reading %s's token for link %s from %s: %w", k.User, k.LinkID, from.where, err)
		}
		cur, err := dest.AccessToken(ctx, k)
		switch {
		case err == nil && sameToken(t, cur):
			rep.Unchanged++
			continue
		case err == nil && !overwrite:
			rep.Kept++
			rep.KeptKeys = append(rep.KeptKeys, copyKey{LinkID: k.LinkID, User: k.User})
			continue
		case err != nil && !errors.Is(err, token.ErrNotFound):
			return rep, fmt.Errorf("reading %s's token for link %s from %s: %w", k.User, k.LinkID, dest.where, err)
		}
		if err := dest.PutAccessToken(ctx, k, t); err != nil {
			return rep, fmt.Errorf("writing %s's token for link %s to %s (%d copied before it): %w", k.User, k.LinkID, dest.where, rep.Copied, err)
		}
		rep.Copied++
	}
	return rep, nil
}

// sameToken reports whether two tokens are the same for every field a store
// keeps, times to the microsecond (what PostgreSQL keeps).
func sameToken(a, b *token.AccessToken) bool {
	kind := func(k token.Kind) token.Kind {
		if k == "" {
			return token.KindOAuth1
		}
		return k
	}
	sameTime := func(x, y time.Time) bool { return x.Truncate(time.Microsecond).Equal(y.Truncate(time.Microsecond)) }
	return kind(a.Kind) == kind(b.Kind) && a.Token == b.Token && a.Secret.Reveal() == b.Secret.Reveal() &&
		a.RefreshToken.Reveal() == b.RefreshToken.Reveal() && a.SessionHandle.Equal(b.SessionHandle) &&
		slices.Equal(a.Scopes, b.Scopes) && sameTime(a.ExpiresAt, b.ExpiresAt) &&
		sameTime(a.AuthorizationExpiresAt, b.AuthorizationExpiresAt) && sameTime(a.CreatedAt, b.CreatedAt)
}
