package token

import "strings"

// Key names one user's access token for one link.
type Key struct {
	// LinkID is the link's id.
	LinkID string
	// User is the local user the token acts for.
	User string
}

// Compare orders keys by link id, then user; it suits slices.SortFunc.
func (k Key) Compare(o Key) int {
	if c := strings.Compare(k.LinkID, o.LinkID); c != 0 {
		return c
	}
	return strings.Compare(k.User, o.User)
}
