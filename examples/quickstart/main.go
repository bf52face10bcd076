// Command quickstart runs the whole go-applinks story in one process, with
// nothing but Go: it starts a Jira-shaped and a Jenkins-shaped OAuth
// provider (applinktest) on loopback, links both (testlink makes the keys),
// makes a request as alice and gets "credentials required" with the
// authorization URL, plays the 3-legged dance (approving at the provider as
// alice would in her browser), repeats the request and gets alice back,
// makes a 2-legged request impersonating bob, and triggers a Jenkins build
// as alice (the CSRF crumb fetched for her automatically). Beside the
// OAuth 1.0a links, an OAuth 2.0 link to the same Jira (Data Center's newer
// "external application" incoming link): alice consents once, requests
// carry her bearer token, and an expired token is refreshed.
//
//	go run ./examples/quickstart
//
// It prints each step and exits 0 only if every step did what it says.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
	"github.com/go-applinks/applinks/applink/authorize"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/examples/internal/appcfg"
	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/signer"
)

func main() {
	flag.CommandLine.Init("quickstart", flag.ExitOnError)
	appcfg.Usage(flag.CommandLine, "[--bits N] [--timeout D]", `Runs the whole story in-process with nothing but Go: a Jira-shaped and a
Jenkins-shaped provider, a fresh key, two links, "credentials required", the
dance, requests as alice (3LO) and bob (2LOi), a Jenkins build as alice, and
an OAuth 2.0 link beside them (consent, bearer requests, refresh).
Exit status 0 only if every step did what it says.`)
	timeout := flag.Duration("timeout", time.Minute, "give up after this long")
	bits := flag.Int("bits", 2048, "size of the RSA key to generate")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, os.Stdout, *bits); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart: FAILED:", err)
		os.Exit(1)
	}
}

// jiraUser is the part of Jira's /rest/api/2/myself answer we read.
type jiraUser struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
}

// jenkinsUser is the part of Jenkins' /me/api/json answer we read.
type jenkinsUser struct {
	ID string `json:"id"`
}

