package applink_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/signer"
)

// jenkinsUser is the part of Jenkins' /me/api/json the example reads.
type jenkinsUser struct {
	Class string `json:"_class"`
	ID    string `json:"id"`
}

// The Go version of the classic ScriptRunner script: find the link to
// Jenkins by name, act as a user, and GET /me/api/json as them; when the
// user has not authorized the link yet, say where to go. Here an in-process
// Jenkins-shaped provider (applinktest) plays Jenkins and approves for the
// user as a browser would.
func Example() {
	ctx := context.Background()
	jenkins, err := applinktest.Start(applinktest.WithShape(applinktest.Jenkins), applinktest.WithUsers("alice"),
		applinktest.WithConsumer(applinktest.Consumer{Key: "jira", Secret: signer.NewSecret("TEST-ONLY-secret"), ThreeLO: true}))
	if err != nil {
		log.Fatal(err)
	}
	defer jenkins.Close()

	// A config file would say this; the secret would come from secretEnv.
	link := applink.Link{ID: "7c8d9e0f-1a2b-4c3d-9e4f-5a6b7c8d9e0f", Name: "Jenkins Proxy Bypass", Type: applink.TypeJenkins,
		RPCURL: jenkins.URL, ConsumerKey: "jira", Auth: []applink.Auth{applink.Auth3LO}, Secret: token.NewSecret("TEST-ONLY-secret")}
	svc, err := applink.NewService([]applink.Link{link}, applink.WithHTTPClient(jenkins.Client()))
	if err != nil {
		log.Fatal(err)
	}

	jenkinsLink, err := svc.Link("Jenkins Proxy Bypass")
	if err != nil {
		log.Fatal(err)
	}
	factory, err := jenkinsLink.RequestFactory("alice")
	if err != nil {
		log.Fatal(err)
	}
	req, err := factory.NewRequest(http.MethodGet, "/me/api/json")
	if err != nil {
		log.Fatal(err)
	}
	// One path for "credentials required": the user has no token yet, or
	// the remote rejected the one they had.
	user, err := applink.Execute(ctx, req, handler.JSON[jenkinsUser]())
	var cre *applink.CredentialsRequiredError
	if errors.As(err, &cre) {
		uri, uriErr := factory.AuthorizationURL(ctx, "")
		if uriErr != nil {
			log.Fatal(uriErr)
		}
		fmt.Printf("credentials required: %s must authorize link %q\n", cre.User, cre.LinkName)
		// alice visits uri in her browser and approves; the provider then
		// shows her a verifier (or redirects to a callback with it).
		verifier, approveErr := jenkins.ApproveURL(uri.String(), "alice")
		if approveErr != nil {
			log.Fatal(approveErr)
		}
		if err := factory.CompleteAuthorization(ctx, uri.Query().Get("oauth_token"), verifier); err != nil {
			log.Fatal(err)
		}
		user, err = applink.Execute(ctx, req, handler.JSON[jenkinsUser]()) // the same request, now as alice
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(user.Class, user.ID, req.Auth())
	// Output:
	// credentials required: alice must authorize link "Jenkins Proxy Bypass"
	// hudson.model.User alice 3lo
}

// Acting as a user with 2-legged OAuth and impersonation (2LOi): no
// authorization step, the remote trusts the consumer to name the user.
func ExampleRequestFactory_NewRequest() {
	ctx := context.Background()
	key, err := signer.GenerateKey(2048) // in real life: read with signer.ParsePrivateKey, or privateKeyFile
	if err != nil {
		log.Fatal(err)
	}
	jira, err := applinktest.Start(applinktest.WithUsers("bob"), applinktest.WithConsumer(applinktest.Consumer{
		Key: "automation", PublicKey: &key.PublicKey, ThreeLO: true, Impersonation: true}))
	if err != nil {
		log.Fatal(err)
	}
	defer jira.Close()

	link := applink.Link{ID: "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d", Name: "Jira", Type: applink.TypeJira, RPCURL: jira.URL,
		ConsumerKey: "automation", Auth: []applink.Auth{applink.Auth3LO, applink.Auth2LOi}}
	link.PrivateKey = key
	svc, err := applink.NewService([]applink.Link{link}, applink.WithHTTPClient(jira.Client()))
	if err != nil {
		log.Fatal(err)
	}
	jiraLink, _ := svc.Primary(applink.TypeJira)
	factory, _ := jiraLink.RequestFactory("bob")
	req, err := factory.NewRequest(http.MethodPost, "/rest/api/2/issue")
	if err != nil {
		log.Fatal(err)
	}
	req.SetJSON(map[string]any{"fields": map[string]any{ // an encoding error is returned by Execute
		"project": map[string]string{"key": "OPS"}, "summary": "Rotate the keys", "issuetype": map[string]string{"name": "Task"},
	}})
	type created struct {
		Key string `json:"key"`
	}
	issue, err := applink.Execute(ctx, req, handler.JSON[created]())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(req.Auth(), issue.Key != "")
	// Output:
	// 2loi true
}

// Any library that takes an *http.Client can act as the user: give it the
// factory's client. Requests it makes outside the link's RPC URL are
// refused.
func ExampleRequestFactory_Client() {
	key, err := signer.GenerateKey(2048)
	if err != nil {
		log.Fatal(err)
	}
	jira, err := applinktest.Start(applinktest.WithUsers("bob"), applinktest.WithConsumer(applinktest.Consumer{
		Key: "automation", PublicKey: &key.PublicKey, Impersonation: true}))
	if err != nil {
		log.Fatal(err)
	}
	defer jira.Close()
	link := applink.Link{ID: "9e0f1a2b-3c4d-4e5f-a6b7-c8d9e0f1a2b3", Name: "Jira", Type: applink.TypeJira, RPCURL: jira.URL,
		ConsumerKey: "automation", Auth: []applink.Auth{applink.Auth2LOi}}
	link.PrivateKey = key
	svc, err := applink.NewService([]applink.Link{link}, applink.WithHTTPClient(jira.Client()))
	if err != nil {
		log.Fatal(err)
	}
	jiraLink, _ := svc.Primary(applink.TypeJira)
	factory, _ := jiraLink.RequestFactory("bob")
	client := factory.Client() // hand this to go-jira or any other client library

	resp, err := client.Get(jira.URL + "/rest/api/2/myself")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var me struct {
		Name string `json:"name"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&me); err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, me.Name)

	_, err = client.Get("https://elsewhere.example/steal")
	fmt.Println(errors.Is(err, applink.ErrForeignURL))
	// Output:
	// 200 bob
	// true
}

// A JQL search: query values are given as meant and encoded once, and the
// provider (which verified the signature over exactly what was sent) reads
// them back unchanged, repeated keys in order.
func ExampleRequest_AddQuery() {
	ctx := context.Background()
	key, err := signer.GenerateKey(2048)
	if err != nil {
		log.Fatal(err)
	}
	jira, err := applinktest.Start(applinktest.WithUsers("bob"), applinktest.WithConsumer(applinktest.Consumer{
		Key: "automation", PublicKey: &key.PublicKey, Impersonation: true}))
	if err != nil {
		log.Fatal(err)
	}
	defer jira.Close()
	jira.Handle("GET /rest/api/2/search", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Printf("Jira got jql %s, fields %q\n", r.URL.Query().Get("jql"), r.URL.Query()["fields"])
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"total": 0}`)
	}))

	link := applink.Link{ID: "4d5e6f7a-8b9c-4d0e-b1f2-a3b4c5d6e7f8", Name: "Jira", Type: applink.TypeJira, RPCURL: jira.URL,
		ConsumerKey: "automation", Auth: []applink.Auth{applink.Auth2LOi}}
	link.PrivateKey = key
	svc, err := applink.NewService([]applink.Link{link}, applink.WithHTTPClient(jira.Client()))
	if err != nil {
		log.Fatal(err)
	}
	jiraLink, _ := svc.Primary(applink.TypeJira)
	factory, _ := jiraLink.RequestFactory("bob")
	req, err := factory.NewRequest(http.MethodGet, "/rest/api/2/search")
	if err != nil {
		log.Fatal(err)
	}
	req.AddQuery("jql", `project = "OPS" AND summary ~ "50% + más"`).
		AddQuery("fields", "key").AddQuery("fields", "summary")
	fmt.Println(req.URL().RawQuery)
	res, err := applink.Execute(ctx, req, handler.JSON[struct{ Total int }]())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("total", res.Total)
	// Output:
	// jql=project%20%3D%20%22OPS%22%20AND%20summary%20~%20%2250%25%20%2B%20m%C3%A1s%22&fields=key&fields=summary
	// Jira got jql project = "OPS" AND summary ~ "50% + más", fields ["key" "summary"]
	// total 0
}
