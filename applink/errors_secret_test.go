package applink

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/signer"
)

// echoInvalid answers 401 signature_invalid as net.oauth does, echoing the
// base string in the form body and the WWW-Authenticate header.
func echoInvalid(w http.ResponseWriter, base string) {
	w.Header().Set("WWW-Authenticate", `OAuth realm="x", oauth_problem="signature_invalid", oauth_signature_base_string="`+signer.Encode(base)+`"`)
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusUnauthorized)
	fmt.Fprint(w, url.Values{"oauth_problem": {"signature_invalid"}, "oauth_signature_base_string": {base}}.Encode())
}

// TestRenewalSignatureInvalidHidesSessionHandle: a renewal answered
// signature_invalid echoes the session handle (and a verifier) in the base
// string; neither reaches CredentialsRequiredError's message, the logs, any
// fmt verb or JSON.
func TestRenewalSignatureInvalidHidesSessionHandle(t *testing.T) {
	t.Parallel()
	const handle, verifier = "HANDLE-SECRET-91c4", "VERIFIER-SECRET-2ab8"
	echo := "POST&http%3A%2F%2Fproxy%2Fplugins%2Fservlet%2Foauth%2Faccess-token&oauth_consumer_key%3Dk%26oauth_session_handle%3D" +
		handle + "%26oauth_token%3DOLD%26oauth_verifier%3D" + verifier
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/plugins/servlet/oauth/access-token" {
			echoInvalid(w, echo)
			return
		}
		t.Errorf("unexpected %s %s", r.Method, r.URL)
	}))
	t.Cleanup(ts.Close)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	store := token.NewMemoryStore()
	l := Link{ID: testLinkID, Name: "Jira", Type: TypeJira, RPCURL: ts.URL, ConsumerKey: testConsumerKey, Auth: []Auth{Auth3LO}, Secret: token.NewSecret("s")}
	svc := newTestService(t, []Link{l}, WithHTTPClient(ts.Client()), WithTokenStore(store), WithRetry(RetryPolicy{Max: -1}), WithLogger(logger))
	now := time.Now()
	old := token.NewAccessToken("OLD", "olds")
	old.SessionHandle, old.CreatedAt = token.NewSecret(handle), now.Add(-2*time.Hour)
	old.ExpiresAt, old.AuthorizationExpiresAt = now.Add(-time.Hour), now.Add(time.Hour)
	if err := store.PutAccessToken(t.Context(), token.Key{LinkID: testLinkID, User: "alice"}, old); err != nil {
		t.Fatal(err)
	}
	f := svc.stateByID(testLinkID).factory("alice")
	req, err := f.NewRequest(http.MethodGet, "/rest/api/2/myself")
	if err == nil {
		_, err = req.Do(t.Context())
	}
	// signature_invalid from the renewal is no refusal of the token: it is
	// kept, and the error is the remote's.
	var cre *CredentialsRequiredError
	if errors.As(err, &cre) {
		t.Fatalf("err = %v: credentials required, want the token kept", err)
	}
	if _, serr := store.AccessToken(t.Context(), token.Key{LinkID: testLinkID, User: "alice"}); serr != nil {
		t.Errorf("the token was deleted after a signature_invalid renewal: %v", serr)
	}
	var pe *signer.ProblemError
	if !errors.As(err, &pe) || pe.Problem != signer.ProblemSignatureInvalid {
		t.Fatalf("err = %v, want the signature_invalid problem inside", err)
	}
	outs := map[string]string{"Error": err.Error(), "logs": logs.String()}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		outs[verb] = fmt.Sprintf(verb, err)
		outs["problem "+verb] = fmt.Sprintf(verb, pe)
	}
	for name, v := range map[string]any{"error": err, "problem": pe} {
		b, jerr := json.Marshal(v)
		if jerr != nil {
			t.Fatalf("json.Marshal(%s): %v", name, jerr)
		}
		outs["json "+name] = string(b)
	}
	for how, out := range outs {
		for _, secret := range []string{handle, verifier} {
			if strings.Contains(out, secret) {
				t.Errorf("%s shows %s: %s", how, secret, out)
			}
		}
	}
	// Still useful: the masked base string keeps its shape.
	if !strings.Contains(err.Error(), "oauth_session_handle%3DREDACTED%26oauth_token%3DOLD") {
		t.Errorf("the message lost the masked base string: %s", err)
	}
	if got := pe.RedactedBaseString(); strings.Contains(got, handle) || !strings.HasPrefix(got, "POST&http%3A%2F%2Fproxy") {
		t.Errorf("RedactedBaseString() = %q", got)
	}
}

// TestOAuthErrorMessageLength: a provider echoing a 60 KiB base string and
// advice gives a message of readable length; the whole masked base strings
// stay available.
func TestOAuthErrorMessageLength(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 60<<10)
	echo := "GET&http%3A%2F%2Fproxy%2Frest%2Fapi&a%3D" + big + "%26oauth_verifier%3DVSECRET"
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		echoInvalid(w, echo)
	}))
	t.Cleanup(ts.Close)
	l := Link{ID: testLinkID, Name: "Jira", Type: TypeJira, RPCURL: ts.URL, ConsumerKey: testConsumerKey, Auth: []Auth{Auth2LO}, Secret: token.NewSecret("s")}
	svc := newTestService(t, []Link{l}, WithHTTPClient(ts.Client()), WithRetry(RetryPolicy{Max: -1}))
	bound, err := svc.Link(testLinkID)
	if err != nil {
		t.Fatal(err)
	}
	f, err := bound.RequestFactory("", WithAuth(Auth2LO))
	if err != nil {
		t.Fatal(err)
	}
	req, err := f.NewRequest(http.MethodGet, "/rest/api?a="+big)
	if err != nil {
		t.Fatal(err)
	}
	_, err = req.Do(t.Context())
	var oe *OAuthError
	if !errors.As(err, &oe) {
		t.Fatalf("err = %v, want *OAuthError", err)
	}
	msg := err.Error()
	if len(msg) > 4<<10 {
		t.Errorf("Error() is %d bytes long, want at most 4 KiB", len(msg))
	}
	for _, w := range []string{"signature_invalid", "ours:", "provider's:", "more bytes"} {
		if !strings.Contains(msg, w) {
			t.Errorf("message does not say %q", w)
		}
	}
	if theirs := oe.ProviderBaseString; len(theirs) < 60<<10 || strings.Contains(theirs, "VSECRET") || !strings.HasSuffix(theirs, "oauth_verifier%3DREDACTED") {
		t.Errorf("ProviderBaseString is %d bytes, ends %q: want the whole base string, masked", len(theirs), theirs[max(0, len(theirs)-40):])
	}
	if len(oe.BaseString) < 60<<10 {
		t.Errorf("BaseString is %d bytes, want the whole base string", len(oe.BaseString))
	}

	// The token endpoints' messages are bounded too.
	st := fakeTokenEndpoint(t, func(w http.ResponseWriter, r *http.Request) { echoInvalid(w, echo) })
	_, err = st.fetchRequestToken(t.Context(), "oob")
	if err == nil || len(err.Error()) > 4<<10 || strings.Contains(err.Error(), "VSECRET") {
		t.Errorf("token endpoint error is %d bytes long (want at most 4 KiB, no verifier)", len(fmt.Sprint(err)))
	}
}
