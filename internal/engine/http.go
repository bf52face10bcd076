package engine

import "net/http"

// DefaultTransport returns a fresh copy of http.DefaultTransport's
// settings: a service's own, so that what it changes (or closes) is not
// every client's.
func DefaultTransport() http.RoundTripper {
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		return t.Clone()
	}
	return http.DefaultTransport
}

// SeraphReason returns the X-Seraph-LoginReason of h when it is one of
// Seraph's words (AUTHENTICATED_FAILED, ...), else "": a remote's header
// is never quoted at length.
func SeraphReason(h http.Header) string {
	v := h.Get("X-Seraph-LoginReason")
	if len(v) > 40 {
		return ""
	}
	for _, c := range v {
		if (c < 'A' || c > 'Z') && c != '_' && c != ',' {
			return ""
		}
	}
	return v
}
