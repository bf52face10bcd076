package pgstore_test

import (
	"context"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/authorize"
	"github.com/go-applinks/applinks/applink/config"
	"github.com/go-applinks/applinks/applink/pgstore"
	"github.com/jackc/pgx/v5/pgxpool"
)

// A service whose replicas share tokens, renewals and web dances through
// PostgreSQL: every replica runs the same code on the same database. (Not
// run: it needs a database.)
func ExampleNew() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	store, err := pgstore.New(ctx, pool, pgstore.WithSchema("applink"), pgstore.WithPruneInterval(time.Hour))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	cfg, err := config.Load("links.json")
	if err != nil {
		log.Fatal(err)
	}
	svc, err := applink.NewService(cfg.Links, applink.WithTokenStore(store))
	if err != nil {
		log.Fatal(err)
	}
	// The dance handler keeps its pending dances in the store too: the
	// callback may reach any replica.
	dance, err := authorize.NewHandler(svc, sessionUser)
	if err != nil {
		log.Fatal(err)
	}
	_ = dance
}

// The applink command's config names the store ("tokenStore":
// "postgres://applink@db.internal/applink", the password in
// APPLINK_POSTGRES_PASSWORD); a program opens all of it in one call. (Not
// run: it needs a database.)
func ExampleOpen() {
	ctx := context.Background()
	svc, err := config.Open(ctx, "", config.WithTokenStoreOpener("postgres", pgstore.Open))
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close() // closes the store and its pool
	_ = svc
}

// sessionUser is the application's own session: who is signed in.
func sessionUser(r *http.Request) (string, error) {
	c, err := r.Cookie("session")
	if err != nil {
		return "", err
	}
	return c.Value, nil
}
