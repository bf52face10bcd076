package cloudsite

import (
	"github.com/go-applinks/applinks/internal/linkconf"
	"github.com/go-applinks/applinks/internal/oauth2link"
)

// Settings are what [Validate] checks of a Cloud link.
type Settings struct {
	// Type is the link's type: jira or confluence.
	Type string
	// OAuth2Only is set when the link's auth lists oauth2 alone.
	OAuth2Only bool
	// EndpointPaths is set when the link's OAuth 2.0 settings give an
	// authorize or token path; BasicAuth when they ask for HTTP Basic
	// client authentication; AllowInsecureHTTP when they allow plain http.
	EndpointPaths, BasicAuth, AllowInsecureHTTP bool
	// AuthBase and APIBase are the link's overrides ("": Atlassian's).
	AuthBase, APIBase string
}

// Validate adds the problems of a Cloud link's settings to bad, each with
// the field to blame and what to do.
func Validate(s Settings, bad func(field, format string, args ...any)) {
	if s.Type != "jira" && s.Type != "confluence" {
		bad("type", "an Atlassian Cloud link is of type jira or confluence, not %s", s.Type)
	}
	if !s.OAuth2Only {
		bad("auth", "an Atlassian Cloud link uses oauth2 alone: Cloud has no 2LO, 2LOi (impersonation), client credentials or PATs for OAuth 2.0 (3LO) apps; each user consents once")
	}
	if s.EndpointPaths {
		bad("oauth2.tokenPath", "an Atlassian Cloud link's endpoints come from cloud.authBase: remove oauth2.authorizePath and oauth2.tokenPath")
	}
	if s.BasicAuth {
		bad("oauth2.clientAuth", "Atlassian Cloud's token endpoint takes the client id and secret in its JSON body: remove clientAuth")
	}
	for _, f := range []struct{ field, v string }{{"cloud.authBase", s.AuthBase}, {"cloud.apiBase", s.APIBase}} {
		if f.v == "" {
			continue
		}
		if err := linkconf.CheckBaseURL(f.v); err != nil {
			bad(f.field, "%v", err)
		} else if err := oauth2link.CheckURL(f.v, s.AllowInsecureHTTP, false); err != nil {
			bad(f.field, "%v", err)
		}
	}
}
