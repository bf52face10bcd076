// Command webapp is a tiny web application that acts as its signed-in user
// in Jenkins through an application link. Its page says "you are X in
// Jenkins", or offers an "Authorize" button when the user has not yet
// authorized the link: the button posts the dance handler's start form
// (authorize.NewHandler), which sends the browser to Jenkins, takes the
// callback, stores the token and comes back to the page. Starting takes a
// POST from this application's own page: another site cannot start dances
// in the user's name.
//
// Sign-in here is a toy (a cookie holding the name typed in): replace
// currentUser with your application's own session. The dance is bound to
// that user, so a callback cannot be replayed for someone else.
//
// It opens the applink command's links and tokens with config.Open:
//
//	applink testserver --shape jenkins --hmac-consumer jira=CI_SECRET --users alice &
//	applink link add ci --url http://127.0.0.1:PORT --type jenkins --consumer-key jira --secret-env CI_SECRET
//	go run ./examples/webapp --link ci --addr 127.0.0.1:8080
//
// then open http://127.0.0.1:8080 and sign in as alice.
package main

import (
	"context"
	"errors"
	"flag"
	"html/template"
	"log"
	"net/http"
	"time"

	"github.com/go-applinks/applinks/applink/config"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/authorize"
	"github.com/go-applinks/applinks/examples/internal/appcfg"
	"github.com/go-applinks/applinks/handler"
)

func main() {
	flag.CommandLine.Init("webapp", flag.ExitOnError)
	appcfg.Usage(flag.CommandLine, "[--config FILE] [--link NAME] [--addr HOST:PORT]", `Serves a tiny web application that acts as its signed-in user in Jenkins
through an application link, with the 3-legged dance mounted at
/applinks/oauth/. Open the address in a browser and sign in.`)
	configFile := flag.String("config", "", appcfg.ConfigUsage)
	linkName := flag.String("link", "", "the Jenkins link's name or id (default the primary Jenkins link)")
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()

	svc, err := config.Open(context.Background(), *configFile, config.WithLink(*linkName), config.WithPrimary(applink.TypeJenkins))
	if err != nil {
		log.Fatal("webapp: ", err)
	}
	app, err := newApp(svc, svc.Links()[0])
	if err != nil {
		log.Fatal("webapp: ", err)
	}
	srv := &http.Server{Addr: *addr, Handler: app, ReadHeaderTimeout: 10 * time.Second}
	log.Printf("webapp: listening on http://%s", *addr)
	log.Fatal(srv.ListenAndServe())
}

// userCookie holds the toy session's user name.
const userCookie = "webapp_user"

// currentUser is the application's session: here a cookie set by /login.
func currentUser(r *http.Request) (string, error) {
	c, err := r.Cookie(userCookie)
	if err != nil || c.Value == "" {
		return "", errors.New("not signed in")
	}
	return c.Value, nil
}

// app serves the page, the toy sign-in and the dance.
type app struct {
	link *applink.Link
}

// newApp returns the application's handler for svc's Jenkins link.
func newApp(svc *applink.Service, link *applink.Link) (http.Handler, error) {
	dance, err := authorize.NewHandler(svc, currentUser)
	if err != nil {
		return nil, err
	}
	a := &app{link: link}
	mux := http.NewServeMux()
	mux.Handle(authorize.DefaultPrefix+"/", dance)
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("POST /login", a.login)
	return mux, nil
}

// jenkinsUser is what GET /me/api/json answers.
type jenkinsUser struct {
	ID       string `json:"id"`
	FullName string `json:"fullName"`
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<title>webapp</title>
{{if not .User}}
<form method="post" action="/login"><label>Sign in as <input name="user"></label> <button>Sign in</button></form>
{{else if .Jenkins}}
<p>Signed in as {{.User}}. You are <b>{{.Jenkins.ID}}</b> ({{.Jenkins.FullName}}) in Jenkins {{.Link}}.</p>
{{else if .StartURL}}
<p>Signed in as {{.User}}. This application may not act for you in Jenkins {{.Link}} yet.</p>
<form method="post" action="{{.StartURL}}"><button>Authorize it</button></form>
{{else}}
<p>Signed in as {{.User}}. Jenkins {{.Link}} could not be asked: {{.Error}}</p>
{{end}}
`))

type pageData struct {
	User, Link, StartURL, Error string
	Jenkins                     *jenkinsUser
}

// home asks Jenkins who the signed-in user is.
func (a *app) home(w http.ResponseWriter, r *http.Request) {
	d := pageData{Link: a.link.Name}
	if u, err := currentUser(r); err == nil {
		d.User = u
		me, err := a.whoami(r.Context(), u)
		var cre *applink.CredentialsRequiredError
		switch {
		case errors.As(err, &cre):
			// The start form's action: link and redirect ride in its
			// query, so the form needs no fields.
			d.StartURL = authorize.StartURL("", a.link.ID, "/")
		case err != nil:
			d.Error = err.Error()
		default:
			d.Jenkins = &me
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := page.Execute(w, d); err != nil {
		log.Printf("webapp: rendering the page: %v", err)
	}
}

func (a *app) whoami(ctx context.Context, user string) (jenkinsUser, error) {
	f, err := a.link.RequestFactory(user)
	if err != nil {
		return jenkinsUser{}, err
	}
	req, err := f.NewRequest(http.MethodGet, "/me/api/json")
	if err != nil {
		return jenkinsUser{}, err
	}
	return applink.Execute(ctx, req, handler.JSON[jenkinsUser]())
}

// login is the toy sign-in: it believes the name typed in.
func (a *app) login(w http.ResponseWriter, r *http.Request) {
	user := r.PostFormValue("user")
	if user == "" {
		http.Error(w, "type a user name", http.StatusBadRequest)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: userCookie, Value: user, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
