package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/authorize"
)

const authorizeSynopsis = `--link NAME --user U [--oob [--request-token T]] [--no-browser] [--timeout D] [--json]

Plays the 3-legged dance so that requests through the link can act as the
user. By default it listens on a free port of 127.0.0.1, prints the
authorization URL on a line of its own to standard error, opens a browser
(unless --no-browser), waits for the remote to redirect back, stores the
token beside the config file and says who is now authorized.

With --oob the remote shows a verification code instead of redirecting:
paste it on standard input (Jenkins shows none: paste the whole address the
browser lands on, which ends in oauth_verifier=CODE). With --request-token T it finishes a dance
started earlier (the URL 'applink request' printed when credentials were
required) instead of starting a new one.

For an OAuth 2.0 link (auth oauth2) the URL is the remote's consent page; the
browser flow listens on the link's registered redirect URL (such as
http://127.0.0.1:8765/callback), and with --oob paste the code or the whole
address the browser lands on (the page need not load); --request-token takes
the state the URL carries.

With --json the result is a JSON object on standard output (link, linkId,
user, auth) and a failure one JSON object on standard error, after the
prompts (--oob --request-token prints none).`

const authorizeExamples = `  applink authorize --link jira --user alice
  applink authorize --link ci --user alice --no-browser --timeout 2m
  applink authorize --link jira --user alice --oob
  echo CODE | applink authorize --link jira --user alice --oob --request-token 7d8f3e4a
`

// authorize plays the 3-legged dance for a user.
func (c *cli) authorize(ctx context.Context, args []string) error {
	fs := newFlagSet("authorize", authorizeSynopsis, authorizeExamples, c.stderr)
	config := configFlag(fs)
	linkName := fs.String("link", "", "the link's `NAME` or id (required)")
	user := fs.String("user", "", "the `USER` to authorize, as the remote knows them (required)")
	oob := fs.Bool("oob", false, "out of band: read the verification code the remote shows from standard input")
	requestToken := fs.String("request-token", "", "with --oob: finish the dance of this pending request `TOKEN`")
	noBrowser := fs.Bool("no-browser", false, "do not try to open a browser; just print the URL")
	timeout := fs.Duration("timeout", 5*time.Minute, "how long to wait for the approval")
	asJSON := c.jsonFlag(fs, "print the result as JSON; a failure is one JSON object on standard error")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	switch {
	case *linkName == "":
		return usagef(fs, "--link is required")
	case *user == "":
		return usagef(fs, "--user is required")
	case *requestToken != "" && !*oob:
		return usagef(fs, "--request-token needs --oob")
	case *timeout <= 0:
		return usagef(fs, "--timeout must be positive")
	}
	path, err := configPath(*config, c.getenv)
	if err != nil {
		return err
	}
	l, err := c.lookup(ctx, path, *linkName, c.serviceOptions()...)
	if err != nil {
		return err
	}
	method := applink.Auth3LO
	if slices.Contains(l.Auth, applink.AuthOAuth2) {
		// An OAuth 2.0 link: the consent page, and the loopback flow
		// listens on the link's registered redirect URL.
		method = applink.AuthOAuth2
	}
	f, err := l.RequestFactory(*user, applink.WithAuth(method))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	switch {
	case *requestToken != "":
		code, err := c.readVerifier(ctx)
		if err == nil {
			err = f.CompleteAuthorization(ctx, *requestToken, code)
		}
		if err != nil {
			return authorizeErr(err, *timeout)
		}
	case *oob:
		err = authorize.OutOfBand(ctx, f, func(ctx context.Context, authURL string) (string, error) {
			// Out of band means the browser is elsewhere: never open one here.
			c.showURL(ctx, authURL, *user, false)
			fmt.Fprintln(c.stderr, "then paste the verification code the remote shows (or the whole address your browser lands on) and press Enter:")
			return c.readVerifier(ctx)
		})
		if err != nil {
			return authorizeErr(err, *timeout)
		}
	default:
		err = authorize.Loopback(ctx, f, func(ctx context.Context, authURL string) error {
			c.showURL(ctx, authURL, *user, !*noBrowser)
			fmt.Fprintf(c.stderr, "waiting up to %s for the approval...\n", *timeout)
			return nil
		}, authorize.WithLoopbackTimeout(*timeout))
		if err != nil {
			return authorizeErr(err, *timeout)
		}
	}
	if *asJSON {
		return writeJSON(c.stdout, authorized{Link: l.Name, LinkID: l.ID, User: *user, Auth: method})
	}
	fmt.Fprintf(c.stdout, "%s is now authorized: link %q can act as them (%s)\n", *user, l.Name, methodLabel(method))
	return nil
}

// methodLabel names an impersonating method for people.
func methodLabel(a applink.Auth) string {
	if a == applink.AuthOAuth2 {
		return "OAuth 2.0"
	}
	return "3LO"
}

// authorized is the output of "authorize --json".
type authorized struct {
	Link   string       `json:"link"`
	LinkID string       `json:"linkId"`
	User   string       `json:"user"`
	Auth   applink.Auth `json:"auth"`
}

// showURL prints the authorization URL on a line of its own to stderr and
// tries to open a browser (never fatal).
func (c *cli) showURL(ctx context.Context, authURL, user string, browse bool) {
	fmt.Fprintf(c.stderr, "open this URL in a browser, logged in to the remote as %s, and allow access:\n", user)
	fmt.Fprintln(c.stderr, authURL)
	if !browse {
		return
	}
	open := c.openBrowser
	if open == nil {
		open = openBrowser
	}
	if err := open(ctx, authURL); err != nil {
		fmt.Fprintf(c.stderr, "(could not open a browser: %v; open the URL yourself)\n", err)
	}
}

// readVerifier reads one line from stdin, giving up when ctx ends.
func (c *cli) readVerifier(ctx context.Context) (string, error) {
	type result struct {
		line string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		line, err := bufio.NewReader(c.stdin).ReadString('\n')
		ch <- result{line, err}
	}()
	select {
	case r := <-ch:
		code := strings.TrimSpace(r.line)
		if code == "" {
			if r.err != nil && !errors.Is(r.err, io.EOF) {
				return "", fmt.Errorf("reading the verification code: %w", r.err)
			}
			return "", errors.New("no verification code on standard input: paste the code the remote showed after you allowed access")
		}
		return code, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// authorizeErr adds what to do to the dance's errors that need it.
func authorizeErr(err error, timeout time.Duration) error {
	switch {
	case errors.Is(err, applink.ErrDanceDenied):
		return err
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("nobody approved within %s: run applink authorize again (or pass a longer --timeout)", timeout)
	}
	return err
}

// openBrowser opens url with the platform's opener. It does not wait for
// the browser, and the opener outlives ctx.
func openBrowser(_ context.Context, url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
