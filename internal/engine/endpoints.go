package engine

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
