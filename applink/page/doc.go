// Package page iterates over every item of a paged resource through a
// link, as the user: one loop instead of a paging loop per product.
//
//	jira, _ := svc.Link("jira")
//	alice, _ := jira.RequestFactory("alice")
//	type issue struct{ Key string }
//	for it, err := range page.Items[issue](ctx, alice, "/rest/api/2/search",
//		page.WithQuery("jql", "project = OPS AND resolution = Unresolved")) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(it.Key)
//	}
//
// Every page is fetched through the [applink.RequestFactory] (signed, the
// user's token renewed, retried and rate-limited as any request through
// it) and decoded by the [handler] package's JSON handler. Items are
// decoded into the caller's own type: this package has no data model of
// any product. Pages are fetched one at a time as the loop goes on, so
// memory holds one page whatever the number of pages; breaking out of the
// loop fetches nothing more.
//
// # Styles
//
// A [Style] says how a resource pages: [JiraDC] (startAt, maxResults,
// total), [JiraCloud] (nextPageToken, isLast), [Confluence] (start, limit,
// _links.next) and [Bitbucket] (start, limit, isLastPage, nextPageStart).
// [WithStyle] names it; without it, [Default] picks it from the link's
// type and the path (the table is in its documentation).
//
// Words: a page is one answer of the resource; its items are the elements
// of the array in it that holds them ("issues", "results", "values", or
// the field [WithItemsField] names); the cursor is where the next page
// starts (an offset, a token or a link), which the server's answer gives.
// The next page always starts after the items that came back, never after
// the number asked for: Jira caps maxResults (at 50 for search by default)
// whatever a client asks.
//
// # Jenkins
//
// Jenkins is not a style. Its tree parameter takes ranges
// (tree=jobs[name]{0,50}), but the range is inside an expression the
// caller writes, per nested collection, with no total, no page size the
// server reports and no next link: Jenkins builds the whole list on every
// request and cuts the range out of it, so paging costs the server the
// full list per page. Ask for the fields you need with tree=jobs[name,url]
// in one request instead.
//
// # Errors
//
// The first error ends the iteration; it is yielded with the zero item:
//
//	for it, err := range page.Items[issue](ctx, alice, path) {
//		var resp *handler.ResponseError
//		var cr *applink.CredentialsRequiredError
//		switch {
//		case errors.As(err, &cr):
//			// The user must authorize the link first (applink authorize).
//		case errors.As(err, &resp):
//			// A page's status was not 2xx: resp.StatusCode, resp.Body.
//		case err != nil:
//			// A network error, an answer that is not a page of the
//			// style (the message says what is missing), ctx.Err().
//		}
//	}
//
// # Concurrency
//
// The sequence returned by [Items] may be ranged over more than once, each
// time from the first page, and from several goroutines at once: each
// range has its own cursor. Pages of one range are fetched one after the
// other.
//
// # Security
//
// Paths in errors are redacted as applink redacts URLs. What a server
// sends in a paging field is quoted in an error only as far as 40 bytes.
//
// # Testing
//
// applinktest.PagedResource serves generated items in each style; register
// it with applinktest.WithResource.
package page
