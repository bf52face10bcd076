package applinktest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/internal/testclock"
	"github.com/go-applinks/applinks/signer"
)

func cloudCall(t *testing.T, srv *Server, method, path, bearer, contentType string, body []byte) (int, map[string]any, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return resp.StatusCode, m, raw
}

// TestCloudShape: the Cloud shape's contract, as the SDK and the held-out
// providers see it.
func TestCloudShape(t *testing.T) {
	t.Parallel()
	clock := testclock.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := NewServer(t, WithShape(Cloud), WithUsers("alice"), WithClock(clock.Now), WithReuseInterval(10*time.Minute),
		WithCloudClient(CloudClient{ID: "c", Secret: signer.NewSecret("s"), RedirectURL: "http://127.0.0.1:1/cb"}))
	authz := srv.URL + "/authorize?" + url.Values{"audience": {"api.atlassian.com"}, "client_id": {"c"}, "scope": {"read:jira-work offline_access"},
		"redirect_uri": {"http://127.0.0.1:1/cb"}, "state": {"st"}, "response_type": {"code"}, "prompt": {"consent"}}.Encode()
	if _, err := srv.ApproveCloud(strings.Replace(authz, "audience=api.atlassian.com", "audience=elsewhere", 1), "alice"); err == nil {
		t.Error("a consent without audience=api.atlassian.com was approved")
	}
	redirect, err := srv.ApproveCloud(authz, "alice")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(redirect)
	code := u.Query().Get("code")
	if u.Query().Get("state") != "st" || code == "" {
		t.Fatalf("redirect %s", redirect)
	}
	// A form body is refused; JSON is taken.
	if st, m, _ := cloudCall(t, srv, "POST", CloudTokenPath, "", "application/x-www-form-urlencoded", []byte("grant_type=authorization_code&code="+code)); st != 400 || m["error"] != "invalid_request" {
		t.Errorf("form body: %d %v", st, m)
	}
	js := func(v map[string]string) []byte { b, _ := json.Marshal(v); return b }
	st, m, _ := cloudCall(t, srv, "POST", CloudTokenPath, "", "application/json", js(map[string]string{"grant_type": "authorization_code", "client_id": "c", "client_secret": "s",
		"code": code, "redirect_uri": "http://127.0.0.1:1/cb"}))
	access, refresh := m["access_token"], m["refresh_token"]
	if st != 200 || access == nil || refresh == nil {
		t.Fatalf("code exchange: %d %v", st, m)
	}
	// Sites, routing and scopes.
	if st, _, raw := cloudCall(t, srv, "GET", CloudResourcesPath, access.(string), "", nil); st != 200 || !strings.Contains(string(raw), DefaultCloudSite.ID) {
		t.Errorf("accessible resources: %d %s", st, raw)
	}
	if st, m, _ := cloudCall(t, srv, "GET", "/ex/jira/"+DefaultCloudSite.ID+"/rest/api/3/myself", access.(string), "", nil); st != 401 || m["message"] != "Unauthorized; scope does not match" {
		t.Errorf("myself without read:jira-user: %d %v", st, m)
	}
	if st, _, _ := cloudCall(t, srv, "GET", "/ex/jira/"+DefaultCloudSite.ID+"/rest/api/2/search", access.(string), "", nil); st != 200 {
		t.Errorf("search with read:jira-work: %d", st)
	}
	// Rotation: the old refresh token works within the reuse interval...
	refreshWith := func(rt any) (int, map[string]any) {
		st, m, _ := cloudCall(t, srv, "POST", CloudTokenPath, "", "application/json", js(map[string]string{"grant_type": "refresh_token", "client_id": "c", "client_secret": "s", "refresh_token": rt.(string)}))
		return st, m
	}
	st, m = refreshWith(refresh)
	if st != 200 || m["refresh_token"] == refresh {
		t.Fatalf("refresh: %d %v", st, m)
	}
	newest := m["refresh_token"]
	clock.Advance(5 * time.Minute)
	if st, m := refreshWith(refresh); st != 200 {
		t.Errorf("reuse within the interval: %d %v", st, m)
	}
	// ...and after it is refused, revoking the family.
	clock.Advance(6 * time.Minute)
	if st, m := refreshWith(refresh); st != 403 || m["error"] != "invalid_grant" {
		t.Errorf("reuse after the interval: %d %v", st, m)
	}
	if st, _ := refreshWith(newest); st != 403 {
		t.Errorf("the family was not revoked: the newest refresh token answered %d", st)
	}
	// A refresh with redirect_uri is refused: Atlassian's refresh takes none.
	if st, m, _ := cloudCall(t, srv, "POST", CloudTokenPath, "", "application/json", js(map[string]string{"grant_type": "refresh_token", "client_id": "c", "client_secret": "s",
		"refresh_token": "x", "redirect_uri": "http://127.0.0.1:1/cb"})); st != 400 {
		t.Errorf("refresh with redirect_uri: %d %v", st, m)
	}
}

// TestPATs: issued per user, revocable, refused with Seraph's 401.
func TestPATs(t *testing.T) {
	t.Parallel()
	srv := NewServer(t, WithUsers("alice", "bob"))
	a, b := srv.IssuePAT("alice"), srv.IssuePAT("bob")
	for tok, want := range map[string]string{a: "alice", b: "bob"} {
		if st, m, _ := cloudCall(t, srv, "GET", "/rest/api/2/myself", tok, "", nil); st != 200 || m["name"] != want {
			t.Errorf("PAT of %s: %d %v", want, st, m)
		}
	}
	if !srv.RevokePAT(a) || srv.RevokePAT("pat-unknown") {
		t.Error("RevokePAT reports wrongly")
	}
	st, _, _ := cloudCall(t, srv, "GET", "/rest/api/2/myself", a, "", nil)
	if st != 401 {
		t.Errorf("revoked PAT: %d", st)
	}
	if rec := srv.Requests()[len(srv.Requests())-1]; rec.Flow != FlowPAT || rec.Problem != "AUTHENTICATED_FAILED" {
		t.Errorf("record %+v", rec)
	}
}
