package applinktest_test

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
)

func TestProxyModeSignatureInvalid(t *testing.T) {
	t.Parallel()
	const outside = "https://jira.example.com/jira"
	srv, s := atlassian(t, applinktest.WithBaseURL(outside))

	// Signed for the address it is reached on: the provider rebuilds the
	// base string from the outside URL and refuses.
	r := do(t, srv, s, http.MethodGet, srv.URL+myself+"?xoauth_requestor_id=alice", nil, signer.Params{})
	p := signer.ParseProblem(r.status, r.header, []byte(r.body))
	if p == nil || p.Problem != signer.ProblemSignatureInvalid {
		t.Fatalf("got %d %s, want signature_invalid", r.status, r.body)
	}
	wantPrefix := "GET&" + signer.Encode(outside+myself) + "&"
	if !strings.HasPrefix(p.SignatureBaseString.Reveal(), wantPrefix) {
		t.Errorf("echoed base string %q, want it to start with %q", p.SignatureBaseString.Reveal(), wantPrefix)
	}
	if p.Realm != outside {
		t.Errorf("realm %q, want %q", p.Realm, outside)
	}

	// Signed for the outside URL and sent past the proxy: accepted.
	req := newRequest(t, http.MethodGet, outside+myself+"?xoauth_requestor_id=alice", nil)
	if err := s.Sign(req, signer.Params{}); err != nil {
		t.Fatal(err)
	}
	req.URL.Scheme, req.URL.Host, req.URL.Path, req.Host = "http", strings.TrimPrefix(srv.URL, "http://"), myself, ""
	if r := send(t, srv, req); r.status != 200 || !strings.Contains(r.body, `"self":"`+outside) {
		t.Errorf("signed for the outside URL: %d %s", r.status, r.body)
	}
}

func TestBriefProblems(t *testing.T) {
	t.Parallel()
	srv, _ := atlassian(t, applinktest.WithBriefProblems())
	r := do(t, srv, rsaSigner(t, "app", 1), http.MethodGet, srv.URL+myself, nil, signer.Params{})
	if r.status != 401 || r.body != "" || !strings.Contains(r.header.Get("WWW-Authenticate"), "oauth_problem=\"signature_invalid\"") {
		t.Errorf("brief problem: %d %q %q", r.status, r.header.Get("WWW-Authenticate"), r.body)
	}
}

func TestDiscovery(t *testing.T) {
	t.Parallel()
	srv, _ := atlassian(t)

	r := send(t, srv, newRequest(t, http.MethodGet, srv.URL+applinktest.AtlassianConsumerInfoPath, nil))
	var info struct {
		XMLName   xml.Name `xml:"consumer"`
		Key       string   `xml:"key"`
		Name      string   `xml:"name"`
		PublicKey string   `xml:"publicKey"`
	}
	if err := xml.Unmarshal([]byte(r.body), &info); err != nil || r.status != 200 {
		t.Fatalf("consumer-info: %d %s %v", r.status, r.body, err)
	}
	der, err := base64.StdEncoding.DecodeString(info.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatal(err)
	}
	own, err := srv.ServerKey()
	if err != nil {
		t.Fatal(err)
	}
	if !own.Equal(pub) || info.Key != srv.ConsumerKey() {
		t.Errorf("consumer-info key %q does not match the server's own", info.Key)
	}

	type manifest struct {
		ID, Name, TypeID, URL string
		Inbound               []string `json:"inboundAuthenticationTypes" xml:"inboundAuthenticationTypes"`
	}
	var fromXML struct {
		manifest
		TypeID string `xml:"typeId"`
	}
	r = send(t, srv, newRequest(t, http.MethodGet, srv.URL+applinktest.AtlassianManifestPath, nil))
	if err := xml.Unmarshal([]byte(r.body), &fromXML); err != nil || fromXML.TypeID != "jira" || len(fromXML.Inbound) != 4 {
		t.Errorf("manifest XML: %v %s", err, r.body)
	}
	req := newRequest(t, http.MethodGet, srv.URL+applinktest.AtlassianManifestPath, nil)
	req.Header.Set("Accept", "application/json")
	r = send(t, srv, req)
	var fromJSON manifest
	if err := json.Unmarshal([]byte(r.body), &fromJSON); err != nil || fromJSON.TypeID != "jira" || fromJSON.URL != srv.URL {
		t.Errorf("manifest JSON: %v %s", err, r.body)
	}
}

