package redact

import (
	"fmt"
	"strconv"
)

// Format is the body of a fmt.Formatter for a type that holds a secret: it
// prints the type's redacted description whatever the verb, so that no verb
// (%d, %x, %t, %+v, …) can fall through to the raw fields. s is the
// redacted description (the type's String), gostring what %#v shows (its
// GoString). %q prints s quoted; every other verb prints s. The width and
// the '-' flag are honored (%10v, %-8s); other flags and the precision are
// ignored, so that no flag can truncate or reinterpret the description.
//
// Format must be given strings already built, never the value itself:
// formatting the value with fmt from inside its Format method recurses.
func Format(f fmt.State, verb rune, s, gostring string) {
	switch {
	case verb == 'v' && f.Flag('#'):
		s = gostring
	case verb == 'q':
		s = strconv.Quote(s)
	}
	directive := "%s"
	if w, ok := f.Width(); ok {
		if f.Flag('-') {
			directive = "%-*s"
		} else {
			directive = "%*s"
		}
		_, _ = fmt.Fprintf(f, directive, w, s)
		return
	}
	_, _ = fmt.Fprintf(f, directive, s)
}
