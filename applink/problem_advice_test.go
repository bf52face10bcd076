package applink_test

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
)

// signerProblems returns every problem code package signer declares (its
// Problem* string constants), read from its source so that a new code
// cannot be added without advice.
func signerProblems(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../signer/problem.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if !strings.HasPrefix(n.Name, "Problem") || i >= len(vs.Values) {
					continue
				}
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					code, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					codes = append(codes, code)
				}
			}
		}
	}
	if len(codes) < 19 {
		t.Fatalf("found %d problem codes in signer/problem.go, want at least the 19 of the OAuth Problem Reporting extension", len(codes))
	}
	return codes
}

// TestProblemAdviceCoversEveryProblem: every problem code has advice in
// the one table, written as a clause (lower case, no final period).
func TestProblemAdviceCoversEveryProblem(t *testing.T) {
	t.Parallel()
	for _, code := range signerProblems(t) {
		advice := adviceFor(code)
		switch {
		case advice == "":
			t.Errorf("the advice for %q is empty", code)
		case strings.HasSuffix(advice, ".") || strings.ToLower(advice[:1]) != advice[:1]:
			t.Errorf("the advice for %q = %q: want a clause, lower case, without a final period", code, advice)
		}
		e := &applink.OAuthError{LinkName: "jira", Auth: applink.Auth3LO, Method: "GET", URL: "https://jira.example/x",
			Problem: &signer.ProblemError{Problem: code}}
		if got := e.Advice(); got != advice {
			t.Errorf("(*OAuthError).Advice() for %q without base strings = %q, want the table's %q", code, got, advice)
		}
		if !strings.Contains(e.Error(), advice) {
			t.Errorf("(*OAuthError).Error() for %q does not give the advice: %s", code, e.Error())
		}
	}
	if got := adviceFor("no_such_problem"); got != "" {
		t.Errorf("the advice for an unknown problem = %q, want \"\"", got)
	}
}

// TestOAuthErrorAdviceSignatureInvalid: the advice for signature_invalid
// follows from the two base strings (each cause: internal/advice's
// tests), and is the table's when the remote echoed none.
func TestOAuthErrorAdviceSignatureInvalid(t *testing.T) {
	t.Parallel()
	const ours = "GET&https%3A%2F%2Fjira.example%2Frest%2Fapi%2F2%2Fmyself&oauth_consumer_key%3Dk%26oauth_token%3D"
	tests := []struct {
		name, theirs, want string
	}{
		{"proxy", "GET&http%3A%2F%2Fjira.internal%3A8080%2Frest%2Fapi%2F2%2Fmyself&oauth_consumer_key%3Dk%26oauth_token%3D", "scheme, host and port than the link's rpcUrl"},
		{"no echo", "", adviceFor(signer.ProblemSignatureInvalid)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := &applink.OAuthError{LinkName: "jira", Auth: applink.Auth2LO, Method: "GET", URL: "https://jira.example/rest/api/2/myself",
				BaseString: ours, Problem: &signer.ProblemError{Problem: signer.ProblemSignatureInvalid, SignatureBaseString: signer.NewSecret(tt.theirs)}}
			if got := e.Advice(); !strings.Contains(got, tt.want) {
				t.Errorf("Advice() = %q, want it to say %q", got, tt.want)
			}
		})
	}
}

// TestRequestWrongKeyAdvice is issue 20 item 3 for the library: a request
// signed with another key than the remote has gets signature_invalid with
// the same base string on both sides, and its error says "wrong key", not
// "check the link's RPC URL".
func TestRequestWrongKeyAdvice(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../signer/testdata/sign-rsa1024-TEST-ONLY.pem")
	if err != nil {
		t.Fatal(err)
	}
	other, err := signer.ParsePrivateKey(data)
	if err != nil {
		t.Fatal(err)
	}
	srv := applinktest.NewServer(t, applinktest.WithUsers("bot"),
		applinktest.WithConsumer(applinktest.Consumer{Key: "wrong-key-app", PublicKey: &other.PublicKey, TwoLO: true, TwoLOUser: "bot"}))
	l := applink.Link{ID: "6f1d1a4e-2b7c-4c55-9d5e-2a4b9f0c8e11", Name: "jira", Type: applink.TypeJira, RPCURL: srv.URL,
		ConsumerKey: "wrong-key-app", Auth: []applink.Auth{applink.Auth2LO}, PrivateKey: key(t)}
	svc, err := applink.NewService([]applink.Link{l}, applink.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	bound, err := svc.Link(l.ID)
	if err != nil {
		t.Fatal(err)
	}
	f, err := bound.RequestFactory("", applink.WithAuth(applink.Auth2LO))
	if err != nil {
		t.Fatal(err)
	}
	req, err := f.NewRequest(http.MethodGet, "/rest/api/2/myself")
	if err != nil {
		t.Fatal(err)
	}
	_, err = req.Do(t.Context())
	var oe *applink.OAuthError
	if !errors.As(err, &oe) || oe.Problem.Problem != signer.ProblemSignatureInvalid {
		t.Fatalf("Do = %v, want an *OAuthError for signature_invalid", err)
	}
	if oe.ProviderBaseString == "" {
		t.Fatal("the test server echoed no base string: the test cannot tell a wrong key")
	}
	if got := oe.Advice(); !strings.Contains(got, "same signature base string on both sides") {
		t.Errorf("Advice() = %q, want the wrong-key diagnosis", got)
	}
	if msg := err.Error(); strings.Contains(msg, "rebuilt a different URL") || !strings.Contains(msg, oe.Advice()) {
		t.Errorf("the error misdiagnoses a wrong key:\n%s", msg)
	}
}

// adviceFor is the library's advice for an OAuth 1.0a problem.
func adviceFor(problem string) string {
	return (&applink.OAuthError{Problem: &signer.ProblemError{Problem: problem}}).Advice()
}
