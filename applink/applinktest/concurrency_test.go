package applinktest_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
)

// lockedBuffer is a bytes.Buffer safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestConcurrentDancesAndLogging(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	srv, s := atlassian(t, applinktest.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	const n = 8
	tokens := make([]signer.Token, n)
	t.Run("dances", func(t *testing.T) {
		for i := range n {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				user := fmt.Sprintf("user%d", i)
				srv.AddUser(user)
				tokens[i], _ = dance(t, srv, s, user)
				r := do(t, srv, s, http.MethodGet, srv.URL+myself, nil, signer.Params{Token: tokens[i]})
				if r.status != 200 || !strings.Contains(r.body, `"name":"`+user+`"`) {
					t.Errorf("%s: %d %s", user, r.status, r.body)
				}
				_ = srv.Requests()
				_ = srv.AccessTokens("app", user)
			})
		}
	})
	if got := len(srv.Requests()); got != 3*n {
		t.Errorf("%d requests recorded, want %d", got, 3*n)
	}
	out := logs.String()
	if lines := strings.Count(out, "\n"); lines != 3*n {
		t.Errorf("%d log lines, want one per request (%d)", lines, 3*n)
	}
	for _, tok := range tokens {
		if strings.Contains(out, tok.Key()) || strings.Contains(out, tok.Secret()) {
			t.Errorf("the log shows a token: %s", out)
		}
	}
	if strings.Contains(out, "oauth_signature") || strings.Contains(out, "Authorization") {
		t.Errorf("the log shows the Authorization header: %s", out)
	}
}
