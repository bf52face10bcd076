package page

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/internal/redact"
)

// Option tunes [Items].
type Option func(*options)

type options struct {
	style    Style
	field    string
	size     int
	query    [][2]string
	header   [][2]string
	handler  []handler.Option
	progress func(Progress)
	timeout  time.Duration
}

// WithStyle names the paging style; without it, [Default] picks it from
// the link's type and the path, and [Items] fails when it cannot.
func WithStyle(s Style) Option { return func(o *options) { o.style = s } }

// WithItemsField names the field of each answer that holds the items (such
// as "worklogs" or "comments"). Without it, the style's usual field is
// used when the answer has it ("issues" then "values" for Jira, "results"
// for Confluence, "values" for Bitbucket), else the answer's only array.
func WithItemsField(name string) Option { return func(o *options) { o.field = name } }

// WithPageSize asks for pages of n items (maxResults, limit). The server
// may give fewer: the next page starts after what came back. 0 (the
// default) asks for nothing and gets the server's default.
func WithPageSize(n int) Option { return func(o *options) { o.size = max(n, 0) } }

// WithQuery adds a query parameter to every page's request, encoded once
// as [applink.Request.AddQuery] does (such as WithQuery("jql", "project =
// OPS")). A Confluence next link already carries the parameters of the
// first request, so they are not added to it again. The style's own paging
// parameters (startAt, maxResults, start, limit, nextPageToken) given here
// are taken as the path's are (see [Items]).
func WithQuery(key, value string) Option {
	return func(o *options) { o.query = append(o.query, [2]string{key, value}) }
}

// WithHeader adds a header to every page's request.
func WithHeader(key, value string) Option {
	return func(o *options) { o.header = append(o.header, [2]string{key, value}) }
}

// WithHandlerOptions passes options to the JSON handler that decodes each
// page ([handler.MaxBytes] for pages larger than its default cap, say).
func WithHandlerOptions(opts ...handler.Option) Option {
	return func(o *options) { o.handler = append(o.handler, opts...) }
}

// WithPageTimeout bounds each page's request, from sending it to the end
// of reading its answer (a context deadline per page); 0 (the default)
// means none beyond the context.
func WithPageTimeout(d time.Duration) Option { return func(o *options) { o.timeout = max(d, 0) } }

// WithProgress calls fn after each page is fetched, before its items are
// yielded, from the goroutine ranging over [Items].
func WithProgress(fn func(Progress)) Option { return func(o *options) { o.progress = fn } }

// Progress is how far an iteration has come: pages fetched, items in them,
// and the total the server announced (-1 when it announces none).
type Progress struct {
	Pages, Items, Total int
}

// Items returns the items of the paged resource at path (relative to the
// link's RPC URL, as [applink.RequestFactory.NewRequest] takes it), each
// decoded into a T with encoding/json, in the order the server gives them.
// Pages are fetched one at a time, when the previous page's items have
// been yielded, each through f with GET: signed, its token renewed and its
// request retried as every request through f is, and decoded by the
// [handler] package's JSON handler (a status other than 2xx is a
// *handler.ResponseError, an HTML page a *handler.DecodeError, and so on).
//
// Breaking out of the loop stops fetching. When ctx is done the iteration
// ends with ctx.Err(). The first error ends the iteration: it is yielded
// once, with the zero T. Only one page is held in memory at a time.
//
// The paging parameters of the style (startAt and maxResults for Jira
// Data Center, say) are set by Items: when path has them in its query,
// they are taken out, and their values used as the first page's start and
// as the page size unless [WithPageSize] gives one.
func Items[T any](ctx context.Context, f *applink.RequestFactory, path string, opts ...Option) iter.Seq2[T, error] {
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	opts0 := o
	return func(yield func(T, error) bool) {
		var zero T
		fail := func(err error) { yield(zero, err) }
		if ctx == nil {
			fail(errors.New("page: nil context"))
			return
		}
		if f == nil {
			fail(errors.New("page: nil RequestFactory: get one with Link.RequestFactory"))
			return
		}
		style := o.style
		if style == "" {
			var ok bool
			if style, ok = Default(f.Link().Type, path); !ok {
				fail(fmt.Errorf("page: link %q of type %s has no default paging style: name one with WithStyle (%s)", f.Link().Name, f.Link().Type, styleList()))
				return
			}
		} else if _, err := ParseStyle(string(style)); err != nil {
			fail(err)
			return
		}
		path, at, size, err := pagingFromPath(style, path)
		if err != nil {
			fail(err)
			return
		}
		// The paging parameters given with WithQuery count as if in the
		// path: sent again as given, they would ask for the first page
		// every time.
		o := o
		o.query = nil
		for _, q := range opts0.query {
			var qat cursor
			var qsize int
			if _, qat, qsize, err = pagingFromPath(style, "?"+url.QueryEscape(q[0])+"="+url.QueryEscape(q[1])); err != nil {
				fail(err)
				return
			}
			switch start, sz := style.params(); q[0] {
			case start:
				at = qat
			case sz:
				size = qsize
			default:
				o.query = append(o.query, q)
			}
		}
		if o.size > 0 {
			size = o.size
		}
		h := handler.JSON[map[string]json.RawMessage](o.handler...)
		var prog Progress
		for {
			if err := ctx.Err(); err != nil {
				fail(err)
				return
			}
			req, err := pageRequest(f, style, path, at, size, &o)
			if err != nil {
				fail(err)
				return
			}
			body, err := execute(ctx, req, h, o.timeout)
			if err != nil {
				if ctx.Err() != nil {
					fail(ctx.Err())
					return
				}
				if errors.Is(err, errPageTimeout) {
					err = fmt.Errorf("no complete answer within %v (WithPageTimeout): %w", o.timeout, context.DeadlineExceeded)
				}
				fail(fmt.Errorf("page: page %d of %s: %w", prog.Pages+1, redact.URLString(path), err))
				return
			}
			p, err := parsePage(style, o.field, body, at)
			body = nil
			if err != nil {
				fail(fmt.Errorf("page: page %d of %s (%s paging): %w", prog.Pages+1, redact.URLString(path), style, err))
				return
			}
			prog.Pages++
			prog.Items += len(p.items)
			prog.Total = p.total
			if o.progress != nil {
				o.progress(prog)
			}
			for i, raw := range p.items {
				var v T
				if err := json.Unmarshal(raw, &v); err != nil {
					fail(fmt.Errorf("page: page %d of %s: item %d: %w", prog.Pages, redact.URLString(path), i+1, err))
					return
				}
				p.items[i] = nil
				if !yield(v, nil) {
					return
				}
			}
			if p.last {
				return
			}
			at = p.next
		}
	}
}

