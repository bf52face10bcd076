package authorize_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
	"github.com/go-applinks/applinks/applink/authorize"
	"github.com/go-applinks/applinks/signer"
)

// startJenkins starts an in-process Jenkins-shaped provider and returns a
// service with a link to it; testlink makes the consumer and its shared
// secret. A real program reads its links from a config file (config.Open).
func startJenkins() (*applinktest.Server, *applink.Service, *applink.Link) {
	srv, err := applinktest.Start(applinktest.WithShape(applinktest.Jenkins), applinktest.WithUsers("alice"))
	if err != nil {
		log.Fatal(err)
	}
	return link(srv, "Jenkins")
}

// startJira starts an in-process Jira-shaped provider and returns a
// service with a link to it, signing with the RSA test key.
func startJira() (*applinktest.Server, *applink.Service, *applink.Link) {
	pem, err := os.ReadFile("../../signer/testdata/sign-rsa2048-TEST-ONLY.pem")
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

// A script authorizes out of band: it shows the URL, the user approves and
// types the code the remote shows.
func ExampleOutOfBand() {
	srv, _, link := startJira()
	defer srv.Close()
	ctx := context.Background()

	f, err := link.RequestFactory("alice")
	if err != nil {
		log.Fatal(err)
	}
	// A real program prints authURL and reads the code from stdin; the test
	// server's Approver approves as alice and returns the code.
	err = authorize.OutOfBand(ctx, f, srv.Approver("alice"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("alice has authorized", link.Name)
	// Output: alice has authorized Jira
}

// A command-line program authorizes with a loopback callback: the remote
// sends the browser back to 127.0.0.1, where Loopback waits.
func ExampleLoopback() {
	srv, _, link := startJenkins()
	defer srv.Close()
	ctx := context.Background()

	f, err := link.RequestFactory("alice")
	if err != nil {
		log.Fatal(err)
	}
	// A real program prints authURL and tries to open a browser; here
	// alice's "browser" approves and follows the redirect to the callback.
	err = authorize.Loopback(ctx, f, srv.Browser("alice"), authorize.WithLoopbackTimeout(time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("alice has authorized", link.Name)
	// Output: alice has authorized Jenkins
}

// A web application mounts the handler and links to its start page
// when a request says credentials are required; currentUser reads the
// application's own session.
func ExampleNewHandler() {
	key, err := os.ReadFile("../../signer/testdata/sign-rsa2048-TEST-ONLY.pem")
	if err != nil {
		log.Fatal(err)
	}
	pk, err := signer.ParsePrivateKey(key)
	if err != nil {
		log.Fatal(err)
	}
	link := applink.Link{ID: "3f1c2a9e-5b7d-4e21-9c3a-1d2e3f4a5b6c", Name: "Jira", Type: applink.TypeJira,
		RPCURL: "https://jira.internal:8080", DisplayURL: "https://jira.example.com", ConsumerKey: "my-app", PrivateKey: pk}
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
	dance, err := authorize.NewHandler(svc, currentUser, authorize.WithBaseURL("https://app.example.com"))
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(authorize.DefaultPrefix+"/", dance)

	// Where a page sends the user to authorize, coming back to /issues.
	fmt.Println(authorize.StartURL("", "Jira", "/issues"))
	// Output: /applinks/oauth/start?link=Jira&redirect=%2Fissues
}
