package testlink_test

import (
	"context"
	"fmt"
	"log"
	"net/http"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
	"github.com/go-applinks/applinks/applink/authorize"
	"github.com/go-applinks/applinks/handler"
)

// A link to a test server and the 3-legged dance, each in one call. In a
// test, applinktest.NewServer and testlink.Bound fail the test instead of
// returning errors.
func Example() {
	ctx := context.Background()
	srv, err := applinktest.Start(applinktest.WithUsers("alice"))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	link, err := testlink.New(srv, "Jira", testlink.WithKeyBits(1024))
	if err != nil {
		log.Fatal(err)
	}
	svc, err := applink.NewService([]applink.Link{link})
	if err != nil {
		log.Fatal(err)
	}
	jira, err := svc.Link(link.ID)
	if err != nil {
		log.Fatal(err)
	}
	alice, err := jira.RequestFactory("alice")
	if err != nil {
		log.Fatal(err)
	}
	if err := authorize.OutOfBand(ctx, alice, srv.Approver("alice")); err != nil {
		log.Fatal(err)
	}

	req, err := alice.NewRequest(http.MethodGet, "/rest/api/2/myself")
	if err != nil {
		log.Fatal(err)
	}
	me, err := applink.Execute(ctx, req, handler.JSON[struct{ Name string }]())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Jira says:", me.Name)
	for _, r := range srv.Requests() {
		fmt.Println(r.Flow, r.Consumer, r.User, r.Status)
	}
	// Output:
	// Jira says: alice
	// request-token jira  200
	// access-token jira alice 200
	// 3lo jira alice 200
}
