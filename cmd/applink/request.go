package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/go-applinks/applinks/applink"
)

const requestSynopsis = `--link NAME [--as USER] [--auth auto|3lo|2loi|2lo|anonymous] METHOD PATH
       [--query k=v]... [-G] [-H 'K: V']... [-d DATA | -d @FILE] [--form k=v]... [--json-body] [--output json]
       [--json] [-i] [-v] [-q] [--timeout D] [--paginate [--max-items N] [--page-style S] [--items FIELD]]

Sends a request through a link, acting as the user, like curl. PATH is
relative to the link's RPC URL (or an absolute URL under it); what cannot be
sent as is in it (spaces, non-ASCII) is percent-encoded, and --query adds
query parameters encoded once (like curl's -G --data-urlencode). -G puts -d
DATA and the --form pairs in the query instead of the body. The body goes to
standard output; -i puts the response headers before it; -v prints the
request and response headers to standard error (the Authorization header's
oauth_* parameters shown, secrets redacted) and each retry. When the user
has no 3LO token and the link falls back to 2LOi, 2LO or anonymous, one line
on standard error says so (-q silences it); --auth 3lo forbids the fallback
(exit 3 instead), and -v names the method each request was sent with.
For Jenkins links, POSTs that need a CSRF crumb get one automatically.
The whole exchange (retries, token renewal and reading the body included)
must end within --timeout (60s), else it is abandoned with an error.
Requests as one user through one link wait for the remote's rate limit
(X-RateLimit-* headers, a 429's Retry-After); -v shows the remaining budget
and each wait.

--paginate GETs every page of a paged resource and prints every item as one
line of JSON (NDJSON, for | jq), after gh api --paginate; --max-items N stops
after N items. The paging style is the link type's (jira: startAt and
maxResults, or nextPageToken for /rest/api/3/search/jql; confluence: start,
limit and _links.next; bitbucket: start, limit and nextPageStart), or
--page-style; the items are the style's usual array, the only array of the
page, or --items FIELD. The next page starts after what the server
returned, whatever page size it allows. On a terminal, standard error shows
the pages and items so far (-q silences it); --timeout bounds each page.

Two flags, one job each:
--json-body sends and accepts JSON: Accept: application/json, and with -d
Content-Type: application/json (as curl's --json).
--output json is for scripts: standard output carries JSON or nothing. A
JSON response body goes to standard output, on success and on failure (as
gh api does); any other body never does: on success that is an error, and
on failure only the JSON error says what happened. A failure is one JSON
object on standard error (exitCode, kind: credentials_required,
oauth_problem, insufficient_scope, http_status, usage, network or other;
message, and where they apply problem (the oauth_problem or OAuth 2.0 error
code), status, scope, advice, attempts, and for credentials required
authorizationUrl, requestToken, authorizeCommand). It excludes -i.
--json is both, as other commands' --json is their machine-readable output.

Exit status: 0 on 2xx; 1 on an HTTP or OAuth error (problem and advice on
standard error); 2 on usage errors; 3 when the user must authorize the link
first (the authorization URL on standard error).`

const requestExamples = `  applink request --link jira --as alice GET /rest/api/2/myself
  applink request --link jira --as bob --auth 2loi GET '/rest/api/2/search?jql=assignee=currentUser()'
  applink request --link jira --as alice GET /rest/api/2/search --query 'jql=project = X' --query maxResults=5
  applink request --link jira --as alice POST /rest/api/2/issue --json-body -d @issue.json
  applink request --link jira --as alice GET /rest/api/2/search --query 'jql=project = X' --paginate | jq -r .key
  applink request --link jira --as alice --output json GET /rest/api/2/myself | jq -r .displayName
  applink request --link ci --as alice POST /job/deploy/buildWithParameters --form ENV=staging -v
  applink request --link jira GET /rest/applinks/1.0/manifest -i
`

// requestMethods are the methods applink.RequestFactory.NewRequest takes.
const requestMethods = "GET, POST, PUT, DELETE, HEAD, OPTIONS, TRACE, PATCH"

