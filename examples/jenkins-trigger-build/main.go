// Command jenkins-trigger-build triggers a Jenkins build as a user, through
// an application link: Jenkins records the user who asked, not a service
// account. With --param it calls /job/<name>/buildWithParameters, a POST
// Jenkins protects with a CSRF crumb: the link fetches the crumb as the
// same user and sends it (the Bitbucket Server Integration plugin exempts
// only /job/<name>/build from crumbs over OAuth).
//
// It opens the applink command's links and tokens with config.Open:
//
//	applink testserver --shape jenkins --hmac-consumer jira=CI_SECRET --users alice &
//	applink link add ci --url http://127.0.0.1:PORT --type jenkins --consumer-key jira --secret-env CI_SECRET
//	applink authorize --link ci --user alice
//	go run ./examples/jenkins-trigger-build --link ci --user alice --job deploy --param ENV=staging
//
// It prints the queue item Jenkins created. Exit status: 0 on success, 3
// when the user must authorize first, 1 on any other failure.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/go-applinks/applinks/applink/config"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/examples/internal/appcfg"
	"github.com/go-applinks/applinks/handler"
)

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdout)
	os.Exit(appcfg.ExitCode(os.Stderr, "jenkins-trigger-build", err))
}

// params is a repeatable --param k=v flag.
type params []string

func (p *params) String() string { return strings.Join(*p, ",") }

func (p *params) Set(v string) error {
	if k, _, ok := strings.Cut(v, "="); !ok || k == "" {
		return fmt.Errorf("%q is not NAME=VALUE", v)
	}
	*p = append(*p, v)
	return nil
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("jenkins-trigger-build", flag.ContinueOnError)
	appcfg.Usage(fs, "[--config FILE] [--link NAME] --user USER --job JOB [--param NAME=VALUE]...", `Triggers a build of JOB in Jenkins as USER through an application link
(POST /job/JOB/build, or buildWithParameters with a crumb fetched as USER).
When USER has not authorized the link yet it prints where to do so and
exits 3.`)
	configFile := fs.String("config", "", appcfg.ConfigUsage)
	linkName := fs.String("link", "", "the Jenkins link's name or id (default the primary Jenkins link)")
	user := fs.String("user", "", "the user to build as (required)")
	job := fs.String("job", "", "the job's name (required)")
	var ps params
	fs.Var(&ps, "param", "a build parameter NAME=VALUE (repeatable; uses buildWithParameters)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *user == "" || *job == "" {
		fs.Usage()
		return errors.New("--user and --job are required")
	}
	svc, err := config.Open(ctx, *configFile, config.WithLink(*linkName), config.WithPrimary(applink.TypeJenkins))
	if err != nil {
		return err
	}
	defer svc.Close()
	f, err := svc.Links()[0].RequestFactory(*user)
	if err != nil {
		return err
	}
	path := "/job/" + url.PathEscape(*job) + "/build"
	if len(ps) > 0 {
		path += "WithParameters"
	}
	req, err := f.NewRequest(http.MethodPost, path)
	if err != nil {
		return appcfg.Explain(ctx, f, err)
	}
	for _, p := range ps {
		k, v, _ := strings.Cut(p, "=")
		req.AddForm(k, v)
	}
	// Jenkins answers 201 Created with the queue item in Location; any
	// other status is a *handler.ResponseError.
	location, err := applink.Execute(ctx, req, handler.Func[string](func(resp *http.Response) (string, error) {
		return resp.Header.Get("Location"), nil
	}))
	if err != nil {
		return appcfg.Explain(ctx, f, err)
	}
	fmt.Fprintf(stdout, "%s queued a build of %s: %s\n", *user, *job, location)
	return nil
}
