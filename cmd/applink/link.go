package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/config"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/cloudsite"
	"github.com/go-applinks/applinks/internal/engine"
	"github.com/go-applinks/applinks/internal/oauth2link"
)

const linkSynopsis = `add|list|show|rename|remove ...

  add NAME --url RPC_URL --type TYPE --consumer-key K (--private-key FILE | --secret-env VAR | --secret-file FILE)
      [--display-url U] [--auth 3lo,2loi,2lo] [--primary] [--discover] [--json]
  add NAME --url RPC_URL --type TYPE --auth oauth2[,client-credentials] --client-id ID
      (--client-secret-env VAR | --client-secret-file FILE) --redirect-url URL [--scope WRITE] [--json]
  add NAME --cloud --site https://acme.atlassian.net --type jira|confluence --client-id ID
      --client-secret-env VAR --scope 'read:jira-work read:jira-user offline_access' --redirect-url URL
      [--auth-base URL] [--api-base URL] [--json]   (Atlassian Cloud OAuth 2.0 (3LO); no impersonation)
  add NAME --url RPC_URL --type TYPE --auth pat[,3lo,...] [--pat-env VAR | --pat-file FILE] [--json]
      (personal access tokens: users' own with 'applink tokens set'; --pat-env/--pat-file the link's bot token)
  add NAME --url RPC_URL --discover ...   (type from the remote's manifest; without NAME,
      a name made from the remote's: "Jira Staging" becomes jira-staging)
  list [--json]
  show NAME [--json]
  rename OLD NEW [--json]   (tokens are keyed by the link's id: nothing is lost)
  remove NAME [--json]

Manages the links in the config file. A link's key stays in its file (or its
secret in its environment variable): the config file only names it.`

const linkExamples = `  applink link add jira --url https://jira.internal:8080 --display-url https://jira.example.com \
      --type jira --consumer-key automation --private-key ~/.config/applink/applink.pem --auth 3lo,2loi
  applink link add ci --url https://jenkins.example.com --type jenkins --consumer-key jira --secret-env JENKINS_SECRET
  applink link add wiki --discover --url https://confluence.example.com --consumer-key automation --private-key applink.pem
  applink link add jira2 --url https://jira.example.com --type jira --auth oauth2 --client-id 3f9c... \
      --client-secret-env JIRA_CLIENT_SECRET --scope WRITE --redirect-url http://127.0.0.1:8765/callback
  applink link add acme --cloud --site https://acme.atlassian.net --type jira --client-id aBc... \
      --client-secret-env ACME_APP_SECRET --scope 'read:jira-work read:jira-user offline_access' \
      --redirect-url http://127.0.0.1:8765/callback
  applink link add dc --url https://jira.example.com --type jira --auth pat
  applink link list --json
  applink link show jira
  applink link remove ci
`

// link dispatches the link subcommands.
func (c *cli) link(ctx context.Context, args []string) error {
	return c.dispatch("link", linkSynopsis, linkExamples, args, []subcommand{
		{[]string{"add"}, func(a []string) error { return c.linkAdd(ctx, a) }},
		{[]string{"list", "ls"}, c.linkList},
		{[]string{"show"}, c.linkShow},
		{[]string{"rename", "mv"}, c.linkRename},
		{[]string{"remove", "rm"}, c.linkRemove},
	})
}

// linkRename renames a link. Tokens are keyed by the link's id, which
// does not change, so every user stays authorized.
func (c *cli) linkRename(args []string) error {
	fs := newFlagSet("link rename", "OLD NEW [--json]", "  applink link rename applinktest-jira jira\n", c.stderr)
	configFile := configFlag(fs)
	asJSON := c.jsonFlag(fs, "print the renamed link as JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef(fs, "want OLD NEW, got %s", plural(len(pos), "argument"))
	}
	newName := strings.TrimSpace(pos[1])
	if newName == "" {
		return usagef(fs, "NEW is empty: give the link a name, such as jira")
	}
	path, err := configPath(*configFile, c.getenv)
	if err != nil {
		return err
	}
	w, err := loadWorkspace(path, false)
	if err != nil {
		return err
	}
	i, err := w.find(pos[0])
	if err != nil {
		return err
	}
	for j, other := range w.cfg.Links {
		if j != i && strings.EqualFold(other.Name, newName) {
			return fmt.Errorf("a link named %q is already in %s: choose another name, or remove it first (applink link remove %s)", other.Name, path, shellQuote(other.Name))
		}
	}
	old := w.cfg.Links[i].Name
	w.cfg.Links[i].Name = newName
	if err := w.cfg.Links[i].Validate(); err != nil {
		return err
	}
	if err := w.cfg.Save(path); err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.stdout, w.cfg.Links[i])
	}
	fmt.Fprintf(c.stdout, "renamed link %q to %q (id %s, unchanged: its users' tokens stay) in %s\n", old, newName, w.cfg.Links[i].ID, path)
	return nil
}