// errPageTimeout is the cause of a page's context when its timeout
// (WithPageTimeout) ends it.
var errPageTimeout = errors.New("page: page timeout")

// execute sends a page's request, within timeout when it is not 0.
func execute[T any](ctx context.Context, req *applink.Request, h handler.Handler[T], timeout time.Duration) (T, error) {
	if timeout <= 0 {
		return applink.Execute(ctx, req, h)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, errPageTimeout)
	defer cancel()
	v, err := applink.Execute(ctx, req, h)
	if err != nil && context.Cause(ctx) == errPageTimeout {
		err = errPageTimeout
	}
	return v, err
}

// pageRequest builds the request for the page at cursor at.
func pageRequest(f *applink.RequestFactory, s Style, path string, at cursor, size int, o *options) (*applink.Request, error) {
	startName, sizeName := s.params()
	var req *applink.Request
	var err error
	if at.link != "" {
		req, err = f.NewRequest(http.MethodGet, confluenceNext(f, at.link, at.base))
		if err != nil {
			return nil, fmt.Errorf("page: following _links.next: %w", err)
		}
	} else {
		if req, err = f.NewRequest(http.MethodGet, path); err != nil {
			return nil, err
		}
		for _, q := range o.query {
			req.AddQuery(q[0], q[1])
		}
		switch {
		case s == JiraCloud && at.token != "":
			req.AddQuery(startName, at.token)
		case s != JiraCloud && at.offset > 0:
			req.AddQuery(startName, strconv.Itoa(at.offset))
		}
		if size > 0 {
			req.AddQuery(sizeName, strconv.Itoa(size))
		}
	}
	req.SetHeader("Accept", "application/json")
	for _, h := range o.header {
		req.AddHeader(h[0], h[1])
	}
	return req, nil
}

// confluenceNext turns a _links.next into a path relative to the link's
// RPC URL. It is relative to _links.base, the site with its context path,
// which the link's RPC URL is too (perhaps under another host name, behind
// a proxy); Confluence Cloud's REST v2 gives it with the context path
// ("/wiki/api/v2/...") instead, which is then taken off. An absolute URL
// under _links.base is made relative the same way; any other is left as
// it is (NewRequest keeps it on the link).
//
// An xoauth_requestor_id the server echoed into the link is taken out: the
// factory says who the request acts as, and with what method.
func confluenceNext(f *applink.RequestFactory, next, base string) string {
	if p, q, ok := strings.Cut(next, "?"); ok {
		var kept []string
		for seg := range strings.SplitSeq(q, "&") {
			if k, _, _ := strings.Cut(seg, "="); k != "xoauth_requestor_id" {
				kept = append(kept, seg)
			}
		}
		next = p
		if len(kept) > 0 {
			next += "?" + strings.Join(kept, "&")
		}
	}
	base = strings.TrimSuffix(base, "/")
	if strings.Contains(next, "://") {
		if base != "" && strings.HasPrefix(next, base+"/") {
			return strings.TrimPrefix(next, base)
		}
		return next
	}
	ctx := ""
	if b, err := url.Parse(base); err == nil && b.Host != "" {
		ctx = strings.TrimSuffix(b.Path, "/")
	} else if rpc, err := url.Parse(f.Link().RPCURL); err == nil {
		ctx = strings.TrimSuffix(rpc.Path, "/")
	}
	if ctx != "" && strings.HasPrefix(next, ctx+"/") {
		return strings.TrimPrefix(next, ctx)
	}
	return next
}

// pagingFromPath takes the style's paging parameters out of path's query
// and returns the path without them, the cursor of the first page and the
// page size they give (0 if none).
func pagingFromPath(s Style, path string) (string, cursor, int, error) {
	var at cursor
	p, raw, ok := strings.Cut(path, "?")
	if !ok {
		return path, at, 0, nil
	}
	startName, sizeName := s.params()
	size := 0
	var kept []string
	for seg := range strings.SplitSeq(raw, "&") {
		k, v, _ := strings.Cut(seg, "=")
		name, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil || (name != startName && name != sizeName) {
			kept = append(kept, seg)
			continue
		}
		if name == startName && s == JiraCloud {
			at.token = val
			continue
		}
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 {
			return "", at, 0, fmt.Errorf("page: %s=%q in the path is not a number, 0 or more", name, val)
		}
		if name == startName {
			at.offset = n
		} else {
			size = n
		}
	}
	if len(kept) > 0 {
		p += "?" + strings.Join(kept, "&")
	}
	return p, at, size, nil
}

func styleList() string {
	s := make([]string, len(Styles))
	for i, v := range Styles {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