func TestCreateIssueEchoesWithReporter(t *testing.T) {
	t.Parallel()
	srv, s := atlassian(t)
	body := `{"fields":{"project":{"key":"TEST"},"summary":"hello","reporter":{"name":"mallory"}}}`
	req := newRequest(t, http.MethodPost, srv.URL+"/rest/api/2/issue?xoauth_requestor_id=bob", nil)
	req.Body = readCloser(body)
	req.Header.Set("Content-Type", "application/json")
	if err := s.Sign(req, signer.Params{}); err != nil {
		t.Fatal(err)
	}
	r := send(t, srv, req)
	var got map[string]any
	if err := json.Unmarshal([]byte(r.body), &got); err != nil || r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	fields := got["fields"].(map[string]any)
	if got["key"] != "TEST-1" || fields["summary"] != "hello" || fields["reporter"].(map[string]any)["name"] != "bob" {
		t.Errorf("created %v", got)
	}
}

func TestHandleRegisteredResource(t *testing.T) {
	t.Parallel()
	srv, s := atlassian(t)
	srv.Handle("GET /rest/api/2/search", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "search by %q", applinktest.User(r))
	}))
	r := do(t, srv, s, http.MethodGet, srv.URL+"/rest/api/2/search?jql=x&xoauth_requestor_id=alice", nil, signer.Params{})
	if r.status != 200 || r.body != `search by "alice"` {
		t.Errorf("registered resource: %d %s", r.status, r.body)
	}
	// Bad signatures never reach it.
	r = do(t, srv, rsaSigner(t, "app", 1), http.MethodGet, srv.URL+"/rest/api/2/search", nil, signer.Params{})
	if r.status != 401 {
		t.Errorf("bad signature reached the handler: %d %s", r.status, r.body)
	}
	if r := send(t, srv, newRequest(t, http.MethodGet, srv.URL+"/nowhere", nil)); r.status != 404 {
		t.Errorf("unknown path: %d", r.status)
	}
}

func TestStartValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []applinktest.Option
	}{
		{"unknown shape", []applinktest.Option{applinktest.WithShape("bamboo-cloud")}},
		{"non-loopback address", []applinktest.Option{applinktest.WithAddr("0.0.0.0:0")}},
		{"consumer without key", []applinktest.Option{applinktest.WithConsumer(applinktest.Consumer{Secret: signer.NewSecret("x")})}},
		{"consumer without credentials", []applinktest.Option{applinktest.WithConsumer(applinktest.Consumer{Key: "x"})}},
		{"duplicate consumer", []applinktest.Option{applinktest.WithConsumer(rsaConsumer("a", 0)), applinktest.WithConsumer(rsaConsumer("a", 1))}},
		{"relative base URL", []applinktest.Option{applinktest.WithBaseURL("/jira")}},
		{"empty user", []applinktest.Option{applinktest.WithUsers("")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, err := applinktest.Start(tt.opts...)
			if err == nil {
				srv.Close()
				t.Fatal("Start succeeded, want an error")
			}
			if !strings.HasPrefix(err.Error(), "applinktest: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestConsumerNeverPrintsItsSecret(t *testing.T) {
	t.Parallel()
	c := applinktest.Consumer{Key: "ci", Secret: signer.NewSecret("hunter2-TEST-ONLY"), ThreeLO: true}
	var logged, text bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "consumer", c)
	slog.New(slog.NewTextHandler(&text, nil)).Info("x", "consumer", c)
	outputs := map[string]string{"slog": logged.String(), "slog text": text.String()}
	for _, verb := range []string{"%p", "%!"} { // non-constant: vet would refuse %p of a struct
		outputs[verb] = fmt.Sprintf(verb, c)
	}
	// Consumer has no formatting methods: fmt prints its fields, and its
	// Secret field prints REDACTED (its string is behind a pointer, so not
	// even %p, which calls no method, reaches it).
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%X", "%10v", "%-8s", "%t", "%o", "%e", "%+d"} {
		outputs[verb] = fmt.Sprintf(verb, c)
		outputs["&"+verb] = fmt.Sprintf(verb, &c)
		outputs["[]"+verb] = fmt.Sprintf(verb, []applinktest.Consumer{c})
	}
	for how, v := range map[string]any{"json": c, "json pointer": &c, "json slice": []applinktest.Consumer{c}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", how, err)
		}
		outputs[how] = string(b)
	}
	for how, out := range outputs {
		if strings.Contains(out, "hunter2") || strings.Contains(out, fmt.Sprintf("%x", "hunter2")) ||
			strings.Contains(out, fmt.Sprintf("%X", "hunter2")) {
			t.Errorf("%s leaks the secret: %s", how, out)
		}
		if !strings.Contains(out, "ci") && !strings.Contains(out, fmt.Sprintf("%x", "ci")) { // %x and %X print the key hex-encoded
			t.Errorf("%s does not name the consumer: %s", how, out)
		}
	}
}

