package applink

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseBaseStringAndDiff(t *testing.T) {
	t.Parallel()
	const ours = "GET&http%3A%2F%2F10.0.0.5%3A8080%2Fjira%2Frest%2Fapi%2F2%2Fmyself&a%3D1%26oauth_consumer_key%3Dk%26oauth_token%3D"
	tests := []struct {
		name   string
		theirs string
		want   baseDiff
		base   string // remoteBase for /rest/api/2/myself
	}{
		{"same", ours, baseDiff{}, "http://10.0.0.5:8080/jira"},
		{"proxy", "GET&https%3A%2F%2Fjira.example.com%2Frest%2Fapi%2F2%2Fmyself&a%3D1%26oauth_consumer_key%3Dk%26oauth_token%3D",
			baseDiff{urlParts: []string{"scheme", "host", "port", "path"}}, "https://jira.example.com"},
		{"port only", "GET&http%3A%2F%2F10.0.0.5%2Fjira%2Frest%2Fapi%2F2%2Fmyself&a%3D1%26oauth_consumer_key%3Dk%26oauth_token%3D",
			baseDiff{urlParts: []string{"port"}}, "http://10.0.0.5/jira"},
		{"method", "POST&http%3A%2F%2F10.0.0.5%3A8080%2Fjira%2Frest%2Fapi%2F2%2Fmyself&a%3D1%26oauth_consumer_key%3Dk%26oauth_token%3D",
			baseDiff{method: true}, "http://10.0.0.5:8080/jira"},
		{"parameters", "GET&http%3A%2F%2F10.0.0.5%3A8080%2Fjira%2Frest%2Fapi%2F2%2Fmyself&b%3D2%26oauth_consumer_key%3Dother%26oauth_token%3D",
			baseDiff{onlyOurs: []string{"a"}, onlyTheirs: []string{"b"}, changed: []string{"oauth_consumer_key"}}, "http://10.0.0.5:8080/jira"},
	}
	o, err := parseBaseString(ours)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			th, err := parseBaseString(tt.theirs)
			if err != nil {
				t.Fatal(err)
			}
			got := diffBases(o, th)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(baseDiff{})); diff != "" {
				t.Errorf("diff (-want +got):\n%s", diff)
			}
			if got.same() != (tt.name == "same") {
				t.Errorf("same() = %v", got.same())
			}
			if b := remoteBase(th.uri, "/rest/api/2/myself"); b != tt.base {
				t.Errorf("remoteBase = %q, want %q", b, tt.base)
			}
		})
	}
}

func TestDiffBasesNormalizes(t *testing.T) {
	t.Parallel()
	a, err := parseBaseString("GET&https%3A%2F%2Fjira.example.com%2Fx&")
	if err != nil {
		t.Fatal(err)
	}
	b, err := parseBaseString("GET&https%3A%2F%2FJIRA.Example.com%3A443%2Fx&")
	if err != nil {
		t.Fatal(err)
	}
	if d := diffBases(a, b); !d.same() {
		t.Errorf("host case and an explicit default port differ: %+v", d)
	}
}

func TestParseBaseStringErrors(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "GET", "GET&x", "&http%3A%2F%2Fh%2F&", "GET&%ZZ&", "GET&http%3A%2F%2Fh%2F&%Z", "GET&relative%2Fpath&", "a&b&c&d"} {
		if b, err := parseBaseString(s); err == nil {
			t.Errorf("parseBaseString(%q) = %+v, want an error", s, b)
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
		if got := remoteBase(u, tt.rel); got != tt.want {
			t.Errorf("remoteBase(%q, %q) = %q, want %q", tt.in, tt.rel, got, tt.want)
		}
	}
}

func TestParseManifest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		want    *remoteManifest
		wantErr bool
	}{
		{"json", `{"id":"abc","name":"Jira","typeId":"jira","version":"9.12.0","buildNumber":9120000,"url":"https://jira.example.com"}`,
			&remoteManifest{ID: "abc", Name: "Jira", TypeID: "jira", Version: "9.12.0", URL: "https://jira.example.com"}, false},
		{"xml", `<?xml version="1.0"?><manifest><id>abc</id><name>Wiki</name><typeId>confluence</typeId><version>8.5</version><url>https://wiki</url></manifest>`,
			&remoteManifest{ID: "abc", Name: "Wiki", TypeID: "confluence", Version: "8.5", URL: "https://wiki"}, false},
		{"html login page", `<html><body>Log in</body></html>`, nil, true},
		{"empty", ``, nil, true},
		{"json without ids", `{"name":"x"}`, nil, true},
		{"text", `Not Found`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseManifest([]byte(tt.body))
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(remoteManifest{})); diff != "" {
				t.Errorf("manifest (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseConsumerInfo(t *testing.T) {
	t.Parallel()
	got, err := parseConsumerInfo([]byte(`<?xml version="1.0"?><consumer><key> jira:123 </key><name>Jira</name><publicKey>MIIB</publicKey><description>d</description></consumer>`))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&consumerInfo{Key: "jira:123", Name: "Jira", PublicKey: "MIIB"}, got, cmp.AllowUnexported(consumerInfo{})); diff != "" {
		t.Errorf("consumer-info (-want +got):\n%s", diff)
	}
	for _, bad := range []string{``, `<other><key>k</key></other>`, `<consumer><name>n</name></consumer>`, `{"key":"k"}`} {
		if c, err := parseConsumerInfo([]byte(bad)); err == nil {
			t.Errorf("parseConsumerInfo(%q) = %+v, want an error", bad, c)
		}
	}
}

func FuzzParseBaseString(f *testing.F) {
	f.Add("GET&http%3A%2F%2F10.0.0.5%3A8080%2Fjira&a%3D1%26oauth_token%3D")
	f.Add("POST&https%3A%2F%2Fh%2F&")
	f.Add("&&")
	f.Add("GET&%zz&%")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := parseBaseString(s)
		if err != nil {
			return
		}
		// A base string compared with itself never differs.
		if d := diffBases(b, b); !d.same() {
			t.Errorf("%q differs from itself: %+v", s, d)
		}
		_ = remoteBase(b.uri, "/x")
	})
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(`{"id":"abc","typeId":"jira"}`))
	f.Add([]byte(`<manifest><id>a</id></manifest>`))
	f.Add([]byte(`<`))
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := parseManifest(body)
		if err == nil && m.ID == "" && m.TypeID == "" {
			t.Errorf("a manifest without id and typeId was accepted: %q", body)
		}
	})
}

func FuzzParseConsumerInfo(f *testing.F) {
	f.Add([]byte(`<consumer><key>k</key></consumer>`))
	f.Add([]byte(`<consumer>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := parseConsumerInfo(body)
		if err == nil && c.Key == "" {
			t.Errorf("consumer-info without a key was accepted: %q", body)
		}
	})
}
