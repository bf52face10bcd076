package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/config"
	"github.com/go-applinks/applinks/internal/engine"
	"github.com/go-applinks/applinks/internal/oauth2link"
)

const linkSynopsis = `add|list|show|rename|remove ...

  add NAME --url RPC_URL --type TYPE --consumer-key K (--private-key FILE | --secret-env VAR | --secret-file FILE)
      [--display-url U] [--auth 3lo,2loi,2lo] [--primary] [--discover] [--json]
  add NAME --url RPC_URL --type TYPE --auth oauth2[,client-credentials] --client-id ID
      (--client-secret-env VAR | --client-secret-file FILE) --redirect-url URL [--scope WRITE] [--json]
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

// shellName makes a remote's name ("Jira Staging") into a link name that
// needs no quoting in a shell ("jira-staging"): lower case, each run of
// other characters than letters and digits a dash. fallback (the type)
// stands in for a name with no letter or digit.
func shellName(name, fallback string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	if b.Len() == 0 {
		return fallback
	}
	return b.String()
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

func (c *cli) linkAdd(ctx context.Context, args []string) error {
	fs := newFlagSet("link add", "NAME --url RPC_URL --type TYPE --consumer-key K (--private-key FILE | --secret-env VAR | --secret-file FILE) [--display-url U] [--auth 3lo,2loi,2lo] [--primary] [--discover] [--json]", linkExamples, c.stderr)
	configFile := configFlag(fs)
	asJSON := c.jsonFlag(fs, "print the link added as JSON, as the configFile file holds it")
	rpcURL := fs.String("url", "", "the remote's base `URL` for calls (RPC URL; past any reverse proxy)")
	displayURL := fs.String("display-url", "", "the remote's `URL` for browsers (default the RPC URL)")
	typ := fs.String("type", "", "application `TYPE`: jira, confluence, bitbucket, bamboo, fecru, crowd, jenkins, generic")
	consumerKey := fs.String("consumer-key", "", "the consumer `KEY` the remote knows us by")
	privateKey := fs.String("private-key", "", "RSA private key `FILE` (RSA-SHA1; Atlassian products)")
	secretEnv := fs.String("secret-env", "", "environment `VAR` holding the shared secret (HMAC-SHA1; Jenkins)")
	secretFile := fs.String("secret-file", "", "`FILE` holding the shared secret (HMAC-SHA1; Jenkins)")
	auth := fs.String("auth", "", "outgoing authentication, in preference order: `LIST` of 3lo, 2loi, 2lo, anonymous, or oauth2, client-credentials (default 3lo; oauth2 with --client-id)")
	o2 := oauth2Flags(fs)
	cloud := fs.Bool("cloud", false, "an Atlassian Cloud OAuth 2.0 (3LO) link to the site of --site (with --client-id, --client-secret-env, --scope, --redirect-url)")
	site := fs.String("site", "", "with --cloud: the site's `URL`, such as https://acme.atlassian.net")
	authBase := fs.String("auth-base", "", "with --cloud: Atlassian's authorization server `URL` (default https://auth.atlassian.com)")
	apiBase := fs.String("api-base", "", "with --cloud: Atlassian's API gateway `URL` (default https://api.atlassian.com)")
	patEnv := fs.String("pat-env", "", "with --auth pat: environment `VAR` holding the link's own personal access token (a bot account's, for requests without a user)")
	patFile := fs.String("pat-file", "", "with --auth pat: `FILE` (mode 0600) holding the link's own personal access token")
	primary := fs.Bool("primary", false, "make this the primary link of its type")
	discover := fs.Bool("discover", false, "read the remote's applinks manifest to fill in the type (and the name, lower case with dashes, when NAME is not given)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef(fs, "want one NAME, got %s", plural(len(pos), "argument"))
	}
	if *cloud || *site != "" || *authBase != "" || *apiBase != "" {
		switch {
		case !*cloud:
			return usagef(fs, "--site, --auth-base and --api-base are for Atlassian Cloud links: add --cloud")
		case *site == "" && *rpcURL == "":
			return usagef(fs, "--site is required with --cloud: the site's URL, such as https://acme.atlassian.net")
		case *site != "" && *rpcURL != "" && *site != *rpcURL:
			return usagef(fs, "give the site once: --site (--url is the same for a Cloud link)")
		case *auth != "" && *auth != string(applink.AuthOAuth2):
			return usagef(fs, "an Atlassian Cloud link uses oauth2 alone (Cloud has no 2LOi: every user consents once): drop --auth")
		}
		if *site != "" {
			*rpcURL = *site
		}
	}
	if *rpcURL == "" {
		return usagef(fs, "--url is required")
	}
	oauth2Link := o2.set() || authListsOAuth2(*auth) || *cloud
	if oauth2Link {
		if err := o2.check(fs, *consumerKey, *privateKey, *secretEnv, *secretFile); err != nil {
			return err
		}
	} else if *consumerKey == "" && authSigns(*auth) {
		return usagef(fs, "--consumer-key is required")
	}
	if countSet(*patEnv, *patFile) > 1 {
		return usagef(fs, "give one of --pat-env and --pat-file")
	}
	if n := countSet(*privateKey, *secretEnv, *secretFile); n > 1 {
		return usagef(fs, "give one of --private-key, --secret-env and --secret-file")
	}
	l := applink.Link{
		RPCURL:      strings.TrimSuffix(*rpcURL, "/"),
		DisplayURL:  strings.TrimSuffix(*displayURL, "/"),
		ConsumerKey: *consumerKey,
		SecretEnv:   *secretEnv,
		Primary:     *primary,
	}
	if len(pos) == 1 {
		l.Name = pos[0]
	}
	if *privateKey != "" {
		if l.PrivateKeyFile, err = filepath.Abs(*privateKey); err != nil {
			return usagef(fs, "--private-key %q: %v", *privateKey, err)
		}
	}
	if *secretFile != "" {
		if l.SecretFile, err = filepath.Abs(*secretFile); err != nil {
			return usagef(fs, "--secret-file %q: %v", *secretFile, err)
		}
	}
	if *auth != "" {
		for _, a := range strings.Split(*auth, ",") {
			parsed, err := applink.ParseAuth(a)
			if err != nil {
				return usagef(fs, "--auth: %s", message(err))
			}
			l.Auth = append(l.Auth, parsed)
		}
	}
	if oauth2Link {
		if l.OAuth2, err = o2.client(fs); err != nil {
			return err
		}
		if len(l.Auth) == 0 {
			l.Auth = []applink.Auth{applink.AuthOAuth2}
		}
		if *cloud {
			l.Cloud = &applink.CloudSite{AuthBase: strings.TrimSuffix(*authBase, "/"), APIBase: strings.TrimSuffix(*apiBase, "/")}
			// Cloud scopes are case-sensitive and space-separated.
			l.OAuth2.Scopes = strings.FieldsFunc(*o2.scope, func(r rune) bool { return r == ',' || r == ' ' })
			if !slices.Contains(l.OAuth2.Scopes, applink.ScopeOfflineAccess) {
				fmt.Fprintf(c.stderr, "warning: --scope lacks offline_access: Atlassian gives no refresh token without it, and users must consent again every hour\n")
			}
		}
	}
	if *typ != "" {
		if l.Type, err = applink.ParseType(*typ); err != nil {
			return usagef(fs, "--type: %s", message(err))
		}
	}
	if *discover {
		m, err := c.fetchManifest(ctx, l.RPCURL)
		if err != nil {
			return err
		}
		if l.Type == "" {
			if l.Type, err = applink.ParseType(m.TypeID); err != nil {
				return fmt.Errorf("the manifest of %s names type %q: pass --type", l.RPCURL, m.TypeID)
			}
		}
		if l.Name == "" {
			l.Name = shellName(m.Name, string(l.Type))
		}
		if uuidRE.MatchString(m.ID) {
			l.ID = strings.ToLower(m.ID) // applinks ids a link by the remote's application id
		}
		fmt.Fprintf(c.stderr, "discovered %s %q (%s)\n", l.Type, m.Name, m.ID)
	}
	if l.Name == "" {
		return usagef(fs, "want a NAME (or --discover to take the remote's)")
	}
	if l.Type == "" {
		return usagef(fs, "--type is required (or --discover to read it from the remote)")
	}
	if *patEnv != "" || *patFile != "" {
		l.PAT = &applink.LinkPAT{TokenEnv: *patEnv}
		if *patFile != "" {
			if l.PAT.TokenFile, err = filepath.Abs(*patFile); err != nil {
				return usagef(fs, "--pat-file %q: %v", *patFile, err)
			}
		}
	}
	if countSet(*privateKey, *secretEnv, *secretFile) == 0 && authSigns(*auth) && !oauth2Link {
		if l.Type == applink.TypeJenkins {
			return usagef(fs, "a Jenkins link needs the consumer's shared secret: give --secret-env VAR or --secret-file FILE")
		}
		return usagef(fs, "the link needs our private key: give --private-key FILE (make one with 'applink keygen')")
	}
	if l.ID == "" {
		l.ID = applink.DefaultLinkID(l.Name, l.RPCURL) // fixed from now on: the config keeps it
	}

	path, err := configPath(*configFile, c.getenv)
	if err != nil {
		return err
	}
	w, err := loadWorkspace(path, true)
	if err != nil {
		return err
	}
	for _, old := range w.cfg.Links {
		if old.ID == l.ID {
			return fmt.Errorf("a link with id %s (%q) is already in %s: remove it first (applink link remove %s)", l.ID, old.Name, path, l.ID)
		}
		if strings.EqualFold(old.Name, l.Name) {
			return fmt.Errorf("a link named %q is already in %s: choose another name, or remove it first (applink link remove %s)", old.Name, path, shellQuote(old.Name))
		}
	}
	if err := l.Validate(); err != nil {
		return err
	}
	if l.Primary {
		for i := range w.cfg.Links {
			if w.cfg.Links[i].Type == l.Type {
				w.cfg.Links[i].Primary = false
			}
		}
	}
	// Loading the link into a service checks that its key can be read now,
	// not on the first request.
	if _, err := applink.NewService([]applink.Link{l}); err != nil {
		return err
	}
	w.cfg.Links = append(w.cfg.Links, l)
	if err := w.cfg.Save(path); err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.stdout, l)
	}
	fmt.Fprintf(c.stdout, "added link %q (%s, id %s) to %s\n", l.Name, l.Type, l.ID, path)
	return nil
}

// authSigns reports whether an --auth list (empty: 3lo) names a method that
// signs with OAuth 1.0a (3lo, 2lo, 2loi), which needs a consumer key and
// our private key or shared secret; anonymous, pat and the OAuth 2.0
// methods do not. Unknown names count as signing: they are reported when
// the list is parsed.
func authSigns(list string) bool {
	if strings.TrimSpace(list) == "" {
		return true
	}
	for _, a := range strings.Split(list, ",") {
		switch p, err := applink.ParseAuth(a); {
		case err != nil:
			return true
		case p == applink.Auth3LO, p == applink.Auth2LO, p == applink.Auth2LOi:
			return true
		}
	}
	return false
}

func countSet(vs ...string) int {
	n := 0
	for _, v := range vs {
		if v != "" {
			n++
		}
	}
	return n
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// manifest is the part of an applinks manifest that link add uses.
type manifest struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	TypeID string `json:"typeId"`
}

// fetchManifest reads {rpcURL}/rest/applinks/1.0/manifest anonymously, as
// JSON.
func (c *cli) fetchManifest(ctx context.Context, rpcURL string) (*manifest, error) {
	u, err := url.Parse(rpcURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &usageError{cmd: "applink link add", msg: fmt.Sprintf("--url %q is not an absolute http(s) URL", rpcURL)}
	}
	u = u.JoinPath("rest/applinks/1.0/manifest")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading the manifest at %s: %w", redactedURL(u), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("reading the manifest at %s: %w", redactedURL(u), err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("no applinks manifest at %s (%s): the remote may not be an Atlassian application (Jenkins has none): pass --type and NAME instead of --discover", redactedURL(u), resp.Status)
	}
	var m manifest
	if err := json.Unmarshal(body, &m); err != nil || m.TypeID == "" {
		return nil, fmt.Errorf("the manifest at %s is not applinks JSON: pass --type and NAME instead of --discover", redactedURL(u))
	}
	return &m, nil
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
	display := l.EffectiveDisplayURL()
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
			auth, api := firstNonEmpty(cl.AuthBase, applink.DefaultCloudAuthBase), firstNonEmpty(cl.APIBase, applink.DefaultCloudAPIBase)
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
	base := strings.TrimSuffix(l.EffectiveDisplayURL(), "/")
	if l.Type == applink.TypeJenkins {
		return base + "/user/" + url.PathEscape(user) + "/tokens"
	}
	return base + "/plugins/servlet/oauth/users/access-tokens"
}