func TestConsumerJSON(t *testing.T) {
	t.Parallel()
	c := applinktest.Consumer{Key: "ci", Name: "CI", Secret: signer.NewSecret("hunter2-TEST-ONLY"), ThreeLO: true, TwoLO: true, TwoLOUser: "bot"}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"key": "ci", "name": "CI", "secret": "REDACTED", "three_lo": true, "two_lo": true,
		"two_lo_user": "bot", "impersonation": false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("json (-want +got):\n%s", diff)
	}
}

// TestServerPrintsOnlyItsName: the server holds a private key, a crumb key
// and tokens; every verb prints its String and nothing of those.
func TestServerPrintsOnlyItsName(t *testing.T) {
	t.Parallel()
	srv, _ := jenkins(t)
	want := "applinktest.Server(jenkins, " + srv.URL + ")"
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%X", "%t", "%o", "%e", "%+d"} {
		if got := fmt.Sprintf(verb, srv); got != want {
			t.Errorf("Sprintf(%q) = %q, want %q", verb, got, want)
		}
	}
	if got, want := fmt.Sprintf("%q|%-70v|", srv, srv), fmt.Sprintf("%q|%-70s|", want, want); got != want {
		t.Errorf("Sprintf(%%q|%%-70v|) = %q, want %q", got, want)
	}
	var js, text bytes.Buffer
	slog.New(slog.NewJSONHandler(&js, nil)).Info("x", "srv", srv)
	slog.New(slog.NewTextHandler(&text, nil)).Info("x", "srv", srv)
	// JSON shows the exported fields (the URL), text the String.
	if !strings.Contains(text.String(), want) {
		t.Errorf("slog text = %s, want %s in it", text.String(), want)
	}
	for _, out := range []string{js.String(), text.String()} {
		if strings.Contains(out, hmacSecret) {
			t.Errorf("slog shows a consumer secret: %s", out)
		}
	}
}

func TestRequestsAreCopies(t *testing.T) {
	t.Parallel()
	srv, _ := atlassian(t)
	send(t, srv, newRequest(t, http.MethodGet, srv.URL+applinktest.AtlassianManifestPath, nil))
	a := srv.Requests()
	a[0].User = "changed"
	if diff := cmp.Diff("", srv.Requests()[0].User); diff != "" {
		t.Errorf("Requests() shares its slice: %s", diff)
	}
}

// TestTokenEndpointsTakePOST: a GET to a token endpoint is 405 with
// Allow: POST, recorded with its flow, and spends no nonce.
func TestTokenEndpointsTakePOST(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		path, flow string
	}{
		{applinktest.AtlassianRequestTokenPath, applinktest.FlowRequestToken},
		{applinktest.AtlassianAccessTokenPath, applinktest.FlowAccessToken},
	} {
		t.Run(tc.flow, func(t *testing.T) {
			t.Parallel()
			srv, s := atlassian(t)
			r := do(t, srv, s, http.MethodGet, srv.URL+tc.path, nil, signer.Params{OmitToken: true})
			if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != http.MethodPost || !strings.Contains(r.body, tc.flow+" endpoint takes POST") {
				t.Errorf("GET %s: %d, Allow %q, body %q; want 405, Allow: POST and the endpoint named", tc.path, r.status, r.header.Get("Allow"), r.body)
			}
			recs := srv.Requests()
			if len(recs) != 1 || recs[0].Flow != tc.flow || recs[0].Status != http.StatusMethodNotAllowed {
				t.Errorf("records %+v, want one %s record with status 405", recs, tc.flow)
			}
		})
	}
}
