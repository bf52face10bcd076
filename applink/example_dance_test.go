package applink_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/signer"
)

// startJira starts an in-process Jira-shaped provider and returns a
// service with a link to it, signing with the RSA test key.
func startJira() (*applinktest.Server, *applink.Service, *applink.Link) {
	pem, err := os.ReadFile("../signer/testdata/sign-rsa2048-TEST-ONLY.pem")
	if err != nil {
		log.Fatal(err)
	}
	key, err := signer.ParsePrivateKey(pem)
	if err != nil {
		log.Fatal(err)
	}
	srv, err := applinktest.Start(applinktest.WithUsers("alice"))
	if err != nil {
		log.Fatal(err)
	}
	return link(srv, "Jira", testlink.WithPrivateKey(key))
}

// link makes a link named name to srv and a service holding it.
func link(srv *applinktest.Server, name string, opts ...testlink.Option) (*applinktest.Server, *applink.Service, *applink.Link) {
	l, err := testlink.New(srv, name, opts...)
	if err != nil {
		log.Fatal(err)
	}
	svc, err := applink.NewService([]applink.Link{l}, applink.WithHTTPClient(srv.Client()))
	if err != nil {
		log.Fatal(err)
	}
	bound, err := svc.Link(name)
	if err != nil {
		log.Fatal(err)
	}
	return srv, svc, bound
}

// A request that needs the user's authorization fails with
// *CredentialsRequiredError, which starts the dance; the program completes
// it when the remote calls back (here: out of band), and the request then
// acts as the user.
func ExampleRequestFactory_AuthorizationURL() {
	srv, _, link := startJira()
	defer srv.Close()
	ctx := context.Background()

	f, err := link.RequestFactory("alice")
	if err != nil {
		log.Fatal(err)
	}
	req, err := f.NewRequest(http.MethodGet, "/rest/api/2/myself")
	if err != nil {
		log.Fatal(err)
	}
	_, err = applink.Execute(ctx, req, handler.Discard())
	var cre *applink.CredentialsRequiredError
	if !errors.As(err, &cre) {
		log.Fatalf("want credentials required, got %v", err)
	}
	fmt.Println("credentials required for", cre.User)

	authURL, err := f.AuthorizationURL(ctx, "") // "" is out of band
	if err != nil {
		log.Fatal(err)
	}
	verifier, err := srv.ApproveURL(authURL.String(), "alice") // alice approves in her browser
	if err != nil {
		log.Fatal(err)
	}
	if err := f.CompleteAuthorization(ctx, authURL.Query().Get("oauth_token"), verifier); err != nil {
		log.Fatal(err)
	}
	fmt.Println("token stored for", cre.User)

	if _, err := applink.Execute(ctx, req, handler.Discard()); err != nil { // the same request, sent again
		log.Fatal(err)
	}
	fmt.Println("request authenticated with", req.Auth())
	// Output:
	// credentials required for alice
	// token stored for alice
	// request authenticated with 3lo
}
