package signer

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWriteProblemParseProblemRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    ProblemError
	}{
		{"every field", ProblemError{
			Status:              401,
			Problem:             ProblemSignatureInvalid,
			Advice:              "check the clock & the key, 100% sure",
			MinTimestamp:        1767322745,
			MaxTimestamp:        1767323345,
			AcceptableVersions:  "1.0-1.0",
			ParametersAbsent:    []string{"oauth_nonce", "oauth_timestamp"},
			ParametersRejected:  []string{"oauth_token", "a&b=c"},
			Signature:           NewSecret("dGVzdA=="),
			SignatureMethod:     MethodRSASHA1,
			SignatureBaseString: NewSecret("GET&https%3A%2F%2Fjira.example.com%2Frest&a%3Db%2520c%26oauth_verifier%3Dv"),
			Realm:               "https://jira.example.com/jira path?x=1",
			Extra:               url.Values{"oauth_extra": {"1", "2"}, "xoauth_custom": {"x y"}},
		}},
		{"timestamp refused", ProblemError{Status: 400, Problem: ProblemTimestampRefused, MinTimestamp: 10, MaxTimestamp: 610, Realm: "https://a.example"}},
		{"free text", ProblemError{Status: 401, Problem: "No user associated with the token", Realm: "https://a.example"}},
		{"explicit status", ProblemError{Status: 403, Problem: ProblemPermissionDenied, Realm: "r"}},
		{"no realm", ProblemError{Status: 401, Problem: ProblemTokenRejected}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			p := tt.p
			WriteProblem(rec, &p)
			res := rec.Result()
			body := rec.Body.Bytes()
			if res.StatusCode != tt.p.Status {
				t.Errorf("status = %d, want %d", res.StatusCode, tt.p.Status)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
				t.Errorf("Content-Type = %q", ct)
			}
			want := tt.p
			for name, h := range map[string]http.Header{
				"header and body": res.Header,
				"header only":     {"Www-Authenticate": res.Header.Values("WWW-Authenticate")},
			} {
				b := body
				w := want
				if name == "header only" {
					b = nil
					if w.Extra != nil {
						w.Extra = url.Values{"oauth_extra": w.Extra["oauth_extra"]}
					}
				}
				got := ParseProblem(res.StatusCode, h, b)
				if diff := cmp.Diff(&w, got); diff != "" {
					t.Errorf("%s: ParseProblem(WriteProblem(p)) (-want +got):\n%s", name, diff)
				}
			}
			// Body only: everything but the realm.
			got := ParseProblem(res.StatusCode, http.Header{"Content-Type": {"text/plain"}}, body)
			w := want
			w.Realm = ""
			if diff := cmp.Diff(&w, got); diff != "" {
				t.Errorf("body only (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteProblemWire(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	WriteProblem(rec, &ProblemError{
		Problem:            ProblemParameterAbsent,
		ParametersAbsent:   []string{"oauth_nonce", "oauth_timestamp"},
		Realm:              "https://jira.example.com/a b",
		MinTimestamp:       1,
		MaxTimestamp:       2,
		ParametersRejected: nil,
	})
	wantHeader := `OAuth realm="https%3A%2F%2Fjira.example.com%2Fa%20b", oauth_problem="parameter_absent", ` +
		`oauth_acceptable_timestamps="1-2", oauth_parameters_absent="oauth_nonce%26oauth_timestamp"`
	if got := rec.Header().Get("WWW-Authenticate"); got != wantHeader {
		t.Errorf("WWW-Authenticate:\n got %s\nwant %s", got, wantHeader)
	}
	wantBody := "oauth_problem=parameter_absent&oauth_acceptable_timestamps=1-2&oauth_parameters_absent=oauth_nonce%26oauth_timestamp"
	if got := rec.Body.String(); got != wantBody {
		t.Errorf("body:\n got %s\nwant %s", got, wantBody)
	}
	if rec.Code != 400 {
		t.Errorf("status = %d, want 400", rec.Code)
	}
}

func TestWriteProblemStatus(t *testing.T) {
	t.Parallel()
	want := map[string]int{
		ProblemVersionRejected: 400, ProblemParameterAbsent: 400, ProblemParameterRejected: 400,
		ProblemTimestampRefused: 400, ProblemSignatureMethodRejected: 400,
		ProblemNonceUsed: 401, ProblemTokenUsed: 401, ProblemTokenExpired: 401, ProblemTokenRevoked: 401,
		ProblemTokenRejected: 401, ProblemTokenNotAuthorized: 401, ProblemSignatureInvalid: 401,
		ProblemConsumerKeyUnknown: 401, ProblemConsumerKeyRejected: 401,
		ProblemAdditionalAuthorizationRequired: 401, ProblemPermissionUnknown: 401, ProblemPermissionDenied: 401,
		ProblemUserRefused: 503, ProblemConsumerKeyRefused: 503,
		"No user associated with the token": 401,
	}
	for problem, status := range want {
		for _, brief := range []bool{false, true} {
			rec := httptest.NewRecorder()
			if brief {
				WriteProblemBrief(rec, &ProblemError{Problem: problem})
			} else {
				WriteProblem(rec, &ProblemError{Problem: problem})
			}
			if rec.Code != status {
				t.Errorf("%s (brief %v): status %d, want %d", problem, brief, rec.Code, status)
			}
			got := ParseProblem(rec.Code, rec.Header(), rec.Body.Bytes())
			if got == nil || got.Problem != problem || got.Status != status {
				t.Errorf("%s (brief %v): parsed %#v", problem, brief, got)
			}
			if brief && rec.Body.Len() != 0 {
				t.Errorf("%s: brief wrote a body %q", problem, rec.Body)
			}
		}
	}
}

func TestWriteProblemNil(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	WriteProblem(rec, nil)
	WriteProblemBrief(rec, nil)
	if len(rec.Header()) != 0 || rec.Body.Len() != 0 {
		t.Errorf("WriteProblem(nil) wrote %v %q", rec.Header(), rec.Body)
	}
}

func TestParseProblem(t *testing.T) {
	t.Parallel()
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   *ProblemError
	}{
		{"nothing", 401, nil, "", nil},
		{"html body", 401, http.Header{"Content-Type": {"text/html"}}, "<html>oauth_problem=x</html>", nil},
		{"form body in html content type ignored", 401, http.Header{"Content-Type": {"text/html"}}, "oauth_problem=token_rejected", nil},
		{"garbage header", 401, http.Header{"Www-Authenticate": {"OAuth ===,,\"\"%%"}}, "", nil},
		{"basic challenge only", 401, http.Header{"Www-Authenticate": {`Basic realm="x"`}}, "", nil},
		{"empty problem", 401, form, "oauth_problem=", nil},
		{
			"header, quoted free text with spaces", 401,
			http.Header{"Www-Authenticate": {`OAuth realm="https%3A%2F%2Fjira.example.com", oauth_problem="No user associated with the token"`}}, "",
			&ProblemError{Status: 401, Problem: "No user associated with the token", Realm: "https://jira.example.com"},
		},
		{
			"header, encoded free text, bare values, lower-case scheme", 401,
			http.Header{"Www-Authenticate": {`oauth realm=x,oauth_problem=No%20user%20associated%20with%20the%20token`}}, "",
			&ProblemError{Status: 401, Problem: "No user associated with the token", Realm: "x"},
		},
		{
			"second challenge is OAuth", 401,
			http.Header{"Www-Authenticate": {`Basic realm="x"`, `OAuth realm="r", oauth_problem="token_expired"`}}, "",
			&ProblemError{Status: 401, Problem: ProblemTokenExpired, Realm: "r"},
		},
		{
			"malformed escape kept as sent", 401,
			http.Header{"Www-Authenticate": {`OAuth oauth_problem="100%", oauth_problem_advice="50%zz"`}}, "",
			&ProblemError{Status: 401, Problem: "100%", Advice: "50%zz"},
		},
		{
			"unterminated quote", 401,
			http.Header{"Www-Authenticate": {`OAuth oauth_problem="token_rejected`}}, "",
			&ProblemError{Status: 401, Problem: ProblemTokenRejected},
		},
		{
			"text/plain body from a token endpoint", 401,
			http.Header{"Content-Type": {"text/plain;charset=UTF-8"}},
			"oauth_problem=permission_unknown&oauth_problem_advice=The+user+has+not+approved",
			&ProblemError{Status: 401, Problem: ProblemPermissionUnknown, Advice: "The user has not approved"},
		},
		{
			"body without content type", 400, nil,
			"oauth_problem=timestamp_refused&oauth_acceptable_timestamps=100-700\n",
			&ProblemError{Status: 400, Problem: ProblemTimestampRefused, MinTimestamp: 100, MaxTimestamp: 700},
		},
		{
			"header wins over body", 401,
			http.Header{"Www-Authenticate": {`OAuth realm="", oauth_problem="token_revoked"`}, "Content-Type": {"application/x-www-form-urlencoded"}},
			"oauth_problem=token_rejected&oauth_problem_advice=from+body",
			&ProblemError{Status: 401, Problem: ProblemTokenRevoked, Advice: "from body"},
		},
		{
			"bad timestamps kept in Extra", 400, form,
			"oauth_problem=timestamp_refused&oauth_acceptable_timestamps=soon",
			&ProblemError{Status: 400, Problem: ProblemTimestampRefused, Extra: url.Values{"oauth_acceptable_timestamps": {"soon"}}},
		},
		{
			"lists", 400, form,
			"oauth_problem=parameter_absent&oauth_parameters_absent=oauth_nonce%26oauth_timestamp&oauth_parameters_rejected=a%2526b",
			&ProblemError{Status: 400, Problem: ProblemParameterAbsent, ParametersAbsent: []string{"oauth_nonce", "oauth_timestamp"}, ParametersRejected: []string{"a&b"}},
		},
		{"malformed form escape: not a problem form", 401, form, "oauth_problem=%zz", nil},
		{"pair without =: not a problem form", 401, form, "oauth_problem=token_revoked&x", nil},
		{"page echoing the problem", 401, http.Header{"Content-Type": {"text/plain"}},
			"Your comment: a&oauth_problem=token_revoked&b was saved", nil},
		{"page with the problem first", 401, nil, "oauth_problem=token_revoked&comment=hello", nil},
		{"problem then markup", 401, nil, "oauth_problem=token_revoked\n<html><body>x</body></html>", nil},
		{"problem with a space", 401, form, "oauth_problem=token_revoked&oauth_problem_advice=a b", nil},
		{"problem with a non-ASCII byte", 401, form, "oauth_problem=token_revoked\xc3\xa9", nil},
		{
			"xoauth_ extension and empty pairs", 401, form,
			"oauth_problem=token_revoked&&xoauth_reason=r%20x&\r\n",
			&ProblemError{Status: 401, Problem: ProblemTokenRevoked, Extra: url.Values{"xoauth_reason": {"r x"}}},
		},
		{
			"header kept when the body is a page", 401,
			http.Header{"Www-Authenticate": {`OAuth oauth_problem="token_rejected"`}, "Content-Type": {"text/plain"}},
			"<p>oauth_problem_advice=ignore&oauth_problem=token_revoked</p>",
			&ProblemError{Status: 401, Problem: ProblemTokenRejected},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			got := ParseProblem(tt.status, h, []byte(tt.body))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseProblem (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseProblemLargeBody(t *testing.T) {
	t.Parallel()
	body := "oauth_problem=token_rejected&oauth_pad=" + strings.Repeat("x", 1<<20) + "&oauth_problem_advice=late"
	got := ParseProblem(401, http.Header{}, []byte(body))
	if got == nil || got.Problem != ProblemTokenRejected || got.Advice != "" || got.Extra.Has("oauth_pad") {
		t.Errorf("ParseProblem = %#v, want token_rejected and nothing from the pair cut at 64 KiB or past it", got)
	}
}

func FuzzParseProblem(f *testing.F) {
	f.Add(`OAuth realm="https%3A%2F%2Fa", oauth_problem="signature_invalid", oauth_signature_base_string="GET%26x"`, "text/plain", "oauth_problem=x&oauth_acceptable_timestamps=1-2")
	f.Add(`OAuth oauth_problem="No user associated with the token"`, "", "")
	f.Add(`oauth x=`, "application/x-www-form-urlencoded", "oauth_parameters_absent=a%26b&oauth_problem=parameter_absent")
	f.Add(`OAuth ="`, "text/plain", "%&=&&oauth_problem=%")
	f.Fuzz(func(t *testing.T, challenge, contentType, body string) {
		h := http.Header{"Www-Authenticate": {challenge}, "Content-Type": {contentType}}
		p1 := ParseProblem(401, h, []byte(body))
		p2 := ParseProblem(401, h, []byte(body))
		if !cmp.Equal(p1, p2) {
			t.Fatalf("not deterministic: %#v vs %#v", p1, p2)
		}
		if p1 == nil {
			return
		}
		_ = p1.Error()
		// What we parsed survives a write and a parse, apart from Extra
		// names that are not oauth_ (body only) and the problem itself.
		rec := httptest.NewRecorder()
		WriteProblem(rec, p1)
		p3 := ParseProblem(401, rec.Header(), rec.Body.Bytes())
		if p3 == nil || p3.Problem != p1.Problem || p3.Advice != p1.Advice || p3.Realm != p1.Realm ||
			p3.SignatureBaseString.Reveal() != p1.SignatureBaseString.Reveal() {
			t.Fatalf("round trip of %#v gave %#v", p1, p3)
		}
	})
}

// TestWriteProblemDropsNonOAuthExtra: a name that is not an OAuth parameter
// would make the body unparseable as a problem, so it is not written.
func TestWriteProblemDropsNonOAuthExtra(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	WriteProblem(rec, &ProblemError{Problem: ProblemTokenRejected, Extra: url.Values{"custom": {"x"}, "xoauth_a": {"b"}}})
	if got, want := rec.Body.String(), "oauth_problem=token_rejected&xoauth_a=b"; got != want {
		t.Errorf("body = %q, want %q", got, want)
	}
	got := ParseProblem(rec.Code, http.Header{}, rec.Body.Bytes())
	want := &ProblemError{Status: 401, Problem: ProblemTokenRejected, Extra: url.Values{"xoauth_a": {"b"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseProblem (-want +got):\n%s", diff)
	}
}
