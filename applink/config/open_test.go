package config_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/filestore"
	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/applink/config"

	"github.com/go-applinks/applinks/applink"
	"github.com/google/go-cmp/cmp"
)

func TestDefaultConfigPath(t *testing.T) {
	t.Parallel()
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == config.Env {
				return v
			}
			return ""
		}
	}
	abs := filepath.Join(t.TempDir(), "c.json")
	if got, err := config.DefaultPath(env(abs)); err != nil || got != abs {
		t.Errorf("with $%s=%s: %q, %v", config.Env, abs, got, err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := config.DefaultPath(env("rel/c.json")); err != nil || got != filepath.Join(wd, "rel", "c.json") {
		t.Errorf("a relative $%s: %q, %v; want it made absolute", config.Env, got, err)
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		t.Skip("no user config dir here:", err)
	}
	if got, err := config.DefaultPath(env("")); err != nil || got != filepath.Join(dir, "applink", "config.json") {
		t.Errorf("without $%s: %q, %v; want applink/config.json in %s", config.Env, got, err, dir)
	}
	if got, want := config.DefaultTokenPath(abs), filepath.Join(filepath.Dir(abs), "tokens.json"); got != want {
		t.Errorf("DefaultTokenPath = %q, want %q", got, want)
	}
}

// closingStore is a token store with a Close method, as a database store has.
type closingStore struct {
	token.Store
	location string
	closed   int
}

func (s *closingStore) Close() error { s.closed++; return nil }

// writeConfig writes a config of anonymous links (they need no
// credentials) plus a Jenkins link whose secret variable is unset, with
// the token store setting, and returns its path.
func writeConfig(t *testing.T, tokenStore string) string {
	t.Helper()
	anon := []applink.Auth{applink.AuthAnonymous}
	cfg := config.Config{TokenStore: tokenStore, Links: []applink.Link{
		{ID: applink.DefaultLinkID("wiki", "https://wiki.example"), Name: "wiki", Type: applink.TypeConfluence, RPCURL: "https://wiki.example", Auth: anon},
		{ID: applink.DefaultLinkID("jira-staging", "https://jira-staging.example"), Name: "jira-staging", Type: applink.TypeJira, RPCURL: "https://jira-staging.example", Auth: anon},
		{ID: applink.DefaultLinkID("jira", "https://jira.example"), Name: "jira", Type: applink.TypeJira, RPCURL: "https://jira.example", Auth: anon, Primary: true},
		{ID: applink.DefaultLinkID("ci", "https://ci.example"), Name: "ci", Type: applink.TypeJenkins, RPCURL: "https://ci.example", ConsumerKey: "k",
			SecretEnv: "APPLINK_TEST_UNSET_VARIABLE_7f3a"},
	}}
	path := filepath.Join(t.TempDir(), "config.json")
	if err := cfg.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func names(ls []*applink.Link) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Name)
	}
	return out
}

func TestOpenPicksLinks(t *testing.T) {
	t.Parallel()
	path := writeConfig(t, "")
	ctx := t.Context()
	for _, tc := range []struct {
		name string
		opt  config.Option
		want []string
	}{
		{"by name, another link broken", config.WithLink("JIRA-staging"), []string{"jira-staging"}},
		{"the primary marked", config.WithPrimary("Jira"), []string{"jira"}},
		{"the first of an unmarked type", config.WithPrimary(applink.TypeConfluence), []string{"wiki"}},
	} {
		svc, err := config.Open(ctx, path, tc.opt)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if diff := cmp.Diff(tc.want, names(svc.Links())); diff != "" {
			t.Errorf("%s: links (-want +got):\n%s", tc.name, diff)
		}
		svc.Close()
	}
	if _, err := config.Open(ctx, path, config.WithLink("nope")); !errors.Is(err, applink.ErrLinkNotFound) || !strings.Contains(err.Error(), path) {
		t.Errorf("an unknown link: %v, want ErrLinkNotFound naming the config", err)
	}
	if _, err := config.Open(ctx, path, config.WithPrimary(applink.TypeBamboo)); !errors.Is(err, applink.ErrLinkNotFound) {
		t.Errorf("no link of the type: %v, want ErrLinkNotFound", err)
	}
	if _, err := config.Open(ctx, path); err == nil || !strings.Contains(err.Error(), "APPLINK_TEST_UNSET_VARIABLE_7f3a") {
		t.Errorf("every link, one broken: %v, want the broken link's error", err)
	}
	for _, tc := range []struct {
		link string
		want []string
	}{{"", []string{"jira"}}, {"wiki", []string{"wiki"}}} {
		svc, err := config.Open(ctx, path, config.WithLink(tc.link), config.WithPrimary(applink.TypeJira))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, names(svc.Links())); diff != "" {
			t.Errorf("WithLink(%q) with WithPrimary(jira) (-want +got):\n%s", tc.link, diff)
		}
	}
	missing := filepath.Join(t.TempDir(), "none.json")
	if _, err := config.Open(ctx, missing); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "applink link add") {
		t.Errorf("no config: %v, want fs.ErrNotExist saying how to make one", err)
	}
}