func (c *cli) linkList(args []string) error {
	fs := newFlagSet("link list", "[--json]", "  applink link list\n  applink link list --json | jq '.links[].name'\n", c.stderr)
	configFile := configFlag(fs)
	asJSON := c.jsonFlag(fs, "print the config's links as JSON")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	path, err := configPath(*configFile, c.getenv)
	if err != nil {
		return err
	}
	w, err := loadWorkspace(path, true)
	if err != nil {
		return err
	}
	if *asJSON {
		// The primary flags as applink.Service sets them (an unmarked type's
		// first link is its primary): the same configFile, said explicitly.
		links := nonNil(w.cfg.Links)
		for i := range links {
			links[i].Primary = isPrimary(w.cfg, links[i])
		}
		return writeJSON(c.stdout, config.Config{Links: links, TokenStore: w.cfg.TokenStore})
	}
	if len(w.cfg.Links) == 0 {
		fmt.Fprintf(c.stderr, "no links in %s: add one with 'applink link add'\n", path)
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTYPE\tAUTH\tRPC URL\tID")
	for _, l := range w.cfg.Links {
		name := l.Name
		if isPrimary(w.cfg, l) {
			name += " *"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, l.Type, authList(l.Auth), l.RPCURL, l.ID)
	}
	return tw.Flush()
}

// isPrimary reports whether l is the primary link of its type, by the rule
// applink.Service applies: the link marked primary, else the first of the
// type.
func isPrimary(cfg *config.Config, l applink.Link) bool {
	first := ""
	for _, o := range cfg.Links {
		if o.Type != l.Type {
			continue
		}
		if o.Primary {
			return o.ID == l.ID
		}
		if first == "" {
			first = o.ID
		}
	}
	return first == l.ID
}

func nonNil(ls []applink.Link) []applink.Link {
	if ls == nil {
		return []applink.Link{}
	}
	return ls
}

func authList(as []applink.Auth) string {
	if len(as) == 0 {
		return string(applink.Auth3LO)
	}
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = string(a)
	}
	return strings.Join(s, ",")
}

