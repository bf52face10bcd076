package applink_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/signer"
)

// jiraMyself is the part of Jira's /rest/api/2/myself the example reads.
type jiraMyself struct {
	Name string `json:"name"`
}

// A ScriptRunner script ported call by call: each step names the call of
// Atlassian's Java API (com.atlassian.applinks.api) it stands for, in the
// order of the mapping table in the package documentation. An in-process
// Jira (applinktest) plays the remote and approves for the user as a
// browser would.
func Example_javaAPI() {
	ctx := context.Background()
	key, err := signer.GenerateKey(2048) // in real life: privateKeyFile in the config
	if err != nil {
		log.Fatal(err)
	}
	jira, err := applinktest.Start(applinktest.WithUsers("alice"), applinktest.WithConsumer(applinktest.Consumer{
		Key: "scripts", PublicKey: &key.PublicKey, ThreeLO: true}))
	if err != nil {
		log.Fatal(err)
	}
	defer jira.Close()
	links := []applink.Link{
		applink.Link{ID: "3b4c5d6e-7f80-4912-a3b4-c5d6e7f80912", Name: "Jira", Type: applink.TypeJira, RPCURL: jira.URL,
			ConsumerKey: "scripts", Auth: []applink.Auth{applink.Auth3LO}, Primary: true, PrivateKey: key},
		applink.Link{ID: "4c5d6e7f-8091-4a23-b4c5-d6e7f8091a23", Name: "Jira staging", Type: applink.TypeJira,
			RPCURL: "https://jira-staging.example.com", ConsumerKey: "scripts", Auth: []applink.Auth{applink.Auth3LO}, PrivateKey: key},
	}
	// The ApplicationLinkService: config.Open(ctx, "") in a program that
	// uses the applink command's config.
	svc, err := applink.NewService(links, applink.WithHTTPClient(jira.Client()))
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()

	// ApplicationLinkService.getPrimaryApplicationLink(JiraApplicationType.class)
	link, err := svc.Primary(applink.TypeJira)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("getPrimaryApplicationLink:", link.Name)

	// ApplicationLinkService.getApplicationLinks(JiraApplicationType.class)
	var names []string
	for _, l := range svc.Links(applink.TypeJira) {
		names = append(names, l.Name)
	}
	fmt.Println("getApplicationLinks:", strings.Join(names, ", "))

	// ApplicationLink.createAuthenticatedRequestFactory(): the user is
	// named, not taken from a thread's context.
	factory, err := link.RequestFactory("alice")
	if err != nil {
		log.Fatal(err)
	}

	// ApplicationLinkRequestFactory.createRequest(Request.MethodType.GET, path)
	req, err := factory.NewRequest(http.MethodGet, "/rest/api/2/myself")
	if err != nil {
		log.Fatal(err)
	}

	// ApplicationLinkRequest.execute(ApplicationLinkResponseHandler): its
	// handle(response) is the handler, its credentialsRequired(response)
	// the function given to handler.WithCredentialsRequired.
	var authURL *url.URL
	h := handler.WithCredentialsRequired(handler.JSON[jiraMyself](), func(err error) (jiraMyself, error) {
		// CredentialsRequiredException
		var cre *applink.CredentialsRequiredError
		if !errors.As(err, &cre) {
			return jiraMyself{}, err
		}
		// CredentialsRequiredException.getAuthorisationURI(callback)
		authURL, err = factory.AuthorizationURL(ctx, "") // "": out of band; or the script's callback URL
		if err != nil {
			return jiraMyself{}, err
		}
		fmt.Printf("credentialsRequired: %s must authorize link %q\n", cre.User, cre.LinkName)
		return jiraMyself{}, nil
	})
	if _, err := applink.Execute(ctx, req, h); err != nil {
		log.Fatal(err)
	}

	// alice visits authURL and approves; the remote shows her a verifier
	// (or sends it to the callback), which completes the authorization.
	verifier, err := jira.ApproveURL(authURL.String(), "alice")
	if err != nil {
		log.Fatal(err)
	}
	if err := factory.CompleteAuthorization(ctx, authURL.Query().Get("oauth_token"), verifier); err != nil {
		log.Fatal(err)
	}
	me, err := applink.Execute(ctx, req, h) // the same request, now handled by handle(response)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("handle:", me.Name, req.Auth())

	// ApplicationLink.createImpersonatingAuthenticatedRequestFactory(), and
	// ApplicationLinkRequest.execute() returning the body as a string.
	impersonating, err := link.RequestFactory("alice", applink.WithImpersonatingOnly())
	if err != nil {
		log.Fatal(err)
	}
	req, err = impersonating.NewRequest(http.MethodGet, "/rest/api/2/myself")
	if err != nil {
		log.Fatal(err)
	}
	body, err := applink.Execute(ctx, req, handler.String())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("execute():", strings.Contains(body, `"name":"alice"`), req.Auth())
	// Output:
	// getPrimaryApplicationLink: Jira
	// getApplicationLinks: Jira, Jira staging
	// credentialsRequired: alice must authorize link "Jira"
	// handle: alice 3lo
	// execute(): true 3lo
}