// run plays the story, printing each step to w.
func run(ctx context.Context, w io.Writer, bits int) error {
	step := stepper(w)

	// 1. Two providers, as an administrator would set them up, and our
	// links to them, each made in one call (testlink makes the key and the
	// consumer that knows it): Jira knows our public key and lets us
	// impersonate; Jenkins (the Bitbucket Server Integration plugin) shares
	// a secret with us and allows 3LO only.
	// Jira is Data Center 8.22 or later: it has OAuth 2.0 incoming links
	// beside the OAuth 1.0a ones (the OAuth2 shape serves both).
	jira, err := applinktest.Start(applinktest.WithShape(applinktest.OAuth2), applinktest.WithUsers("alice", "bob"))
	if err != nil {
		return err
	}
	defer jira.Close()
	jenkins, err := applinktest.Start(applinktest.WithShape(applinktest.Jenkins), applinktest.WithUsers("alice"))
	if err != nil {
		return err
	}
	defer jenkins.Close()
	jiraLink, err := testlink.New(jira, "Jira", testlink.WithKeyBits(bits), testlink.WithAuth(applink.Auth3LO, applink.Auth2LOi))
	if err != nil {
		return err
	}
	jenkinsLink, err := testlink.New(jenkins, "Jenkins")
	if err != nil {
		return err
	}
	step("started a Jira-shaped provider at %s and a Jenkins-shaped one at %s", jira.URL, jenkins.URL)

	// 2. Our side: a service holding both links.
	svc, err := applink.NewService([]applink.Link{jiraLink, jenkinsLink})
	if err != nil {
		return err
	}
	jiraPrimary, err := svc.Primary(applink.TypeJira)
	if err != nil {
		return err
	}
	jenkinsByName, err := svc.Link("Jenkins")
	if err != nil {
		return err
	}
	step("linked %s (3LO, 2LOi; RSA-SHA1) and %s (3LO; HMAC-SHA1)", jiraPrimary.Name, jenkinsByName.Name)

	// 3. alice asks for herself by 3LO: she has not authorized us yet.
	alice, err := jiraPrimary.RequestFactory("alice", applink.WithAuth(applink.Auth3LO))
	if err != nil {
		return err
	}
	_, err = myself(ctx, alice)
	var cre *applink.CredentialsRequiredError
	if !errors.As(err, &cre) {
		return fmt.Errorf("a 3LO request as alice without a token: got %v, want credentials required", err)
	}
	authURL, err := alice.AuthorizationURL(ctx, "")
	if err != nil {
		return err
	}
	step("GET /rest/api/2/myself as alice: credentials required; she must visit\n     %s", authURL)

	// 4. The dance: alice approves at Jira (here: in code, as the test
	// server lets us), Jira gives her a verifier, and we exchange it for
	// her token.
	verifier, err := jira.ApproveURL(authURL.String(), "alice")
	if err != nil {
		return err
	}
	if err := alice.CompleteAuthorization(ctx, authURL.Query().Get("oauth_token"), verifier); err != nil {
		return err
	}
	step("alice approved at Jira; her access token is stored")

	// 5. The same request now acts as alice.
	me, err := myself(ctx, alice)
	if err != nil {
		return err
	}
	if me.Name != "alice" {
		return fmt.Errorf("as alice, Jira answered %q, want alice", me.Name)
	}
	step("GET /rest/api/2/myself as alice (3LO): Jira says you are %q (%s)", me.Name, me.DisplayName)

	// 6. bob never authorized us, but the link may impersonate: 2LOi.
	bob, err := jiraPrimary.RequestFactory("bob")
	if err != nil {
		return err
	}
	if a, err := bob.Auth(ctx); err != nil || a != applink.Auth2LOi {
		return fmt.Errorf("the automatic choice for bob: %v, %v; want 2loi", a, err)
	}
	me, err = myself(ctx, bob)
	if err != nil {
		return err
	}
	if me.Name != "bob" {
		return fmt.Errorf("as bob, Jira answered %q, want bob", me.Name)
	}
	step("GET /rest/api/2/myself as bob (2LOi, xoauth_requestor_id=bob): Jira says you are %q", me.Name)

	// 7. Jenkins: 3LO only. The loopback flow, as `applink authorize` plays
	// it: a callback on 127.0.0.1, the "browser" approving as alice and
	// following the redirect back to it.
	aliceCI, err := jenkinsByName.RequestFactory("alice")
	if err != nil {
		return err
	}
	if _, err := aliceCI.Auth(ctx); !errors.As(err, &cre) {
		return fmt.Errorf("as alice without a token, Jenkins gave %v, want credentials required", err)
	}
	browser := jenkins.Browser("alice")
	err = authorize.Loopback(ctx, aliceCI, func(ctx context.Context, authURL string) error {
		step("Jenkins as alice: credentials required; the loopback flow sends her browser to\n     %s", authURL)
		return browser(ctx, authURL)
	}, authorize.WithLoopbackTimeout(30*time.Second))
	if err != nil {
		return err
	}
	step("alice approved at Jenkins; the callback completed the dance")

	req, err := aliceCI.NewRequest(http.MethodGet, "/me/api/json")
	if err != nil {
		return err
	}
	ju, err := applink.Execute(ctx, req, handler.JSON[jenkinsUser]())
	if err != nil {
		return err
	}
	if ju.ID != "alice" {
		return fmt.Errorf("as alice, Jenkins answered id %q, want alice", ju.ID)
	}
	step("GET /me/api/json as alice (3LO, HMAC-SHA1): Jenkins says id %q", ju.ID)

	// 8. A build with parameters as alice: Jenkins wants a CSRF crumb for
	// this POST, which the link fetches for her.
	req, err = aliceCI.NewRequest(http.MethodPost, "/job/deploy/buildWithParameters")
	if err != nil {
		return err
	}
	req.AddForm("ENVIRONMENT", "staging")
	if _, err := applink.Execute(ctx, req, handler.Discard()); err != nil {
		return err
	}
	builds := jenkins.Builds()
	if len(builds) != 1 || builds[0].User != "alice" || builds[0].Job != "deploy" || builds[0].Params.Get("ENVIRONMENT") != "staging" {
		return fmt.Errorf("the Jenkins queue holds %+v, want one deploy build by alice with ENVIRONMENT=staging", builds)
	}
	step("POST /job/deploy/buildWithParameters as alice: build queued by %q (crumb fetched automatically)", builds[0].User)

	if err := oauth2Steps(ctx, jira, step); err != nil {
		return err
	}

	fmt.Fprintln(w, "all steps passed")
	return nil
}

