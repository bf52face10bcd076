package applink

import (
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/token"
)

// TestOptionGivenToTheWrongCall gives every option to every call it does
// not configure: each call refuses it with an error naming the option and
// the call it belongs to, and nothing is silently ignored.
func TestOptionGivenToTheWrongCall(t *testing.T) {
	t.Parallel()
	link := Link{ID: DefaultLinkID("Jira", "https://jira.example.com"), Name: "Jira", Type: TypeJira,
		RPCURL: "https://jira.example.com", ConsumerKey: "app", Auth: []Auth{Auth3LO, Auth2LO}, PrivateKey: testKey(t)}
	svc, err := NewService([]Link{link})
	if err != nil {
		t.Fatal(err)
	}
	bound, err := svc.Link("Jira")
	if err != nil {
		t.Fatal(err)
	}
	calls := map[optionTarget]func(Option) error{
		forService: func(o Option) error { _, err := NewService([]Link{link}, o); return err },
		forFactory: func(o Option) error { _, err := bound.RequestFactory("alice", o); return err },
	}
	options := []struct {
		name    string
		opt     Option
		belongs optionTarget
		where   string
	}{
		{"WithHTTPClient", WithHTTPClient(nil), forService, "NewService"},
		{"WithTokenStore", WithTokenStore(token.NewMemoryStore()), forService, "NewService"},
		{"withOwnedTokenStore", withOwnedTokenStore(token.NewMemoryStore()), forService, "NewService"},
		{"WithLogger", WithLogger(nil), forService, "NewService"},
		{"WithRetry", WithRetry(RetryPolicy{}), forService, "NewService"},
		{"withFixedNonce", withFixedNonce("n"), forService, "NewService"},
		{"WithUserAgent", WithUserAgent("ua"), forService, "NewService"},
		{"WithClock", WithClock(time.Now), forService, "NewService"},
		{"WithAuth", WithAuth(Auth2LO), forFactory, "Link.RequestFactory"},
		{"WithImpersonatingOnly", WithImpersonatingOnly(), forFactory, "Link.RequestFactory"},
		{"WithNonImpersonatingOnly", WithNonImpersonatingOnly(), forFactory, "Link.RequestFactory"},
	}
	for _, o := range options {
		for target, call := range calls {
			if target == o.belongs {
				continue
			}
			t.Run(o.name+" to "+target.String(), func(t *testing.T) {
				err := call(o.opt)
				if err == nil {
					t.Fatalf("%s given to %s: no error; want one naming the option and %s", o.name, target, o.where)
				}
				if msg := err.Error(); !strings.Contains(msg, o.name) || !strings.Contains(msg, o.where) || !strings.Contains(msg, "not "+target.String()) {
					t.Errorf("%s given to %s: %q; want the option, where it belongs (%s) and where it was given", o.name, target, msg, o.where)
				}
			})
		}
	}
}

// TestNilOptionDoesNothing: a nil Option is accepted everywhere.
func TestNilOptionDoesNothing(t *testing.T) {
	t.Parallel()
	link := Link{ID: DefaultLinkID("Jira", "https://jira.example.com"), Name: "Jira", Type: TypeJira,
		RPCURL: "https://jira.example.com", ConsumerKey: "app", Auth: []Auth{Auth2LO}, PrivateKey: testKey(t)}
	svc, err := NewService([]Link{link}, nil)
	if err != nil {
		t.Fatal(err)
	}
	bound, err := svc.Link("Jira")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bound.RequestFactory("alice", nil); err != nil {
		t.Errorf("RequestFactory with a nil option: %v", err)
	}
}
