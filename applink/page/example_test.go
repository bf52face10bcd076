package page_test

import (
	"context"
	"fmt"
	"log"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/applinktest/testlink"
	"github.com/go-applinks/applinks/applink/page"
)

// Every issue of a Jira Data Center search, in pages the server caps at
// 50 whatever is asked: the loop sees items, not pages.
func ExampleItems() {
	ctx := context.Background()
	srv, err := applinktest.Start(applinktest.WithUsers("alice"))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	link, err := testlink.New(srv, "Jira", testlink.WithKeyBits(1024), testlink.WithAuth(applink.Auth2LOi))
	if err != nil {
		log.Fatal(err)
	}
	svc, err := applink.NewService([]applink.Link{link}, applink.WithHTTPClient(srv.Client()))
	if err != nil {
		log.Fatal(err)
	}
	jira, _ := svc.Link(link.ID)
	alice, _ := jira.RequestFactory("alice")

	type issue struct {
		Key    string `json:"key"`
		Fields struct {
			Summary string `json:"summary"`
		} `json:"fields"`
	}
	n := 0
	for it, err := range page.Items[issue](ctx, alice, "/rest/api/2/search",
		page.WithQuery("jql", "assignee = currentUser()"), page.WithPageSize(100)) {
		if err != nil {
			log.Fatal(err)
		}
		if n++; n <= 2 || n == applinktest.SearchTotal {
			fmt.Println(it.Key, it.Fields.Summary)
		}
	}
	pages := 0
	for _, r := range srv.Requests() {
		if r.Path == "/rest/api/2/search" {
			pages++
		}
	}
	fmt.Println(n, "issues in", pages, "pages")
	// Output:
	// TEST-1 Generated issue 1
	// TEST-2 Generated issue 2
	// TEST-60 Generated issue 60
	// 60 issues in 2 pages
}

// A Confluence space's pages, with the style named (the link's type would
// pick it too) and only the fields the program needs decoded.
func ExampleWithStyle() {
	ctx := context.Background()
	srv, err := applinktest.Start(applinktest.WithUsers("alice"),
		applinktest.WithResource("GET /rest/api/content",
			applinktest.PagedResource{Style: applinktest.PagesConfluence, Total: 7, MaxPageSize: 3}))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	link, err := testlink.New(srv, "Wiki", testlink.WithKeyBits(1024), testlink.WithAuth(applink.Auth2LOi),
		testlink.WithType(applink.TypeGeneric))
	if err != nil {
		log.Fatal(err)
	}
	svc, err := applink.NewService([]applink.Link{link}, applink.WithHTTPClient(srv.Client()))
	if err != nil {
		log.Fatal(err)
	}
	wiki, _ := svc.Link(link.ID)
	alice, _ := wiki.RequestFactory("alice")
	for it, err := range page.Items[struct{ Name string }](ctx, alice, "/rest/api/content?spaceKey=OPS",
		page.WithStyle(page.Confluence)) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Print(it.Name, "; ")
	}
	fmt.Println()
	// Output:
	// Item 1; Item 2; Item 3; Item 4; Item 5; Item 6; Item 7;
}
