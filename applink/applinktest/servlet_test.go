package applinktest_test

import (
	"bufio"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
)

// servletShapes starts each OAuth 1.0a shape with a 3LO token for alice,
// and a handler at /rest/form (POST and PUT) answering 204.
func servletShapes(t *testing.T) map[applinktest.Shape]struct {
	srv *applinktest.Server
	s   *signer.Signer
	tok signer.Token
} {
	t.Helper()
	out := map[applinktest.Shape]struct {
		srv *applinktest.Server
		s   *signer.Signer
		tok signer.Token
	}{}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	for _, shape := range []applinktest.Shape{applinktest.Atlassian, applinktest.Jenkins} {
		var srv *applinktest.Server
		var s *signer.Signer
		if shape == applinktest.Jenkins {
			srv, s = jenkins(t)
		} else {
			srv, s = atlassian(t)
		}
		srv.Handle("POST /rest/form", ok)
		srv.Handle("PUT /rest/form", ok)
		srv.Handle("GET /rest/form", ok)
		tok, _ := dance(t, srv, s, "alice")
		out[shape] = struct {
			srv *applinktest.Server
			s   *signer.Signer
			tok signer.Token
		}{srv, s, tok}
	}
	return out
}

// inDialect returns s signing in dialect d.
func inDialect(t *testing.T, s *signer.Signer, d signer.Dialect) *signer.Signer {
	t.Helper()
	out, err := signer.New(s.ConsumerKey(), s.Method(), signer.WithDialect(d))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestServletParameters: both shapes collect signed parameters as net.oauth
// behind Tomcat does: a form body on POST only, no parameter with an empty
// name; a client signing by RFC 5849 fails exactly there.
func TestServletParameters(t *testing.T) {
	t.Parallel()
	form := url.Values{"summary": {"a+b c"}}
	tests := []struct {
		name, method, query string
		form                url.Values
		rfcFails            bool
	}{
		{"POST form", http.MethodPost, "", form, false},
		{"PUT form", http.MethodPut, "", form, true},
		{"GET with an empty-named query parameter", http.MethodGet, "?=x&q=1", nil, true},
		{"GET with a plain query", http.MethodGet, "?q=a%20b&q=%2B", nil, false},
	}
	for shape, fx := range servletShapes(t) {
		for _, tt := range tests {
			for _, d := range []signer.Dialect{signer.Servlet, signer.RFC5849} {
				r := do(t, fx.srv, inDialect(t, fx.s, d), tt.method, fx.srv.URL+"/rest/form"+tt.query, tt.form, signer.Params{Token: fx.tok})
				wantFail := d == signer.RFC5849 && tt.rfcFails
				switch {
				case !wantFail && r.status != http.StatusNoContent:
					t.Errorf("%s, %s signed %s: %d %s", shape, tt.name, d, r.status, r.body)
				case wantFail && problem(r) != signer.ProblemSignatureInvalid:
					t.Errorf("%s, %s signed %s: %d %q, want signature_invalid", shape, tt.name, d, r.status, problem(r))
				}
			}
		}
	}
}

// TestServletHeaderPlusAndRepeats: a raw "+" in the Authorization header is
// a space; an oauth_ parameter sent twice is parameter_rejected.
func TestServletHeaderPlusAndRepeats(t *testing.T) {
	t.Parallel()
	for shape, fx := range servletShapes(t) {
		req := newRequest(t, http.MethodGet, fx.srv.URL+"/rest/form", nil)
		s := inDialect(t, fx.s, signer.Servlet)
		if err := s.Sign(req, signer.Params{Token: fx.tok, Nonce: "n 1"}); err != nil {
			t.Fatal(err)
		}
		h := req.Header.Get("Authorization")
		req.Header.Set("Authorization", strings.Replace(h, `oauth_nonce="n%201"`, `oauth_nonce="n+1"`, 1))
		if r := send(t, fx.srv, req); r.status != http.StatusNoContent {
			t.Errorf("%s: a raw '+' for a space in the header: %d %s", shape, r.status, r.body)
		}

		req = newRequest(t, http.MethodGet, fx.srv.URL+"/rest/form?oauth_nonce=n2", nil)
		if err := s.Sign(req, signer.Params{Token: fx.tok, Nonce: "n2"}); err != nil {
			t.Fatal(err)
		}
		if r := send(t, fx.srv, req); r.status != http.StatusBadRequest || problem(r) != signer.ProblemParameterRejected {
			t.Errorf("%s: oauth_nonce in the header and the query: %d %q, want 400 parameter_rejected", shape, r.status, problem(r))
		}
	}
}

// TestRequestTargetRefused: a request line with a character Tomcat refuses
// raw is answered 400 before any OAuth check; encoded, it is served.
func TestRequestTargetRefused(t *testing.T) {
	t.Parallel()
	srv, _ := atlassian(t)
	addr := strings.TrimPrefix(srv.URL, "http://")
	for target, want := range map[string]int{
		"/rest/api/2/myself?jql=%22a%22":      http.StatusUnauthorized, // served: anonymous myself is 401
		"/rest/api/2/myself?jql=\"a\"":        http.StatusBadRequest,
		"/rest/api/2/myself?jql={a}":          http.StatusBadRequest,
		"/rest/api/2/myself?q=\xc3\xbc":       http.StatusBadRequest,
		"/rest/api/2/myself?q=[1]":            http.StatusBadRequest,
		"/rest/api/2/my%7Cself?q=a|b":         http.StatusBadRequest,
		"/rest/api/2/myself?q=a%20b&r=%C3%BC": http.StatusUnauthorized,
	} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Write([]byte("GET " + target + " HTTP/1.1\r\nHost: " + addr + "\r\nConnection: close\r\n\r\n")); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%q: %v", target, err)
		}
		resp.Body.Close()
		conn.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %q: %d, want %d", target, resp.StatusCode, want)
		}
	}
}

// TestBaseStringInHandler: a resource handler sees the base string the
// server verified, which is the one the client signed; "" when anonymous.
func TestBaseStringInHandler(t *testing.T) {
	t.Parallel()
	srv, s := atlassian(t)
	var got []string
	srv.Handle("GET /rest/base", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, applinktest.BaseString(r))
	}))
	s = inDialect(t, s, signer.Servlet)
	req := newRequest(t, http.MethodGet, srv.URL+"/rest/base?jql=a%20%3D%20%22b%22&=dropped", nil)
	if err := s.Sign(req, signer.Params{}); err != nil {
		t.Fatal(err)
	}
	ours, err := signer.Servlet.BaseString(req)
	if err != nil {
		t.Fatal(err)
	}
	if r := send(t, srv, req); r.status != http.StatusOK {
		t.Fatalf("signed: %d %s", r.status, r.body)
	}
	if r := send(t, srv, newRequest(t, http.MethodGet, srv.URL+"/rest/base", nil)); r.status != http.StatusOK {
		t.Fatalf("anonymous: %d %s", r.status, r.body)
	}
	if len(got) != 2 || got[0] != ours || got[1] != "" || strings.Contains(ours, "dropped") {
		t.Errorf("base strings seen %q, want [%q \"\"]", got, ours)
	}
}
