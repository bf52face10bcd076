package applink_test

import (
	"testing"

	"github.com/go-applinks/applinks/applink"
)

// TestServiceLinksAreCopies: changing a field of a link the service
// returned changes nothing, neither in later lookups nor in requests made
// through the changed copy.
func TestServiceLinksAreCopies(t *testing.T) {
	t.Parallel()
	l := applink.Link{ID: applink.DefaultLinkID("wiki", "https://wiki.example"), Name: "wiki", Type: applink.TypeConfluence, RPCURL: "https://wiki.example",
		Auth: []applink.Auth{applink.AuthAnonymous}}
	svc, err := applink.NewService([]applink.Link{l})
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.Link(l.ID)
	if err != nil {
		t.Fatal(err)
	}
	got.RPCURL = "https://evil.example"
	got.Name = "renamed"
	got.Auth[0] = applink.Auth2LO
	again, err := svc.Link(l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.RPCURL != l.RPCURL || again.Name != l.Name || again.Auth[0] != applink.AuthAnonymous {
		t.Errorf("the service's link changed with the copy: %v %v", again, again.Auth)
	}
	f, err := got.RequestFactory("")
	if err != nil {
		t.Fatal(err)
	}
	req, err := f.NewRequest("GET", "/rest/api/content")
	if err != nil {
		t.Fatal(err)
	}
	if req.URL().Host != "wiki.example" {
		t.Errorf("a request through the changed copy goes to %s, want the service's wiki.example", req.URL().Host)
	}
}
