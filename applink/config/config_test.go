package config

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink"

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
		wantField string // of the first applink.FieldError
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
			_, err := Load(path)
			var fe *applink.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Load: got %v, want a *FieldError", err)
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
	_, err := Load(filepath.Join(t.TempDir(), "nope.json"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v, want os.ErrNotExist", err)
	}
}

// TestConfigNormalizesNames checks that types and methods in a config are
// read as applink.ParseType and applink.ParseAuth read them, and written canonically.
func TestConfigNormalizesNames(t *testing.T) {
	t.Parallel()
	path := writeConfig(t, `{"links": [{"id": "0b6f3a3e-6f1e-4d53-9a43-2f4a5d0e9c11", "name": "BB", "type": " Stash ",
		"RPCURL": "https://bitbucket.example.com", "consumerKey": "app", "privateKeyFile": "k", "auth": ["OAuth", "2LOi", "2LO", "None"]}]}`)
	cfg, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	l := cfg.Links[0]
	if l.Type != applink.TypeBitbucket || l.RPCURL != "https://bitbucket.example.com" {
		t.Errorf("type %q, rpcUrl %q; want bitbucket and the URL (field names match case-insensitively)", l.Type, l.RPCURL)
	}
	if diff := cmp.Diff([]applink.Auth{applink.Auth3LO, applink.Auth2LOi, applink.Auth2LO, applink.AuthAnonymous}, l.Auth); diff != "" {
		t.Errorf("auth (-want +got):\n%s", diff)
	}
	// Save writes the canonical names, and an unknown one as written.
	out := filepath.Join(t.TempDir(), "config.json")
	written := []applink.Link{
		{ID: applink.DefaultLinkID("a", "https://a"), Name: "a", Type: "Jira", RPCURL: "https://a", Auth: []applink.Auth{"3LO", "2LOi", "2lo", applink.AuthAnonymous}, PrivateKeyFile: "k"},
		{ID: applink.DefaultLinkID("b", "https://b"), Name: "b", Type: "stash", RPCURL: "https://b", Auth: []applink.Auth{"odd"}, PrivateKeyFile: "k"},
		{ID: applink.DefaultLinkID("c", "https://c"), Name: "c", Type: "unknown", RPCURL: "https://c", PrivateKeyFile: "k"},
	}
	if err := (&Config{Links: written}).Save(out); err != nil {
		t.Fatalf("Save: %v", err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Links []struct {
			Type string
			Auth []string
		}
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		Type string
		Auth []string
	}{{"jira", []string{"3lo", "2loi", "2lo", "anonymous"}}, {"bitbucket", []string{"odd"}}, {"unknown", nil}}
	if diff := cmp.Diff(want, raw.Links); diff != "" {
		t.Errorf("types and methods as written (-want +got):\n%s", diff)
	}
	if written[0].Type != "Jira" || written[0].Auth[0] != "3LO" {
		t.Errorf("Save changed the caller's links: %+v", written[0])
	}
}

func TestConfigRoundTrip(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "sub")
	path := filepath.Join(dir, "config.json")
	l := validLink()
	l.DisplayURL = "https://jira.example.com/"
	l.Endpoints.Authorize = "/custom/authorize"
	l.PrivateKey = coreKey(t)
	cfg := &Config{Links: []applink.Link{l, {ID: applink.DefaultLinkID("Jenkins", "http://jenkins:8080"), Name: "Jenkins", Type: applink.TypeJenkins,
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
	got, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if diff := cmp.Diff(cfg.Links, got.Links, cmp.Comparer(func(a, b applink.Link) bool {
		return a.String() == b.String() && cmp.Equal(a.Auth, b.Auth) && a.Endpoints == b.Endpoints &&
			a.PrivateKeyFile == b.PrivateKeyFile && a.SecretEnv == b.SecretEnv && a.DisplayURL == b.DisplayURL
	})); diff != "" {
		t.Errorf("round trip (-saved +loaded):\n%s", diff)
	}
	if got.Links[0].Dir != dir {
		t.Errorf("relative paths resolve against %q, want %q", got.Links[0].Dir, dir)
	}
	if files, _ := os.ReadDir(dir); len(files) != 1 {
		t.Errorf("files left in the config directory: %v", files)
	}
}

func TestSaveRefusesInCodeCredentials(t *testing.T) {
	t.Parallel()
	l := validLink()
	l.PrivateKeyFile = ""
	l.PrivateKey = coreKey(t)
	cfg := &Config{Links: []applink.Link{l}}
	path := filepath.Join(t.TempDir(), "config.json")
	var fe *applink.FieldError
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
	pemData, err := os.ReadFile("../../signer/testdata/sign-rsa2048-TEST-ONLY.pem")
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
	cfg := &Config{Links: []applink.Link{validLink(), {ID: applink.DefaultLinkID("Jenkins", "http://jenkins:8080"), Name: "Jenkins", Type: applink.TypeJenkins,
		RPCURL: "http://jenkins:8080", ConsumerKey: "app", SecretFile: "secret.txt"}}}
	if err := cfg.Save(cfgPath); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := applink.NewService(loaded.Links)
	if err != nil {
		t.Fatalf("NewService: %v", err)
	}
	if n := len(svc.Links()); n != len(loaded.Links) {
		t.Errorf("the service has %d links, want %d", n, len(loaded.Links))
	}

	// Missing files and variables are FieldErrors naming the source.
	missing := []applink.Link{validLink(), {ID: applink.DefaultLinkID("J", "http://j"), Name: "J", Type: applink.TypeJenkins, RPCURL: "http://j", ConsumerKey: "c", SecretEnv: "APPLINK_TEST_UNSET_VARIABLE"}}
	missing[0].PrivateKeyFile = filepath.Join(dir, "absent.pem")
	_, err = applink.NewService(missing)
	if diff := cmp.Diff([]string{"privateKeyFile", "secretEnv"}, fieldsOf(err)); diff != "" {
		t.Errorf("fields (-want +got):\n%s\n%v", diff, err)
	}
}
