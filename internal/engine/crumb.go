package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Jenkins refuses a POST without a CSRF crumb ("403 No valid crumb is
// included in the request"), except /job/<name>/build, which the Bitbucket
// Server Integration plugin exempts for OAuth. A crumb comes from
// GET {root}/crumbIssuer/api/json, fetched as the same user, and goes in the
// header the issuer names (crumbRequestField).

// crumbTTL is how long a crumb is reused for one identity.
const crumbTTL = 5 * time.Minute

// maxCrumbs bounds the crumb cache of a link.
const maxCrumbs = 4096

// buildPath matches /job/<name>/build, also inside folders.
var buildPath = regexp.MustCompile(`^(/job/[^/]+)+/build/?$`)

// Crumb is a Jenkins CSRF crumb: the header to send it in and its value.
// The zero Crumb says the remote issues none (CSRF protection is off).
type Crumb struct {
	Field, Value string
	expires      time.Time
}

// Crumbs is one Jenkins link's crumb cache, per identity (the user and the
// authentication method). Its zero value is ready to use; it is safe for
// concurrent use.
type Crumbs struct {
	mu sync.Mutex
	m  map[string]Crumb
}

// NeedsCrumb reports whether req, to a Jenkins whose RPC URL is rpc, is a
// POST that needs a crumb.
func NeedsCrumb(rpc *url.URL, req *http.Request) bool {
	if req.Method != http.MethodPost {
		return false
	}
	rel := strings.TrimPrefix(req.URL.EscapedPath(), strings.TrimSuffix(rpc.EscapedPath(), "/"))
	return !buildPath.MatchString(rel)
}

// For returns a crumb for identity, from the cache or fetched now from the
// crumb issuer under rpc with send (which authenticates as identity). It
// returns nil when none could be had: the POST then goes without, and
// whatever Jenkins answers is the caller's to see.
func (c *Crumbs) For(ctx context.Context, identity string, rpc *url.URL, now time.Time, send func(*http.Request) (*http.Response, error)) *Crumb {
	if e, ok := c.get(identity, now); ok {
		return &e
	}
	u := *rpc
	u.Path = strings.TrimSuffix(u.Path, "/") + "/crumbIssuer/api/json"
	u.RawPath = ""
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil
	}
	req.Header.Set("Accept", "application/json")
	resp, err := send(req)
	if err != nil {
		return nil
	}
	defer Drain(resp)
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		// No crumb issuer: CSRF protection is off.
		e := Crumb{expires: now.Add(crumbTTL)}
		c.put(identity, e, now)
		return &e
	default:
		return nil
	}
	var body struct {
		Field string `json:"crumbRequestField"`
		Crumb string `json:"crumb"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&body); err != nil || body.Field == "" || body.Crumb == "" {
		return nil
	}
	e := Crumb{Field: body.Field, Value: body.Crumb, expires: now.Add(crumbTTL)}
	c.put(identity, e, now)
	return &e
}

func (c *Crumbs) get(identity string, now time.Time) (Crumb, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[identity]
	if !ok || !now.Before(e.expires) {
		return Crumb{}, false
	}
	return e, true
}

func (c *Crumbs) put(identity string, e Crumb, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]Crumb)
	}
	if len(c.m) >= maxCrumbs {
		for k, old := range c.m {
			if !now.Before(old.expires) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= maxCrumbs {
			clear(c.m)
		}
	}
	c.m[identity] = e
}

// Forget drops identity's crumb (Jenkins refused it).
func (c *Crumbs) Forget(identity string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, identity)
}

// CrumbRefused reports whether a 403 is Jenkins' "No valid crumb". It reads
// a little of the body and returns the response with its body whole again
// (or drained and closed when the crumb was refused).
func CrumbRefused(resp *http.Response) (bool, *http.Response) {
	head, err := io.ReadAll(io.LimitReader(resp.Body, 8<<10))
	if err == nil && bytes.Contains(bytes.ToLower(head), []byte("no valid crumb")) {
		Drain(resp)
		return true, resp
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	return false, resp
}

// Drain reads a little of a response body being discarded (so that its
// connection can be reused) and closes it.
func Drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// Set caches a crumb for identity until expires (tests plant a stale one).
func (c *Crumbs) Set(identity, field, value string, expires, now time.Time) {
	c.put(identity, Crumb{Field: field, Value: value, expires: expires}, now)
}

// CrumbIdentity names whom a Jenkins crumb was issued to: the user and the
// authentication method (a crumb is bound to the session that fetched it).
func CrumbIdentity(auth, user string) string { return auth + " " + user }
