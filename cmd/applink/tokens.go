package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/token"
)

const tokensSynopsis = `list [--json] | set --link NAME --user U (--pat-env VAR | --pat-file FILE | < FILE) [--json] | revoke --link NAME --user U [--json] | copy --to PATH_OR_URL [--overwrite] [--use] [--json]

  list                        the users' access tokens in the token store, with their kind (oauth1, oauth2, pat)
  set --link NAME --user U    store a user's personal access token (a link with --auth pat); there is no dance:
                              the user makes one in their profile (Profile → Personal Access Tokens)
  revoke --link NAME --user U delete a user's token here, and say where to revoke it at the remote
  copy --to PATH_OR_URL       copy every access token to another store (a token file or postgres:// URL);
                              --use then makes the config use it

Tokens are kept in tokens.json beside the config file (mode 0600), unless
the config's "tokenStore" names another file or a postgres://user@host/db
URL (the password comes from APPLINK_POSTGRES_PASSWORD or PGPASSWORD, never
from the config). Token secrets are never printed. Revoking for a user who
has no token is an error (exit 1) that names the users who have one for the
link. Copying is idempotent: a token already in the destination is
unchanged, and one that differs there is kept unless --overwrite; pending
dances (minutes long) are not copied.`

const tokensExamples = `  applink tokens list
  applink tokens list --json | jq -r '.tokens[] | select(.link == "jira") | .user'
  applink tokens revoke --link jira --user alice
  ALICE_PAT=... applink tokens set --link jira-dc --user alice --pat-env ALICE_PAT
  APPLINK_POSTGRES_PASSWORD=... applink tokens copy --to postgres://applink@db.internal/applink --use
`

// tokenEntry is one stored token as "tokens list --json" prints it: never
// the token or its secret.
type tokenEntry struct {
	Link   string `json:"link"` // the link's name, "" for a link no longer in the config
	LinkID string `json:"linkId"`
	User   string `json:"user"`
	// Obtained and Expires are RFC 3339 times, omitted when unknown.
	Obtained string `json:"obtained,omitempty"`
	Expires  string `json:"expires,omitempty"`
	// Kind is "oauth1", "oauth2" or "pat"; Scopes are an OAuth 2.0 token's
	// scopes and Refreshable whether it has a refresh token.
	Kind        token.Kind `json:"kind,omitempty"`
	Scopes      []string   `json:"scopes,omitempty"`
	Refreshable bool       `json:"refreshable,omitempty"`
}

// tokenList is the output of "tokens list --json".
type tokenList struct {
	// Store is where the tokens are: the token file's path, or the
	// database URL without its password.
	Store string `json:"store"`
	// File is the token file's path; omitted for a database.
	File   string       `json:"file,omitempty"`
	Tokens []tokenEntry `json:"tokens"`
}

// revocation is the output of "tokens revoke --json".
type revocation struct {
	Link      string `json:"link"`
	LinkID    string `json:"linkId"`
	User      string `json:"user"`
	Store     string `json:"store"`          // the token file, or the database URL without password
	File      string `json:"file,omitempty"` // the token file; omitted for a database
	RevokeURL string `json:"revokeUrl"`      // where the user revokes the token at the remote
}

// tokens dispatches the tokens subcommands.
func (c *cli) tokens(ctx context.Context, args []string) error {
	return c.dispatch("tokens", tokensSynopsis, tokensExamples, args, []subcommand{
		{[]string{"list", "ls"}, func(a []string) error { return c.tokensList(ctx, a) }},
		{[]string{"set"}, func(a []string) error { return c.tokensSet(ctx, a) }},
		{[]string{"revoke", "delete", "rm"}, func(a []string) error { return c.tokensRevoke(ctx, a) }},
		{[]string{"copy", "cp"}, func(a []string) error { return c.tokensCopy(ctx, a) }},
	})
}

