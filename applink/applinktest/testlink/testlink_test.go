package testlink_test

import (
	"crypto/rsa"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/go-applinks/applinks/applink/config"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
	"github.com/go-applinks/applinks/applink/authorize"
	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/signer"
	"github.com/google/go-cmp/cmp"
)

// testKey is made once per test binary: RSA key generation is slow.
var testKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return signer.GenerateKey(1024) })

func key(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := testKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// whoami asks the remote who the request acts as: Jira's myself or
// Jenkins' me.
func whoami(t *testing.T, f *applink.RequestFactory) (string, error) {
	t.Helper()
	path := "/rest/api/2/myself"
	if f.Link().Type == applink.TypeJenkins {
		path = "/me/api/json"
	}
	req, err := f.NewRequest(http.MethodGet, path)
	if err != nil {
		return "", err
	}
	me, err := applink.Execute(t.Context(), req, handler.JSON[struct{ Name, ID string }]())
	return me.Name + me.ID, err
}

func factory(t *testing.T, l *applink.Link, user string, opts ...applink.Option) *applink.RequestFactory {
	t.Helper()
	f, err := l.RequestFactory(user, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestBoundOutOfBand(t *testing.T) {
	t.Parallel()
	for _, tls := range []bool{false, true} {
		t.Run(map[bool]string{false: "http", true: "https"}[tls], func(t *testing.T) {
			t.Parallel()
			opts := []applinktest.Option{applinktest.WithUsers("alice")}
			if tls {
				opts = append(opts, applinktest.WithTLS())
			}
			srv := applinktest.NewServer(t, opts...)
			link := testlink.Bound(t, srv, "My Jira", testlink.WithPrivateKey(key(t)))
			f := factory(t, link, "alice")
			var cre *applink.CredentialsRequiredError
			if _, err := whoami(t, f); !errors.As(err, &cre) {
				t.Fatalf("before the dance: %v, want *CredentialsRequiredError", err)
			}
			if err := authorize.OutOfBand(t.Context(), f, srv.Approver("alice")); err != nil {
				t.Fatalf("OutOfBand: %v", err)
			}
			if got, err := whoami(t, f); err != nil || got != "alice" {
				t.Fatalf("after the dance: %q, %v; want alice", got, err)
			}
			if got, want := srv.Requests()[0].Consumer, "my-jira"; got != want {
				t.Errorf("consumer key %q, want %q", got, want)
			}
		})
	}
}

func TestBoundLoopbackJenkins(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithShape(applinktest.Jenkins), applinktest.WithUsers("alice"))
	link := testlink.Bound(t, srv, "CI")
	if link.Type != applink.TypeJenkins {
		t.Errorf("type %s, want jenkins", link.Type)
	}
	f := factory(t, link, "alice")
	if err := authorize.Loopback(t.Context(), f, srv.Browser("alice")); err != nil {
		t.Fatalf("Loopback: %v", err)
	}
	if got, err := whoami(t, f); err != nil || got != "alice" {
		t.Fatalf("after the dance: %q, %v; want alice", got, err)
	}
}

// TestConsumerAllowsTheLinksMethods: the consumer allows what the link
// uses, and nothing else.
func TestConsumerAllowsTheLinksMethods(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t, applinktest.WithUsers("bob", "bot"))
	k := key(t)
	link := testlink.Bound(t, srv, "Jira", testlink.WithPrivateKey(k),
		testlink.WithAuth(applink.Auth2LOi, applink.Auth2LO), testlink.WithTwoLOUser("bot"))
	if got, err := whoami(t, factory(t, link, "bob")); err != nil || got != "bob" {
		t.Errorf("2LOi as bob: %q, %v; want bob", got, err)
	}
	if got, err := whoami(t, factory(t, link, "bob", applink.WithNonImpersonatingOnly())); err != nil || got != "bot" {
		t.Errorf("2LO: %q, %v; want bot", got, err)
	}

	// A link of the same consumer that claims 3LO: the consumer refuses it.
	claims, err := applink.NewService([]applink.Link{applink.Link{ID: applink.DefaultLinkID("Jira", srv.URL), Name: "Jira", Type: applink.TypeJira,
		RPCURL: srv.URL, ConsumerKey: "jira", PrivateKey: k}})
	if err != nil {
		t.Fatal(err)
	}
	l := claims.Links()[0]
	f := factory(t, l, "bob")
	if _, err := f.AuthorizationURL(t.Context(), ""); err == nil {
		t.Error("a request token for a consumer without 3LO was issued")
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t)
	jenkins := applinktest.NewServer(t, applinktest.WithShape(applinktest.Jenkins))
	if _, err := testlink.New(srv, "Jira", testlink.WithPrivateKey(key(t))); err != nil {
		t.Fatal(err)
	}
	if _, err := testlink.New(srv, "JIRA", testlink.WithPrivateKey(key(t))); err == nil || !strings.Contains(err.Error(), "WithConsumerKey") {
		t.Errorf("a second link with the same consumer key: %v, want an error naming WithConsumerKey", err)
	}
	if _, err := testlink.New(srv, "JIRA", testlink.WithPrivateKey(key(t)), testlink.WithConsumerKey("other")); err != nil {
		t.Errorf("with another consumer key: %v", err)
	}
	var fe *applink.FieldError
	if _, err := testlink.New(jenkins, "CI", testlink.WithAuth(applink.Auth2LO)); !errors.As(err, &fe) || fe.Field != "auth" {
		t.Errorf("2LO on Jenkins: %v, want a *FieldError for auth", err)
	}
	if _, err := testlink.New(nil, "x"); err == nil {
		t.Error("New(nil) succeeded")
	}
	// The OAuth2 shape is Jira with OAuth 1.0a links too.
	oauth2 := applinktest.NewServer(t, applinktest.WithShape(applinktest.OAuth2))
	if _, err := testlink.New(oauth2, "x"); err != nil {
		t.Errorf("New on the OAuth2 shape (which serves OAuth 1.0a too): %v", err)
	}
}

func TestNewLinkFields(t *testing.T) {
	t.Parallel()
	srv := applinktest.NewServer(t)
	l, err := testlink.New(srv, "Wiki (staging)", testlink.WithPrivateKey(key(t)), testlink.WithType(applink.TypeConfluence),
		testlink.WithAuth(applink.Auth3LO, applink.Auth2LOi))
	if err != nil {
		t.Fatal(err)
	}
	got := struct {
		Name, RPCURL, ConsumerKey string
		Type                      applink.Type
		Auth                      []applink.Auth
	}{l.Name, l.RPCURL, l.ConsumerKey, l.Type, l.Auth}
	want := struct {
		Name, RPCURL, ConsumerKey string
		Type                      applink.Type
		Auth                      []applink.Auth
	}{"Wiki (staging)", srv.URL, "wiki-staging", applink.TypeConfluence, []applink.Auth{applink.Auth3LO, applink.Auth2LOi}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("link (-want +got):\n%s", diff)
	}
	if err := l.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

// TestCredentialsFile: a link saved in a cfgFile file, with its credential
// in the file named, opens and signs.
func TestCredentialsFile(t *testing.T) {
	t.Parallel()
	for _, shape := range []applinktest.Shape{applinktest.Atlassian, applinktest.Jenkins} {
		t.Run(string(shape), func(t *testing.T) {
			t.Parallel()
			srv := applinktest.NewServer(t, applinktest.WithShape(shape), applinktest.WithUsers("alice"))
			dir := t.TempDir()
			l, err := testlink.New(srv, "remote", testlink.WithPrivateKey(key(t)), testlink.WithCredentialsFile(filepath.Join(dir, "cred")))
			if err != nil {
				t.Fatal(err)
			}
			cfgFile := filepath.Join(dir, "config.json")
			if err := (&config.Config{Links: []applink.Link{l}}).Save(cfgFile); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(filepath.Join(dir, "cred")); err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("credentials file: %v, want mode 0600", err)
			}
			svc, err := config.Open(t.Context(), cfgFile)
			if err != nil {
				t.Fatal(err)
			}
			link := svc.Links()[0]
			if link.Service() != svc {
				t.Error("Link.Service is not the service it came from")
			}
			f := factory(t, link, "alice")
			if err := authorize.OutOfBand(t.Context(), f, srv.Approver("alice")); err != nil {
				t.Fatal(err)
			}
			if got, err := whoami(t, f); err != nil || got != "alice" {
				t.Fatalf("whoami: %q, %v", got, err)
			}
		})
	}
}
