package applink

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/engine"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
)

// whoamiPath is a resource that answers with the user a request acts as.
func whoamiPath(shape applinktest.Shape) string {
	if shape == applinktest.Jenkins {
		return "/me/api/json"
	}
	return "/rest/api/2/myself"
}

// whoami makes a request as user and returns the body, or the error.
func (fx *danceFixture) whoami(t *testing.T, user string) (string, error) {
	t.Helper()
	req, err := fx.factory(t, user).NewRequest(http.MethodGet, whoamiPath(fx.srv.Shape()))
	if err != nil {
		return "", err
	}
	resp, err := req.Do(t.Context())
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("whoami: %s %s", resp.Status, b)
	}
	return string(b), nil
}

// TestRenewalThroughRequest: an expired access token with a session handle
// is renewed transparently by the next request.
func TestRenewalThroughRequest(t *testing.T) {
	t.Parallel()
	fx := newDanceFixture(t, applinktest.Atlassian)
	key, old := fx.authorized(t, "alice")
	// The token reached the end of its life, on both sides.
	if err := fx.srv.Expire(old.Token); err != nil {
		t.Fatal(err)
	}
	old.ExpiresAt = time.Now().Add(-time.Second)
	if err := fx.store.PutAccessToken(t.Context(), key, old); err != nil {
		t.Fatal(err)
	}
	if body, err := fx.whoami(t, "alice"); err != nil || !strings.Contains(body, `"alice"`) {
		t.Fatalf("request with an expired, renewable token: %q, %v", body, err)
	}
	renewed, err := fx.store.AccessToken(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	if renewed.Token == old.Token || renewed.Expired(time.Now()) {
		t.Errorf("stored token after the request: %v, want a new unexpired token", renewed)
	}
}

// TestDanceWithClockSkew: a remote whose clock is an hour ahead refuses
// the first token call; the link learns the offset and the dance succeeds.
func TestDanceWithClockSkew(t *testing.T) {
	t.Parallel()
	for _, shape := range shapes {
		t.Run(string(shape), func(t *testing.T) {
			t.Parallel()
			fx := newDanceFixture(t, shape, applinktest.WithSkew(time.Hour))
			err := authorizeOutOfBand(t.Context(), fx.factory(t, "alice"), func(_ context.Context, authURL string) (string, error) {
				return approveOOB(t, fx, authURL), nil
			})
			if err != nil {
				t.Fatalf("dance with a skewed remote: %v", err)
			}
			if off := fx.svc.stateByID(testLinkID).clockOffset(); off < 59*time.Minute || off > 61*time.Minute {
				t.Errorf("learnt offset %s, want about 1h", off)
			}
		})
	}
}

// TestRenewAfterExpiry: the remote says token_expired before our record
// of the token expires; the request path can renew with the session
// handle instead of asking the user again.
func TestRenewAfterExpiry(t *testing.T) {
	t.Parallel()
	fx := newDanceFixture(t, applinktest.Atlassian)
	key, used := fx.authorized(t, "alice")
	src := fx.factory(t, "alice").source()
	expired := &resourceRefusal{&signer.ProblemError{Problem: signer.ProblemTokenExpired}}
	if err := fx.srv.Expire(used.Token); err != nil {
		t.Fatal(err)
	}
	renewed, err := src.Rejected(t.Context(), used, expired)
	if err != nil || renewed.Token == used.Token {
		t.Fatalf("Rejected(token_expired) = %v, %v; want a new token", renewed, err)
	}
	if body, err := fx.whoami(t, "alice"); err != nil || !strings.Contains(body, `"alice"`) {
		t.Fatalf("request after the renewal: %q, %v", body, err)
	}
	// token_expired for a token without a session handle: it is deleted.
	noHandle := *renewed
	noHandle.SessionHandle = token.NewSecret("")
	if err := fx.store.PutAccessToken(t.Context(), key, &noHandle); err != nil {
		t.Fatal(err)
	}
	var refused *engine.RefusedError
	if _, err := src.Rejected(t.Context(), &noHandle, expired); !errors.As(err, &refused) {
		t.Fatalf("Rejected(token_expired, no session handle) = %v, want *engine.RefusedError", err)
	}
	if _, err := fx.store.AccessToken(t.Context(), key); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("the token without a session handle is still stored: %v", err)
	}
}
