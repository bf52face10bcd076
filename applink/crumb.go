package applink

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/go-applinks/applinks/applink/token"
)

// Jenkins refuses a POST without a CSRF crumb ("403 No valid crumb is
// included in the request"), except /job/<name>/build, which the Bitbucket
// Server Integration plugin exempts for OAuth. A crumb comes from
// GET {root}/crumbIssuer/api/json, fetched as the same user, and goes in the
// header the issuer names (crumbRequestField).

// crumbTTL is how long a crumb is reused for one (user, method).
const crumbTTL = 5 * time.Minute

// maxCrumbs bounds the crumb cache of a link.
const maxCrumbs = 4096

// buildPath matches /job/<name>/build, also inside folders.
var buildPath = regexp.MustCompile(`^(/job/[^/]+)+/build/?$`)

type crumbKey struct {
	user string
	auth Auth
}

// crumbEntry is a crumb, or (field "") the knowledge that the remote issues
// none.
type crumbEntry struct {
	field, value string
	expires      time.Time
}

// crumbCache keeps recent crumbs per (user, method). Its zero value is
// ready to use; it is safe for concurrent use.
type crumbCache struct {
	mu sync.Mutex
	m  map[crumbKey]crumbEntry
}

func (c *crumbCache) get(user string, auth Auth, now time.Time) (crumbEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[crumbKey{user, auth}]
	if !ok || !now.Before(e.expires) {
		return crumbEntry{}, false
	}
	return e, true
}

func (c *crumbCache) put(user string, auth Auth, e crumbEntry, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[crumbKey]crumbEntry)
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
	c.m[crumbKey{user, auth}] = e
}

func (c *crumbCache) forget(user string, auth Auth) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, crumbKey{user, auth})
}

// needsCrumb reports whether req is a Jenkins POST that needs a crumb.
func (st *linkState) needsCrumb(req *http.Request) bool {
	if st.link.Type != TypeJenkins || req.Method != http.MethodPost {
		return false
	}
	rel := strings.TrimPrefix(req.URL.EscapedPath(), strings.TrimSuffix(st.rpc.EscapedPath(), "/"))
	return !buildPath.MatchString(rel)
}

// crumbFor returns a crumb for the identity, from the cache or fetched
// now. It returns nil when none could be had (the POST then goes without,
// and whatever Jenkins answers is the caller's to see).
func (st *linkState) crumbFor(ctx context.Context, t *transport, auth Auth, tok *token.AccessToken) *crumbEntry {
	user := t.factory.user
	now := st.svc.clock()
	if e, ok := st.crumbs.get(user, auth, now); ok {
		return &e
	}
	u := *st.rpc
	u.Path = strings.TrimSuffix(u.Path, "/") + "/crumbIssuer/api/json"
	u.RawPath = ""
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil
	}
	req.Header.Set("Accept", "application/json")
	resp, err := t.send(req, auth, tok)
	if err != nil {
		return nil
	}
	defer drain(resp)
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		// No crumb issuer: CSRF protection is off.
		e := crumbEntry{expires: now.Add(crumbTTL)}
		st.crumbs.put(user, auth, e, now)
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
	e := crumbEntry{field: body.Field, value: body.Crumb, expires: now.Add(crumbTTL)}
	st.crumbs.put(user, auth, e, now)
	return &e
}

// crumbRefused reports whether a 403 is Jenkins' "No valid crumb". It reads
// a little of the body and returns the response with its body whole again
// (or drained and closed when the crumb was refused).
func crumbRefused(resp *http.Response) (bool, *http.Response) {
	head, err := io.ReadAll(io.LimitReader(resp.Body, 8<<10))
	if err == nil && bytes.Contains(bytes.ToLower(head), []byte("no valid crumb")) {
		drain(resp)
		return true, resp
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	return false, resp
}
