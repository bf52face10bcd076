package applink

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestServiceLookups(t *testing.T) {
	t.Parallel()
	mk := func(name string, typ Type, primary bool) Link {
		l := Link{ID: newLinkID(), Name: name, Type: typ, RPCURL: "https://" + strings.ToLower(strings.ReplaceAll(name, " ", "")) + ".example.com",
			ConsumerKey: "app", Auth: []Auth{Auth2LO}, Primary: primary}
		l.PrivateKey = testKey(t)
		return l
	}
	links := []Link{mk("Jira A", TypeJira, false), mk("Jira B", TypeJira, true), mk("Wiki", TypeConfluence, false), mk("Twin", TypeBamboo, false), mk("twin", TypeBamboo, false), mk("Twin2", TypeBamboo, false)}
	links[5].Name = "twin"
	svc, err := NewService(links)
	if err != nil {
		t.Fatal(err)
	}
	names := func(ls []*Link) []string {
		var out []string
		for _, l := range ls {
			out = append(out, l.Name)
		}
		return out
	}
	if diff := cmp.Diff([]string{"Jira B", "Jira A"}, names(svc.Links(TypeJira))); diff != "" {
		t.Errorf("Links(jira) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Jira B", "Jira A"}, names(svc.Links("Jira"))); diff != "" {
		t.Errorf("Links(\"Jira\") (-want +got):\n%s", diff)
	}
	if p, err := svc.Primary("JIRA"); err != nil || p.Name != "Jira B" {
		t.Errorf("Primary(\"JIRA\") = %v, %v; want Jira B", p, err)
	}
	if got := names(svc.Links(TypeCrowd)); got != nil {
		t.Errorf("Links(crowd) = %v", got)
	}
	if p, err := svc.Primary(TypeConfluence); err != nil || p.Name != "Wiki" || !p.Primary {
		t.Errorf("Primary(confluence) = %v, %v: the only link of a type is its primary", p, err)
	}
	if _, err := svc.Primary(TypeCrowd); !errors.Is(err, ErrLinkNotFound) {
		t.Errorf("Primary(crowd): %v", err)
	}
	if l, err := svc.Link(strings.ToUpper(links[2].ID)); err != nil || l.Name != "Wiki" {
		t.Errorf("Link(id) = %v, %v", l, err)
	}
	if _, err := svc.Link(newLinkID()); !errors.Is(err, ErrLinkNotFound) {
		t.Errorf("Link(unknown): %v", err)
	}
	if l, err := svc.Link("Twin"); err != nil || l.ID != links[3].ID {
		t.Errorf("Link by name, exact = %v, %v", l, err)
	}
	if _, err := svc.Link("twin"); !errors.Is(err, ErrAmbiguousName) {
		t.Errorf("Link(twin): %v, want ErrAmbiguousName", err)
	}
	if l, err := svc.Link("wiki"); err != nil || l.Name != "Wiki" {
		t.Errorf("Link by name, case-insensitive = %v, %v", l, err)
	}
	if l, err := svc.Link(links[0].ID); err != nil || l.Name != "Jira A" {
		t.Errorf("Lookup(id) = %v, %v", l, err)
	}
	if l, err := svc.Link("Jira B"); err != nil || l.ID != links[1].ID {
		t.Errorf("Lookup(name) = %v, %v", l, err)
	}
	if _, err := svc.Link("nothing"); !errors.Is(err, ErrLinkNotFound) || !strings.Contains(err.Error(), "nothing") {
		t.Errorf("Lookup(nothing): %v", err)
	}
	if len(svc.Links()) != len(links) {
		t.Errorf("Links() has %d links", len(svc.Links()))
	}

	// Duplicate ids and two primaries are refused.
	dup := []Link{links[0], links[0]}
	two := []Link{mk("P1", TypeJira, true), mk("P2", TypeJira, true)}
	for name, ls := range map[string][]Link{"id": dup, "primary": two} {
		_, err := NewService(ls)
		if diff := cmp.Diff([]string{name}, fieldsOf(err)); diff != "" {
			t.Errorf("%s: fields (-want +got):\n%s", name, diff)
		}
	}
}

// TestCredentialsFromEnvironment cannot run in parallel: it sets
// environment variables.
func TestCredentialsFromEnvironment(t *testing.T) {
	pemData, err := os.ReadFile("../signer/testdata/sign-rsa2048-TEST-ONLY.pem")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("APPLINK_CORE_TEST_KEY", string(pemData))
	t.Setenv("APPLINK_CORE_TEST_SECRET", "sekrit")
	t.Setenv("APPLINK_CORE_TEST_EMPTY", "")
	keyLink := validLink()
	keyLink.PrivateKeyFile, keyLink.PrivateKeyEnv = "", "APPLINK_CORE_TEST_KEY"
	secretLink := Link{ID: newLinkID(), Name: "Jenkins", Type: TypeJenkins, RPCURL: "http://jenkins", ConsumerKey: "app", SecretEnv: "APPLINK_CORE_TEST_SECRET"}
	svc, err := NewService([]Link{keyLink, secretLink})
	if err != nil {
		t.Fatalf("NewService: %v", err)
	}
	var methods []string
	for _, l := range svc.Links() {
		methods = append(methods, l.state.signer.Method().Name())
	}
	if diff := cmp.Diff([]string{"RSA-SHA1", "HMAC-SHA1"}, methods); diff != "" {
		t.Errorf("signature methods (-want +got):\n%s", diff)
	}
	bad := keyLink
	bad.PrivateKeyEnv = "APPLINK_CORE_TEST_SECRET" // not a PEM key
	empty := secretLink
	empty.ID, empty.SecretEnv = newLinkID(), "APPLINK_CORE_TEST_EMPTY"
	_, err = NewService([]Link{bad, empty})
	if diff := cmp.Diff([]string{"privateKeyEnv", "secretEnv"}, fieldsOf(err)); diff != "" {
		t.Errorf("fields (-want +got):\n%s\n%v", diff, err)
	}
	if strings.Contains(fmt.Sprint(err), "sekrit") {
		t.Errorf("the error shows the variable's value: %v", err)
	}
}

// TestServiceLinksAreCopies checks that a link a Service hands out is a
// copy: changing it (even while requests run) changes neither the service
// nor the factories made from it.
func TestServiceLinksAreCopies(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth2LO}})
	got, err := fx.svc.Link(fx.link.ID)
	if err != nil {
		t.Fatal(err)
	}
	f := fx.factory(t, "bob")
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, auth, err := whoami(t, f); err != nil || auth != Auth2LO {
			t.Errorf("whoami while the copy changes = %s, %v", auth, err)
		}
	}()
	got.Name, got.Auth[0] = "Changed", AuthAnonymous
	f.Link().Auth[0] = AuthAnonymous
	<-done
	for _, l := range append(fx.svc.Links(), f.Link()) {
		if l.Name != "Jira" || !cmp.Equal(l.Auth, []Auth{Auth2LO}) {
			t.Errorf("service link after changing a copy: %q %v, want \"Jira\" [2lo]", l.Name, l.Auth)
		}
	}
	f2, err := got.RequestFactory("bob")
	if err != nil {
		t.Fatal(err)
	}
	if _, auth, err := whoami(t, f2); err != nil || auth != Auth2LO {
		t.Errorf("factory of a changed copy: %s, %v; want the service's 2lo", auth, err)
	}
}
