package main

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/filestore"
	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/applink/config"

	"github.com/go-applinks/applinks/applink"
)

// TestRequestKeepsTokenUnlessRefused runs `applink request` against a
// provider whose resource refuses the stored bearer token (401) and whose
// token endpoint answers as each case says: the user's token is deleted
// only for invalid_grant (exit 3, naming the remote's rejection), and kept
// for a wrong client secret or a failing token endpoint (exit 1, with the
// real error).
func TestRequestKeepsTokenUnlessRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		answer      string // the token endpoint's: invalid_client, 503 or invalid_grant
		expired     bool   // the stored token has expired by our clock too
		wantCode    int
		wantStderr  []string
		wantDeleted bool
		wantCalls   int32
	}{
		{name: "wrong client secret", answer: "invalid_client", wantCode: exitFailure,
			wantStderr: []string{"invalid_client", "check the client id and secret"}, wantCalls: 1},
		{name: "token endpoint down", answer: "503", wantCode: exitFailure, wantStderr: []string{"503"}, wantCalls: 4},
		{name: "revoked, found at refresh after local expiry", answer: "invalid_grant", expired: true, wantCode: exitCredentials,
			wantStderr:  []string{"has a token the remote rejected (", "invalid_grant", "it was deleted", "authorize again"},
			wantDeleted: true, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			mux := http.NewServeMux()
			mux.HandleFunc("GET /rest/api/2/myself", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
				http.Error(w, "unauthorized", http.StatusUnauthorized)
			})
			mux.HandleFunc("POST /rest/oauth2/latest/token", func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.Header().Set("Content-Type", "application/json")
				switch tt.answer {
				case "503":
					w.WriteHeader(http.StatusServiceUnavailable)
				case "invalid_client":
					w.WriteHeader(http.StatusUnauthorized)
					_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
				case "invalid_grant":
					w.WriteHeader(http.StatusBadRequest)
					_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"revoked"}`))
				}
			})
			srv := httptest.NewServer(mux)
			t.Cleanup(srv.Close)
			config := filepath.Join(t.TempDir(), "config.json")
			secretFile := filepath.Join(filepath.Dir(config), "client-secret")
			if err := os.WriteFile(secretFile, []byte("client-secret-TEST-ONLY\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			var vars map[string]string
			r := runCLITest(t, config, vars, "", "link", "add", "jira2", "--url", srv.URL, "--type", "jira", "--auth", "oauth2",
				"--client-id", "client", "--client-secret-file", secretFile, "--redirect-url", "http://127.0.0.1:8765/callback")
			if r.code != 0 {
				t.Fatalf("link add: exit %d: %s", r.code, r.stderr)
			}
			l := linkByName(t, config, "jira2")
			store, err := filestore.Open(filepath.Join(filepath.Dir(config), "tokens.json"))
			if err != nil {
				t.Fatal(err)
			}
			tok := token.NewOAuth2AccessToken("stale-bearer", "stale-refresh")
			tok.ExpiresAt = time.Now().Add(time.Hour)
			if tt.expired {
				tok.ExpiresAt = time.Now().Add(-time.Minute)
			}
			key := token.Key{LinkID: l.ID, User: "alice"}
			if err := store.PutAccessToken(t.Context(), key, tok); err != nil {
				t.Fatal(err)
			}
			r = runCLITest(t, config, vars, "", "request", "--link", "jira2", "--as", "alice", "GET", "/rest/api/2/myself")
			if r.code != tt.wantCode {
				t.Fatalf("request: exit %d, want %d; stderr %q", r.code, tt.wantCode, r.stderr)
			}
			for _, want := range tt.wantStderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q: %q", want, r.stderr)
				}
			}
			if strings.Contains(r.stdout+r.stderr, "stale-refresh") || strings.Contains(r.stdout+r.stderr, "client-secret-TEST-ONLY") {
				t.Errorf("a secret was printed: %q %q", r.stdout, r.stderr)
			}
			if n := calls.Load(); n != tt.wantCalls {
				t.Errorf("%d token endpoint calls, want %d", n, tt.wantCalls)
			}
			_, err = store.AccessToken(t.Context(), key)
			if deleted := errors.Is(err, token.ErrNotFound); deleted != tt.wantDeleted {
				t.Errorf("token deleted = %v (%v), want %v", deleted, err, tt.wantDeleted)
			}
		})
	}
}

// linkByName reads the config's link called name.
func linkByName(t *testing.T, cfgFile, name string) applink.Link {
	t.Helper()
	cfg, err := config.Load(cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range cfg.Links {
		if l.Name == name {
			return l
		}
	}
	t.Fatalf("no link %q in %s", name, cfgFile)
	return applink.Link{}
}
