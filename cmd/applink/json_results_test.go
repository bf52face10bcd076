package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/signer"
)

// keygen, link add, link show and link remove answer JSON with --json.
func TestJSONResults(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	config := filepath.Join(dir, "config.json")

	r := runCLITest(t, config, nil, "", "keygen", "--bits", "1024", "--json")
	var key generatedKey
	if err := json.Unmarshal([]byte(r.stdout), &key); err != nil || r.code != 0 {
		t.Fatalf("keygen --json: exit %d, %v: %q", r.code, err, r.stdout)
	}
	if _, err := signer.ParsePublicKey([]byte(key.PublicKey)); err != nil {
		t.Errorf("publicKey %q: %v", key.PublicKey, err)
	}
	if _, err := signer.ParsePublicKey([]byte(key.PublicKeyPEM)); err != nil {
		t.Errorf("publicKeyPem: %v", err)
	}
	if key.PrivateKeyFile != filepath.Join(dir, "applink.pem") || key.PublicKeyFile != filepath.Join(dir, "applink.pub.pem") {
		t.Errorf("files %q and %q", key.PrivateKeyFile, key.PublicKeyFile)
	}
	priv, err := os.ReadFile(key.PrivateKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.stdout, strings.Split(string(priv), "\n")[1]) {
		t.Error("keygen --json prints the private key")
	}

	r = runCLITest(t, config, nil, "", "link", "add", "jira", "--url", "https://jira.example.com", "--type", "jira",
		"--consumer-key", "k", "--private-key", key.PrivateKeyFile, "--json")
	var added applink.Link
	if err := json.Unmarshal([]byte(r.stdout), &added); err != nil || r.code != 0 {
		t.Fatalf("link add --json: exit %d, %v: %q %q", r.code, err, r.stdout, r.stderr)
	}
	if added.Name != "jira" || added.ID == "" || added.RPCURL != "https://jira.example.com" || added.ConsumerKey != "k" {
		t.Errorf("link add --json = %+v", added)
	}
	r = runCLITest(t, config, nil, "", "link", "show", "jira", "--json")
	var shown applink.Link
	if err := json.Unmarshal([]byte(r.stdout), &shown); err != nil || shown.ID != added.ID {
		t.Errorf("link show --json: %v: %q", err, r.stdout)
	}
	r = runCLITest(t, config, nil, "", "link", "remove", "jira", "--json")
	var removed applink.Link
	if err := json.Unmarshal([]byte(r.stdout), &removed); err != nil || r.code != 0 || removed.ID != added.ID {
		t.Errorf("link remove --json: exit %d, %v: %q", r.code, err, r.stdout)
	}
	r = runCLITest(t, config, nil, "", "link", "remove", "jira", "--json")
	if je := jsonErrorOf(t, r); je.Kind != kindOther || !strings.Contains(je.Message, `no link "jira"`) {
		t.Errorf("link remove --json of a missing link: %+v", je)
	}
}
