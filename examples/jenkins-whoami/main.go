// Command jenkins-whoami asks Jenkins who a user is, through an application
// link, acting as that user: the Go version of the Groovy script that
// started this project (Jira's ScriptRunner calling Jenkins' /me/api/json
// through ApplicationLinkService). It asserts that Jenkins saw the user it
// acted as, or prints where the user must go to authorize the link.
//
// It reads the links and tokens of the applink command (config.json and
// tokens.json, --config or $APPLINK_CONFIG), so set a link up with it first:
//
//	applink testserver --shape jenkins --hmac-consumer jira=CI_SECRET --users alice &
//	applink link add ci --url http://127.0.0.1:PORT --type jenkins --consumer-key jira --secret-env CI_SECRET
//	applink authorize --link ci --user alice
//	go run ./examples/jenkins-whoami --link ci --user alice
//
// Exit status: 0 when Jenkins answered with the user, 3 when the user must
// authorize first, 1 on any other failure.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/go-applinks/applinks/applink/config"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/examples/internal/appcfg"
	"github.com/go-applinks/applinks/handler"
)

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdout)
	os.Exit(appcfg.ExitCode(os.Stderr, "jenkins-whoami", err))
}

// jenkinsUser is what GET /me/api/json answers:
// {"_class":"hudson.model.User", "id":"alice", "fullName":"Alice", ...}.
type jenkinsUser struct {
	Class    string `json:"_class"`
	ID       string `json:"id"`
	FullName string `json:"fullName"`
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("jenkins-whoami", flag.ContinueOnError)
	appcfg.Usage(fs, "[--config FILE] [--link NAME] --user USER", `Asks Jenkins, through an application link and acting as USER, who the
caller is (GET /me/api/json), and checks that Jenkins names USER. When USER
has not authorized the link yet it prints where to do so and exits 3.`)
	configFile := fs.String("config", "", appcfg.ConfigUsage)
	linkName := fs.String("link", "", "the Jenkins link's name or id (default the primary Jenkins link)")
	user := fs.String("user", "", "the user to act as (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *user == "" {
		fs.Usage()
		return errors.New("--user is required")
	}
	// The applink command's links and tokens: the link named, else the primary Jenkins one.
	svc, err := config.Open(ctx, *configFile, config.WithLink(*linkName), config.WithPrimary(applink.TypeJenkins))
	if err != nil {
		return err
	}
	defer svc.Close()
	f, err := svc.Links()[0].RequestFactory(*user)
	if err != nil {
		return err
	}
	// If the user has not authorized the link yet, say where to go.
	req, err := f.NewRequest(http.MethodGet, "/me/api/json")
	if err != nil {
		return appcfg.Explain(ctx, f, err)
	}
	me, err := applink.Execute(ctx, req, handler.JSON[jenkinsUser]())
	if err != nil {
		return appcfg.Explain(ctx, f, err)
	}
	if me.ID != *user {
		return fmt.Errorf("the request came from %q in Jenkins's view, not %q: the link does not act as the user", me.ID, *user)
	}
	fmt.Fprintf(stdout, "you are %s (%s) in Jenkins %s\n", me.ID, me.FullName, f.Link().Name)
	return nil
}
