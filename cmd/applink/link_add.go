package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/internal/cloudsite"
)

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
	auth := fs.String("auth", "", "outgoing authentication, in preference order: `LIST` of 3lo, pat, 2loi, 2lo, anonymous, or oauth2, client-credentials (default 3lo; oauth2 with --client-id or --cloud); a user's own token (3lo or pat) comes first when listed first")
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
			if !slices.Contains(l.OAuth2.Scopes, cloudsite.ScopeOfflineAccess) {
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
