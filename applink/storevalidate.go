package applink

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
