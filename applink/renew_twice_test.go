package applink

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
)

// expireRenewed is a transport that, after the remote answers a renewal,
// makes the remote expire the new token at once, the first times times:
// a remote ending a token again before the request is through.
type expireRenewed struct {
	base http.RoundTripper

	mu    sync.Mutex
	srv   *applinktest.Server
	times int
}

func (e *expireRenewed) RoundTrip(req *http.Request) (*http.Response, error) {
	renewal := strings.HasSuffix(req.URL.Path, applinktest.AtlassianAccessTokenPath) &&
		strings.Contains(req.Header.Get("Authorization"), "oauth_session_handle")
	resp, err := e.base.RoundTrip(req)
	if err != nil || !renewal || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.times > 0 {
		e.times--
		form, perr := url.ParseQuery(string(body))
		if perr != nil {
			return nil, perr
		}
		if err := e.srv.Expire(form.Get("oauth_token")); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// TestTokenExpiredTwiceRenewedAgain: a remote that expires the renewed
// token too before the request is through gets a second renewal, and the
// request succeeds; one that expires every renewed token gets a bounded
// number of renewals, then credentials are required.
func TestTokenExpiredTwiceRenewedAgain(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		expireTimes  int
		wantOK       bool
		wantRenewals int
	}{
		{"expired again once", 1, true, 2},
		{"expired after every renewal", 1000, false, maxRenewalsPerRequest},
	} {
		for _, view := range []string{"Do", "Client"} {
			t.Run(tc.name+"/"+view, func(t *testing.T) {
				t.Parallel()
				hook := &expireRenewed{times: tc.expireTimes}
				fx := newCoreFixture(t, coreConfig{auth: []Auth{Auth3LO}, svcOpts: []Option{
					WithHTTPClient(&http.Client{Transport: hook}), WithRetry(RetryPolicy{Max: -1})}})
				hook.mu.Lock()
				hook.srv, hook.base = fx.srv, fx.srv.Client().Transport
				hook.mu.Unlock()
				fx.authorize(t, "alice")
				key := token.Key{LinkID: fx.link.ID, User: "alice"}
				old, err := fx.store.AccessToken(t.Context(), key)
				if err != nil {
					t.Fatal(err)
				}
				if err := fx.srv.Expire(old.Token); err != nil {
					t.Fatal(err)
				}
				f := fx.factory(t, "alice")
				var name string
				if view == "Do" {
					name, _, err = whoami(t, f)
				} else {
					var resp *http.Response
					resp, err = f.Client().Get(fx.srv.URL + "/rest/api/2/myself")
					if err == nil {
						resp.Body.Close()
						if resp.StatusCode == http.StatusOK {
							name = "alice"
						}
					}
				}
				renewals := 0
				for _, r := range fx.srv.Requests() {
					if r.Path == applinktest.AtlassianAccessTokenPath && r.Status == http.StatusOK && r.User == "alice" {
						renewals++
					}
				}
				renewals-- // the dance's own exchange
				if renewals != tc.wantRenewals {
					t.Errorf("renewals = %d, want %d", renewals, tc.wantRenewals)
				}
				cur, serr := fx.store.AccessToken(t.Context(), key)
				if tc.wantOK {
					if err != nil || name != "alice" {
						t.Fatalf("request = %q, %v; want alice", name, err)
					}
					if serr != nil || cur.Token == old.Token {
						t.Errorf("stored token = %v, %v; want the second renewal's", cur, serr)
					}
					return
				}
				// Out of its renewal budget, the request fails and the
				// current (renewable) token is kept: the rule deletes a
				// token only when the remote definitively refused it.
				if serr != nil {
					t.Errorf("the token was deleted after the renewal budget ran out: %v", serr)
				}
				if view == "Client" {
					if err != nil || name == "alice" {
						t.Fatalf("Client: %q, %v; want the remote's 401 returned as it came", name, err)
					}
					return
				}
				var need *CredentialsRequiredError
				if errors.As(err, &need) {
					t.Fatalf("err = %v: credentials required, want the request failed with the token kept", err)
				}
				var pe *signer.ProblemError
				if !errors.As(err, &pe) || pe.Problem != signer.ProblemTokenExpired {
					t.Errorf("err = %v, want token_expired inside", err)
				}
			})
		}
	}
}
