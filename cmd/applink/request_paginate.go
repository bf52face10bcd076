package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/page"
)

// paginateFlags are the request command's flags for paged resources.
type paginateFlags struct {
	on       *bool
	maxItems *int
	style    *string
	items    *string
}

// addPaginateFlags registers --paginate, --max-items, --page-style and
// --items on fs.
func addPaginateFlags(fs *flag.FlagSet) *paginateFlags {
	return &paginateFlags{
		on:       fs.Bool("paginate", false, "GET every page of a paged resource and print each item as one line of JSON (NDJSON)"),
		maxItems: fs.Int("max-items", 0, "with --paginate, stop after `N` items (0: all)"),
		style:    fs.String("page-style", "", "with --paginate, the paging `STYLE`: jira, jira-cloud, confluence or bitbucket (default: the link type's)"),
		items:    fs.String("items", "", "with --paginate, the `FIELD` of each page holding the items (default: the style's, or the only array)"),
	}
}

// paginateRequest is what the request command parsed, for --paginate.
type paginateRequest struct {
	method, path string
	query        [][2]string
	headers      [][2]string
	hasBody      bool
	include      bool
	quiet        bool
	timeout      time.Duration
	link, user   string
}

// paginate prints every item of every page of r's resource through f as
// NDJSON, one JSON value per line, flushed page by page, so that `| jq`
// works. Progress (pages, items) goes to standard error when it is a
// terminal, unless quiet. --timeout bounds each page.
func (c *cli) paginate(ctx context.Context, fs *flag.FlagSet, pf *paginateFlags, f *applink.RequestFactory, r paginateRequest) error {
	if r.method != http.MethodGet {
		return usagef(fs, "--paginate GETs every page: the method is %s", r.method)
	}
	if r.hasBody {
		return usagef(fs, "--paginate GETs every page: drop -d and --form (or use -G to put them in the query)")
	}
	if r.include {
		return usagef(fs, "-i prints one response's headers; --paginate prints items: drop -i")
	}
	if *pf.maxItems < 0 {
		return usagef(fs, "--max-items %d: give a number of items, 1 or more (0 for all)", *pf.maxItems)
	}
	opts := []page.Option{page.WithPageTimeout(r.timeout)}
	if *pf.style != "" {
		s, err := page.ParseStyle(*pf.style)
		if err != nil {
			return usagef(fs, "--page-style: %s", message(err))
		}
		opts = append(opts, page.WithStyle(s))
	} else if _, ok := page.Default(f.Link().Type, r.path); !ok {
		return usagef(fs, "link %q is of type %s, which has no default paging style: give --page-style jira, jira-cloud, confluence or bitbucket", r.link, f.Link().Type)
	}
	if *pf.items != "" {
		opts = append(opts, page.WithItemsField(*pf.items))
	}
	for _, q := range r.query {
		opts = append(opts, page.WithQuery(q[0], q[1]))
	}
	for _, h := range r.headers {
		opts = append(opts, page.WithHeader(h[0], h[1]))
	}
	out := bufio.NewWriter(c.stdout)
	progress := !r.quiet && isTerminal(c.stderr)
	var last page.Progress
	opts = append(opts, page.WithProgress(func(p page.Progress) {
		_ = out.Flush() // the previous page's items, before fetching went on
		last = p
		if progress {
			fmt.Fprint(c.stderr, progressLine(p))
		}
	}))
	defer func() {
		if progress && last.Pages > 0 {
			fmt.Fprintln(c.stderr)
		}
	}()
	n := 0
	var line bytes.Buffer
	for item, err := range page.Items[json.RawMessage](ctx, f, r.path, opts...) {
		if err != nil {
			_ = out.Flush()
			var rle *applink.RateLimitError
			if errors.As(err, &rle) {
				return err
			}
			return c.requestErr(err, f, r.link, r.user)
		}
		line.Reset()
		if err := json.Compact(&line, item); err != nil {
			return fmt.Errorf("item %d is not JSON: %w", n+1, err)
		}
		line.WriteByte('\n')
		if _, err := out.Write(line.Bytes()); err != nil {
			return fmt.Errorf("writing item %d: %w", n+1, err)
		}
		if n++; *pf.maxItems > 0 && n >= *pf.maxItems {
			break
		}
	}
	return out.Flush()
}

// progressLine is the progress --paginate shows on a terminal, over the
// previous one.
func progressLine(p page.Progress) string {
	total := ""
	if p.Total >= 0 {
		total = fmt.Sprintf(" of %d", p.Total)
	}
	return fmt.Sprintf("\rapplink: %s, %s%s", plural(p.Pages, "page"), plural(p.Items, "item"), total)
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool { return useColor(w, nil) }
