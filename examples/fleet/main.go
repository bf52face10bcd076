// Command fleet runs one web application as two replicas behind a load
// balancer, in one process, sharing their users' tokens, renewals and
// dances in PostgreSQL (applink/pgstore): alice signs in, starts the
// 3-legged dance on replica A, and the load balancer sends the remote's
// callback to replica B, which completes it. No sticky sessions. Then both
// replicas act as alice in Jira with the one token.
//
// Jira is the in-process test provider (applinktest) on loopback; the
// database is yours:
//
//	APPLINK_POSTGRES_PASSWORD=... go run ./examples/fleet --db postgres://app@127.0.0.1:5432/app
//	.ci/postgres.sh go run ./examples/fleet   # a throwaway server ($APPLINK_TEST_POSTGRES_URL)
//
// The tables go to the schema --schema (created if missing). It prints each
// step and exits 0 only if every step did what it says.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
	"github.com/go-applinks/applinks/applink/authorize"
	"github.com/go-applinks/applinks/applink/pgstore"
	"github.com/go-applinks/applinks/examples/internal/appcfg"
	"github.com/go-applinks/applinks/handler"
)

func main() {
	flag.CommandLine.Init("fleet", flag.ExitOnError)
	appcfg.Usage(flag.CommandLine, "[--db URL] [--schema NAME]", `Runs a web application as two replicas behind a round-robin load balancer,
sharing tokens and dances in PostgreSQL: a dance started on one replica
completes on the other. Exit status 0 only if every step did what it says.`)
	db := flag.String("db", os.Getenv("APPLINK_TEST_POSTGRES_URL"), "PostgreSQL `URL` (default $APPLINK_TEST_POSTGRES_URL); the password from $APPLINK_POSTGRES_PASSWORD or $PGPASSWORD")
	schema := flag.String("schema", "applink_fleet", "the PostgreSQL schema of the example's tables")
	timeout := flag.Duration("timeout", time.Minute, "give up after this long")
	flag.Parse()
	if *db == "" {
		fmt.Fprintln(os.Stderr, "fleet: give a PostgreSQL URL with --db, or run it under .ci/postgres.sh")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if _, err := run(ctx, os.Stdout, *db, *schema); err != nil {
		fmt.Fprintln(os.Stderr, "fleet: FAILED:", err)
		os.Exit(1)
	}
}

// replicaHeader names, in each response, the replica that served it.
const replicaHeader = "X-Replica"

// outcome is what run saw, for the test.
type outcome struct {
	// StartedOn and CompletedOn are the replicas that served the dance's
	// start and its callback.
	StartedOn, CompletedOn string
	// Pages are the home pages the replicas served after the dance.
	Pages map[string]string
}

// run plays the story against the database at dbURL, printing each step
// to w.
func run(ctx context.Context, w io.Writer, dbURL, schema string) (*outcome, error) {
	step := stepper(w)
	out := &outcome{Pages: map[string]string{}}

	// 1. Jira, and our link to it (testlink makes the key and the consumer
	// that knows it).
	jira, err := applinktest.Start(applinktest.WithUsers("alice"))
	if err != nil {
		return nil, err
	}
	defer jira.Close()
	link, err := testlink.New(jira, "Jira", testlink.WithKeyBits(1024))
	if err != nil {
		return nil, err
	}
	step("started a Jira-shaped provider at %s", jira.URL)

	// 2. The load balancer's address comes first: the replicas build the
	// dance's callback URL from it (authorize.WithBaseURL), as replicas behind a
	// balancer must.
	lbListener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	lbURL := "http://" + lbListener.Addr().String()

	// 3. Two replicas: each its own service and its own connection pool on
	// the one database, as two processes would have.
	var backends []*url.URL
	for _, name := range []string{"A", "B"} {
		store, err := pgstore.Open(ctx, dbURL, pgstore.WithSchema(schema))
		if err != nil {
			return nil, err
		}
		defer store.Close()
		svc, err := applink.NewService([]applink.Link{link}, applink.WithHTTPClient(jira.Client()), applink.WithTokenStore(store))
		if err != nil {
			return nil, err
		}
		l, err := svc.Link(link.ID)
		if err != nil {
			return nil, err
		}
		// The replica's token store is also where its dance handler keeps
		// pending dances (pgstore is an token.DanceStore).
		h, err := newReplica(name, svc, l, authorize.WithBaseURL(lbURL))
		if err != nil {
			return nil, err
		}
		srv, u, err := serve(h)
		if err != nil {
			return nil, err
		}
		defer srv.Close()
		backends = append(backends, u)
	}
	// Alice's earlier runs may have left a token: forget it, so that the
	// story starts from the beginning.
	if err := forget(ctx, dbURL, schema, link.ID, "alice"); err != nil {
		return nil, err
	}
	step("started replicas A (%s) and B (%s) on PostgreSQL, schema %s", backends[0].Host, backends[1].Host, schema)

	// 4. The load balancer: round robin, no stickiness.
	lb := &http.Server{Handler: roundRobin(backends), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = lb.Serve(lbListener) }()
	defer lb.Close()
	step("load balancer at %s sends requests to A and B in turn", lbURL)

	// 5. alice, in her browser: she signs in and starts the dance; she
	// approves at Jira; Jira sends her back to the callback through the
	// load balancer.
	b, err := newBrowser(jira, "alice")
	if err != nil {
		return nil, err
	}
	if _, err := b.post(ctx, lbURL+"/login", url.Values{"user": {"alice"}}); err != nil {
		return nil, err
	}
	resp, err := b.post(ctx, lbURL+authorize.StartURL("", link.ID, "/"), nil)
	if err != nil {
		return nil, err
	}
	out.StartedOn, out.CompletedOn = b.startedOn, b.callbackOn
	if out.StartedOn == "" || out.CompletedOn == "" {
		return out, errors.New("the browser never reached the dance's start or callback")
	}
	step("alice started the dance on replica %s, approved at Jira, and the callback reached replica %s", out.StartedOn, out.CompletedOn)
	if out.StartedOn == out.CompletedOn {
		return out, fmt.Errorf("the callback reached the replica that started the dance (%s): the load balancer did not alternate", out.StartedOn)
	}
	if !strings.Contains(resp, "You are <b>alice</b>") {
		return out, fmt.Errorf("after the dance the page says:\n%s", resp)
	}

	// 6. Both replicas act as alice with the token the dance stored.
	for range 2 {
		page, err := b.get(ctx, lbURL+"/")
		if err != nil {
			return out, err
		}
		out.Pages[b.lastReplica] = page
		if !strings.Contains(page, "You are <b>alice</b> (Alice) in Jira") {
			return out, fmt.Errorf("replica %s's page says:\n%s", b.lastReplica, page)
		}
		step("replica %s: alice is alice in Jira", b.lastReplica)
	}
	return out, nil
}

// forget deletes user's token for the link from the example's tables.
func forget(ctx context.Context, dbURL, schema, linkID, user string) error {
	store, err := pgstore.Open(ctx, dbURL, pgstore.WithSchema(schema))
	if err != nil {
		return err
	}
	defer store.Close()
	return store.DeleteAccessToken(ctx, token.Key{LinkID: linkID, User: user})
}

// serve serves h on a loopback port.
func serve(h http.Handler) (*http.Server, *url.URL, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	return srv, &url.URL{Scheme: "http", Host: l.Addr().String()}, nil
}

// roundRobin is a load balancer: each request goes to the next backend.
// It keeps the Host the browser asked for.
func roundRobin(backends []*url.URL) http.Handler {
	var next atomic.Uint64
	return &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(backends[(next.Add(1)-1)%uint64(len(backends))])
		r.Out.Host = r.In.Host
	}}
}

