package applink

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const goodLinkJSON = `{"id": "0b6f3a3e-6f1e-4d53-9a43-2f4a5d0e9c11", "name": "Jira", "type": "jira",
  "rpcUrl": "https://jira.example.com", "consumerKey": "app", "privateKeyFile": "app.pem", "auth": ["3lo", "2loi"]}`

func writeConfig(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		content   string
		wantField string // of the first FieldError
		wantLink  string
		wantIn    string // in the message
	}{
		{"empty file", ``, "(file)", "", "empty"},
		{"not JSON", "{\n  \"links\": [\n    {\"id\": \"x\",,}\n  ]\n}", "(syntax)", "", "line 3, column"},
		{"truncated", `{"links": [` + goodLinkJSON, "(syntax)", "", "ends in the middle"},
		{"unknown top-level field", `{"links": [], "tokens": {}}`, "tokens", "", "unknown field"},
		{"unknown link field", `{"links": [{"name": "Jira", "consumerSecret": "x"}]}`, "consumerSecret", `"Jira"`, "unknown field"},
		{"wrong type", "{\"links\": [{\"name\": \"Jira\",\n \"primary\": \"yes\"}]}", "primary", `"Jira"`, "line 2"},
		{"links not a list", `{"links": {}}`, "links", "", "list"},
		{"trailing content", `{"links": []} {}`, "(file)", "", "more content"},
		{"invalid link", `{"links": [{"id": "0b6f3a3e-6f1e-4d53-9a43-2f4a5d0e9c11", "name": "Jira", "type": "jira", "rpcUrl": "jira", "consumerKey": "app", "privateKeyFile": "k"}]}`, "rpcUrl", `"Jira"`, "http"},
		{"nameless invalid link", `{"links": [` + goodLinkJSON + `, {"type": "jira"}]}`, "id", "#2", "missing"},
		{"unknown type", `{"links": [{"id": "0b6f3a3e-6f1e-4d53-9a43-2f4a5d0e9c11", "name": "Jira", "type": "Jiraa", "rpcUrl": "https://jira", "consumerKey": "app", "privateKeyFile": "k"}]}`, "type", `"Jira"`, "Jiraa"},
		{"unknown auth", `{"links": [{"id": "0b6f3a3e-6f1e-4d53-9a43-2f4a5d0e9c11", "name": "Jira", "type": "jira", "rpcUrl": "https://jira", "consumerKey": "app", "privateKeyFile": "k", "auth": ["3LO", "4lo"]}]}`, "auth", `"Jira"`, "4lo"},
		{"unknown signature dialect", `{"links": [{"id": "0b6f3a3e-6f1e-4d53-9a43-2f4a5d0e9c11", "name": "Jira", "type": "jira", "rpcUrl": "https://jira", "consumerKey": "app", "privateKeyFile": "k", "signatureDialect": "tomcat"}]}`, "signatureDialect", `"Jira"`, "servlet"},
		{"duplicate id", `{"links": [` + goodLinkJSON + `, ` + strings.Replace(goodLinkJSON, `"Jira"`, `"Jira 2"`, 1) + `]}`, "id", `"Jira 2"`, "unique"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeConfig(t, tt.content)
			_, err := LoadConfig(path)
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("LoadConfig: got %v, want a *FieldError", err)
			}
			if fe.Path != path || fe.Field != tt.wantField || fe.Link != tt.wantLink {
				t.Errorf("FieldError{Path: %q, Link: %q, Field: %q}, want {%q, %q, %q}: %v",
					fe.Path, fe.Link, fe.Field, path, tt.wantLink, tt.wantField, err)
			}
			if !strings.Contains(err.Error(), tt.wantIn) || !strings.Contains(err.Error(), path) {
				t.Errorf("message %q lacks %q or the path", err, tt.wantIn)
			}
		})
	}
}

