package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/filestore"
	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/applink/config"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/internal/pgtest"
	"github.com/google/go-cmp/cmp"
)

// secretsOf lists every secret of the tokens, to look for in output.
func secretsOf(toks ...*token.AccessToken) []string {
	var s []string
	for _, t := range toks {
		for _, v := range []string{t.Secret.Reveal(), t.RefreshToken.Reveal(), t.SessionHandle.Reveal()} {
			if v != "" {
				s = append(s, v)
			}
		}
	}
	return s
}

func checkNoSecrets(t *testing.T, r result, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s) {
			t.Errorf("the output shows a secret: stdout %q, stderr %q", r.stdout, r.stderr)
		}
	}
}

// copyFixture writes a cfgFile without links beside a token file with an
// OAuth 1.0a token (expired but renewable), an OAuth 2.0 token and an
// unusable one, and returns the cfgFile path and the usable tokens.
func copyFixture(t *testing.T) (cfgFile string, toks map[token.Key]*token.AccessToken) {
	t.Helper()
	dir := t.TempDir()
	cfgFile = filepath.Join(dir, "config.json")
	if err := (&config.Config{}).Save(cfgFile); err != nil {
		t.Fatal(err)
	}
	src, err := filestore.Open(filepath.Join(dir, "tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	o1 := token.NewAccessToken("tok-alice", "secret-of-alice")
	o1.SessionHandle = token.NewSecret("handle-of-alice")
	o1.ExpiresAt = now.Add(-time.Hour).Add(123 * time.Nanosecond) // renewable; nanoseconds PostgreSQL drops
	o1.CreatedAt = now.Add(-48 * time.Hour)
	o2 := token.NewOAuth2AccessToken("bearer-of-bob", "refresh-of-bob")
	o2.Scopes = []string{"READ", "WRITE"}
	o2.ExpiresAt = now.Add(time.Hour)
	dead := token.NewAccessToken("tok-carol", "secret-of-carol")
	dead.ExpiresAt = now.Add(-time.Hour)
	toks = map[token.Key]*token.AccessToken{
		{LinkID: "link-1", User: "alice"}: o1,
		{LinkID: "link-2", User: "bob"}:   o2,
	}
	for k, tok := range toks {
		if err := src.PutAccessToken(t.Context(), k, tok); err != nil {
			t.Fatal(err)
		}
	}
	if err := src.PutAccessToken(t.Context(), token.Key{LinkID: "link-1", User: "carol"}, dead); err != nil {
		t.Fatal(err)
	}
	return cfgFile, toks
}

// checkCopied asserts that dest holds exactly toks.
func checkCopied(t *testing.T, dest token.Store, toks map[token.Key]*token.AccessToken) {
	t.Helper()
	keys, err := dest.AccessTokens(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != len(toks) {
		t.Errorf("the destination holds %v, want %d tokens", keys, len(toks))
	}
	for k, want := range toks {
		got, err := dest.AccessToken(t.Context(), k)
		if err != nil {
			t.Errorf("%v: %v", k, err)
			continue
		}
		if !sameToken(want, got) {
			t.Errorf("%v: copied as %v, want %v (secrets compared too)", k, got, want)
		}
	}
}

func TestTokensCopyToFile(t *testing.T) {
	t.Parallel()
	cfgFile, toks := copyFixture(t)
	secrets := secretsOf(toks[token.Key{LinkID: "link-1", User: "alice"}], toks[token.Key{LinkID: "link-2", User: "bob"}])
	dest := filepath.Join(t.TempDir(), "copy.json")

	r := runCLITest(t, cfgFile, nil, "", "tokens", "copy", "--to", dest, "--json")
	if r.code != 0 {
		t.Fatalf("tokens copy: exit %d: %s", r.code, r.stderr)
	}
	var rep copyReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("--json output %q: %v", r.stdout, err)
	}
	want := copyReport{From: filepath.Join(filepath.Dir(cfgFile), "tokens.json"), To: dest, Copied: 2}
	if diff := cmp.Diff(want, rep); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	checkNoSecrets(t, r, secrets)
	st, err := filestore.Open(dest)
	if err != nil {
		t.Fatal(err)
	}
	checkCopied(t, st, toks)

	// Again: nothing to do.
	r = runCLITest(t, cfgFile, nil, "", "tokens", "copy", "--to", dest)
	if r.code != 0 || !strings.Contains(r.stdout, "copied 0 tokens") || !strings.Contains(r.stdout, "2 already there") {
		t.Errorf("second copy: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	// A token that differs in the destination is kept, then replaced
	// with --overwrite.
	alice := token.Key{LinkID: "link-1", User: "alice"}
	newer := token.NewAccessToken("tok-alice-2", "secret-of-alice-2")
	if err := st.PutAccessToken(t.Context(), alice, newer); err != nil {
		t.Fatal(err)
	}
	r = runCLITest(t, cfgFile, nil, "", "tokens", "copy", "--to", dest)
	if r.code != 0 || !strings.Contains(r.stdout, "kept 1 tokens") || !strings.Contains(r.stdout, `user "alice"`) {
		t.Errorf("copy onto a different token: exit %d, stdout %q", r.code, r.stdout)
	}
	if got, err := st.AccessToken(t.Context(), alice); err != nil || got.Token != "tok-alice-2" {
		t.Errorf("without --overwrite the destination's token became %v, %v", got, err)
	}
	r = runCLITest(t, cfgFile, nil, "", "tokens", "copy", "--to", dest, "--overwrite")
	if r.code != 0 || !strings.Contains(r.stdout, "copied 1 tokens") {
		t.Errorf("copy --overwrite: exit %d, stdout %q", r.code, r.stdout)
	}
	checkCopied(t, st, toks)
	checkNoSecrets(t, r, append(secrets, "secret-of-alice-2"))
}

func TestTokensCopyErrors(t *testing.T) {
	t.Parallel()
	cfgFile, _ := copyFixture(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		say  string
	}{
		{"no destination", []string{"tokens", "copy"}, exitUsage, "--to is required"},
		{"itself", []string{"tokens", "copy", "--to", filepath.Join(filepath.Dir(cfgFile), "tokens.json")}, 1, "configured token store itself"},
		{"password on the command line", []string{"tokens", "copy", "--to", "postgres://app:hunter2@127.0.0.1:9/db"}, 1, "APPLINK_POSTGRES_PASSWORD"},
		{"client key password on the command line", []string{"tokens", "copy", "--to", "postgres://app@127.0.0.1:9/db?sslpassword=hunter2"}, 1, "PGSSLPASSWORD"},
		{"unknown scheme", []string{"tokens", "copy", "--to", "redis://cache/0"}, 1, "redis"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCLITest(t, cfgFile, nil, "", tc.args...)
			checkOneLineError(t, r, tc.code)
			if !strings.Contains(r.stderr, tc.say) || strings.Contains(r.stderr, "hunter2") {
				t.Errorf("stderr %q, want it to say %q (and no password)", r.stderr, tc.say)
			}
		})
	}
}

// TestTokensOnPostgres moves a token file to PostgreSQL with tokens copy,
// points the cfgFile at the database, and uses it: request, tokens list and
// tokens revoke read and write the database (the file is gone).
func TestTokensOnPostgres(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDatabase(t) + "&applink_schema=cli"
	srv := applinktest.NewServer(t, applinktest.WithUsers("alice"))
	cfgFile := setupJiraLink(t, srv, applinktest.Consumer{Key: "cli-pg", ThreeLO: true}, "3lo")
	if r := authorizeInBackground(t, cfgFile, "jira", "alice"); r.code != 0 {
		t.Fatalf("authorize: exit %d: %s", r.code, r.stderr)
	}

	r := runCLITest(t, cfgFile, nil, "", "tokens", "copy", "--to", db)
	if r.code != 0 || !strings.Contains(r.stdout, "copied 1 tokens") {
		t.Fatalf("tokens copy --to postgres: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runCLITest(t, cfgFile, nil, "", "tokens", "copy", "--to", db)
	if r.code != 0 || !strings.Contains(r.stdout, "copied 0 tokens") || !strings.Contains(r.stdout, "1 already there") {
		t.Fatalf("second copy: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	// --use: copy (nothing new) and point the cfgFile at the database.
	r = runCLITest(t, cfgFile, nil, "", "tokens", "copy", "--to", db, "--use")
	if r.code != 0 || !strings.Contains(r.stdout, "now keeps its tokens in postgres://") {
		t.Fatalf("tokens copy --use: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	cfg, err := config.Load(cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TokenStore != db || len(cfg.Links) != 1 {
		t.Fatalf("after --use the cfgFile has tokenStore %q and %d links", cfg.TokenStore, len(cfg.Links))
	}
	if err := os.Remove(filepath.Join(filepath.Dir(cfgFile), "tokens.json")); err != nil {
		t.Fatal(err)
	}

	r = runCLITest(t, cfgFile, nil, "", "request", "--link", "jira", "--as", "alice", "GET", "/rest/api/2/myself")
	if r.code != 0 {
		t.Fatalf("request with the token in PostgreSQL: exit %d: %s", r.code, r.stderr)
	}
	checkUser(t, r.stdout, "name", "alice")

	r = runCLITest(t, cfgFile, nil, "", "tokens", "list", "--json")
	var list tokenList
	if err := json.Unmarshal([]byte(r.stdout), &list); r.code != 0 || err != nil {
		t.Fatalf("tokens list --json: exit %d, %v: %q %q", r.code, err, r.stdout, r.stderr)
	}
	if len(list.Tokens) != 1 || list.Tokens[0].User != "alice" || list.Tokens[0].Link != "jira" || list.File != "" || !strings.HasPrefix(list.Store, "postgres://") {
		t.Errorf("tokens list --json = %+v", list)
	}

	r = runCLITest(t, cfgFile, nil, "", "tokens", "revoke", "--link", "jira", "--user", "alice")
	if r.code != 0 {
		t.Fatalf("tokens revoke: exit %d: %s", r.code, r.stderr)
	}
	r = runCLITest(t, cfgFile, nil, "", "request", "--link", "jira", "--as", "alice", "GET", "/rest/api/2/myself")
	checkCredentialsRequired(t, r, srv)
	if _, err := os.Stat(filepath.Join(filepath.Dir(cfgFile), "tokens.json")); err == nil {
		t.Error("a token file reappeared: the command did not use the database")
	}

	// The password comes from the environment, not the config.
	raw, err := os.ReadFile(cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	withPassword := strings.Replace(string(raw), "postgres://postgres@", "postgres://postgres:hunter2@", 1)
	if withPassword == string(raw) {
		t.Fatalf("the cfgFile does not hold the URL as expected: %s", raw)
	}
	if err := os.WriteFile(cfgFile, []byte(withPassword), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runCLITest(t, cfgFile, nil, "", "tokens", "list")
	checkOneLineError(t, r, 1)
	if !strings.Contains(r.stderr, "APPLINK_POSTGRES_PASSWORD") || strings.Contains(r.stderr, "hunter2") {
		t.Errorf("a cfgFile with a password: stderr %q", r.stderr)
	}
}
