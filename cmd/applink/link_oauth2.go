package main

import (
	"flag"
	"path/filepath"
	"strings"

	"github.com/go-applinks/applinks/applink"
)

// linkOAuth2Flags are the flags of "link add" for an OAuth 2.0 link.
type linkOAuth2Flags struct {
	clientID, secretEnv, secretFile, scope, redirect, clientAuth *string
	insecure                                                     *bool
}

func oauth2Flags(fs *flag.FlagSet) *linkOAuth2Flags {
	return &linkOAuth2Flags{
		clientID:   fs.String("client-id", "", "OAuth 2.0: the client `ID` the remote's incoming OAuth 2.0 link shows"),
		secretEnv:  fs.String("client-secret-env", "", "OAuth 2.0: environment `VAR` holding the client secret"),
		secretFile: fs.String("client-secret-file", "", "OAuth 2.0: `FILE` holding the client secret"),
		scope:      fs.String("scope", "", "OAuth 2.0: comma-separated `SCOPES` to ask for: READ, WRITE, ADMIN, SYSTEM_ADMIN (default the link's)"),
		redirect:   fs.String("redirect-url", "", "OAuth 2.0: the redirect `URL` registered at the remote; 'applink authorize' listens on it (http://127.0.0.1:PORT/callback)"),
		clientAuth: fs.String("client-auth", "", "OAuth 2.0: client authentication `METHOD` at the token endpoint: post (default) or basic"),
		insecure:   fs.Bool("allow-insecure-http", false, "OAuth 2.0: allow plain http to hosts other than loopback (test instances only)"),
	}
}

// set reports whether any OAuth 2.0 flag was given.
func (o *linkOAuth2Flags) set() bool {
	return countSet(*o.clientID, *o.secretEnv, *o.secretFile, *o.scope, *o.redirect, *o.clientAuth) > 0 || *o.insecure
}

// check refuses OAuth 1.0a credentials on an OAuth 2.0 link and asks for
// what it needs.
func (o *linkOAuth2Flags) check(fs *flag.FlagSet, consumerKey, privateKey, secretEnv, secretFile string) error {
	switch {
	case countSet(consumerKey, privateKey, secretEnv, secretFile) > 0:
		return usagef(fs, "an OAuth 2.0 link takes --client-id and --client-secret-env or --client-secret-file, not --consumer-key, --private-key, --secret-env or --secret-file (those are OAuth 1.0a's: make a second link)")
	case *o.clientID == "":
		return usagef(fs, "--client-id is required for an OAuth 2.0 link: copy it from the incoming link at the remote")
	case countSet(*o.secretEnv, *o.secretFile) != 1:
		return usagef(fs, "give one of --client-secret-env VAR and --client-secret-file FILE (the client secret the remote shows)")
	}
	return nil
}

// client builds the link's OAuth 2.0 settings.
func (o *linkOAuth2Flags) client(fs *flag.FlagSet) (*applink.OAuth2Client, error) {
	c := &applink.OAuth2Client{
		ClientID: *o.clientID, ClientSecretEnv: *o.secretEnv, RedirectURL: *o.redirect,
		ClientAuth: *o.clientAuth, AllowInsecureHTTP: *o.insecure,
	}
	if *o.secretFile != "" {
		abs, err := filepath.Abs(*o.secretFile)
		if err != nil {
			return nil, usagef(fs, "--client-secret-file %q: %v", *o.secretFile, err)
		}
		c.ClientSecretFile = abs
	}
	for _, s := range strings.Split(*o.scope, ",") {
		if s = strings.ToUpper(strings.TrimSpace(s)); s != "" {
			c.Scopes = append(c.Scopes, s)
		}
	}
	return c, nil
}

// authListsOAuth2 reports whether an --auth list names an OAuth 2.0
// method (unknown names are reported later, when the list is parsed).
func authListsOAuth2(list string) bool {
	for _, a := range strings.Split(list, ",") {
		if p, err := applink.ParseAuth(a); err == nil && (p == applink.AuthOAuth2 || p == applink.AuthClientCredentials) {
			return true
		}
	}
	return false
}