// stepper returns a function that prints numbered steps.
func stepper(w io.Writer) func(format string, args ...any) {
	n := 0
	return func(format string, args ...any) {
		n++
		fmt.Fprintf(w, "%2d. %s\n", n, fmt.Sprintf(format, args...))
	}
}

// userCookie holds the toy session's user name.
const userCookie = "fleet_user"

// currentUser is the application's session: here a cookie set by /login.
// Every replica reads it, so it must not live in one replica's memory.
func currentUser(r *http.Request) (string, error) {
	c, err := r.Cookie(userCookie)
	if err != nil || c.Value == "" {
		return "", errors.New("not signed in")
	}
	return c.Value, nil
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<title>fleet: replica {{.Replica}}</title>
{{if not .User}}<form method="post" action="/login"><label>Sign in as <input name="user"></label> <button>Sign in</button></form>
{{else if .Me}}<p>Signed in as {{.User}}. You are <b>{{.Me.Name}}</b> ({{.Me.DisplayName}}) in Jira.</p>
{{else if .StartURL}}<p>Signed in as {{.User}}.</p><form method="post" action="{{.StartURL}}"><button>Authorize it</button></form>
{{else}}<p>Signed in as {{.User}}. Jira could not be asked: {{.Error}}</p>
{{end}}<p>(served by replica {{.Replica}})</p>
`))

type jiraUser struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
}

// newReplica returns one replica's handler: the page, the toy sign-in and
// the dance, every response naming the replica.
func newReplica(name string, svc *applink.Service, link *applink.Link, opts ...authorize.Option) (http.Handler, error) {
	dance, err := authorize.NewHandler(svc, currentUser, opts...)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(authorize.DefaultPrefix+"/", dance)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		d := struct {
			Replica, User, StartURL, Error string
			Me                             *jiraUser
		}{Replica: name}
		if u, err := currentUser(r); err == nil {
			d.User = u
			me, err := myself(r.Context(), link, u)
			var cre *applink.CredentialsRequiredError
			switch {
			case errors.As(err, &cre):
				d.StartURL = authorize.StartURL("", link.ID, "/")
			case err != nil:
				d.Error = err.Error()
			default:
				d.Me = &me
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := page.Execute(w, d); err != nil {
			log.Printf("fleet: replica %s: rendering the page: %v", name, err)
		}
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		user := r.PostFormValue("user")
		if user == "" {
			http.Error(w, "type a user name", http.StatusBadRequest)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: userCookie, Value: user, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(replicaHeader, name)
		mux.ServeHTTP(w, r)
	}), nil
}

func myself(ctx context.Context, link *applink.Link, user string) (jiraUser, error) {
	f, err := link.RequestFactory(user)
	if err != nil {
		return jiraUser{}, err
	}
	req, err := f.NewRequest(http.MethodGet, "/rest/api/2/myself")
	if err != nil {
		return jiraUser{}, err
	}
	return applink.Execute(ctx, req, handler.JSON[jiraUser]())
}

// browser is alice's browser: cookies, redirects followed, "Allow" clicked
// at Jira's authorization page, and which replica served what.
type browser struct {
	client *http.Client
	// startedOn, callbackOn and lastReplica are the replicas that served
	// the dance's start, its callback and the last response.
	startedOn, callbackOn, lastReplica string
}

func newBrowser(jira *applinktest.Server, user string) (*browser, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	b := &browser{}
	b.client = &http.Client{Jar: jar,
		Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := jira.Client().Transport.RoundTrip(r)
			if err == nil && resp.Header.Get(replicaHeader) != "" {
				b.lastReplica = resp.Header.Get(replicaHeader)
				switch {
				case strings.HasPrefix(r.URL.Path, authorize.DefaultPrefix+"/start"):
					b.startedOn = b.lastReplica
				case strings.HasPrefix(r.URL.Path, authorize.DefaultPrefix+"/callback"):
					b.callbackOn = b.lastReplica
				}
			}
			return resp, err
		}),
		CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			if strings.HasPrefix(req.URL.String(), jira.AuthorizationURL("")) {
				req.URL.RawQuery += "&user=" + url.QueryEscape(user) + "&approve=1" // alice clicks Allow
			}
			return nil
		}}
	return b, nil
}

// roundTripFunc is an http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func (b *browser) get(ctx context.Context, u string) (string, error) {
	return b.do(ctx, http.MethodGet, u, nil)
}

func (b *browser) post(ctx context.Context, u string, form url.Values) (string, error) {
	return b.do(ctx, http.MethodPost, u, form)
}

func (b *browser) do(ctx context.Context, method, u string, form url.Values) (string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method == http.MethodPost {
		// What a browser sends with a form posted from the app's page.
		pu, _ := url.Parse(u)
		req.Header.Set("Origin", pu.Scheme+"://"+pu.Host)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s %s: %s: %s", method, resp.Request.URL.Redacted(), resp.Status, strings.TrimSpace(string(data)))
	}
	return string(data), nil
}
