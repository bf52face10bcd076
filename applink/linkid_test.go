package applink_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/applink"
)

// TestDefaultLinkID: a link without an id gets the same one in every run
// (a known answer, so a change of the derivation shows here), so that its
// stored tokens stay found.
func TestDefaultLinkID(t *testing.T) {
	t.Parallel()
	id := applink.DefaultLinkID("jira", "https://jira.example.com")
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
		t.Fatalf("DefaultLinkID = %q, want a version 5 UUID", id)
	}
	if id != knownDefaultLinkID {
		t.Errorf("DefaultLinkID(jira, https://jira.example.com) = %q, want %q as in every earlier run: a changed derivation orphans every stored token", id, knownDefaultLinkID)
	}
	for _, tt := range []struct {
		name, url string
		same      bool
	}{
		{"jira", "https://jira.example.com/", true},
		{"jira", "HTTPS://JIRA.example.com", true},
		{" jira ", "https://jira.example.com", true},
		{"jira2", "https://jira.example.com", false},
		{"jira", "https://jira.example.com/jira", false},
		{"jira", "http://jira.example.com", false},
	} {
		if got := applink.DefaultLinkID(tt.name, tt.url); (got == id) != tt.same {
			t.Errorf("DefaultLinkID(%q, %q) = %q; same as for (jira, https://jira.example.com): %v, want %v", tt.name, tt.url, got, got == id, tt.same)
		}
	}
}

// knownDefaultLinkID is DefaultLinkID("jira", "https://jira.example.com").
const knownDefaultLinkID = "f01d5376-c1ef-55e9-8c14-5980f8afe503"

// TestNewServiceDerivesLinkID: two runs of a program whose link has no id
// find the token the first stored.
func TestNewServiceDerivesLinkID(t *testing.T) {
	t.Parallel()
	store := token.NewMemoryStore()
	link := applink.Link{Name: "jira", Type: applink.TypeJira, RPCURL: "https://jira.example.com",
		Auth: []applink.Auth{applink.AuthAnonymous}}
	run := func() *applink.Link {
		svc, err := applink.NewService([]applink.Link{link}, applink.WithTokenStore(store))
		if err != nil {
			t.Fatal(err)
		}
		l, err := svc.Link("jira")
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	first := run()
	if first.ID != knownDefaultLinkID {
		t.Fatalf("the service gave the link id %q, want DefaultLinkID's %q", first.ID, knownDefaultLinkID)
	}
	key := token.Key{LinkID: first.ID, User: "alice"}
	if err := store.PutAccessToken(context.Background(), key, token.NewAccessToken("t", "s")); err != nil {
		t.Fatal(err)
	}
	second := run()
	if _, err := store.AccessToken(context.Background(), token.Key{LinkID: second.ID, User: "alice"}); err != nil {
		t.Errorf("the second run does not find the first run's token: %v", err)
	}
}
