package authorize

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/signer"
)

// TestDanceFromCredentialsRequired is the whole story: no token →
// credentials required → the dance from the error → the request acts as
// the user → the token is revoked at the remote → credentials required
// again → the dance (loopback this time) → success.
func TestDanceFromCredentialsRequired(t *testing.T) {
	t.Parallel()
	for _, shape := range shapes {
		t.Run(string(shape), func(t *testing.T) {
			t.Parallel()
			fx := newDanceFixture(t, shape)
			_, err := fx.whoami(t, "alice")
			cre := credentialsRequired(t, err)
			if cre.Cause != nil {
				t.Errorf("Cause = %v, want nil for a user without a token", cre.Cause)
			}
			authURL, err := fx.factory(t, cre.User).AuthorizationURL(t.Context(), "")
			if err != nil {
				t.Fatalf("AuthorizationURL for the error's user: %v", err)
			}
			verifier, err := fx.srv.ApproveURL(authURL.String(), "alice")
			if err != nil {
				t.Fatal(err)
			}
			if err := fx.factory(t, cre.User).CompleteAuthorization(t.Context(), authURL.Query().Get("oauth_token"), verifier); err != nil {
				t.Fatalf("CompleteAuthorization: %v", err)
			}
			if _, err := fx.store.AccessToken(t.Context(), token.Key{LinkID: testLinkID, User: "alice"}); err != nil {
				t.Errorf("no token stored for alice: %v", err)
			}
			body, err := fx.whoami(t, "alice")
			if err != nil || !strings.Contains(body, `"alice"`) {
				t.Fatalf("request as alice after the dance: %q, %v", body, err)
			}
			if _, err := fx.whoami(t, "bob"); err == nil {
				t.Error("bob's request succeeded without bob's dance")
			}

			if n := fx.srv.RevokeUser(testConsumerKey, "alice"); n != 1 {
				t.Fatalf("revoked %d tokens, want 1", n)
			}
			_, err = fx.whoami(t, "alice")
			cre = credentialsRequired(t, err)
			var pe *signer.ProblemError
			if !errors.As(cre.Cause, &pe) || !pe.IsToken() {
				t.Errorf("Cause = %v, want the remote's token problem", cre.Cause)
			}
			err = Loopback(t.Context(), fx.factory(t, "alice"), func(ctx context.Context, authURL string) error {
				_, _, err := browserGet(ctx, &http.Client{Timeout: time.Minute}, authURL+"&user=alice&approve=1")
				return err
			})
			if err != nil {
				t.Fatalf("Loopback after revocation: %v", err)
			}
			if body, err := fx.whoami(t, "alice"); err != nil || !strings.Contains(body, `"alice"`) {
				t.Fatalf("request as alice after the second dance: %q, %v", body, err)
			}
		})
	}
}

// TestDanceRefusesOAuth10 checks that every way of starting the dance
// refuses a remote whose request token comes without
// oauth_callback_confirmed=true (OAuth 1.0, open to session fixation), and
// stores nothing.
func TestDanceRefusesOAuth10(t *testing.T) {
	t.Parallel()
	starts := []struct {
		name  string
		start func(t *testing.T, fx *danceFixture) error
	}{
		{"AuthorizationURL", func(t *testing.T, fx *danceFixture) error {
			_, err := fx.factory(t, "alice").AuthorizationURL(t.Context(), "https://app.example.com/cb")
			return err
		}},
		{"AuthorizationURL out of band", func(t *testing.T, fx *danceFixture) error {
			_, err := fx.factory(t, "alice").AuthorizationURL(t.Context(), "")
			return err
		}},
		{"Loopback", func(t *testing.T, fx *danceFixture) error {
			return Loopback(t.Context(), fx.factory(t, "alice"), func(context.Context, string) error {
				t.Error("the browser was opened for an OAuth 1.0 remote")
				return nil
			})
		}},
		{"OutOfBand", func(t *testing.T, fx *danceFixture) error {
			return OutOfBand(t.Context(), fx.factory(t, "alice"), func(context.Context, string) (string, error) {
				t.Error("the user was asked for a verifier of an OAuth 1.0 remote")
				return "", nil
			})
		}},
	}
	for _, shape := range shapes {
		for _, s := range starts {
			t.Run(string(shape)+"/"+s.name, func(t *testing.T) {
				t.Parallel()
				fx := newDanceFixture(t, shape, applinktest.WithOAuth10Callback())
				err := s.start(t, fx)
				var cnc *applink.DanceError
				if !errors.As(err, &cnc) || !errors.Is(err, applink.ErrDanceCallbackNotConfirmed) {
					t.Fatalf("err = %v (%T), want a *DanceError, ErrDanceCallbackNotConfirmed", err, err)
				}
				if cnc.LinkName != fx.link.Name {
					t.Errorf("LinkName = %q, want %q", cnc.LinkName, fx.link.Name)
				}
				for _, w := range []string{"OAuth 1.0", "oauth_callback_confirmed", "session fixation", "refused"} {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("message %q does not say %q", err, w)
					}
				}
				if n := storedTokens(fx.store); n != 0 {
					t.Errorf("the store holds %d tokens, want none", n)
				}
			})
		}
		t.Run(string(shape)+"/dance handler", func(t *testing.T) {
			t.Parallel()
			fx := newDanceFixture(t, shape, applinktest.WithOAuth10Callback())
			h, err := NewHandler(fx.svc, func(*http.Request) (string, error) { return "alice", nil })
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, newStartRequest(t, "http://app.example.com", fx.link.ID, "/done"))
			if rec.Code != http.StatusBadGateway {
				t.Errorf("status = %d, want 502", rec.Code)
			}
			if loc := rec.Header().Get("Location"); loc != "" {
				t.Errorf("redirected to %s", loc)
			}
			body := rec.Body.String()
			for _, w := range []string{"Unsafe remote application", "OAuth 1.0", "session fixation"} {
				if !strings.Contains(body, w) {
					t.Errorf("page does not say %q:\n%s", w, body)
				}
			}
			if n := storedTokens(fx.store); n != 0 {
				t.Errorf("the store holds %d tokens, want none", n)
			}
		})
	}
}

