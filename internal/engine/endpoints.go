package engine

import "cmp"

// DefaultOAuth1Endpoints returns the paths of a remote's OAuth 1.0a
// endpoints, relative to its RPC URL (the authorize page: to its display
// URL). Jenkins' Bitbucket Server Integration plugin (jenkins) has its own
// (/bitbucket/oauth/request-token, /bbs-oauth/authorize,
// /bitbucket/oauth/access-token); every Atlassian product uses
// /plugins/servlet/oauth/....
func DefaultOAuth1Endpoints(jenkins bool) (requestToken, authorize, accessToken string) {
	if jenkins {
		return "/bitbucket/oauth/request-token", "/bbs-oauth/authorize", "/bitbucket/oauth/access-token"
	}
	return "/plugins/servlet/oauth/request-token", "/plugins/servlet/oauth/authorize", "/plugins/servlet/oauth/access-token"
}

// OAuth1Endpoints returns a link's OAuth 1.0a endpoint paths: the ones
// given, each empty one the default of the remote's type
// ([DefaultOAuth1Endpoints]).
func OAuth1Endpoints(requestToken, authorize, accessToken string, jenkins bool) (string, string, string) {
	rt, au, at := DefaultOAuth1Endpoints(jenkins)
	return cmp.Or(requestToken, rt), cmp.Or(authorize, au), cmp.Or(accessToken, at)
}
