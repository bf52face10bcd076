package applink

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/signer"
)

// sigBase is a signature base string taken apart (RFC 5849 §3.4.1.1:
// METHOD&enc(URL)&enc(parameters)).
type sigBase struct {
	method string
	uri    *url.URL
	// params maps each parameter name to its values, in order.
	params map[string][]string
}

// parseBaseString takes a signature base string apart. It never panics.
func parseBaseString(s string) (*sigBase, error) {
	parts := strings.Split(s, "&")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%d parts separated by \"&\", want 3 (METHOD&URL&PARAMETERS)", len(parts))
	}
	if parts[0] == "" {
		return nil, errors.New("no method")
	}
	rawURI, err := signer.Decode(parts[1])
	if err != nil {
		return nil, fmt.Errorf("the URL part: %v", err)
	}
	u, err := url.Parse(rawURI)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("the URL part %q is not an absolute URL", redact.URLString(rawURI))
	}
	rawParams, err := signer.Decode(parts[2])
	if err != nil {
		return nil, fmt.Errorf("the parameters part: %v", err)
	}
	b := &sigBase{method: parts[0], uri: u, params: map[string][]string{}}
	if rawParams == "" {
		return b, nil
	}
	for _, p := range strings.Split(rawParams, "&") {
		k, v, _ := strings.Cut(p, "=")
		name, err := signer.Decode(k)
		if err != nil {
			name = k
		}
		value, err := signer.Decode(v)
		if err != nil {
			value = v
		}
		b.params[name] = append(b.params[name], value)
	}
	return b, nil
}

// baseDiff is how two signature base strings differ.
type baseDiff struct {
	// method is set when the methods differ.
	method bool
	// urlParts names the parts of the URL that differ: scheme, host, port,
	// path.
	urlParts []string
	// onlyOurs, onlyTheirs and changed name parameters.
	onlyOurs, onlyTheirs, changed []string
}

// same reports whether nothing differs.
func (d baseDiff) same() bool {
	return !d.method && len(d.urlParts) == 0 && len(d.onlyOurs)+len(d.onlyTheirs)+len(d.changed) == 0
}

// params lists the differing parameters, each with how it differs.
func (d baseDiff) params() []string {
	var out []string
	for _, n := range d.onlyOurs {
		out = append(out, n+" (only ours)")
	}
	for _, n := range d.onlyTheirs {
		out = append(out, n+" (only the remote's)")
	}
	for _, n := range d.changed {
		out = append(out, n+" (different value)")
	}
	return out
}

// diffBases compares our base string with the remote's.
func diffBases(ours, theirs *sigBase) baseDiff {
	var d baseDiff
	d.method = !strings.EqualFold(ours.method, theirs.method)
	if !strings.EqualFold(ours.uri.Scheme, theirs.uri.Scheme) {
		d.urlParts = append(d.urlParts, "scheme")
	}
	if !strings.EqualFold(ours.uri.Hostname(), theirs.uri.Hostname()) {
		d.urlParts = append(d.urlParts, "host")
	}
	if effectivePort(ours.uri) != effectivePort(theirs.uri) {
		d.urlParts = append(d.urlParts, "port")
	}
	if ours.uri.EscapedPath() != theirs.uri.EscapedPath() {
		d.urlParts = append(d.urlParts, "path")
	}
	for name, vs := range ours.params {
		tv, ok := theirs.params[name]
		switch {
		case !ok:
			d.onlyOurs = append(d.onlyOurs, name)
		case !slices.Equal(sortedCopy(vs), sortedCopy(tv)):
			d.changed = append(d.changed, name)
		}
	}
	for name := range theirs.params {
		if _, ok := ours.params[name]; !ok {
			d.onlyTheirs = append(d.onlyTheirs, name)
		}
	}
	slices.Sort(d.onlyOurs)
	slices.Sort(d.onlyTheirs)
	slices.Sort(d.changed)
	return d
}

func sortedCopy(vs []string) []string {
	c := slices.Clone(vs)
	slices.Sort(c)
	return c
}

// effectivePort is a URL's port, the scheme's default when it has none.
func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}

// remoteBase returns the base URL the remote sees itself at, from the URL
// it put in its base string for a request to rel (the path relative to the
// RPC URL): scheme, host, port (when not the default) and the path before
// rel.
func remoteBase(theirs *url.URL, rel string) string {
	p := theirs.EscapedPath()
	if rel != "" && rel != "/" {
		p = strings.TrimSuffix(p, strings.TrimSuffix(rel, "/"))
	}
	p = strings.TrimSuffix(p, "/")
	host := strings.ToLower(theirs.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port := theirs.Port(); port != "" && port != effectivePort(&url.URL{Scheme: theirs.Scheme}) {
		host += ":" + port
	}
	return strings.ToLower(theirs.Scheme) + "://" + host + p
}
