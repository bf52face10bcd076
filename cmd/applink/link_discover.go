package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// shellName makes a remote's name ("Jira Staging") into a link name that
// needs no quoting in a shell ("jira-staging"): lower case, each run of
// other characters than letters and digits a dash. fallback (the type)
// stands in for a name with no letter or digit.
func shellName(name, fallback string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	if b.Len() == 0 {
		return fallback
	}
	return b.String()
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// manifest is the part of an applinks manifest that link add uses.
type manifest struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	TypeID string `json:"typeId"`
}

// fetchManifest reads {rpcURL}/rest/applinks/1.0/manifest anonymously, as
// JSON.
func (c *cli) fetchManifest(ctx context.Context, rpcURL string) (*manifest, error) {
	u, err := url.Parse(rpcURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &usageError{cmd: "applink link add", msg: fmt.Sprintf("--url %q is not an absolute http(s) URL", rpcURL)}
	}
	u = u.JoinPath("rest/applinks/1.0/manifest")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading the manifest at %s: %w", redactedURL(u), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("reading the manifest at %s: %w", redactedURL(u), err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("no applinks manifest at %s (%s): the remote may not be an Atlassian application (Jenkins has none): pass --type and NAME instead of --discover", redactedURL(u), resp.Status)
	}
	var m manifest
	if err := json.Unmarshal(body, &m); err != nil || m.TypeID == "" {
		return nil, fmt.Errorf("the manifest at %s is not applinks JSON: pass --type and NAME instead of --discover", redactedURL(u))
	}
	return &m, nil
}
