package applinktest_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/url"

	"golang.org/x/oauth2"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
)

// The OAuth2 shape is Jira with OAuth 2.0 incoming links: any OAuth 2.0
// client (here golang.org/x/oauth2) gets a consent URL approved in code,
// exchanges the code with its PKCE verifier, and calls the resources with
// the bearer token; the records tell the grants apart.
func Example_oAuth2() {
	const redirect = "http://127.0.0.1:8765/callback"
	srv, err := applinktest.Start(applinktest.WithShape(applinktest.OAuth2), applinktest.WithUsers("alice"),
		applinktest.WithOAuth2Client(applinktest.OAuth2Client{ID: "my-app", Secret: signer.NewSecret("TEST-ONLY"), RedirectURL: redirect, Scope: applinktest.ScopeRead}))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	cfg := &oauth2.Config{ClientID: "my-app", ClientSecret: "TEST-ONLY", RedirectURL: redirect, Scopes: []string{"READ"},
		Endpoint: oauth2.Endpoint{AuthURL: srv.OAuth2AuthorizationURL(), TokenURL: srv.OAuth2TokenURL(), AuthStyle: oauth2.AuthStyleInParams}}
	verifier := oauth2.GenerateVerifier()
	landed, err := srv.ApproveOAuth2(cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)), "alice")
	if err != nil {
		log.Fatal(err)
	}
	u, _ := url.Parse(landed)
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, srv.Client())
	tok, err := cfg.Exchange(ctx, u.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		log.Fatal(err)
	}
	resp, err := cfg.Client(ctx, tok).Get(srv.URL + "/rest/api/2/myself")
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println("state:", u.Query().Get("state"), "scope:", tok.Extra("scope"), "myself:", resp.StatusCode)
	for _, r := range srv.Requests() {
		fmt.Printf("%s grant=%q user=%s ok=%t\n", r.Flow, r.Grant, r.User, r.Status == http.StatusOK)
	}
	// Output:
	// state: st scope: READ myself: 200
	// oauth2-token grant="authorization_code" user=alice ok=true
	// oauth2 grant="" user=alice ok=true
}
