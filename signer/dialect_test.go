package signer

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// dialectNow is the clock of the dialect tests, on both sides.
var dialectNow = time.Date(2026, 11, 28, 5, 0, 0, 0, time.UTC)

const (
	dialectSecret      = "TEST-ONLY-consumer-secret"
	dialectToken       = "tok+en/1" // "+" and "/" must be percent-encoded in the header
	dialectTokenSecret = "TEST-ONLY-token-secret"
)

// dialectSigner returns an HMAC-SHA1 signer of dialect d with a fixed
// clock.
func dialectSigner(t *testing.T, d Dialect) *Signer {
	t.Helper()
	m, err := NewHMACSHA1(dialectSecret)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New("dialect-consumer", m, WithDialect(d), WithClock(func() time.Time { return dialectNow }))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// dialectVerifier returns a verifier of dialect d knowing the consumer and
// its token.
func dialectVerifier(t *testing.T, d Dialect) *Verifier {
	t.Helper()
	v, err := NewVerifier(VerifierConfig{
		Consumers: func(_ context.Context, key string) (*Consumer, error) {
			if key != "dialect-consumer" {
				return nil, ErrUnknownConsumer
			}
			return NewSecretConsumer(key, dialectSecret), nil
		},
		TokenSecrets: func(_ context.Context, _, token string) (string, error) {
			if token != dialectToken {
				return "", ErrUnknownToken
			}
			return dialectTokenSecret, nil
		},
		Clock:   func() time.Time { return dialectNow },
		Dialect: d,
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// formRequest returns a request with a form body (and a query).
func formRequest(t *testing.T, method, target, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	return req
}

// TestDialectParams: which parameters each dialect collects.
func TestDialectParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method, target, body string
		want                       map[Dialect]url.Values
	}{
		{"POST form", http.MethodPost, "https://jira.example.com/x?q=1", "a=1&a=2",
			map[Dialect]url.Values{RFC5849: {"q": {"1"}, "a": {"1", "2"}}, Servlet: {"q": {"1"}, "a": {"1", "2"}}}},
		{"PUT form", http.MethodPut, "https://jira.example.com/x?q=1", "a=1",
			map[Dialect]url.Values{RFC5849: {"q": {"1"}, "a": {"1"}}, Servlet: {"q": {"1"}}}},
		{"PATCH form", http.MethodPatch, "https://jira.example.com/x", "a=1",
			map[Dialect]url.Values{RFC5849: {"a": {"1"}}, Servlet: {}}},
		{"empty names", http.MethodPost, "https://jira.example.com/x?=x&q=1&=", "=y&a=",
			map[Dialect]url.Values{RFC5849: {"": {"x", "", "y"}, "q": {"1"}, "a": {""}}, Servlet: {"q": {"1"}, "a": {""}}}},
	}
	for _, tt := range tests {
		for _, d := range []Dialect{RFC5849, Servlet} {
			got, err := d.RequestParams(formRequest(t, tt.method, tt.target, tt.body))
			if err != nil {
				t.Fatalf("%s, %s: %v", tt.name, d, err)
			}
			if diff := cmp.Diff(tt.want[d], got); diff != "" {
				t.Errorf("%s, %s (-want +got):\n%s", tt.name, d, diff)
			}
		}
	}
	if got, err := RequestParams(formRequest(t, http.MethodPut, "https://h/x", "a=1")); err != nil || got.Get("a") != "1" {
		t.Errorf("RequestParams (the RFC 5849 default) of a PUT form = %v, %v", got, err)
	}
}

// TestDialectVerify: a provider verifies in its dialect; a consumer that
// signs in the other one fails exactly where they differ.
func TestDialectVerify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method, target, body string
		agree                      bool // both dialects collect the same parameters
	}{
		{"GET with a query", http.MethodGet, "https://jira.example.com/rest/api/2/search?jql=a%20b&x=1", "", true},
		{"POST form", http.MethodPost, "https://jira.example.com/rest/x", "summary=a+b", true},
		{"PUT form", http.MethodPut, "https://jira.example.com/rest/x", "summary=a+b", false},
		{"PATCH form", http.MethodPatch, "https://jira.example.com/rest/x", "summary=a", false},
		{"empty name in the query", http.MethodGet, "https://jira.example.com/rest/x?=1&a=2", "", false},
	}
	for _, tt := range tests {
		for _, signed := range []Dialect{RFC5849, Servlet} {
			for _, verified := range []Dialect{RFC5849, Servlet} {
				req := formRequest(t, tt.method, tt.target, tt.body)
				if err := dialectSigner(t, signed).Sign(req, Params{Token: NewToken(dialectToken, dialectTokenSecret)}); err != nil {
					t.Fatal(err)
				}
				ours, err := signed.BaseString(req)
				if err != nil {
					t.Fatal(err)
				}
				_, err = dialectVerifier(t, verified).Verify(req)
				wantOK := signed == verified || tt.agree
				var pe *ProblemError
				switch {
				case wantOK && err != nil:
					t.Errorf("%s signed %s, verified %s: %v", tt.name, signed, verified, err)
				case !wantOK && (!errors.As(err, &pe) || pe.Problem != ProblemSignatureInvalid):
					t.Errorf("%s signed %s, verified %s: got %v, want signature_invalid", tt.name, signed, verified, err)
				case err == nil:
				case pe.SignatureBaseString.Reveal() == ours:
					t.Errorf("%s: the provider's base string is ours, yet the signature failed", tt.name)
				}
			}
		}
	}
}

