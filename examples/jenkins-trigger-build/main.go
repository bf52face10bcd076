// Command jenkins-trigger-build triggers a Jenkins build as a user, through
// an application link: Jenkins records the user who asked, not a service
// account. With --param it calls /job/<name>/buildWithParameters, a POST
// Jenkins protects with a CSRF crumb: the link fetches the crumb as the
// same user and sends it (the Bitbucket Server Integration plugin exempts
// only /job/<name>/build from crumbs over OAuth).
//
// It reads the links and tokens of the applink command (--config or
// $APPLINK_CONFIG):
//
//	applink testserver --shape jenkins --hmac-consumer jira=CI_SECRET --users alice &
//	applink link add ci --url http://127.0.0.1:PORT --type jenkins --consumer-key jira --secret-env CI_SECRET
//	applink authorize --link ci --user alice
//	go run ./examples/jenkins-trigger-build --link ci --user alice --job deploy --param ENV=staging
//
// It prints the queue item Jenkins created. Exit status: 0 on success, 3
// when the user must authorise first, 1 on any other failure.
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
	"path/filepath"
	"strings"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/handler"
)

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdout, os.Getenv)
	var cre *applink.CredentialsRequiredError
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.As(err, &cre):
		fmt.Fprintln(os.Stderr, "jenkins-trigger-build:", err)
		os.Exit(3)
	default:
		fmt.Fprintln(os.Stderr, "jenkins-trigger-build:", err)
		os.Exit(1)
	}
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

func run(ctx context.Context, args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("jenkins-trigger-build", flag.ContinueOnError)
	config := fs.String("config", "", "applink config file (default $APPLINK_CONFIG, else the user config dir's applink/config.json)")
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
	svc, err := openService(*config, getenv)
	if err != nil {
		return err
	}
	var link *applink.Link
	if *linkName == "" {
		link, err = svc.Primary(applink.TypeJenkins)
	} else {
		link, err = svc.Lookup(*linkName)
	}
	if err != nil {
		return err
	}
	f, err := link.RequestFactory(*user)
	if err != nil {
		return err
	}
	path := "/job/" + url.PathEscape(*job) + "/build"
	if len(ps) > 0 {
		path += "WithParameters"
	}
	req, err := f.NewRequest(ctx, http.MethodPost, path)
	if err != nil {
		return explain(ctx, err, link, *user)
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
		return explain(ctx, err, link, *user)
	}
	fmt.Fprintf(stdout, "%s queued a build of %s: %s\n", *user, *job, location)
	return nil
}

// explain adds the authorisation URL to a credentials-required error.
func explain(ctx context.Context, err error, link *applink.Link, user string) error {
	var cre *applink.CredentialsRequiredError
	if !errors.As(err, &cre) {
		return err
	}
	u, uerr := cre.AuthorisationURI(ctx, "")
	if uerr != nil {
		return fmt.Errorf("%w; run: applink authorize --link %q --user %q", err, link.Name, user)
	}
	return fmt.Errorf("%w; visit %s as user %q to authorise (or run: applink authorize --link %q --user %q)", err, u, user, link.Name, user)
}

// openService loads the applink command's links and tokens.
func openService(config string, getenv func(string) string) (*applink.Service, error) {
	if config == "" {
		config = getenv("APPLINK_CONFIG")
	}
	if config == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return nil, fmt.Errorf("no config file: pass --config or set APPLINK_CONFIG (%v)", err)
		}
		config = filepath.Join(dir, "applink", "config.json")
	}
	cfg, err := applink.LoadConfig(config)
	if err != nil {
		return nil, err
	}
	store, err := applink.OpenFileTokenStore(filepath.Join(filepath.Dir(config), "tokens.json"))
	if err != nil {
		return nil, err
	}
	return applink.NewService(cfg.Links, applink.WithTokenStore(store))
}
