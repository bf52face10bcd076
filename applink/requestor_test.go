package applink

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestImpersonationParameterInFormBodyRefused: xoauth_requestor_id in a
// signed form body is refused like in the query, before anything is sent,
// whether the body is replayable or not and however the name is encoded;
// the same text in a body that is not a form, or in the unsigned body of an
// anonymous request, is only data.
func TestImpersonationParameterInFormBodyRefused(t *testing.T) {
	t.Parallel()
	const form = "application/x-www-form-urlencoded"
	tests := []struct {
		name       string
		auth       Auth
		user       string
		ctype      string
		body       string
		replayable bool
		refused    bool
	}{
		{"2LO", Auth2LO, "alice", form, "a=1&xoauth_requestor_id=admin", true, true},
		{"2LO not replayable", Auth2LO, "alice", form, "xoauth_requestor_id=admin", false, true},
		{"2LO encoded name", Auth2LO, "alice", form + "; charset=UTF-8", "xoauth%5Frequestor%5Fid=admin", true, true},
		{"2LOi", Auth2LOi, "alice", form, "xoauth_requestor_id=admin", true, true},
		{"anonymous, not signed", AuthAnonymous, "", form, "xoauth_requestor_id=admin", false, false},
		{"2LO other form", Auth2LO, "alice", form, "a=xoauth_requestor_id", false, false},
		{"2LO JSON body", Auth2LO, "alice", "application/json", `{"xoauth_requestor_id":"admin"}`, false, false},
		{"2LOi JSON body", Auth2LOi, "alice", "text/plain", "xoauth_requestor_id=admin", true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fx := newCoreFixture(t, coreConfig{auth: []Auth{tc.auth}})
			fx.srv.Handle("POST /form", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "ok")
			}))
			var body io.Reader = strings.NewReader(tc.body)
			if !tc.replayable {
				body = io.NopCloser(body) // NewRequest sets no GetBody
			}
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, fx.srv.URL+"/form", body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", tc.ctype)
			if (req.GetBody != nil) != tc.replayable {
				t.Fatalf("request GetBody set = %t, want %t", req.GetBody != nil, tc.replayable)
			}
			resp, err := fx.factory(t, tc.user).Client().Do(req)
			if !tc.refused {
				if err != nil {
					t.Fatalf("Do: %v, want the request sent", err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("status %d, want 200", resp.StatusCode)
				}
				return
			}
			if err == nil {
				resp.Body.Close()
				t.Fatal("Do: no error, want a refusal naming xoauth_requestor_id in the form body")
			}
			for _, want := range []string{"form body", "xoauth_requestor_id"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if n := len(recordsFor(fx.srv, "/form")); n != 0 {
				t.Errorf("the provider saw %d requests, want none", n)
			}
		})
	}
}

// TestImpersonationParameterInAddFormRefused goes through Request.AddForm.
func TestImpersonationParameterInAddFormRefused(t *testing.T) {
	t.Parallel()
	fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth2LO}})
	req, err := fx.factory(t, "alice").NewRequest(http.MethodPost, "/rest/api/2/issue")
	if err != nil {
		t.Fatal(err)
	}
	req.AddForm("xoauth_requestor_id", "admin")
	if _, err := req.Do(t.Context()); err == nil || !strings.Contains(err.Error(), "xoauth_requestor_id") {
		t.Errorf("Do: got %v, want a refusal naming xoauth_requestor_id", err)
	}
	if n := len(recordsFor(fx.srv, "/rest/api/2/issue")); n != 0 {
		t.Errorf("the provider saw %d requests, want none", n)
	}
}
