package applink

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/handler"
	"github.com/go-applinks/applinks/signer"
	"github.com/google/go-cmp/cmp"
)

// jql is a search with everything that must be encoded once: spaces, "=",
// quotes, "+", "%", "&", non-ASCII.
const jql = `project = "OPS X" AND summary ~ "50% + 1 & más"`

// wireLog records the requests a service puts on the wire, with the base
// string each was signed over.
type wireLog struct {
	mu    sync.Mutex
	base  http.RoundTripper
	uris  []string
	bases []string
}

func (w *wireLog) RoundTrip(req *http.Request) (*http.Response, error) {
	base, _ := signer.Servlet.BaseString(req)
	w.mu.Lock()
	w.uris = append(w.uris, req.URL.RequestURI())
	w.bases = append(w.bases, base)
	w.mu.Unlock()
	return w.base.RoundTrip(req)
}

func (w *wireLog) last() (uri, base string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.uris[len(w.uris)-1], w.bases[len(w.bases)-1]
}

// searchSeen is what the provider's search resource saw of a request.
type searchSeen struct {
	mu    sync.Mutex
	query url.Values
	base  string
}

// searchFixture is the core fixture whose service records the wire and
// whose provider serves GET /rest/api/2/search, recording the query it
// parsed and the base string it verified the request's signature against
// (the request reaches the resource only when the signature held).
func searchFixture(t *testing.T) (*coreFixture, *wireLog, *searchSeen) {
	t.Helper()
	fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth2LOi}})
	wire := &wireLog{base: fx.srv.Client().Transport}
	l, _ := fx.svc.Link(fx.link.ID)
	svc, err := NewService([]Link{withKey(l, testKey(t))}, WithHTTPClient(&http.Client{Transport: wire}))
	if err != nil {
		t.Fatal(err)
	}
	fx.svc = svc
	if fx.link, err = svc.Link(l.ID); err != nil {
		t.Fatal(err)
	}
	seen := &searchSeen{}
	fx.srv.Handle("GET /rest/api/2/search", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.mu.Lock()
		seen.query, seen.base = r.URL.Query(), applinktest.BaseString(r)
		seen.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"total":0,"issues":[]}`))
	}))
	return fx, wire, seen
}

// TestJQLSearch: a JQL search with AddQuery reaches the provider with the
// values as meant, repeated keys in order, encoded once (RFC 3986) on the
// wire, and signed over exactly what was sent: the provider verified it,
// and the base string it rebuilt is the one we signed.
func TestJQLSearch(t *testing.T) {
	t.Parallel()
	fx, wire, seen := searchFixture(t)
	req, err := fx.factory(t, "alice").NewRequest(http.MethodGet, "/rest/api/2/search")
	if err != nil {
		t.Fatal(err)
	}
	req.AddQuery("jql", jql).AddQuery("fields", "key").AddQuery("fields", "summary").AddQuery("expand", "")
	type result struct {
		Total int `json:"total"`
	}
	if _, err := Execute(t.Context(), req, handler.JSON[result]()); err != nil {
		t.Fatalf("search: %v", err)
	}
	uri, ours := wire.last()
	wantURI := "/rest/api/2/search?jql=project%20%3D%20%22OPS%20X%22%20AND%20summary%20~%20%2250%25%20%2B%201%20%26%20m%C3%A1s%22" +
		"&fields=key&fields=summary&expand=&xoauth_requestor_id=alice"
	if uri != wantURI {
		t.Errorf("request URI on the wire:\n got %s\nwant %s", uri, wantURI)
	}
	seen.mu.Lock()
	defer seen.mu.Unlock()
	want := url.Values{"jql": {jql}, "fields": {"key", "summary"}, "expand": {""}, "xoauth_requestor_id": {"alice"}}
	if diff := cmp.Diff(want, seen.query); diff != "" {
		t.Errorf("the query the provider parsed (-want +got):\n%s", diff)
	}
	if ours == "" || ours != seen.base {
		t.Errorf("base strings differ:\nours:       %s\nprovider's: %s", ours, seen.base)
	}
	if !strings.Contains(ours, "%2522OPS%2520X%2522") || !strings.Contains(ours, "fields%3Dkey%26fields%3Dsummary") {
		t.Errorf("base string %s does not encode the values once, or lost a repeated key", ours)
	}
}

// TestQueryInPath: a query written in the path is sent as written with
// what a request line cannot carry percent-encoded (as curl does), valid
// escapes kept; an ambiguous "%" is refused with advice to use AddQuery.
func TestQueryInPath(t *testing.T) {
	t.Parallel()
	fx, wire, seen := searchFixture(t)
	f := fx.factory(t, "alice")
	req, err := f.NewRequest(http.MethodGet, `/rest/api/2/search?jql=project = "OPS X" AND summary ~ "50%25 más"&fields=a+b`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Execute(t.Context(), req, handler.Discard()); err != nil {
		t.Fatalf("search: %v", err)
	}
	uri, _ := wire.last()
	if want := "/rest/api/2/search?jql=project%20=%20%22OPS%20X%22%20AND%20summary%20~%20%2250%25%20m%C3%A1s%22&fields=a+b&xoauth_requestor_id=alice"; uri != want {
		t.Errorf("request URI on the wire:\n got %s\nwant %s", uri, want)
	}
	seen.mu.Lock()
	if got := seen.query.Get("jql"); got != `project = "OPS X" AND summary ~ "50% más"` {
		t.Errorf("the provider read jql %q", got)
	}
	if got := seen.query.Get("fields"); got != "a b" {
		t.Errorf("the provider read fields %q, want a '+' in the path read as a space", got)
	}
	seen.mu.Unlock()

	for _, path := range []string{"/rest/api/2/search?jql=summary ~ 50%", "/rest/api/2/search?jql=%zz", "/rest/api/2/se%rch"} {
		_, err := f.NewRequest(http.MethodGet, path)
		if err == nil || !strings.Contains(err.Error(), "AddQuery") || !strings.Contains(err.Error(), "%25") {
			t.Errorf("NewRequest(%q): got %v, want an error pointing to AddQuery", path, err)
		}
	}
}

// TestAddQueryZeroRequest: AddQuery on a Request not made by NewRequest
// is reported when it is sent.
func TestAddQueryZeroRequest(t *testing.T) {
	t.Parallel()
	var zero Request
	if _, err := zero.AddQuery("a", "b").Do(t.Context()); err == nil {
		t.Error("AddQuery on a zero Request went unreported")
	}
}

// A query added to a request after it was sent changes what its next send
// sends, not the URL of the response already received.
func TestAddQueryAfterSend(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{auth: []Auth{AuthAnonymous}})
	req, err := fx.factory(t, "").NewRequest(http.MethodGet, "/rest/api/2/myself?a=1")
	if err != nil {
		t.Fatal(err)
	}
	send := func() *http.Response {
		t.Helper()
		resp, err := req.Do(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	first := send()
	req.AddQuery("b", "2")
	if got := first.Request.URL.RawQuery; got != "a=1" {
		t.Errorf("the first response's request query became %q, want a=1", got)
	}
	if got := send().Request.URL.RawQuery; got != "a=1&b=2" {
		t.Errorf("the second send's query is %q, want a=1&b=2", got)
	}
}

// TestClientViewEscapesQuery: a URL with raw spaces and quotes given to the
// factory's *http.Client is sent percent-encoded and verifies.
func TestClientViewEscapesQuery(t *testing.T) {
	t.Parallel()
	fx, wire, seen := searchFixture(t)
	u := fx.link.RPCURL + `/rest/api/2/search?jql=summary ~ "ü"`
	resp, err := fx.factory(t, "alice").Client().Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if uri, _ := wire.last(); !strings.HasPrefix(uri, "/rest/api/2/search?jql=summary%20~%20%22%C3%BC%22&") {
		t.Errorf("request URI on the wire: %s", uri)
	}
	seen.mu.Lock()
	if got := seen.query.Get("jql"); got != `summary ~ "ü"` {
		t.Errorf("the provider read jql %q", got)
	}
	seen.mu.Unlock()
	bad, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, fx.link.RPCURL+"/rest/api/2/search", nil)
	bad.URL.RawQuery = "jql=50%"
	if _, err := fx.factory(t, "alice").Client().Do(bad); err == nil || !strings.Contains(err.Error(), "%25") {
		t.Errorf("a broken escape through the Client view: got %v", err)
	}
}

// TestFormBodyDialect: a PUT with a form body succeeds against a Jira
// link (Atlassian's servers sign form bodies for POST only); a generic
// link signs it as RFC 5849 says, which the same server refuses, unless
// told the servlet dialect.
func TestFormBodyDialect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		typ     Type
		dialect string
		wantOK  bool
	}{
		{"jira", TypeJira, "", true},
		{"bitbucket", TypeBitbucket, "", true},
		{"generic", TypeGeneric, "", false},
		{"generic told servlet", TypeGeneric, "servlet", true},
		{"jira told rfc5849", TypeJira, "RFC5849", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth2LO}})
			var got string
			fx.srv.Handle("PUT /rest/form", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				got = string(b)
				w.WriteHeader(http.StatusNoContent)
			}))
			l, _ := fx.svc.Link(fx.link.ID)
			l.Type, l.SignatureDialect = tt.typ, tt.dialect
			svc, err := NewService([]Link{withKey(l, testKey(t))}, WithHTTPClient(fx.srv.Client()))
			if err != nil {
				t.Fatal(err)
			}
			bound, _ := svc.Link(l.ID)
			f, err := bound.RequestFactory("", WithAuth(Auth2LO))
			if err != nil {
				t.Fatal(err)
			}
			req, err := f.NewRequest(http.MethodPut, "/rest/form")
			if err != nil {
				t.Fatal(err)
			}
			req.AddForm("summary", "a+b c")
			_, err = Execute(t.Context(), req, handler.Status(http.StatusNoContent))
			var oe *OAuthError
			switch {
			case tt.wantOK && err != nil:
				t.Fatalf("PUT form: %v", err)
			case req.Auth() != Auth2LO:
				t.Fatalf("sent with %q, want 2lo", req.Auth())
			case tt.wantOK && got != "summary=a%2Bb+c":
				t.Errorf("the provider got body %q", got)
			case !tt.wantOK && (!errors.As(err, &oe) || oe.Problem.Problem != signer.ProblemSignatureInvalid):
				t.Fatalf("PUT form signed by RFC 5849: got %v, want signature_invalid", err)
			case !tt.wantOK && !strings.Contains(oe.BaseString, "summary"):
				t.Errorf("our base string %q does not show the form parameter we signed", oe.BaseString)
			}
		})
	}
	bad := Link{ID: newLinkID(), Name: "x", Type: TypeGeneric, RPCURL: "https://x.example.com", Auth: []Auth{AuthAnonymous}, SignatureDialect: "tomcat"}
	var fe *FieldError
	if err := bad.Validate(); !errors.As(err, &fe) || fe.Field != "signatureDialect" {
		t.Errorf("Validate of an unknown dialect: %v", err)
	}
}

// TestSignatureDialectConfig: a config file's signatureDialect reaches the
// link (any case), and a generic link signs in it.
func TestSignatureDialectConfig(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "config.json")
	conf := `{"links": [{"id": "0b6f3a3e-6f1e-4d53-9a43-2f4a5d0e9c11", "name": "Tool", "type": "generic",
  "rpcUrl": "https://tool.example.com", "consumerKey": "app", "secretEnv": "TOOL_SECRET", "auth": ["2lo"], "signatureDialect": "Servlet"}]}`
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct{ Links []Link }
	if err := json.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	l := cfg.Links[0]
	if l.SignatureDialect != "Servlet" {
		t.Fatalf("SignatureDialect = %q", l.SignatureDialect)
	}
	l.Secret = token.NewSecret("TEST-ONLY")
	svc, err := NewService([]Link{l})
	if err != nil {
		t.Fatal(err)
	}
	bound, _ := svc.Link(l.ID)
	if d := bound.state.dialect(); d != signer.Servlet {
		t.Errorf("dialect = %s, want servlet", d)
	}
}

// withKey returns a copy of l that signs with key.
func withKey(l *Link, key *rsa.PrivateKey) Link {
	c := *l
	c.PrivateKey = key
	return c
}
