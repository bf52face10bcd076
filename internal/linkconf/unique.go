package linkconf

import (
	"fmt"
	"strings"
)

// Unique holds the rules a set of links obeys, in a service and in a
// config file alike: every id names one link (ids compare without regard
// to case), and at most one link of each type is primary. The zero Unique
// is empty and ready; links are added in order, each named by a label
// for messages.
type Unique struct {
	ids, primaries map[string]string
}

// ID adds a link's id. Its error, when an earlier link has the id, names
// that link: the caller puts it in the "id" field of the link labeled.
func (u *Unique) ID(id, label string) error {
	key := strings.ToLower(id)
	if other, dup := u.ids[key]; dup {
		return fmt.Errorf("%s is also the id of link %s: ids must be unique", id, other)
	}
	if u.ids == nil {
		u.ids = make(map[string]string)
	}
	u.ids[key] = label
	return nil
}

// Primary adds a primary link of type typ. Its error, when an earlier link
// of the type is primary, names that link: the caller puts it in the
// "primary" field of the link labeled.
func (u *Unique) Primary(typ, label string) error {
	if other, dup := u.primaries[typ]; dup {
		return fmt.Errorf("link %s is already the primary %s link: mark one link of a type primary", other, typ)
	}
	if u.primaries == nil {
		u.primaries = make(map[string]string)
	}
	u.primaries[typ] = label
	return nil
}

// HasPrimary reports whether a link of type typ was added as primary.
func (u *Unique) HasPrimary(typ string) bool {
	_, ok := u.primaries[typ]
	return ok
}
