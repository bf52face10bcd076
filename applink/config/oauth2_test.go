package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/token"
)

func TestOAuth2ConfigRoundTrip(t *testing.T) {
	t.Parallel()
	path := t.TempDir() + "/config.json"
	l := applink.Link{ID: "9f867334-1a85-4e1e-9c64-e74ecd488e32", Name: "j", Type: applink.TypeJira, RPCURL: "https://jira.example.com", Auth: []applink.Auth{applink.AuthOAuth2, applink.AuthClientCredentials},
		OAuth2: &applink.OAuth2Client{ClientID: "id", ClientSecretEnv: "SECRET", RedirectURL: "http://127.0.0.1:8765/callback", Scopes: []string{"READ"}, ClientAuth: "basic"}}
	if err := (&Config{Links: []applink.Link{l}}).Save(path); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(l.OAuth2, cfg.Links[0].OAuth2); diff != "" || !cmp.Equal(l.Auth, cfg.Links[0].Auth) {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	// A secret given in code only is never written.
	inCode := l
	inCode.OAuth2 = &applink.OAuth2Client{ClientID: "id", RedirectURL: "http://127.0.0.1:8765/callback", ClientSecret: token.NewSecret("s3cret-TEST-ONLY")}
	err = (&Config{Links: []applink.Link{inCode}}).Save(path)
	var fe *applink.FieldError
	if !errors.As(err, &fe) || fe.Field != "oauth2.clientSecretEnv" || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("saving an in-code secret: %v", err)
	}
}
