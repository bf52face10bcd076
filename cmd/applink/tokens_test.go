package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/filestore"
	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/google/go-cmp/cmp"
)

// putToken stores a token for user on the link named link, as a dance
// would.
func putToken(t *testing.T, config, link, user, secret string, created time.Time) string {
	t.Helper()
	w, err := loadWorkspace(config, false)
	if err != nil {
		t.Fatal(err)
	}
	i, err := w.find(link)
	if err != nil {
		t.Fatal(err)
	}
	store, err := filestore.Open(tokensPath(config))
	if err != nil {
		t.Fatal(err)
	}
	tok := token.NewAccessToken("tok-"+user, secret)
	tok.CreatedAt = created
	tok.ExpiresAt = created.AddDate(5, 0, 0)
	if err := store.PutAccessToken(context.Background(), token.Key{LinkID: w.cfg.Links[i].ID, User: user}, tok); err != nil {
		t.Fatal(err)
	}
	return w.cfg.Links[i].ID
}

func TestTokensJSONAndRevoke(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t)
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-tokens", ThreeLO: true}, "3lo")
	created := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

	// No token yet: an empty list, not null.
	r := runCLITest(t, config, nil, "", "tokens", "list", "--json")
	var empty tokenList
	if err := json.Unmarshal([]byte(r.stdout), &empty); err != nil || r.code != 0 || empty.Tokens == nil || len(empty.Tokens) != 0 {
		t.Errorf("tokens list --json without tokens: exit %d, %v, %q", r.code, err, r.stdout)
	}

	id := putToken(t, config, "jira", "alice", "SECRET-OF-ALICE", created)
	putToken(t, config, "jira", "bob", "SECRET-OF-BOB", created)

	r = runCLITest(t, config, nil, "", "tokens", "list", "--json")
	if r.code != 0 {
		t.Fatalf("tokens list --json: exit %d: %s", r.code, r.stderr)
	}
	if strings.Contains(r.stdout, "SECRET-OF") || strings.Contains(r.stdout, "tok-") {
		t.Errorf("tokens list --json shows a token or its secret: %s", r.stdout)
	}
	var got tokenList
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	want := tokenList{Store: tokensPath(config), File: tokensPath(config), Tokens: []tokenEntry{
		{Link: "jira", LinkID: id, User: "alice", Obtained: "2026-11-01T10:00:00Z", Expires: "2031-11-01T10:00:00Z", Kind: token.KindOAuth1},
		{Link: "jira", LinkID: id, User: "bob", Obtained: "2026-11-01T10:00:00Z", Expires: "2031-11-01T10:00:00Z", Kind: token.KindOAuth1},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tokens list --json (-want +got):\n%s", diff)
	}

	// A typo: exit 1, naming who has a token; nothing deleted.
	r = runCLITest(t, config, nil, "", "tokens", "revoke", "--link", "jira", "--user", "alicee")
	checkOneLineError(t, r, exitFailure)
	if !strings.Contains(r.stderr, `alicee has no token for link "jira"`) || !strings.Contains(r.stderr, `the users with one are "alice", "bob"`) {
		t.Errorf("stderr %q does not name the users with a token", r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("stdout %q: nothing should be said to have been revoked", r.stdout)
	}

	r = runCLITest(t, config, nil, "", "tokens", "revoke", "--link", "jira", "--user", "alice", "--json")
	var rev revocation
	if err := json.Unmarshal([]byte(r.stdout), &rev); err != nil || r.code != 0 {
		t.Fatalf("tokens revoke --json: exit %d, %v: %q %q", r.code, err, r.stdout, r.stderr)
	}
	wantRev := revocation{Link: "jira", LinkID: id, User: "alice", Store: tokensPath(config), File: tokensPath(config), RevokeURL: srv.URL + "/plugins/servlet/oauth/users/access-tokens"}
	if diff := cmp.Diff(wantRev, rev); diff != "" {
		t.Errorf("tokens revoke --json (-want +got):\n%s", diff)
	}
	// Revoking again: alice has none any more, bob still has one.
	r = runCLITest(t, config, nil, "", "tokens", "revoke", "--link", "jira", "--user", "alice", "--json")
	je := jsonErrorOf(t, r)
	if je.Kind != kindOther || !strings.Contains(je.Message, `the users with one are "bob"`) {
		t.Errorf("second revoke: %+v", je)
	}
	if r := runCLITest(t, config, nil, "", "tokens", "revoke", "--link", "jira", "--user", "bob"); r.code != 0 {
		t.Fatalf("revoke bob: %s", r.stderr)
	}
	r = runCLITest(t, config, nil, "", "tokens", "revoke", "--link", "jira", "--user", "bob")
	checkOneLineError(t, r, exitFailure)
	if !strings.Contains(r.stderr, "nobody else has one either") {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestTokensHelpListsFlags(t *testing.T) {
	t.Parallel()
	r := runCLITest(t, "", nil, "", "tokens", "-h")
	if r.code != 0 {
		t.Fatalf("tokens -h: exit %d", r.code)
	}
	for _, want := range []string{"flags of tokens list:", "flags of tokens revoke:", "  -json", "  -link NAME", "  -user USER", "  -config FILE"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("tokens -h lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "\nflags:\n") {
		t.Errorf("tokens -h prints an empty flags section:\n%s", r.stderr)
	}
}

// TestTokensListExpiresLocalAndRelative: EXPIRES shows date and time in
// local time, and how far away an expiry within a week is.
func TestTokensListExpiresLocalAndRelative(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t)
	config := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-expires", ThreeLO: true}, "3lo")
	// A date well after the real clock: the store drops tokens that have
	// expired by it (this test used 2026-12-07 and failed from 08:52 UTC
	// that day on).
	now := time.Date(2099, 6, 1, 8, 0, 0, 0, time.UTC)
	putToken(t, config, "jira", "alice", "S", now.AddDate(-5, 0, 0).Add(52*time.Minute)) // expires in 52m
	putToken(t, config, "jira", "bob", "S", now.AddDate(-5, 0, 0).Add(50*time.Hour))     // expires in 2d
	putToken(t, config, "jira", "carol", "S", now)                                       // expires in 5 years
	berlin := time.FixedZone("CET", 3600)
	var out, errb strings.Builder
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: getenvFor(config, nil),
		now: func() time.Time { return now }, loc: berlin}
	if code := execute(t.Context(), []string{"tokens", "list"}, e); code != 0 {
		t.Fatalf("tokens list: exit %d: %s", code, errb.String())
	}
	for _, want := range []string{
		"alice  2094-06-01 09:52  2099-06-01 09:52 (in 52m)",
		"bob    2094-06-03 11:00  2099-06-03 11:00 (in 2d)",
		"carol  2099-06-01 09:00  2104-06-01 09:00 ",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("tokens list lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRoughDuration(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{40 * time.Second, "40s"},
		{52*time.Minute + 30*time.Second, "52m"},
		{119 * time.Minute, "119m"},
		{3 * time.Hour, "3h"},
		{50 * time.Hour, "2d"},
	} {
		if got := roughDuration(tt.d); got != tt.want {
			t.Errorf("roughDuration(%s) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
