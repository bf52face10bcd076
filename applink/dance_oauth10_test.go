package applink

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/applink/applinktest"
)

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
		{"AuthorizeLoopback", func(t *testing.T, fx *danceFixture) error {
			return fx.factory(t, "alice").AuthorizeLoopback(t.Context(), func(context.Context, string) error {
				t.Error("the browser was opened for an OAuth 1.0 remote")
				return nil
			})
		}},
		{"AuthorizeOutOfBand", func(t *testing.T, fx *danceFixture) error {
			return fx.factory(t, "alice").AuthorizeOutOfBand(t.Context(), func(context.Context, string) (string, error) {
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
				var cnc *DanceError
				if !errors.As(err, &cnc) || !errors.Is(err, ErrDanceCallbackNotConfirmed) {
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
			h, err := NewDanceHandler(fx.svc, func(*http.Request) (string, error) { return "alice", nil })
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

// newStartRequest is the browser's request that starts the dance for link
// at the app at base: the start form posted from the app's own page.
func newStartRequest(t *testing.T, base, link, redirect string) *http.Request {
	t.Helper()
	form := url.Values{"link": {link}, "redirect": {redirect}}
	r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, base+DefaultDancePrefix+"/start", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", base)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	return r
}

// storedTokens counts the access and request tokens in s, as its String
// says.
func storedTokens(s *token.MemoryStore) int {
	var access, request int
	if _, err := fmt.Sscanf(s.String(), "MemoryStore(%d access tokens, %d request tokens)", &access, &request); err != nil {
		panic("storedTokens: " + err.Error())
	}
	return access + request
}
