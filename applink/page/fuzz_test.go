package page

import (
	"encoding/json"
	"testing"
)

// FuzzParsePage checks that no answer makes parsePage panic, and that
// every page it does not call the last moves the cursor forward, so that
// no server, however wrong, makes Items loop on one page.
func FuzzParsePage(f *testing.F) {
	seeds := []string{
		`{"startAt":0,"maxResults":50,"total":120,"issues":[{"id":1}]}`,
		`{"issues":[{"id":1}],"nextPageToken":"abc","isLast":false}`,
		`{"results":[{"id":1}],"start":0,"limit":25,"size":1,"_links":{"base":"http://x/wiki","next":"/rest/api/content?start=1"}}`,
		`{"values":[1,2],"start":0,"limit":2,"size":2,"isLastPage":false,"nextPageStart":2}`,
		`{"values":[],"isLastPage":true}`,
		`{"a":[1],"b":[2]}`,
		`{"issues":null,"total":"x"}`,
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint8(i), 0, "")
	}
	f.Fuzz(func(t *testing.T, data []byte, styleIdx uint8, offset int, token string) {
		var body map[string]json.RawMessage
		if json.Unmarshal(data, &body) != nil {
			return
		}
		s := Styles[int(styleIdx)%len(Styles)]
		at := cursor{offset: max(offset, 0), token: token, link: token}
		p, err := parsePage(s, "", body, at)
		if err != nil || p.last {
			return
		}
		switch s {
		case JiraDC, Bitbucket:
			if p.next.offset <= at.offset {
				t.Fatalf("%s: next offset %d not after %d for %s", s, p.next.offset, at.offset, data)
			}
		case JiraCloud:
			if p.next.token == "" || p.next.token == at.token {
				t.Fatalf("%s: next token %q after %q for %s", s, p.next.token, at.token, data)
			}
		case Confluence:
			if p.next.link == at.link && p.next.offset <= at.offset {
				t.Fatalf("%s: not moving forward from %+v to %+v for %s", s, at, p.next, data)
			}
		}
	})
}

// FuzzPagingFromPath checks that any path is split without panicking and
// that the path returned never holds the style's paging parameters.
func FuzzPagingFromPath(f *testing.F) {
	f.Add("/rest/api/2/search?jql=a&startAt=5&maxResults=10", uint8(0))
	f.Add("/x?start=%zz&limit=-1", uint8(2))
	f.Add("/x?nextPageToken=abc", uint8(1))
	f.Fuzz(func(t *testing.T, path string, styleIdx uint8) {
		s := Styles[int(styleIdx)%len(Styles)]
		p, at, size, err := pagingFromPath(s, path)
		if err != nil {
			return
		}
		if at.offset < 0 || size < 0 {
			t.Fatalf("negative start %d or size %d from %q", at.offset, size, path)
		}
		if _, _, size2, err := pagingFromPath(s, p); err != nil || size2 != 0 {
			t.Fatalf("%q kept paging parameters: %q (size %d, %v)", path, p, size2, err)
		}
	})
}
