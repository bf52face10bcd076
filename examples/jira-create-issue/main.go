// Command jira-create-issue creates a Jira issue as a user, through an
// application link: Jira records the user as the reporter, not a service
// account. The link acts as the user by 3LO when they have authorized it,
// else by 2LO with impersonation when the link and Jira allow it.
//
// It opens the applink command's links and tokens with config.Open:
//
//	applink keygen
//	applink testserver --consumer automation=$HOME/.config/applink/applink.pub.pem --users alice --allow-impersonation &
//	applink link add jira --url http://127.0.0.1:PORT --type jira --consumer-key automation \
//	    --private-key ~/.config/applink/applink.pem --auth 3lo,2loi
//	go run ./examples/jira-create-issue --link jira --user alice --project DEMO --summary "Hello from Go"
//
// It prints the new issue's key. Exit status: 0 on success, 3 when the user
// must authorize first, 1 on any other failure.
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
	os.Exit(appcfg.ExitCode(os.Stderr, "jira-create-issue", err))
}

// newIssue is the body of POST /rest/api/2/issue.
type newIssue struct {
	Fields issueFields `json:"fields"`
}

type issueFields struct {
	Project     key    `json:"project"`
	Summary     string `json:"summary"`
	Description string `json:"description,omitempty"`
	IssueType   name   `json:"issuetype"`
}

type key struct {
	Key string `json:"key"`
}

type name struct {
	Name string `json:"name"`
}

// createdIssue is Jira's answer.
type createdIssue struct {
	ID   string `json:"id"`
	Key  string `json:"key"`
	Self string `json:"self"`
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("jira-create-issue", flag.ContinueOnError)
	appcfg.Usage(fs, "[--config FILE] [--link NAME] --user USER --project KEY --summary TEXT [--description TEXT] [--type TYPE]", `Creates a Jira issue through an application link, acting as USER (3LO, or
2LO with impersonation when the link allows it; never as the link's own
user), so USER is the reporter, and prints its key.`)
	configFile := fs.String("config", "", appcfg.ConfigUsage)
	linkName := fs.String("link", "", "the Jira link's name or id (default the primary Jira link)")
	user := fs.String("user", "", "the user to act as, the issue's reporter (required)")
	project := fs.String("project", "", "the project key (required)")
	summary := fs.String("summary", "", "the issue's summary (required)")
	description := fs.String("description", "", "the issue's description")
	issueType := fs.String("type", "Task", "the issue type")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *user == "" || *project == "" || *summary == "" {
		fs.Usage()
		return errors.New("--user, --project and --summary are required")
	}
	// The applink command's links and tokens: the link named, else the primary Jira one.
	svc, err := config.Open(ctx, *configFile, config.WithLink(*linkName), config.WithPrimary(applink.TypeJira))
	if err != nil {
		return err
	}
	defer svc.Close()
	// Impersonating only: never create the issue as the consumer itself.
	f, err := svc.Links()[0].RequestFactory(*user, applink.WithImpersonatingOnly())
	if err != nil {
		return err
	}
	req, err := f.NewRequest(http.MethodPost, "/rest/api/2/issue")
	if err != nil {
		return appcfg.Explain(ctx, f, err)
	}
	req.SetJSON(newIssue{Fields: issueFields{
		Project: key{*project}, Summary: *summary, Description: *description, IssueType: name{*issueType},
	}})
	issue, err := applink.Execute(ctx, req, handler.JSON[createdIssue]())
	if err != nil {
		return appcfg.Explain(ctx, f, err)
	}
	fmt.Fprintf(stdout, "%s created %s (%s, as %s)\n", *user, issue.Key, issue.Self, req.Auth())
	return nil
}