// request sends one request through a link and prints the response.
func (c *cli) request(ctx context.Context, args []string) error {
	fs := newFlagSet("request", requestSynopsis, requestExamples, c.stderr)
	config := configFlag(fs)
	linkName := fs.String("link", "", "the link's `NAME` or id (required)")
	user := fs.String("as", "", "act as `USER` (default: nobody, an anonymous request unless --auth 2lo)")
	authName := fs.String("auth", "auto", "authentication: `auto` (the user's own token first, then 2loi, 2lo), 3lo, 2loi, 2lo, oauth2, client-credentials, pat or anonymous")
	var headers, forms, queries listFlag
	fs.Var(&headers, "H", "header `'K: V'` (repeatable)")
	data := fs.String("d", "", "request body `DATA`, or @FILE (@- for standard input; a file, pipe or FIFO, at most 64 MiB)")
	fs.Var(&forms, "form", "form parameter `k=v` (repeatable; signed)")
	fs.Var(&queries, "query", "query parameter `k=v`, percent-encoded once (repeatable; signed)")
	toQuery := fs.Bool("G", false, "put -d DATA and the --form pairs in the URL query instead of the body")
	both := c.jsonFlag(fs, "both --json-body and --output json")
	jsonBody := fs.Bool("json-body", false, "send and accept JSON: Accept and, with -d, Content-Type application/json")
	output := fs.String("output", "", "`json`: standard output carries a JSON body or nothing; a failure is one JSON object on standard error")
	include := fs.Bool("i", false, "print the response status line and headers before the body")
	verbose := fs.Bool("v", false, "print the request and response headers (secrets redacted) and retries to standard error")
	quiet := fs.Bool("q", false, "do not say on standard error when the link falls back from 3LO")
	timeout := fs.Duration("timeout", defaultRequestTimeout, "abandon the request if it has not completed, body read, within `DURATION`")
	pages := addPaginateFlags(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *timeout <= 0 {
		return usagef(fs, "--timeout %s: give a positive duration, e.g. 2m", *timeout)
	}
	switch *output {
	case "", "json":
	default:
		return usagef(fs, "--output %q: the only output format is json", *output)
	}
	// --json-body is about what is sent, --output json about what is
	// printed; --json is both.
	bodyJSON := *both || *jsonBody
	machine := *both || *output == "json"
	*both = machine // failures as JSON too: runCLI reads it
	if machine && *include {
		return usagef(fs, "-i prints headers, which are not JSON: drop -i or --output json")
	}
	if len(pos) != 2 {
		return usagef(fs, "want METHOD PATH, got %s", plural(len(pos), "argument"))
	}
	if *linkName == "" {
		return usagef(fs, "--link is required")
	}
	if *data != "" && len(forms) > 0 {
		return usagef(fs, "give -d or --form, not both")
	}
	method := strings.ToUpper(pos[0])
	if !slices.Contains(strings.Split(requestMethods, ", "), method) {
		return usagef(fs, "METHOD %q is not one of %s", pos[0], requestMethods)
	}
	var opts []applink.Option
	if *authName != "auto" {
		a, err := applink.ParseAuth(*authName)
		if err != nil {
			return usagef(fs, "--auth: %s", message(err))
		}
		if a.Impersonating() && *user == "" {
			return usagef(fs, "--auth %s acts as a user: give --as USER", a)
		}
		opts = append(opts, applink.WithAuth(a))
	}
	var body []byte
	if *data != "" {
		if body, err = c.readData(*data); err != nil {
			return err
		}
	}
	var query [][2]string
	for _, q := range queries {
		k, v, ok := splitPair(q)
		if !ok {
			return usagef(fs, "--query %q is not k=v", q)
		}
		query = append(query, [2]string{k, v})
	}
	rawQuery := ""
	if *toQuery {
		for _, p := range forms {
			k, v, ok := splitPair(p)
			if !ok {
				return usagef(fs, "--form %q is not k=v", p)
			}
			query = append(query, [2]string{k, v})
		}
		forms = nil
		rawQuery, body = string(body), nil
		*data = ""
	}
	type header struct{ k, v string }
	var hs []header
	contentType := ""
	for _, h := range headers {
		k, v, ok := splitHeader(h)
		if !ok {
			return usagef(fs, "-H %q is not 'Key: Value'", h)
		}
		if http.CanonicalHeaderKey(k) == "Content-Type" {
			contentType = v
			continue
		}
		hs = append(hs, header{k, v})
	}

	path, err := configPath(*config, c.getenv)
	if err != nil {
		return err
	}
	sopts := c.serviceOptions()
	if *verbose {
		sopts = append(sopts,
			applink.WithHTTPClient(&http.Client{Transport: &verboseTransport{base: http.DefaultTransport, w: c.stderr}}),
			applink.WithLogger(slog.New(newVerboseLog(c.stderr))))
	}
	l, err := c.lookup(ctx, path, *linkName, sopts...)
	if err != nil {
		return err
	}
	f, err := l.RequestFactory(*user, opts...)
	if err != nil {
		return err
	}
	if *pages.on {
		pr := paginateRequest{method: method, path: withRawQuery(pos[1], rawQuery), query: query, hasBody: *data != "" || len(forms) > 0,
			include: *include, quiet: *quiet, timeout: *timeout, link: *linkName, user: *user}
		for _, h := range hs {
			pr.headers = append(pr.headers, [2]string{h.k, h.v})
		}
		return c.paginate(ctx, fs, pages, f, pr)
	}
	req, err := f.NewRequest(method, withRawQuery(pos[1], rawQuery))
	if err != nil {
		return c.requestErr(err, f, *linkName, *user)
	}
	for _, q := range query {
		req.AddQuery(q[0], q[1])
	}
	for _, h := range hs {
		req.AddHeader(h.k, h.v)
	}
	if bodyJSON || machine {
		req.SetHeader("Accept", "application/json")
	}
	switch {
	case len(forms) > 0:
		for _, p := range forms {
			k, v, ok := splitPair(p)
			if !ok {
				return usagef(fs, "--form %q is not k=v", p)
			}
			req.AddForm(k, v)
		}
	case *data != "":
		if contentType == "" {
			contentType = "application/x-www-form-urlencoded"
			if bodyJSON {
				contentType = "application/json"
			}
		}
		req.SetBody(contentType, bytes.NewReader(body))
	case contentType != "":
		req.SetHeader("Content-Type", contentType)
	}
	// The method is chosen when the request is sent; a missing token is
	// reported by Do.
	if auth, err := f.Auth(ctx); err == nil {
		if *verbose {
			fmt.Fprintf(c.stderr, "* link %q, %s as %q\n", l.Name, auth, *user)
		}
		if note := fallbackNote(l, *user, *authName, auth); note != "" && !*quiet && !machine {
			fmt.Fprintln(c.stderr, "applink: "+note)
		}
	}

	ctx, cancel := context.WithTimeoutCause(ctx, *timeout, errRequestTimeout)
	defer cancel()
	timedOut := func(err error) error {
		if context.Cause(ctx) == errRequestTimeout {
			return fmt.Errorf("%s %s: no complete answer within %s (--timeout): the remote accepted the request but did not finish answering; try again later, or give a longer --timeout", method, redactedURL(req.URL()), *timeout)
		}
		return err
	}
	resp, err := req.Do(ctx)
	if *verbose && req.Auth() != "" {
		fmt.Fprintf(c.stderr, "* sent with %s as %q\n", req.Auth(), *user)
	}
	if err != nil {
		return timedOut(c.requestErr(err, f, *linkName, *user))
	}
	defer resp.Body.Close()
	if rl, ok := applink.RateLimitOf(resp); ok && *verbose {
		fmt.Fprintf(c.stderr, "* rate limit: %s\n", rl)
	}
	if *include {
		fmt.Fprintf(c.stdout, "%s %s\r\n", resp.Proto, resp.Status)
		if err := resp.Header.Write(c.stdout); err != nil {
			return err
		}
		fmt.Fprint(c.stdout, "\r\n")
	}
	failed := resp.StatusCode < 200 || resp.StatusCode > 299
	if machine {
		if err := c.copyJSONBody(resp, failed); err != nil {
			return timedOut(fmt.Errorf("%s %s: %w", method, redactedURL(req.URL()), err))
		}
	} else if _, err := io.Copy(c.stdout, resp.Body); err != nil {
		return timedOut(fmt.Errorf("reading the response of %s %s: %w", method, redactedURL(req.URL()), err))
	}
	if failed {
		problem, scope := challengeProblem(resp.Header)
		return &statusError{method: method, url: redactedURL(req.URL()), status: resp.Status, code: resp.StatusCode,
			problem: problem, scope: scope, advice: statusAdvice(l, *user, resp)}
	}
	return nil
}

// copyJSONBody is the body's output with --output json: a JSON body goes
// to standard output whole; any other body never does, and on success
// (when the caller expects a result) is an error. An empty body prints
// nothing.
func (c *cli) copyJSONBody(resp *http.Response, failed bool) error {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyData+1))
	if err != nil {
		return fmt.Errorf("reading the response: %w", err)
	}
	if len(body) > maxBodyData {
		return fmt.Errorf("the response is larger than %d MiB: use the command without --output json and redirect it to a file", maxBodyData>>20)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if json.Valid(body) {
		_, err := c.stdout.Write(body)
		if err == nil && body[len(body)-1] != '\n' {
			_, err = io.WriteString(c.stdout, "\n")
		}
		return err
	}
	if failed {
		return nil // the JSON error tells
	}
	ct := resp.Header.Get("Content-Type")
	if ct == "" {
		ct = "none"
	}
	return fmt.Errorf("the response (%s, Content-Type %s) is not JSON, so --output json printed nothing: ask for JSON with --json-body, or drop --output json to get the body as is", resp.Status, ct)
}