func TestOutOfBand(t *testing.T) {
	t.Parallel()
	for _, shape := range shapes {
		t.Run(string(shape), func(t *testing.T) {
			t.Parallel()
			fx := newDanceFixture(t, shape)
			err := OutOfBand(t.Context(), fx.factory(t, "alice"), func(_ context.Context, authURL string) (string, error) {
				verifier, err := fx.srv.ApproveURL(authURL, "alice")
				return " " + verifier + "\n", err
			})
			if err != nil {
				t.Fatalf("OutOfBand: %v", err)
			}
			if _, err := fx.store.AccessToken(t.Context(), token.Key{LinkID: testLinkID, User: "alice"}); err != nil {
				t.Errorf("no token stored: %v", err)
			}
		})
	}
	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		fx := newDanceFixture(t, applinktest.Jenkins)
		f := fx.factory(t, "alice")
		boom := errors.New("boom")
		if err := OutOfBand(t.Context(), f, func(context.Context, string) (string, error) { return "", boom }); !errors.Is(err, boom) {
			t.Errorf("verifier error: err = %v, want it wrapped", err)
		}
		if err := OutOfBand(t.Context(), f, func(context.Context, string) (string, error) { return "  ", nil }); err == nil {
			t.Error("an empty code was accepted")
		}
		if err := OutOfBand(t.Context(), f, nil); err == nil {
			t.Error("a nil verifier was accepted")
		}
	})
}

// TestLoopbackOAuth2: for an OAuth 2.0 link the loopback flow listens on
// the registered redirect URL, where the consent page sends the browser
// (the test server's Browser plays the browser).
func TestLoopbackOAuth2(t *testing.T) {
	t.Parallel()
	fx := newO2Fixture(t, "")
	alice := factoryFor(t, fx.service(t), "alice")
	if err := Loopback(t.Context(), alice, fx.srv.Browser("alice"), WithLoopbackTimeout(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if name, err := whoAmI(t, alice); err != nil || name != "alice" {
		t.Fatalf("after the consent: %q, %v", name, err)
	}
}

// TestLoopbackOAuth2Refuses: the loopback flow of an OAuth 2.0 link
// listens only on the registered redirect URL, which must be loopback, and
// refuses a WithLoopbackAddr that differs, before the browser is opened.
func TestLoopbackOAuth2Refuses(t *testing.T) {
	t.Parallel()
	open := func(context.Context, string) error {
		t.Error("the browser was opened")
		return nil
	}
	remote := newO2Fixture(t, "https://app.example.com/callback")
	err := Loopback(t.Context(), factoryFor(t, remote.service(t), "alice"), open)
	if err == nil || !strings.Contains(err.Error(), "not http://127.0.0.1:PORT") {
		t.Errorf("a redirect URL that is not loopback: %v", err)
	}
	local := newO2Fixture(t, "")
	err = Loopback(t.Context(), factoryFor(t, local.service(t), "alice"), open, WithLoopbackAddr("127.0.0.1:1"))
	if err == nil || !strings.Contains(err.Error(), "differs from the registered redirect URL") {
		t.Errorf("WithLoopbackAddr other than the redirect URL's: %v", err)
	}
}

// TestFlowsRefuseAFactoryNotFromAService: a zero RequestFactory is an
// error, not a panic.
func TestFlowsRefuseAFactoryNotFromAService(t *testing.T) {
	t.Parallel()
	var f applink.RequestFactory
	if err := Loopback(t.Context(), &f, func(context.Context, string) error { return nil }); err == nil {
		t.Error("Loopback accepted a factory that does not come from a Service")
	}
	if err := OutOfBand(t.Context(), &f, func(context.Context, string) (string, error) { return "", nil }); err == nil {
		t.Error("OutOfBand accepted a factory that does not come from a Service")
	}
}