// oauth2Steps links the same Jira through an OAuth 2.0 incoming link, as an
// administrator creates it under Application links → Create link →
// External application → Incoming: a redirect URL and a scope in, a client
// id and secret out.
func oauth2Steps(ctx context.Context, jira *applinktest.Server, step func(string, ...any)) error {
	const clientID, redirect = "quickstart-client", "http://127.0.0.1:8765/callback"
	secret := rand.Text() // in real life: from Jira's dialog, kept in an environment variable
	if err := jira.AddOAuth2Client(applinktest.OAuth2Client{ID: clientID, Secret: signer.NewSecret(secret), RedirectURL: redirect, Scope: "WRITE"}); err != nil {
		return err
	}
	link := applink.Link{ID: "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9", Name: "Jira (OAuth 2.0)", Type: applink.TypeJira, RPCURL: jira.URL,
		Auth:   []applink.Auth{applink.AuthOAuth2},
		OAuth2: &applink.OAuth2Client{ClientID: clientID, Scopes: []string{"WRITE"}, RedirectURL: redirect, ClientSecret: token.NewSecret(secret)},
	}
	svc, err := applink.NewService([]applink.Link{link})
	if err != nil {
		return err
	}
	jira2, err := svc.Link("Jira (OAuth 2.0)")
	if err != nil {
		return err
	}
	alice, err := jira2.RequestFactory("alice")
	if err != nil {
		return err
	}
	step("linked %s (OAuth 2.0: client %q, scope WRITE)", jira2.Name, clientID)

	// The same surface as OAuth 1.0a: credentials required, with the
	// consent page (PKCE and a state bound to alice) as the URL.
	_, err = myself(ctx, alice)
	var cre *applink.CredentialsRequiredError
	if !errors.As(err, &cre) {
		return fmt.Errorf("an OAuth 2.0 request as alice without a token: got %v, want credentials required", err)
	}
	// Paste the code: alice allows at the consent page and copies the
	// address her browser lands on (here: approved in code).
	err = authorize.OutOfBand(ctx, alice, func(_ context.Context, consentURL string) (string, error) {
		step("OAuth 2.0 as alice: credentials required; she consents at\n     %s", consentURL)
		return jira.ApproveOAuth2(consentURL, "alice")
	})
	if err != nil {
		return err
	}
	me, err := myself(ctx, alice)
	if err != nil {
		return err
	}
	if me.Name != "alice" {
		return fmt.Errorf("with alice's bearer token, Jira answered %q, want alice", me.Name)
	}
	step("GET /rest/api/2/myself as alice (OAuth 2.0 bearer token): Jira says you are %q", me.Name)

	// Jira expires the access token: the next request refreshes it (the
	// refresh token rotates) and goes through.
	for _, t := range jira.AccessTokens(clientID, "alice") {
		if err := jira.Expire(t); err != nil {
			return err
		}
	}
	if me, err = myself(ctx, alice); err != nil {
		return err
	}
	refreshes := 0
	for _, r := range jira.Requests() {
		if r.Grant == applinktest.GrantRefreshToken && r.Status == http.StatusOK {
			refreshes++
		}
	}
	if me.Name != "alice" || refreshes != 1 {
		return fmt.Errorf("after expiry: %q with %d refreshes, want alice with 1", me.Name, refreshes)
	}
	step("Jira expired alice's access token: refreshed once (rotating refresh token), Jira still says %q", me.Name)
	return nil
}

// stepper returns a function printing numbered steps.
func stepper(w io.Writer) func(format string, args ...any) {
	n := 0
	return func(format string, args ...any) {
		n++
		fmt.Fprintf(w, "%2d. %s\n", n, fmt.Sprintf(format, args...))
	}
}

// myself asks Jira who the request acts as.
func myself(ctx context.Context, f *applink.RequestFactory) (jiraUser, error) {
	req, err := f.NewRequest(http.MethodGet, "/rest/api/2/myself")
	if err != nil {
		return jiraUser{}, err
	}
	return applink.Execute(ctx, req, handler.JSON[jiraUser]())
}