func (c *cli) linkShow(args []string) error {
	fs := newFlagSet("link show", "NAME [--json]", "  applink link show jira\n  applink link show jira --json | jq -r .rpcUrl\n", c.stderr)
	asJSON := c.jsonFlag(fs, "print the link as JSON, as the config file holds it (primary as the service reports it)")
	w, _, i, err := c.namedLink(fs, args)
	if err != nil {
		return err
	}
	l := w.cfg.Links[i]
	if *asJSON {
		l.Primary = isPrimary(w.cfg, l)
		return writeJSON(c.stdout, l)
	}
	display := cmp.Or(l.DisplayURL, l.RPCURL)
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", k, v)
		}
	}
	row("name", l.Name)
	row("id", l.ID)
	row("type", string(l.Type))
	row("primary", fmt.Sprint(isPrimary(w.cfg, l)))
	row("rpc url", l.RPCURL)
	row("display url", display)
	row("consumer key", l.ConsumerKey)
	row("private key file", l.PrivateKeyFile)
	row("private key env", l.PrivateKeyEnv)
	row("secret env", l.SecretEnv)
	row("secret file", l.SecretFile)
	row("auth", authList(l.Auth))
	if o := l.OAuth2; o != nil {
		row("oauth2 client id", o.ClientID)
		row("oauth2 client secret env", o.ClientSecretEnv)
		row("oauth2 client secret file", o.ClientSecretFile)
		row("oauth2 scopes", strings.Join(o.Scopes, " "))
		row("oauth2 redirect url", o.RedirectURL)
		if cl := l.Cloud; cl != nil {
			auth, api := firstNonEmpty(cl.AuthBase, cloudsite.DefaultAuthBase), firstNonEmpty(cl.APIBase, cloudsite.DefaultAPIBase)
			row("cloud site", l.RPCURL)
			row("oauth2 authorize", auth+"/authorize (audience api.atlassian.com)")
			row("oauth2 token", auth+"/oauth/token (JSON)")
			row("cloud gateway", api+"/ex/"+strings.ToLower(string(l.Type))+"/{cloudId}")
		} else {
			row("oauth2 authorize", strings.TrimSuffix(display, "/")+firstNonEmpty(o.AuthorizePath, oauth2link.DefaultAuthorizePath))
			row("oauth2 token", strings.TrimSuffix(l.RPCURL, "/")+firstNonEmpty(o.TokenPath, oauth2link.DefaultTokenPath))
		}
		return tw.Flush()
	}
	requestToken, authorize, accessToken := engine.DefaultOAuth1Endpoints(l.Type == applink.TypeJenkins)
	row("request token", firstNonEmpty(l.Endpoints.RequestToken, requestToken))
	row("authorize", firstNonEmpty(l.Endpoints.Authorize, authorize))
	row("access token", firstNonEmpty(l.Endpoints.AccessToken, accessToken))
	row("users revoke at", revocationPage(l, "USER"))
	return tw.Flush()
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func (c *cli) linkRemove(args []string) error {
	fs := newFlagSet("link remove", "NAME [--json]", "  applink link remove jira\n", c.stderr)
	asJSON := c.jsonFlag(fs, "print the link removed as JSON")
	w, path, i, err := c.namedLink(fs, args)
	if err != nil {
		return err
	}
	l := w.cfg.Links[i]
	w.cfg.Links = append(w.cfg.Links[:i:i], w.cfg.Links[i+1:]...)
	if err := w.cfg.Save(path); err != nil {
		return err
	}
	if *asJSON {
		if err := writeJSON(c.stdout, l); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(c.stdout, "removed link %q (id %s) from %s\n", l.Name, l.ID, path)
	}
	where := tokensPath(path)
	if w.cfg.TokenStore != "" {
		where = tokenStoreWhere(path, w.cfg.TokenStore)
	}
	fmt.Fprintf(c.stderr, "its users' tokens stay in %s until they expire: the remote still honors them; users revoke them at %s\n",
		where, revocationPage(l, "USER"))
	return nil
}

// namedLink parses the arguments of a subcommand that takes one link NAME
// (or id) and finds that link in the config file.
func (c *cli) namedLink(fs *flag.FlagSet, args []string) (w *workspace, path string, i int, err error) {
	configFile := configFlag(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return nil, "", 0, err
	}
	if len(pos) != 1 {
		return nil, "", 0, usagef(fs, "want one NAME (or id), got %s", plural(len(pos), "argument"))
	}
	if path, err = configPath(*configFile, c.getenv); err != nil {
		return nil, "", 0, err
	}
	if w, err = loadWorkspace(path, false); err != nil {
		return nil, "", 0, err
	}
	if i, err = w.find(pos[0]); err != nil {
		return nil, "", 0, err
	}
	return w, path, i, nil
}

// revocationPage is where a user revokes their tokens at the remote.
func revocationPage(l applink.Link, user string) string {
	return tokenRevocationPage(l, user, "")
}

// tokenRevocationPage is where a token of kind k ("" for the link's main
// kind) is revoked: an Atlassian Cloud app's consent in the user's
// Atlassian account (Connected apps), a personal access token in the
// user's profile, an OAuth token in the remote's access tokens page.
func tokenRevocationPage(l applink.Link, user string, k token.Kind) string {
	base := strings.TrimSuffix(cmp.Or(l.DisplayURL, l.RPCURL), "/")
	switch {
	case l.Cloud != nil:
		return "https://id.atlassian.com/manage-profile/apps (their Atlassian account: Connected apps)"
	case k == token.KindPAT || k == "" && slices.Equal(l.Auth, []applink.Auth{applink.AuthPAT}):
		switch l.Type {
		case applink.TypeJira:
			return base + "/secure/ViewProfile.jspa?selectedTab=com.atlassian.pats.pats-plugin:jira-user-personal-access-tokens"
		case applink.TypeConfluence:
			return base + "/plugins/personalaccesstokens/usertokens.action"
		}
		return base + " (their profile: Personal Access Tokens)"
	}
	if l.Type == applink.TypeJenkins {
		return base + "/user/" + url.PathEscape(user) + "/tokens"
	}
	return base + "/plugins/servlet/oauth/users/access-tokens"
}