func TestOpenTokenStore(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	key := token.Key{LinkID: "l", User: "alice"}
	put := func(t *testing.T, svc *applink.Service) {
		t.Helper()
		if err := svc.TokenStore().PutAccessToken(ctx, key, token.NewAccessToken("tok", "sec")); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("beside the config", func(t *testing.T) {
		t.Parallel()
		path := writeConfig(t, "")
		svc, err := config.Open(ctx, path, config.WithLink("wiki"))
		if err != nil {
			t.Fatal(err)
		}
		put(t, svc)
		if _, err := os.Stat(config.DefaultTokenPath(path)); err != nil {
			t.Errorf("no token file beside the config: %v", err)
		}
	})
	t.Run("a relative path", func(t *testing.T) {
		t.Parallel()
		path := writeConfig(t, "state/tokens.json")
		svc, err := config.Open(ctx, path, config.WithLink("wiki"))
		if err != nil {
			t.Fatal(err)
		}
		put(t, svc)
		if _, err := os.Stat(filepath.Join(filepath.Dir(path), "state", "tokens.json")); err != nil {
			t.Errorf("no token file at the configured path: %v", err)
		}
	})
	t.Run("a URL with its opener", func(t *testing.T) {
		t.Parallel()
		path := writeConfig(t, "fake://db.example/applink")
		var opened *closingStore
		svc, err := config.Open(ctx, path, config.WithLink("wiki"),
			config.WithTokenStoreOpener("FAKE", func(_ context.Context, location string, _ ...struct{}) (token.Store, error) {
				opened = &closingStore{Store: token.NewMemoryStore(), location: location}
				return opened, nil
			}))
		if err != nil {
			t.Fatal(err)
		}
		if opened == nil || opened.location != "fake://db.example/applink" || svc.TokenStore() != token.Store(opened) {
			t.Fatalf("the opener was not used: %+v", opened)
		}
		if err := svc.Close(); err != nil || opened.closed != 1 {
			t.Errorf("Close: %v, store closed %d times, want once", err, opened.closed)
		}
	})
	t.Run("a URL without an opener", func(t *testing.T) {
		t.Parallel()
		// (A password in the URL is refused before: see
		// TestConfigRefusesPasswordInTokenStore.)
		path := writeConfig(t, "fake://user@db.example/applink")
		_, err := config.Open(ctx, path, config.WithLink("wiki"))
		var fe *applink.FieldError
		if !errors.As(err, &fe) || fe.Field != "tokenStore" || !strings.Contains(err.Error(), `WithTokenStoreOpener("fake"`) {
			t.Errorf("err = %v, want a *FieldError for tokenStore naming WithTokenStoreOpener", err)
		}
	})
	t.Run("the opener fails", func(t *testing.T) {
		t.Parallel()
		path := writeConfig(t, "fake://db.example/applink")
		boom := errors.New("connection refused")
		_, err := config.Open(ctx, path, config.WithLink("wiki"),
			config.WithTokenStoreOpener("fake", func(context.Context, string, ...struct{}) (*closingStore, error) { return nil, boom }))
		if !errors.Is(err, boom) {
			t.Errorf("err = %v, want the opener's", err)
		}
	})
	t.Run("Config.OpenTokenStore", func(t *testing.T) {
		t.Parallel()
		path := writeConfig(t, "other.json")
		cfg, err := config.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		st, err := cfg.OpenTokenStore(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		fs, ok := st.(*filestore.Store)
		if !ok || fs.Path() != filepath.Join(filepath.Dir(path), "other.json") {
			t.Errorf("store %T at %v, want the file store at other.json beside the config", st, st)
		}
	})
	t.Run("a store in the options wins", func(t *testing.T) {
		t.Parallel()
		path := writeConfig(t, "fake://db.example/applink")
		mem := token.NewMemoryStore()
		svc, err := config.Open(ctx, path, config.WithLink("wiki"), config.WithTokenStore(mem))
		if err != nil {
			t.Fatal(err)
		}
		if svc.TokenStore() != token.Store(mem) {
			t.Error("the configured store was used, not the one given")
		}
	})
}

// TestConfigPrimaryRule: one rule everywhere — the link marked primary,
// else the first of its type — in config.WithPrimary, Service.Primary,
// and Service.Links; two marked links of a type are
// refused by Load as by NewService.
func TestConfigPrimaryRule(t *testing.T) {
	t.Parallel()
	path := writeConfig(t, "")
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var usable []applink.Link
	for _, l := range cfg.Links {
		if l.Type != applink.TypeJenkins {
			usable = append(usable, l)
		}
	}
	svc, err := applink.NewService(usable)
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []applink.Type{applink.TypeJira, applink.TypeConfluence} {
		one, err := config.Open(t.Context(), path, config.WithPrimary(typ))
		if err != nil {
			t.Fatal(err)
		}
		want := one.Links()[0]
		_ = one.Close()
		got, err := svc.Primary(typ)
		if err != nil || got.ID != want.ID {
			t.Errorf("%s: Service.Primary = %v, %v; config.WithPrimary chose %v", typ, got, err, want)
		}
		if first := svc.Links(typ)[0]; first.ID != want.ID {
			t.Errorf("%s: Links(type) starts with %v, want the primary %v", typ, first, want)
		}
		for _, l := range svc.Links() {
			if l.Type == typ && l.Primary != (l.ID == want.ID) {
				t.Errorf("%s: Links reports %q primary=%t", typ, l.Name, l.Primary)
			}
		}
	}

	cfg.Links[1].Primary = true // a second marked Jira link
	bad := filepath.Join(t.TempDir(), "config.json")
	if err := cfg.Save(bad); err != nil {
		t.Fatal(err)
	}
	var fe *applink.FieldError
	if _, err := config.Load(bad); !errors.As(err, &fe) || fe.Field != "primary" {
		t.Errorf("Load with two primary Jira links: %v, want a *FieldError for primary", err)
	}
	if _, err := applink.NewService(cfg.Links[:3]); !errors.As(err, &fe) || fe.Field != "primary" {
		t.Errorf("NewService with two primary Jira links: %v, want a *FieldError for primary", err)
	}
}

func TestConfigSaveKeepsTokenStore(t *testing.T) {
	t.Parallel()
	path := writeConfig(t, "postgres://db.example/applink")
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TokenStore != "postgres://db.example/applink" {
		t.Errorf("TokenStore = %q after a round trip", cfg.TokenStore)
	}
}

// TestOpenFindsLinksAsLookupDoes: WithLink finds a link as Service.Lookup
// does (id, exact name, then any case; ambiguous names refused), WithPrimary
// as Config.Primary does, and another link's missing secret file does not
// stop the one chosen.
func TestOpenFindsLinksAsLookupDoes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secret := filepath.Join(dir, "ci.secret")
	if err := os.WriteFile(secret, []byte("s"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := func(name string, typ applink.Type, primary bool, secretFile string) applink.Link {
		return applink.Link{ID: applink.DefaultLinkID(name, "http://127.0.0.1:1"), Name: name, Type: typ, RPCURL: "http://127.0.0.1:1",
			ConsumerKey: "jira", SecretFile: secretFile, Primary: primary}
	}
	cfgPath := filepath.Join(dir, "config.json")
	cfg := config.Config{Links: []applink.Link{
		link("broken", applink.TypeJenkins, false, filepath.Join(dir, "gone.secret")),
		link("ci", applink.TypeJenkins, false, secret),
		link("Build", applink.TypeBamboo, false, secret),
		link("nightly", applink.TypeBamboo, true, secret),
		link("twin", applink.TypeGeneric, false, secret),
		link("Twin", applink.TypeGeneric, false, secret),
	}}
	if err := cfg.Save(cfgPath); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, link string
		typ        applink.Type
		want       string // the link's name, or "" for an error
		is         error
	}{
		{"by name", "ci", "", "ci", nil},
		{"by name in another case", "build", "", "Build", nil},
		{"by id in another case", strings.ToUpper(cfg.Links[1].ID), "", "ci", nil},
		{"primary marked", "", applink.TypeBamboo, "nightly", nil},
		{"exact name before any case", "Twin", "", "Twin", nil},
		{"ambiguous in any case", "TWIN", "", "", applink.ErrAmbiguousName},
		{"unknown", "nope", "", "", applink.ErrLinkNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			svc, err := config.Open(t.Context(), cfgPath, config.WithLink(tt.link), config.WithPrimary(tt.typ))
			if tt.want == "" {
				if !errors.Is(err, tt.is) {
					t.Errorf("Open = %v; want an error wrapping %v", err, tt.is)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{tt.want}, names(svc.Links())); diff != "" {
				t.Errorf("links (-want +got):\n%s", diff)
			}
		})
	}
	// The first Jenkins link is the primary one, and it is broken.
	if _, err := config.Open(t.Context(), cfgPath, config.WithPrimary(applink.TypeJenkins)); err == nil || !strings.Contains(err.Error(), "gone.secret") {
		t.Errorf("the broken primary: %v; want the missing secret file named", err)
	}
}