func TestLoadConfigMissing(t *testing.T) {
	t.Parallel()
	_, err := LoadConfig(filepath.Join(t.TempDir(), "nope.json"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v, want os.ErrNotExist", err)
	}
}

// TestConfigNormalizesNames checks that types and methods in a config are
// read as ParseType and ParseAuth read them, and written canonically.
func TestConfigNormalizesNames(t *testing.T) {
	t.Parallel()
	path := writeConfig(t, `{"links": [{"id": "0b6f3a3e-6f1e-4d53-9a43-2f4a5d0e9c11", "name": "BB", "type": " Stash ",
		"RPCURL": "https://bitbucket.example.com", "consumerKey": "app", "privateKeyFile": "k", "auth": ["OAuth", "2LOi", "2LO", "None"]}]}`)
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	l := cfg.Links[0]
	if l.Type != TypeBitbucket || l.RPCURL != "https://bitbucket.example.com" {
		t.Errorf("type %q, rpcUrl %q; want bitbucket and the URL (field names match case-insensitively)", l.Type, l.RPCURL)
	}
	if diff := cmp.Diff([]Auth{Auth3LO, Auth2LOi, Auth2LO, AuthAnonymous}, l.Auth); diff != "" {
		t.Errorf("auth (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		in   any
		want string
	}{
		{Type("Jira"), `"jira"`},
		{Type("stash"), `"bitbucket"`},
		{Type("unknown"), `"unknown"`},
		{[]Auth{"3LO", "2LOi", "2lo"}, `["3lo","2loi","2lo"]`},
		{Auth("odd"), `"odd"`},
	} {
		got, err := json.Marshal(tt.in)
		if err != nil || string(got) != tt.want {
			t.Errorf("json.Marshal(%#v) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestConfigRoundTrip(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "sub")
	path := filepath.Join(dir, "config.json")
	l := validLink()
	l.DisplayURL = "https://jira.example.com/"
	l.Endpoints.Authorize = "/custom/authorize"
	cfg := &Config{Links: []Link{l.WithPrivateKey(coreKey(t)), {ID: NewLinkID(), Name: "Jenkins", Type: TypeJenkins,
		RPCURL: "http://jenkins:8080", ConsumerKey: "app", SecretEnv: "JENKINS_SECRET"}}}
	if err := cfg.Save(path); err != nil {
		t.Fatalf("Save: %v", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Errorf("config mode %v, want 0600", perm)
		}
		if d, _ := os.Stat(dir); d.Mode().Perm() != 0o700 {
			t.Errorf("directory mode %v, want 0700", d.Mode().Perm())
		}
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), "PRIVATE KEY") {
		t.Errorf("the key given in code was written:\n%s", data)
	}
	got, err := LoadConfig(path)
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	if diff := cmp.Diff(cfg.Links, got.Links, cmp.Comparer(func(a, b Link) bool {
		return a.String() == b.String() && cmp.Equal(a.Auth, b.Auth) && a.Endpoints == b.Endpoints &&
			a.PrivateKeyFile == b.PrivateKeyFile && a.SecretEnv == b.SecretEnv && a.DisplayURL == b.DisplayURL
	})); diff != "" {
		t.Errorf("round trip (-saved +loaded):\n%s", diff)
	}
	if got.Links[0].dir != dir {
		t.Errorf("relative paths resolve against %q, want %q", got.Links[0].dir, dir)
	}
	if files, _ := os.ReadDir(dir); len(files) != 1 {
		t.Errorf("files left in the config directory: %v", files)
	}
}

func TestSaveRefusesInCodeCredentials(t *testing.T) {
	t.Parallel()
	l := validLink()
	l.PrivateKeyFile = ""
	cfg := &Config{Links: []Link{l.WithPrivateKey(coreKey(t))}}
	path := filepath.Join(t.TempDir(), "config.json")
	var fe *FieldError
	if err := cfg.Save(path); !errors.As(err, &fe) {
		t.Fatalf("Save: got %v, want a *FieldError", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a config was written anyway")
	}
}

func TestNewServiceLoadsKeyFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pemData, err := os.ReadFile("../signer/testdata/sign-rsa2048-TEST-ONLY.pem")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app.pem"), pemData, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("sekrit\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "config.json")
	cfg := &Config{Links: []Link{validLink(), {ID: NewLinkID(), Name: "Jenkins", Type: TypeJenkins,
		RPCURL: "http://jenkins:8080", ConsumerKey: "app", SecretFile: "secret.txt"}}}
	if err := cfg.Save(cfgPath); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := NewService(loaded.Links)
	if err != nil {
		t.Fatalf("NewService: %v", err)
	}
	for _, l := range svc.Links() {
		if l.state.signer == nil {
			t.Errorf("%s has no signer", l)
		}
	}

	// Missing files and variables are FieldErrors naming the source.
	missing := []Link{validLink(), {ID: NewLinkID(), Name: "J", Type: TypeJenkins, RPCURL: "http://j", ConsumerKey: "c", SecretEnv: "APPLINK_TEST_UNSET_VARIABLE"}}
	missing[0].PrivateKeyFile = filepath.Join(dir, "absent.pem")
	_, err = NewService(missing)
	if diff := cmp.Diff([]string{"privateKeyFile", "secretEnv"}, fieldsOf(err)); diff != "" {
		t.Errorf("fields (-want +got):\n%s\n%v", diff, err)
	}
}

func TestServiceLookups(t *testing.T) {
	t.Parallel()
	mk := func(name string, typ Type, primary bool) Link {
		l := Link{ID: NewLinkID(), Name: name, Type: typ, RPCURL: "https://" + strings.ToLower(strings.ReplaceAll(name, " ", "")) + ".example.com",
			ConsumerKey: "app", Auth: []Auth{Auth2LO}, Primary: primary}
		return l.WithPrivateKey(coreKey(t))
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
	if _, err := svc.Link(NewLinkID()); !errors.Is(err, ErrLinkNotFound) {
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
	secretLink := Link{ID: NewLinkID(), Name: "Jenkins", Type: TypeJenkins, RPCURL: "http://jenkins", ConsumerKey: "app", SecretEnv: "APPLINK_CORE_TEST_SECRET"}
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
	empty.ID, empty.SecretEnv = NewLinkID(), "APPLINK_CORE_TEST_EMPTY"
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
