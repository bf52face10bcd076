package sigbase

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const ours = "GET&http%3A%2F%2F10.0.0.5%3A8080%2Fjira%2Frest%2Fapi%2F2%2Fmyself&a%3D1%26oauth_consumer_key%3Dk%26oauth_token%3D"

func TestParseAndCompare(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		theirs string
		want   Diff
		base   string // RemoteBase for /rest/api/2/myself
	}{
		{"same", ours, Diff{}, "http://10.0.0.5:8080/jira"},
		{"proxy", "GET&https%3A%2F%2Fjira.example.com%2Frest%2Fapi%2F2%2Fmyself&a%3D1%26oauth_consumer_key%3Dk%26oauth_token%3D",
			Diff{URLParts: []string{"scheme", "host", "port", "path"}}, "https://jira.example.com"},
		{"port only", "GET&http%3A%2F%2F10.0.0.5%2Fjira%2Frest%2Fapi%2F2%2Fmyself&a%3D1%26oauth_consumer_key%3Dk%26oauth_token%3D",
			Diff{URLParts: []string{"port"}}, "http://10.0.0.5/jira"},
		{"method", "POST&http%3A%2F%2F10.0.0.5%3A8080%2Fjira%2Frest%2Fapi%2F2%2Fmyself&a%3D1%26oauth_consumer_key%3Dk%26oauth_token%3D",
			Diff{Method: true}, "http://10.0.0.5:8080/jira"},
		{"parameters", "GET&http%3A%2F%2F10.0.0.5%3A8080%2Fjira%2Frest%2Fapi%2F2%2Fmyself&b%3D2%26oauth_consumer_key%3Dother%26oauth_token%3D",
			Diff{OnlyOurs: []string{"a"}, OnlyTheirs: []string{"b"}, Changed: []string{"oauth_consumer_key"}}, "http://10.0.0.5:8080/jira"},
	}
	o, err := Parse(ours)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			th, err := Parse(tt.theirs)
			if err != nil {
				t.Fatal(err)
			}
			got := Compare(o, th)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("diff (-want +got):\n%s", diff)
			}
			if got.Same() != (tt.name == "same") {
				t.Errorf("Same() = %v", got.Same())
			}
			if b := RemoteBase(th.URL, "/rest/api/2/myself"); b != tt.base {
				t.Errorf("RemoteBase = %q, want %q", b, tt.base)
			}
		})
	}
}

func TestCompareNormalizes(t *testing.T) {
	t.Parallel()
	a, err := Parse("GET&https%3A%2F%2Fjira.example.com%2Fx&")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse("GET&https%3A%2F%2FJIRA.Example.com%3A443%2Fx&")
	if err != nil {
		t.Fatal(err)
	}
	if d := Compare(a, b); !d.Same() {
		t.Errorf("host case and an explicit default port differ: %+v", d)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "GET", "GET&x", "&http%3A%2F%2Fh%2F&", "GET&%ZZ&", "GET&http%3A%2F%2Fh%2F&%Z", "GET&relative%2Fpath&", "a&b&c&d"} {
		if b, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", s, b)
		}
	}
}

func TestRemoteBase(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, rel, want string }{
		{"https://Jira.Example.com:443/rest/api/2/myself", "/rest/api/2/myself", "https://jira.example.com"},
		{"http://h:8080/ctx/me/api/json", "/me/api/json", "http://h:8080/ctx"},
		{"http://[::1]:8080/", "/", "http://[::1]:8080"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := RemoteBase(u, tt.rel); got != tt.want {
			t.Errorf("RemoteBase(%q, %q) = %q, want %q", tt.in, tt.rel, got, tt.want)
		}
	}
}

// TestExplain is the one diagnosis of signature_invalid: the same base
// string on both sides is the wrong key, never a URL mismatch.
func TestExplain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, ours, theirs string
		want               Cause
	}{
		{"same base string: wrong key", ours, ours, CauseKey},
		{"proxy", ours, "GET&https%3A%2F%2Fjira.example.com%2Frest%2Fapi%2F2%2Fmyself&a%3D1%26oauth_consumer_key%3Dk%26oauth_token%3D", CauseURL},
		{"method", ours, "POST&http%3A%2F%2F10.0.0.5%3A8080%2Fjira%2Frest%2Fapi%2F2%2Fmyself&a%3D1%26oauth_consumer_key%3Dk%26oauth_token%3D", CauseMethod},
		{"parameters", ours, "GET&http%3A%2F%2F10.0.0.5%3A8080%2Fjira%2Frest%2Fapi%2F2%2Fmyself&a%3D2%26oauth_consumer_key%3Dk%26oauth_token%3D", CauseParams},
		{"no echo", ours, "", CauseUnknown},
		{"unreadable echo", ours, "nonsense", CauseUnknown},
		{"no base string of ours", "", ours, CauseUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := Explain(tt.ours, tt.theirs)
			if v.Cause != tt.want {
				t.Errorf("Explain: cause %d, want %d (diff %+v)", v.Cause, tt.want, v.Diff)
			}
			if tt.name == "unreadable echo" && v.TheirsErr == nil {
				t.Error("Explain: no TheirsErr for an unreadable echo")
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add("GET&http%3A%2F%2F10.0.0.5%3A8080%2Fjira&a%3D1%26oauth_token%3D")
	f.Add("POST&https%3A%2F%2Fh%2F&")
	f.Add("&&")
	f.Add("GET&%zz&%")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := Parse(s)
		if err != nil {
			return
		}
		// A base string compared with itself never differs.
		if d := Compare(b, b); !d.Same() {
			t.Errorf("%q differs from itself: %+v", s, d)
		}
		if v := Explain(s, s); v.Cause != CauseKey {
			t.Errorf("%q explained against itself as %d, want CauseKey", s, v.Cause)
		}
		_ = RemoteBase(b.URL, "/x")
	})
}