func (c *cli) tokensList(ctx context.Context, args []string) error {
	fs := newFlagSet("tokens list", "[--json]", tokensExamples, c.stderr)
	config := configFlag(fs)
	asJSON := c.jsonFlag(fs, "print the tokens as JSON (link, linkId, user, obtained, expires; never a secret)")
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
	store, err := c.openTokenStore(ctx, w)
	if err != nil {
		return err
	}
	defer store.close()
	keys, err := store.AccessTokens(ctx)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, l := range w.cfg.Links {
		names[l.ID] = l.Name
	}
	if *asJSON {
		out := tokenList{Store: store.where, File: store.file(), Tokens: []tokenEntry{}}
		for _, k := range keys {
			e := tokenEntry{Link: names[k.LinkID], LinkID: k.LinkID, User: k.User}
			if t, err := store.AccessToken(ctx, k); err == nil {
				e.Obtained, e.Expires = rfc3339(t.CreatedAt), rfc3339(t.ExpiresAt)
				e.Kind, e.Scopes, e.Refreshable = t.Kind, t.Scopes, t.RefreshToken.Reveal() != ""
			}
			out.Tokens = append(out.Tokens, e)
		}
		return writeJSON(c.stdout, out)
	}
	if len(keys) == 0 {
		fmt.Fprintf(c.stderr, "no tokens in %s: authorize a user with 'applink authorize'\n", store.where)
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LINK\tUSER\tOBTAINED\tEXPIRES\tLINK ID\tKIND")
	for _, k := range keys {
		obtained, expires, kind := "-", "-", "-"
		if t, err := store.AccessToken(ctx, k); err == nil {
			obtained, expires, kind = c.when(t.CreatedAt), c.expires(t.ExpiresAt), tokenKind(t)
		}
		name, ok := names[k.LinkID]
		if !ok {
			name = "(removed link)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", name, k.User, obtained, expires, k.LinkID, kind)
	}
	return tw.Flush()
}

// tokenKind describes a token's kind for the table: "oauth1", or "oauth2"
// with its scopes and "+refresh" when it can be refreshed. The expiry of an
// OAuth 2.0 token is its access token's (an hour or so): it is refreshed
// when used.
func tokenKind(t *token.AccessToken) string {
	if t.IsPAT() {
		return string(token.KindPAT)
	}
	if !t.IsOAuth2() {
		return string(token.KindOAuth1)
	}
	s := string(token.KindOAuth2)
	if len(t.Scopes) > 0 {
		s += " " + strings.Join(t.Scopes, ",")
	}
	if t.RefreshToken.Reveal() != "" {
		s += " +refresh"
	}
	return s
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// localTime is the layout of times in tables: date and time to the
// minute, in local time.
const localTime = "2006-01-02 15:04"

// when shows t in local time to the minute, "-" when unknown.
func (c *cli) when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(c.location()).Format(localTime)
}

// expires shows an expiry in local time, followed within a week of now by
// how far away it is ("in 52m", "expired 3h ago"): an OAuth 2.0 access
// token lives an hour or so, an OAuth 1.0a token five years.
func (c *cli) expires(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	s := c.when(t)
	d := t.Sub(c.clock())
	switch {
	case d >= 7*24*time.Hour:
		return s
	case d > 0:
		return s + " (in " + roughDuration(d) + ")"
	default:
		return s + " (expired " + roughDuration(-d) + " ago)"
	}
}

// roughDuration shows d in its largest unit: "52m", "3h", "2d", "40s".
func roughDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	case d >= time.Minute:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	default:
		return fmt.Sprintf("%ds", int(d/time.Second))
	}
}

func (c *cli) tokensRevoke(ctx context.Context, args []string) error {
	fs := newFlagSet("tokens revoke", "--link NAME --user U", tokensExamples, c.stderr)
	config := configFlag(fs)
	linkName := fs.String("link", "", "the link's `NAME` or id (required)")
	user := fs.String("user", "", "the `USER` whose token to delete (required)")
	asJSON := c.jsonFlag(fs, "print what was deleted as JSON")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	switch {
	case *linkName == "":
		return usagef(fs, "--link is required")
	case *user == "":
		return usagef(fs, "--user is required")
	}
	w, l, err := c.workspaceLink(*config, *linkName)
	if err != nil {
		return err
	}
	store, err := c.openTokenStore(ctx, w)
	if err != nil {
		return err
	}
	defer store.close()
	key := token.Key{LinkID: l.ID, User: *user}
	keys, err := store.AccessTokens(ctx)
	if err != nil {
		return err
	}
	if !slices.Contains(keys, key) {
		return noTokenError(store.where, l.Name, l.ID, *user, keys)
	}
	var kind token.Kind
	if t, err := store.AccessToken(ctx, key); err == nil {
		kind = t.Kind
	}
	if err := store.DeleteAccessToken(ctx, key); err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.stdout, revocation{Link: l.Name, LinkID: l.ID, User: *user, Store: store.where, File: store.file(), RevokeURL: tokenRevocationPage(l, *user, kind)})
	}
	fmt.Fprintf(c.stdout, "deleted %s's token for link %q from %s\n", *user, l.Name, store.where)
	fmt.Fprintf(c.stdout, "the remote still honors a token until it is revoked there: %s revokes it at %s\n", *user, tokenRevocationPage(l, *user, kind))
	return nil
}

// noTokenError says that user has no token for the link, naming the users
// who have one (a typo is the likely cause).
func noTokenError(file, link, linkID, user string, keys []token.Key) error {
	var users []string
	for _, k := range keys {
		if k.LinkID == linkID {
			users = append(users, k.User)
		}
	}
	slices.Sort(users)
	if len(users) == 0 {
		return fmt.Errorf("%s has no token for link %q in %s, and nobody else has one either: nothing to revoke", user, link, file)
	}
	quoted := make([]string, len(users))
	for i, u := range users {
		quoted[i] = strconv.Quote(u)
	}
	return fmt.Errorf("%s has no token for link %q in %s: the users with one are %s: check the --user name", user, link, file, strings.Join(quoted, ", "))
}

// workspaceLink loads the config (--config, else the default) and finds the
// link named linkName in it.
func (c *cli) workspaceLink(config, linkName string) (*workspace, applink.Link, error) {
	path, err := configPath(config, c.getenv)
	if err != nil {
		return nil, applink.Link{}, err
	}
	w, err := loadWorkspace(path, false)
	if err != nil {
		return nil, applink.Link{}, err
	}
	i, err := w.find(linkName)
	if err != nil {
		return nil, applink.Link{}, err
	}
	return w, w.cfg.Links[i], nil
}
