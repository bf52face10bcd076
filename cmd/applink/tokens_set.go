package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/fileread"
)

// patSet is the output of "tokens set --json": never the token.
type patSet struct {
	Link   string     `json:"link"`
	LinkID string     `json:"linkId"`
	User   string     `json:"user"`
	Kind   token.Kind `json:"kind"`
	Store  string     `json:"store"`
	File   string     `json:"file,omitempty"`
}

// maxPATInput bounds what --pat-file and standard input may hold: a PAT is
// a few dozen characters.
const maxPATInput = 64 << 10

func (c *cli) tokensSet(ctx context.Context, args []string) error {
	fs := newFlagSet("tokens set", "--link NAME --user U (--pat-env VAR | --pat-file FILE | < FILE)", tokensExamples, c.stderr)
	config := configFlag(fs)
	linkName := fs.String("link", "", "the link's `NAME` or id (required; its auth must list pat)")
	user := fs.String("user", "", "the `USER` (your application's name for them) whose personal access token it is (required)")
	patEnv := fs.String("pat-env", "", "environment `VAR` holding the personal access token")
	patFile := fs.String("pat-file", "", "`FILE` holding the personal access token (mode 0600); without --pat-env or --pat-file it is read from standard input")
	asJSON := c.jsonFlag(fs, "print what was stored as JSON (never the token)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	switch {
	case *linkName == "":
		return usagef(fs, "--link is required")
	case *user == "":
		return usagef(fs, "--user is required")
	case *patEnv != "" && *patFile != "":
		return usagef(fs, "give one of --pat-env and --pat-file (or neither, to read standard input)")
	}
	w, l, err := c.workspaceLink(*config, *linkName)
	if err != nil {
		return err
	}
	if !slices.Contains(l.Auth, applink.AuthPAT) {
		return fmt.Errorf("link %q does not use personal access tokens (its auth is %s): add pat to its auth list, or add a link with --auth pat", l.Name, authList(l.Auth))
	}
	pat, err := c.readPAT(*patEnv, *patFile)
	if err != nil {
		return err
	}
	store, err := c.openTokenStore(ctx, w)
	if err != nil {
		return err
	}
	defer store.close()
	t := token.NewPATAccessToken(pat)
	t.CreatedAt = c.clock()
	if err := store.PutAccessToken(ctx, token.Key{LinkID: l.ID, User: *user}, t); err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.stdout, patSet{Link: l.Name, LinkID: l.ID, User: *user, Kind: token.KindPAT, Store: store.where, File: store.file()})
	}
	fmt.Fprintf(c.stdout, "stored %s's personal access token (%s) for link %q in %s\n", *user, t.Token, l.Name, store.where)
	return nil
}

// readPAT reads a personal access token from an environment variable, a
// file (a regular file that other users cannot read, like every secret
// file) or standard input; the token is never part of an error.
func (c *cli) readPAT(env, file string) (string, error) {
	var raw string
	switch {
	case env != "":
		raw = c.getenv(env)
		if strings.TrimSpace(raw) == "" {
			return "", fmt.Errorf("environment variable %s is not set: export it with the personal access token (the user makes one in their profile: Profile → Personal Access Tokens)", env)
		}
	case file != "":
		data, err := fileread.ReadSecret(file, "the personal access token", maxPATInput)
		if err != nil {
			return "", err
		}
		raw = string(data)
	default:
		data, err := io.ReadAll(io.LimitReader(c.stdin, maxPATInput+1))
		if err != nil {
			return "", fmt.Errorf("reading the personal access token from standard input: %w", err)
		}
		if len(data) > maxPATInput {
			return "", errors.New("standard input holds more than a personal access token: give the token alone")
		}
		raw = string(data)
	}
	pat := strings.TrimSpace(raw)
	switch {
	case pat == "":
		return "", errors.New("the personal access token is empty: give the token the user made in their profile (Profile → Personal Access Tokens)")
	case strings.ContainsAny(pat, " \t\r\n"):
		return "", errors.New("the personal access token holds white space: give the token alone, on one line")
	}
	return pat, nil
}
