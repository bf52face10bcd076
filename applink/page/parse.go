package page

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// cursor is where a page starts: an offset (Jira Data Center, Bitbucket,
// Confluence without links), a token (Jira Cloud) or a link (Confluence).
type cursor struct {
	offset int
	token  string
	link   string
	base   string // Confluence's _links.base, which link is relative to
}

// parsed is what a page says: its items, and where the next one starts
// unless it is the last.
type parsed struct {
	items []json.RawMessage
	next  cursor
	last  bool
	total int // -1 when the answer has none
}

// parsePage reads one page of style s, fetched at cursor at, whose items
// are in field (or, when field is "", the style's usual field or else the
// answer's only array). It checks that the answer moves forward, so that a
// server that repeats itself ends the iteration with an error instead of a
// loop.
func parsePage(s Style, field string, body map[string]json.RawMessage, at cursor) (parsed, error) {
	p := parsed{total: -1}
	name, err := findItems(s, field, body)
	if err != nil {
		return p, err
	}
	if raw := body[name]; !isNull(raw) {
		if err := json.Unmarshal(raw, &p.items); err != nil {
			return p, fmt.Errorf("the field %q holding the items is not a JSON array: %v", name, err)
		}
	}
	n := len(p.items)
	switch s {
	case JiraDC:
		var total, maxResults *int
		var isLast *bool
		if err := fields(body, map[string]any{"total": &total, "maxResults": &maxResults, "isLast": &isLast}); err != nil {
			return p, err
		}
		p.next.offset = at.offset + n
		switch {
		case n == 0:
			p.last = true
		case isLast != nil:
			p.last = *isLast
		case total != nil:
			p.last = p.next.offset >= *total
		case maxResults != nil && *maxResults > 0:
			p.last = n < *maxResults
		}
		if total != nil {
			p.total = *total
		}
	case JiraCloud:
		var token *string
		var isLast *bool
		if err := fields(body, map[string]any{"nextPageToken": &token, "isLast": &isLast}); err != nil {
			return p, err
		}
		switch {
		case isLast != nil && *isLast, token == nil || *token == "":
			p.last = true
		case *token == at.token:
			return p, fmt.Errorf("the answer gives the same nextPageToken as the page it answers: the server is not moving forward")
		default:
			p.next.token = *token
		}
	case Confluence:
		var links *struct {
			Next *string `json:"next"`
			Base string  `json:"base"`
		}
		var size, limit *int
		if err := fields(body, map[string]any{"_links": &links, "size": &size, "limit": &limit}); err != nil {
			return p, err
		}
		switch {
		case links != nil && links.Next != nil && *links.Next != "":
			if *links.Next == at.link {
				return p, fmt.Errorf("the answer's _links.next is the page it answers: the server is not moving forward")
			}
			p.next.link, p.next.base = *links.Next, links.Base
		case links != nil || n == 0:
			p.last = true // no next link: the last page
		default:
			// An answer without _links: by the offset, until a short page.
			p.next.offset = at.offset + n
			p.last = limit != nil && *limit > 0 && n < *limit
		}
	case Bitbucket:
		var isLast *bool
		var nextStart *int
		if err := fields(body, map[string]any{"isLastPage": &isLast, "nextPageStart": &nextStart}); err != nil {
			return p, err
		}
		switch {
		case isLast != nil && *isLast:
			p.last = true
		case nextStart != nil:
			if *nextStart <= at.offset {
				return p, fmt.Errorf("the answer's nextPageStart %d is not after the page's start %d: the server is not moving forward", *nextStart, at.offset)
			}
			p.next.offset = *nextStart
		case isLast != nil:
			return p, fmt.Errorf("the answer says isLastPage false but gives no nextPageStart")
		case n == 0:
			p.last = true
		default:
			p.next.offset = at.offset + n
		}
	default:
		return p, fmt.Errorf("unknown paging style %q", s)
	}
	return p, nil
}

// findItems returns the name of the field holding the items.
func findItems(s Style, field string, body map[string]json.RawMessage) (string, error) {
	if field != "" {
		if _, ok := body[field]; !ok {
			return "", fmt.Errorf("the answer has no field %q holding the items (its fields: %s): check the path, or name the field with WithItemsField", field, names(body))
		}
		return field, nil
	}
	for _, f := range s.itemsField() {
		if _, ok := body[f]; ok {
			return f, nil
		}
	}
	var arrays []string
	for k, v := range body {
		if bytes.HasPrefix(bytes.TrimLeft(v, " \t\r\n"), []byte("[")) {
			arrays = append(arrays, k)
		}
	}
	switch len(arrays) {
	case 1:
		return arrays[0], nil
	case 0:
		return "", fmt.Errorf("the answer has no array of items (its fields: %s): is the resource paged? name the field with WithItemsField", names(body))
	}
	slices.Sort(arrays)
	return "", fmt.Errorf("the answer has several arrays (%s): name the one holding the items with WithItemsField", strings.Join(quoteAll(arrays), ", "))
}

// fields decodes the named fields of body into the pointers given (a field
// absent or null leaves its pointer nil).
func fields(body map[string]json.RawMessage, into map[string]any) error {
	for name, ptr := range into {
		raw, ok := body[name]
		if !ok || isNull(raw) {
			continue
		}
		if err := json.Unmarshal(raw, ptr); err != nil {
			return fmt.Errorf("the paging field %q is not what the style expects (%s): %v", name, excerpt(raw), err)
		}
	}
	return nil
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

// names lists the fields of an answer, sorted, at most 10.
func names(body map[string]json.RawMessage) string {
	if len(body) == 0 {
		return "none"
	}
	ks := make([]string, 0, len(body))
	for k := range body {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	if len(ks) > 10 {
		ks = append(ks[:10], "...")
	}
	return strings.Join(quoteAll(ks), ", ")
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
		if v == "..." {
			out[i] = v
		}
	}
	return out
}

// excerpt is how a JSON value starts, for an error.
func excerpt(raw json.RawMessage) string {
	const n = 40
	if len(raw) > n {
		return string(raw[:n]) + "..."
	}
	return string(raw)
}
