package requri

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEscapeQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"plain", "a=1&b=2", "a=1&b=2"},
		{"empty", "", ""},
		{"JQL as typed", `jql=project = "OPS X" AND text ~ {a|b}`, `jql=project%20=%20%22OPS%20X%22%20AND%20text%20~%20%7Ba%7Cb%7D`},
		{"valid escapes kept, any case", "q=50%25&r=%2b%2B", "q=50%25&r=%2b%2B"},
		{"plus kept", "q=a+b", "q=a+b"},
		{"non-ASCII", "q=ü", "q=%C3%BC"},
		{"brackets, caret, backslash, backtick", "q=[1]^\\`", "q=%5B1%5D%5E%5C%60"},
		{"angle brackets and quote", `q=<"x">`, "q=%3C%22x%22%3E"},
		{"sub-delims, colon, at, slash, question mark", "q=!$'()*,;:@/?", "q=!$'()*,;:@/?"},
		{"control and hash", "q=a\tb#c", "q=a%09b%23c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := EscapeQuery(tt.in)
			if err != nil {
				t.Fatalf("EscapeQuery(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("EscapeQuery(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// allowed's table holds exactly the bytes RFC 3986 §3.3 and §3.4 let
// stand raw in a path and a query, written out here for each of the 256.
func TestAllowedTable(t *testing.T) {
	t.Parallel()
	const unreserved = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + "-._~"
	const pchar = unreserved + "!$&'()*+,;=" + ":@"
	for c := range 256 {
		b := byte(c)
		inPath := strings.IndexByte(pchar+"/", b) >= 0
		inQuery := strings.IndexByte(pchar+"/?", b) >= 0
		if allowed(b, false) != inPath || allowed(b, true) != inQuery {
			t.Errorf("allowed(%q) = %v in a path, %v in a query; want %v, %v",
				b, allowed(b, false), allowed(b, true), inPath, inQuery)
		}
		if want := strings.IndexByte(unreserved, b) >= 0; Unreserved(b) != want {
			t.Errorf("Unreserved(%q) = %v, want %v", b, Unreserved(b), want)
		}
	}
}

func TestEscapePath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/rest/api/2/issue/OPS-1": "/rest/api/2/issue/OPS-1",
		"/a b/ü":                  "/a%20b/%C3%BC",
		"/a?b":                    "/a%3Fb",
		"/a[1]":                   "/a%5B1%5D",
		"/a%2Fb":                  "/a%2Fb",
	} {
		if got, err := EscapePath(in); err != nil || got != want {
			t.Errorf("EscapePath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestEscapeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want EscapeError
	}{
		{"q=50%", EscapeError{Part: "query", Offset: 4, Text: "%"}},
		{"q=50%2", EscapeError{Part: "query", Offset: 4, Text: "%2"}},
		{"q=%zz&r=1", EscapeError{Part: "query", Offset: 2, Text: "%zz"}},
		{"a=%41&q=%g1", EscapeError{Part: "query", Offset: 8, Text: "%g1"}},
	}
	for _, tt := range tests {
		_, err := EscapeQuery(tt.in)
		var ee *EscapeError
		if !errors.As(err, &ee) {
			t.Errorf("EscapeQuery(%q): got %v, want an *EscapeError", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, *ee); diff != "" {
			t.Errorf("EscapeQuery(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
	if _, err := EscapePath("/a%"); err == nil {
		t.Error(`EscapePath("/a%") accepted a broken escape`)
	}
}

func TestURL(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(`https://jira.example.com/rest/a b?jql=x = "y"`)
	if err != nil {
		t.Fatal(err)
	}
	before := *u
	got, err := URL(u)
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://jira.example.com/rest/a%20b?jql=x%20=%20%22y%22"; got.String() != want || got.RequestURI() != "/rest/a%20b?jql=x%20=%20%22y%22" {
		t.Errorf("URL = %s (request URI %s), want %s", got, got.RequestURI(), want)
	}
	if *u != before {
		t.Error("URL changed its argument")
	}
	clean, _ := url.Parse("https://jira.example.com/rest/x?a=1")
	if same, err := URL(clean); err != nil || same != clean {
		t.Errorf("URL of a clean URL = %v, %v; want it unchanged", same, err)
	}
	broken := &url.URL{Scheme: "https", Host: "h", Path: "/", RawQuery: "q=%"}
	if _, err := URL(broken); err == nil {
		t.Error("URL accepted a broken escape in the query")
	}
}

// FuzzEscape: the escaped form holds only bytes a request line may carry,
// decodes to the same bytes as the input, and escaping it again changes
// nothing; only a "%" without two hex digits after it is refused.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "a=1", `jql=project = "X"`, "q=50%", "q=%zz", "q=%41ü", "/a b/[x]", "a+b=c%2B", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, part := range []struct {
			name   string
			escape func(string) (string, error)
			query  bool
		}{{"query", EscapeQuery, true}, {"path", EscapePath, false}} {
			out, err := part.escape(in)
			if err != nil {
				var ee *EscapeError
				if !errors.As(err, &ee) || ee.Part != part.name || in[ee.Offset] != '%' {
					t.Fatalf("%s: Escape(%q): unexpected error %v", part.name, in, err)
				}
				if _, uerr := url.PathUnescape(in); uerr == nil {
					t.Fatalf("%s: Escape(%q) refused what url.PathUnescape accepts", part.name, in)
				}
				continue
			}
			for i := 0; i < len(out); i++ {
				if out[i] != '%' && !allowed(out[i], part.query) {
					t.Fatalf("%s: Escape(%q) = %q keeps %q raw", part.name, in, out, out[i])
				}
			}
			din, err1 := url.PathUnescape(in)
			dout, err2 := url.PathUnescape(out)
			if err1 != nil || err2 != nil || din != dout {
				t.Fatalf("%s: Escape(%q) = %q decodes to %q, not %q (%v, %v)", part.name, in, out, dout, din, err1, err2)
			}
			if again, err := part.escape(out); err != nil || again != out {
				t.Fatalf("%s: escaping %q again gave %q, %v", part.name, out, again, err)
			}
			if part.query && strings.Count(out, "+") != strings.Count(in, "+") {
				t.Fatalf("query: Escape(%q) = %q changed a '+'", in, out)
			}
		}
	})
}
