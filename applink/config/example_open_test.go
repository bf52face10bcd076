package config_test

import (
	"cmp"
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/config"
)

// A program of your own shares the applink command's links and tokens:
// Open reads the config ($APPLINK_CONFIG, else the user config dir's
// applink/config.json, when the path is ""), opens the token store it names
// (tokens.json beside it by default) and builds the service; WithLink and
// WithPrimary keep the one link the program uses.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "applink-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "config.json") // in a real program: "" or a --config flag
	anonymous := []applink.Auth{applink.AuthAnonymous}
	cfg := config.Config{Links: []applink.Link{
		{ID: "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9", Name: "Jira staging", Type: applink.TypeJira, RPCURL: "https://jira-staging.example.com", Auth: anonymous},
		{ID: "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", Name: "Jira", Type: applink.TypeJira, RPCURL: "https://jira.example.com", Auth: anonymous, Primary: true},
	}}
	if err := cfg.Save(path); err != nil { // what `applink link add` writes
		log.Fatal(err)
	}

	svc, err := config.Open(context.Background(), path, config.WithPrimary(applink.TypeJira))
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()
	for _, l := range svc.Links() {
		fmt.Println(l.Name, cmp.Or(l.DisplayURL, l.RPCURL), l.Primary)
	}
	fmt.Println(filepath.Base(config.DefaultTokenPath(path)))
	// Output:
	// Jira https://jira.example.com true
	// tokens.json
}
