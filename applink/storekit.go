package applink

// What a token store written outside this package needs: the validation
// every store of this module applies, and copies of tokens with other
// secrets.

// ValidateAccessToken reports whether a [TokenStore] may store t under key:
// a link id, a user, a token value, a known kind, an OAuth 2.0 token's
// bearer token, and times between years 0 and 9999. Every store of this
// module calls it first, so that they all accept the same tokens; a store
// written elsewhere should too (the applink/storetest suite checks it).
func ValidateAccessToken(key TokenKey, t *AccessToken) error { return validateAccessToken(key, t) }

// ValidateRequestToken reports whether a [TokenStore] may store t: a token
// value and times between years 0 and 9999.
func ValidateRequestToken(t *RequestToken) error { return validateRequestToken(t) }

// ValidatePendingDance reports whether a [DanceStore] may store d: a state,
// a user, a link id and times between years 0 and 9999.
func ValidatePendingDance(d *PendingDance) error { return validateDance(d) }

// WithSecrets returns a deep copy of t whose secret ([AccessToken.Secret]:
// the OAuth 1.0a token secret or the OAuth 2.0 bearer token) and refresh
// token ([AccessToken.RefreshToken]) are secret and refresh. It is for
// stores that keep tokens in another form, such as applink/sealed, which
// encrypts them at rest: they rebuild the token they read with it. Every
// other field, Token included, is copied as it is.
func (t *AccessToken) WithSecrets(secret, refresh string) *AccessToken {
	c := t.clone()
	c.secret, c.refresh = secret, refresh
	return c
}

// WithSecret returns a copy of t whose secret ([RequestToken.Secret]) is
// secret; see [AccessToken.WithSecrets].
func (t *RequestToken) WithSecret(secret string) *RequestToken {
	c := *t
	c.secret = secret
	return &c
}