// defaultRequestTimeout bounds a request when --timeout is not given.
const defaultRequestTimeout = 60 * time.Second

// errRequestTimeout is the cause of the context that --timeout ends.
var errRequestTimeout = errors.New("applink: --timeout reached")

// requestErr turns credentials required into the error that prints the
// authorization URL.
func (c *cli) requestErr(err error, f *applink.RequestFactory, link, user string) error {
	var cr *applink.CredentialsRequiredError
	if errors.As(err, &cr) {
		return &credentialsError{err: cr, factory: f, link: link, user: user}
	}
	return err
}

// maxBodyData caps the body -d @FILE and -d @- read (64 MiB): a file,
// standard input or a named pipe (process substitution such as
// -d @<(jq ...)) streams in, and /dev/zero or a runaway pipe stops at the
// cap with a clear error instead of exhausting memory.
const maxBodyData = 64 << 20

// readData returns -d's body: the text itself, or a file's content with
// @FILE (@- for stdin), at most maxBodyData bytes.
func (c *cli) readData(d string) ([]byte, error) {
	name, ok := strings.CutPrefix(d, "@")
	if !ok {
		return []byte(d), nil
	}
	if name == "-" {
		return readBody(c.stdin, "standard input")
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("reading the body: %v: check the -d @FILE path", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("reading the body: %s is a directory: give -d @FILE a file", name)
	}
	return readBody(f, name)
}

// readBody reads r up to maxBodyData bytes, refusing more.
func readBody(r io.Reader, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxBodyData+1))
	if err != nil {
		return nil, fmt.Errorf("reading the body from %s: %w", what, err)
	}
	if len(b) > maxBodyData {
		return nil, fmt.Errorf("the body from %s is larger than %d MiB: send a smaller body", what, maxBodyData>>20)
	}
	return b, nil
}

// statusAdvice says what to do about a response that is not a success to
// a request made as user ("" for anonymous).
func statusAdvice(l *applink.Link, user string, resp *http.Response) string {
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		if user == "" {
			return "the request was anonymous (no --as): the remote wants a user: give --as USER to act as one"
		}
		return "the remote did not accept the credentials: check the link's auth methods and that the remote has an incoming link for its consumer key (applink link show " + shellQuote(l.Name) + ")"
	case http.StatusForbidden:
		if l.Type == applink.TypeJenkins {
			return "the user lacks the permission in Jenkins (or Jenkins refused a CSRF crumb): check the user's Jenkins permissions"
		}
		return "the user lacks the permission for this at the remote"
	case http.StatusNotFound:
		return "check the path: it is relative to the link's RPC URL (applink link show " + shellQuote(l.Name) + ")"
	}
	if resp.StatusCode >= 500 {
		return "the remote failed: try again later, or look at its logs"
	}
	return ""
}

// serviceOptions are the service options every subcommand uses.
func (c *cli) serviceOptions() []applink.Option {
	return []applink.Option{applink.WithUserAgent("applink-cli")}
}
