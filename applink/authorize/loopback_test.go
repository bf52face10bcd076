package authorize

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/token"
)

// browserGet fetches u following redirects (to the loopback callback) and
// returns the final status and body.
func browserGet(ctx context.Context, client *http.Client, u string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// loopbackAnswering runs alice's Loopback dance on fx, whose browser
// opens the authorization URL with answer appended (the remote's consent:
// approve or deny), and returns the status and page the browser ended at,
// and Loopback's error.
func loopbackAnswering(t *testing.T, fx *danceFixture, answer string) (status int, page string, err error) {
	t.Helper()
	err = Loopback(t.Context(), fx.factory(t, "alice"), func(ctx context.Context, authURL string) error {
		var err error
		status, page, err = browserGet(ctx, &http.Client{Timeout: time.Minute}, authURL+answer)
		return err
	})
	return status, page, err
}

func TestLoopback(t *testing.T) {
	t.Parallel()
	for _, shape := range shapes {
		t.Run(string(shape), func(t *testing.T) {
			t.Parallel()
			fx := newDanceFixture(t, shape)
			status, page, err := loopbackAnswering(t, fx, "&user=alice&approve=1")
			if err != nil {
				t.Fatalf("Loopback: %v", err)
			}
			if status != http.StatusOK || !strings.Contains(page, "close this window") {
				t.Errorf("browser got %d %q, want 200 and a page saying the window may be closed", status, page)
			}
			if _, err := fx.store.AccessToken(t.Context(), token.Key{LinkID: testLinkID, User: "alice"}); err != nil {
				t.Errorf("no token stored: %v", err)
			}
		})
	}
}

func TestLoopbackDenied(t *testing.T) {
	t.Parallel()
	fx := newDanceFixture(t, applinktest.Jenkins)
	status, _, err := loopbackAnswering(t, fx, "&approve=0")
	if !errors.Is(err, applink.ErrDanceDenied) {
		t.Fatalf("err = %v, want ErrDanceDenied", err)
	}
	if status != http.StatusForbidden {
		t.Errorf("browser got %d, want 403", status)
	}
}

func TestLoopbackIgnoresStrayRequests(t *testing.T) {
	t.Parallel()
	fx := newDanceFixture(t, applinktest.Atlassian)
	var replay int
	err := Loopback(t.Context(), fx.factory(t, "alice"), func(ctx context.Context, authURL string) error {
		au, err := url.Parse(authURL)
		if err != nil {
			return err
		}
		// Where the provider will send the browser: our callback.
		client := &http.Client{Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, authURL+"&user=alice&approve=1", nil)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		cb, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			return err
		}
		for _, tc := range []struct {
			name string
			u    string
			want int
		}{
			{"wrong state", strings.Replace(cb.String(), "state=", "state=x", 1), http.StatusBadRequest},
			{"no state", "http://" + cb.Host + "/callback?oauth_token=" + au.Query().Get("oauth_token"), http.StatusBadRequest},
			{"other path", "http://" + cb.Host + "/favicon.ico", http.StatusNotFound},
		} {
			if status, _, err := browserGet(ctx, client, tc.u); err != nil || status != tc.want {
				t.Errorf("%s: status %d (err %v), want %d", tc.name, status, err, tc.want)
			}
		}
		post, _ := http.NewRequestWithContext(ctx, http.MethodPost, cb.String(), nil)
		if resp, err := client.Do(post); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("POST callback: %v %v, want 405", resp, err)
		} else {
			_ = resp.Body.Close()
		}
		// The real callback still completes the dance, once.
		if status, _, err := browserGet(ctx, client, cb.String()); err != nil || status != http.StatusOK {
			t.Errorf("real callback: status %d (err %v), want 200", status, err)
		}
		replay, _, _ = browserGet(ctx, client, cb.String())
		return nil
	})
	if err != nil {
		t.Fatalf("Loopback: %v", err)
	}
	if replay != http.StatusConflict {
		t.Errorf("replayed callback: status %d, want 409", replay)
	}
}

func TestLoopbackEnds(t *testing.T) {
	t.Parallel()
	fx := newDanceFixture(t, applinktest.Atlassian)
	noop := func(context.Context, string) error { return nil }
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		err := Loopback(t.Context(), fx.factory(t, "alice"), noop, WithLoopbackTimeout(50*time.Millisecond))
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no authorization callback") {
			t.Errorf("err = %v, want a timeout wrapping context.DeadlineExceeded", err)
		}
	})
	t.Run("context canceled", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		err := Loopback(ctx, fx.factory(t, "alice"), func(context.Context, string) error { cancel(); return nil })
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
	t.Run("open fails", func(t *testing.T) {
		t.Parallel()
		boom := errors.New("no browser")
		err := Loopback(t.Context(), fx.factory(t, "alice"), func(context.Context, string) error { return boom })
		if !errors.Is(err, boom) {
			t.Errorf("err = %v, want open's error", err)
		}
	})
	t.Run("listener closed", func(t *testing.T) {
		t.Parallel()
		var cb string
		_ = Loopback(t.Context(), fx.factory(t, "alice"), func(_ context.Context, authURL string) error {
			u, _ := url.Parse(authURL)
			rt, err := fx.store.RequestToken(t.Context(), u.Query().Get("oauth_token"))
			if err != nil {
				return err
			}
			cb = rt.Callback
			return errors.New("stop")
		})
		if cb == "" {
			t.Fatal("no callback recorded")
		}
		if _, _, err := browserGet(t.Context(), &http.Client{Timeout: time.Minute}, cb); err == nil {
			t.Error("the callback listener still answers after Loopback returned")
		}
	})
	t.Run("bad options", func(t *testing.T) {
		t.Parallel()
		for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:0", "nonsense"} {
			if err := Loopback(t.Context(), fx.factory(t, "alice"), noop, WithLoopbackAddr(addr)); err == nil {
				t.Errorf("WithLoopbackAddr(%q) accepted", addr)
			}
		}
		if err := Loopback(t.Context(), fx.factory(t, "alice"), nil); err == nil {
			t.Error("nil open accepted")
		}
	})
}

func TestCallbackVerifier(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ verifier, problem, want string }{
		{"abc", "", "abc"},
		{"denied", "", "denied"},
		{"", "permission_denied", "denied"},
		{"", "user_refused", "denied"},
		{"", "token_expired", ""},
		{"abc", "permission_denied", "abc"},
	} {
		if got := callbackVerifier(tc.verifier, tc.problem); got != tc.want {
			t.Errorf("callbackVerifier(%q, %q) = %q, want %q", tc.verifier, tc.problem, got, tc.want)
		}
	}
}
