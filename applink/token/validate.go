package token

import (
	"errors"
	"fmt"
	"time"
)

// Validate reports whether a [Store] may store t under key: a link id, a
// user, a token value, a known kind, an OAuth 2.0 token's bearer token, and
// times between years 0 and 9999. Every store of this module calls it
// first, so that they all accept the same tokens; a store written elsewhere
// should too (the applink/storetest suite checks it).
func (t *AccessToken) Validate(key Key) error {
	switch {
	case t == nil:
		return errors.New("token: cannot store a nil access token")
	case key.LinkID == "":
		return errors.New("token: cannot store an access token without a link id")
	case key.User == "":
		return fmt.Errorf("token: cannot store an access token for link %q without a user", key.LinkID)
	case t.Token == "":
		return fmt.Errorf("token: cannot store an empty access token for link %q, user %q", key.LinkID, key.User)
	case t.Kind != "" && t.Kind != KindOAuth1 && t.Kind != KindOAuth2 && t.Kind != KindPAT:
		return fmt.Errorf("token: cannot store the access token for link %q, user %q: unknown kind %q (want %q, %q or %q)", key.LinkID, key.User, t.Kind, KindOAuth1, KindOAuth2, KindPAT)
	case t.Kind == KindOAuth2 && t.Secret.IsZero():
		return fmt.Errorf("token: cannot store an OAuth 2.0 access token without its bearer token for link %q, user %q", key.LinkID, key.User)
	case t.Kind == KindPAT && t.Secret.IsZero():
		return fmt.Errorf("token: cannot store an empty personal access token for link %q, user %q", key.LinkID, key.User)
	}
	for _, ts := range []time.Time{t.ExpiresAt, t.AuthorizationExpiresAt, t.CreatedAt} {
		if err := ValidateTime(ts); err != nil {
			return fmt.Errorf("token: cannot store the access token for link %q, user %q: %w", key.LinkID, key.User, err)
		}
	}
	return nil
}

// Validate reports whether a [Store] may store t: a token value and times
// between years 0 and 9999.
func (t *RequestToken) Validate() error {
	switch {
	case t == nil:
		return errors.New("token: cannot store a nil request token")
	case t.Token == "":
		return fmt.Errorf("token: cannot store an empty request token for link %q, user %q", t.LinkID, t.User)
	}
	for _, ts := range []time.Time{t.ExpiresAt, t.CreatedAt} {
		if err := ValidateTime(ts); err != nil {
			return fmt.Errorf("token: cannot store request token %s: %w", abbrev(t.Token), err)
		}
	}
	return nil
}

// Validate reports whether a [DanceStore] may store d: a state, a user, a
// link id and times between years 0 and 9999.
func (d *PendingDance) Validate() error {
	switch {
	case d == nil:
		return errors.New("token: cannot store a nil pending dance")
	case d.State.IsZero():
		return errors.New("token: cannot store a pending dance without a state")
	case d.User == "":
		return fmt.Errorf("token: cannot store a pending dance for link %q without a user", d.LinkID)
	case d.LinkID == "":
		return fmt.Errorf("token: cannot store a pending dance of user %q without a link id", d.User)
	}
	for _, ts := range []time.Time{d.ExpiresAt, d.CreatedAt} {
		if err := ValidateTime(ts); err != nil {
			return fmt.Errorf("token: cannot store the pending dance of user %q on link %q: %w", d.User, d.LinkID, err)
		}
	}
	return nil
}

// ValidateTime refuses times that RFC 3339 cannot write (outside years 0 to
// 9999), so that every store accepts the same tokens and a file store can
// read what it wrote. The zero time is valid.
func ValidateTime(t time.Time) error {
	if t.IsZero() {
		return nil
	}
	if y := t.UTC().Year(); y < 0 || y > 9999 {
		return fmt.Errorf("time %d is outside years 0 to 9999", y)
	}
	return nil
}
