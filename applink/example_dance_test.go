package applink_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/signer"
)

// startJenkins starts an in-process Jenkins-shaped provider that knows the
// consumer "ci-bot" by its shared secret, and returns a service linked to
// it.
func startJenkins() (*applinktest.Server, *applink.Service, *applink.Link) {
	const secret = "example-secret-TEST-ONLY"
	srv, err := applinktest.Start(applinktest.WithShape(applinktest.Jenkins), applinktest.WithUsers("alice"),
		applinktest.WithConsumer(applinktest.Consumer{Key: "ci-bot", Secret: secret, ThreeLO: true}))
	if err != nil {
		log.Fatal(err)
	}
	link := applink.Link{ID: applink.NewLinkID(), Name: "Jenkins", Type: applink.TypeJenkins, RPCURL: srv.URL,
		ConsumerKey: "ci-bot"}.WithSecret(secret)
	svc, err := applink.NewService([]applink.Link{link}, applink.WithHTTPClient(srv.Client()))
	if err != nil {
		log.Fatal(err)
	}
	l, err := svc.LinkByName("Jenkins")
	if err != nil {
		log.Fatal(err)
	}
	return srv, svc, l
}

// startJira starts an in-process Jira-shaped provider that knows the
// consumer "my-app" by its RSA public key, and returns a service linked to
// it.
func startJira() (*applinktest.Server, *applink.Service, *applink.Link) {
	pem, err := os.ReadFile("../signer/testdata/sign-rsa2048-TEST-ONLY.pem")
	if err != nil {
		log.Fatal(err)
	}
	key, err := signer.ParsePrivateKey(pem)
	if err != nil {
		log.Fatal(err)
	}
	srv, err := applinktest.Start(applinktest.WithUsers("alice"),
		applinktest.WithConsumer(applinktest.Consumer{Key: "my-app", PublicKey: &key.PublicKey, ThreeLO: true}))
	if err != nil {
		log.Fatal(err)
	}
	link := applink.Link{ID: applink.NewLinkID(), Name: "Jira", Type: applink.TypeJira, RPCURL: srv.URL,
		ConsumerKey: "my-app"}.WithPrivateKey(key)
	svc, err := applink.NewService([]applink.Link{link}, applink.WithHTTPClient(srv.Client()))
	if err != nil {
		log.Fatal(err)
	}
	l, err := svc.LinkByName("Jira")
	if err != nil {
		log.Fatal(err)
	}
	return srv, svc, l
}

// approveAsAlice does what alice does in her browser at the authorization
// URL: the test provider approves over HTTP with &user=alice&approve=1 and,
// out of band, shows the verification code (here in a header).
func approveAsAlice(ctx context.Context, client *http.Client, authURL string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL+"&user=alice&approve=1", nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp, nil
}

// A script authorizes out of band: it shows the URL, the user approves and
// types the code the remote shows.
func ExampleRequestFactory_AuthorizeOutOfBand() {
	srv, _, link := startJira()
	defer srv.Close()
	ctx := context.Background()

	f, err := link.RequestFactory("alice")
	if err != nil {
		log.Fatal(err)
	}
	err = f.AuthorizeOutOfBand(ctx, func(ctx context.Context, authURL string) (string, error) {
		// A real program prints authURL and reads the code from stdin.
		resp, err := approveAsAlice(ctx, srv.Client(), authURL)
		if err != nil {
			return "", err
		}
		return resp.Header.Get("X-OAuth-Verifier"), nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("alice has authorized", link.Name)
	// Output: alice has authorized Jira
}

// A command-line program authorizes with a loopback callback: the remote
// sends the browser back to 127.0.0.1, where AuthorizeLoopback waits.
func ExampleRequestFactory_AuthorizeLoopback() {
	srv, _, link := startJenkins()
	defer srv.Close()
	ctx := context.Background()

	f, err := link.RequestFactory("alice")
	if err != nil {
		log.Fatal(err)
	}
	err = f.AuthorizeLoopback(ctx, func(ctx context.Context, authURL string) error {
		// A real program prints authURL and tries to open a browser; here
		// alice's "browser" approves and follows the redirect to the
		// callback.
		_, err := approveAsAlice(ctx, &http.Client{}, authURL)
		return err
	}, applink.LoopbackTimeout(time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("alice has authorized", link.Name)
	// Output: alice has authorized Jenkins
}

// A request that needs the user's authorization fails with
// *CredentialsRequiredError, which starts the dance; the program completes
// it when the remote calls back (here: out of band), and the request then
// acts as the user.
func ExampleCredentialsRequiredError_AuthorizationURI() {
	srv, svc, link := startJira()
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

	authURL, err := cre.AuthorizationURI(ctx, "") // "" is out of band
	if err != nil {
		log.Fatal(err)
	}
	resp, err := approveAsAlice(ctx, srv.Client(), authURL.String())
	if err != nil {
		log.Fatal(err)
	}
	key, err := svc.CompleteAuthorization(ctx, authURL.Query().Get("oauth_token"), resp.Header.Get("X-OAuth-Verifier"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("token stored for", key.User)

	if _, err := applink.Execute(ctx, req, handler.Discard()); err != nil { // the same request, sent again
		log.Fatal(err)
	}
	fmt.Println("request authenticated with", req.Auth())
	// Output:
	// credentials required for alice
	// token stored for alice
	// request authenticated with 3lo
}

// A web application mounts the dance handler and links to its start page
// when a request says credentials are required; currentUser reads the
// application's own session.
func ExampleNewDanceHandler() {
	key, err := os.ReadFile("../signer/testdata/sign-rsa2048-TEST-ONLY.pem")
	if err != nil {
		log.Fatal(err)
	}
	pk, err := signer.ParsePrivateKey(key)
	if err != nil {
		log.Fatal(err)
	}
	link := applink.Link{ID: applink.NewLinkID(), Name: "Jira", Type: applink.TypeJira,
		RPCURL: "https://jira.internal:8080", DisplayURL: "https://jira.example.com", ConsumerKey: "my-app"}.WithPrivateKey(pk)
	svc, err := applink.NewService([]applink.Link{link})
	if err != nil {
		log.Fatal(err)
	}
	currentUser := func(r *http.Request) (string, error) {
		c, err := r.Cookie("session") // the application's own sign-in
		if err != nil {
			return "", err
		}
		return c.Value, nil
	}
	dance, err := applink.NewDanceHandler(svc, currentUser, applink.DanceBaseURL("https://app.example.com"))
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(applink.DefaultDancePrefix+"/", dance)

	// Where a page sends the user to authorize, coming back to /issues.
	fmt.Println(applink.DanceStartURL("", "Jira", "/issues"))
	// Output: /applinks/oauth/start?link=Jira&redirect=%2Fissues
}