// TestDialectHeaderPlus: the signer percent-encodes "+" in header values;
// a Servlet provider reads a raw "+" as a space (as net.oauth does), an
// RFC 5849 one as a "+".
func TestDialectHeaderPlus(t *testing.T) {
	t.Parallel()
	req, _ := http.NewRequest(http.MethodGet, "https://jira.example.com/rest/x", nil)
	if err := dialectSigner(t, Servlet).Sign(req, Params{Token: NewToken(dialectToken, dialectTokenSecret), Nonce: "n o+nce"}); err != nil {
		t.Fatal(err)
	}
	h := req.Header.Get("Authorization")
	if strings.Contains(h, "+") || !strings.Contains(h, `oauth_token="tok%2Ben%2F1"`) || !strings.Contains(h, `oauth_nonce="n%20o%2Bnce"`) {
		t.Fatalf("Authorization %q: a '+' or space is not percent-encoded", h)
	}
	for _, d := range []Dialect{RFC5849, Servlet} {
		if _, err := dialectVerifier(t, d).Verify(req.Clone(req.Context())); err != nil {
			t.Errorf("%s provider refused the encoded header: %v", d, err)
		}
	}

	// The same signature with the nonce's space sent as a raw "+", as some
	// clients do: only a Servlet provider reads it back as a space.
	raw := req.Clone(req.Context())
	raw.Header.Set("Authorization", strings.Replace(h, `oauth_nonce="n%20o%2Bnce"`, `oauth_nonce="n+o%2Bnce"`, 1))
	if _, err := dialectVerifier(t, Servlet).Verify(raw.Clone(raw.Context())); err != nil {
		t.Errorf("Servlet provider: a raw '+' for a space: %v", err)
	}
	var pe *ProblemError
	if _, err := dialectVerifier(t, RFC5849).Verify(raw); !errors.As(err, &pe) || pe.Problem != ProblemSignatureInvalid {
		t.Errorf("RFC 5849 provider: a raw '+' for a space: got %v, want signature_invalid", err)
	}
}

// TestDialectDuplicateOAuthParam: the same oauth_ parameter twice, even
// with equal values, is parameter_rejected in both dialects.
func TestDialectDuplicateOAuthParam(t *testing.T) {
	t.Parallel()
	for _, d := range []Dialect{RFC5849, Servlet} {
		req, _ := http.NewRequest(http.MethodGet, "https://jira.example.com/rest/x", nil)
		if err := dialectSigner(t, d).Sign(req, Params{Token: NewToken(dialectToken, dialectTokenSecret), Nonce: "n1"}); err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", req.Header.Get("Authorization")+`, oauth_nonce="n1"`)
		var pe *ProblemError
		if _, err := dialectVerifier(t, d).Verify(req); !errors.As(err, &pe) || pe.Problem != ProblemParameterRejected ||
			!cmp.Equal(pe.ParametersRejected, []string{"oauth_nonce"}) {
			t.Errorf("%s: got %v, want parameter_rejected naming oauth_nonce", d, err)
		}
	}
}

// TestSignEscapesURL: Sign percent-encodes what cannot be sent raw, in a
// copy of the URL, and signs that; a broken escape is refused.
func TestSignEscapesURL(t *testing.T) {
	t.Parallel()
	req, _ := http.NewRequest(http.MethodGet, "https://jira.example.com/rest/api/2/search", nil)
	req.URL.RawQuery = `jql=project = "OPS" AND summary ~ ü&fields=a+b`
	orig := req.URL
	if err := dialectSigner(t, Servlet).Sign(req, Params{}); err != nil {
		t.Fatal(err)
	}
	if want := "jql=project%20=%20%22OPS%22%20AND%20summary%20~%20%C3%BC&fields=a+b"; req.URL.RawQuery != want {
		t.Errorf("RawQuery after Sign = %q, want %q", req.URL.RawQuery, want)
	}
	if orig.RawQuery == req.URL.RawQuery {
		t.Error("Sign changed the caller's *url.URL instead of replacing it")
	}
	if _, err := dialectVerifier(t, Servlet).Verify(req); err != nil {
		t.Errorf("the escaped request does not verify: %v", err)
	}
	bad, _ := http.NewRequest(http.MethodGet, "https://jira.example.com/x", nil)
	bad.URL.RawQuery = "q=50%"
	if err := dialectSigner(t, Servlet).Sign(bad, Params{}); err == nil || !strings.Contains(err.Error(), "%25") {
		t.Errorf("Sign of q=50%%: got %v, want an error saying to write %%25", err)
	}
}

func TestDialectValidated(t *testing.T) {
	t.Parallel()
	m, _ := NewHMACSHA1(dialectSecret)
	if _, err := New("c", m, WithDialect(Dialect(7))); err == nil {
		t.Error("New accepted an unknown dialect")
	}
	if _, err := NewVerifier(VerifierConfig{Consumers: func(context.Context, string) (*Consumer, error) { return nil, nil }, Dialect: 9}); err == nil {
		t.Error("NewVerifier accepted an unknown dialect")
	}
	if RFC5849.String() != "rfc5849" || Servlet.String() != "servlet" {
		t.Errorf("String: %s, %s", RFC5849, Servlet)
	}
}
