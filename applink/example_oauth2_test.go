package applink_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/authorize"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/signer"
)

// An OAuth 2.0 link (Data Center's "External application → Incoming"
// link): the same factory, the same "credentials required", the consent
// page as the authorization URL, and bearer requests once the user has
// consented.
func Example_oAuth2Link() {
	ctx := context.Background()
	const redirect = "http://127.0.0.1:8765/callback"
	jira, err := applinktest.Start(applinktest.WithShape(applinktest.OAuth2), applinktest.WithUsers("alice"),
		applinktest.WithOAuth2Client(applinktest.OAuth2Client{ID: "my-app", Secret: signer.NewSecret("s3cret-TEST-ONLY"), RedirectURL: redirect}))
	if err != nil {
		panic(err)
	}
	defer jira.Close()

	link := applink.Link{ID: "8d2f0c4b-1a3e-4f5d-b6c7-d8e9f0a1b2c3", Name: "Jira", Type: applink.TypeJira, RPCURL: jira.URL,
		Auth: []applink.Auth{applink.AuthOAuth2},
		OAuth2: &applink.OAuth2Client{ClientID: "my-app", Scopes: []string{"WRITE"}, RedirectURL: redirect,
			ClientSecret: token.NewSecret("s3cret-TEST-ONLY")}, // or ClientSecretEnv / ClientSecretFile
	}
	svc, err := applink.NewService([]applink.Link{link})
	if err != nil {
		panic(err)
	}
	l, _ := svc.Link("Jira")
	alice, _ := l.RequestFactory("alice")

	myself := func() (string, error) {
		req, err := alice.NewRequest(http.MethodGet, "/rest/api/2/myself")
		if err != nil {
			return "", err
		}
		me, err := applink.Execute(ctx, req, handler.JSON[struct{ Name string }]())
		return me.Name, err
	}
	if _, err := myself(); err != nil {
		fmt.Println("before consent:", err != nil)
	}
	// alice consents at the page the error leads to (here: in code) and
	// pastes the address her browser lands on.
	if err := authorize.OutOfBand(ctx, alice, jira.Approver("alice")); err != nil {
		panic(err)
	}
	name, err := myself()
	fmt.Println("after consent:", name, err)
	// Output:
	// before consent: true
	// after consent: alice <nil>
}
