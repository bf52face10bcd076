package main

import "strings"

// withRawQuery appends raw, a query as written (what -G takes from -d), to
// the target's query. Neither is encoded here: NewRequest percent-encodes
// what cannot be sent as is, as it does for the path's own query.
func withRawQuery(target, raw string) string {
	if raw == "" {
		return target
	}
	switch {
	case !strings.Contains(target, "?"):
		return target + "?" + raw
	case strings.HasSuffix(target, "?"), strings.HasSuffix(target, "&"):
		return target + raw
	}
	return target + "&" + raw
}
