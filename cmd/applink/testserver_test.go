package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/signer"
	"github.com/google/go-cmp/cmp"
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

func TestTestServerServesSignedRequests(t *testing.T) {
	t.Parallel()
	// The deadline bounds the whole test, the command's start included.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	outR, outW := io.Pipe()
	var stderr lockedBuffer
	e := &env{stdin: strings.NewReader(""), stdout: outW, stderr: &stderr, getenv: func(k string) string {
		if k == "CI_SECRET" {
			return "s3cret-TEST-ONLY"
		}
		return ""
	}}
	done := make(chan int, 1)
	go func() {
		done <- execute(ctx, []string{"testserver", "--shape", "jenkins", "--hmac-consumer", "ci=CI_SECRET",
			"--users", "alice,bob", "--fault", "status=429,retry-after=2s,path=/crumbIssuer/api/json"}, e)
		outW.Close()
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the URL: %v (stderr: %s)", err, stderr.String())
	}
	base := strings.TrimSpace(line)
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("first line %q is not a loopback base URL", line)
	}

	m, err := signer.NewHMACSHA1("s3cret-TEST-ONLY")
	if err != nil {
		t.Fatal(err)
	}
	s, err := signer.New("ci", m)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+applinktest.JenkinsRequestTokenPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Sign(req, signer.Params{OmitToken: true, Callback: "oob"}); err != nil {
		t.Fatal(err)
	}
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "oauth_token=") {
		t.Fatalf("request token: %d %s", resp.StatusCode, body)
	}

	// The fault from --fault strikes.
	resp, err = testClient.Get(base + "/crumbIssuer/api/json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "2" {
		t.Errorf("faulted request: %d Retry-After %q, want 429 and 2", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d, want 0 (stderr: %s)", code, stderr.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("testserver did not stop after cancellation")
	}

	var flows []string
	for l := range strings.Lines(stderr.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("stderr line %q is not JSON: %v", l, err)
		}
		if strings.Contains(l, "s3cret") || strings.Contains(l, "oauth_signature") {
			t.Errorf("log line leaks a secret: %s", l)
		}
		if rec["msg"] == "request" {
			flows = append(flows, rec["flow"].(string)+" "+rec["path"].(string))
		}
	}
	want := []string{"request-token " + applinktest.JenkinsRequestTokenPath, "anonymous /crumbIssuer/api/json"}
	if diff := cmp.Diff(want, flows); diff != "" {
		t.Errorf("logged requests (-want +got):\n%s", diff)
	}
}

func TestTestServerUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"non-loopback address", []string{"--addr", "0.0.0.0:0"}, "not a loopback address"},
		{"public address", []string{"--addr", "192.0.2.1:80"}, "not a loopback address"},
		{"bad shape", []string{"--shape", "confluence-cloud"}, "--shape"},
		{"missing secret variable", []string{"--hmac-consumer", "ci=NOT_SET_ANYWHERE"}, "NOT_SET_ANYWHERE"},
		{"consumer without file", []string{"--consumer", "jira"}, "KEY=PUBLIC_KEY_FILE"},
		{"bad fault", []string{"--fault", "status=200"}, "400 to 599"},
		{"unknown fault item", []string{"--fault", "explode"}, "unknown item"},
		{"cert-out without tls", []string{"--cert-out", "x.pem"}, "--cert-out needs --tls"},
		{"unknown flag", []string{"--nope"}, "nope"},
		{"positional argument", []string{"extra"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			e := &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
			code := execute(t.Context(), append([]string{"testserver"}, tt.args...), e)
			checkOneLineError(t, result{code: code, stderr: stderr.String()}, exitUsage)
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr %q does not mention %q", stderr.String(), tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout not empty: %q", stdout.String())
			}
		})
	}
}

func TestDispatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"no command", nil, 2, "", "usage: applink"},
		{"unknown command", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"; commands: `},
		{"help", []string{"help"}, 0, "testserver", ""},
		{"help for a command", []string{"help", "testserver"}, 0, "", "Fault SPEC"},
		{"testserver -h", []string{"testserver", "-h"}, 0, "", "--fault"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), tt.args, strings.NewReader(""), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit code %d, want %d", code, tt.code)
			}
			if !strings.Contains(stdout.String(), tt.stdout) || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stdout %q, stderr %q; want them to contain %q and %q", stdout.String(), stderr.String(), tt.stdout, tt.stderr)
			}
		})
	}
}

func TestParseFault(t *testing.T) {
	t.Parallel()
	tests := []struct {
		spec string
		want applinktest.Fault
	}{
		{"status=503,count=2,retry-after=1s", applinktest.Fault{Status: 503, Count: 2, RetryAfter: time.Second}},
		{"drop,count=1", applinktest.Fault{Drop: true, Count: 1}},
		{"delay=2s", applinktest.Fault{Delay: 2 * time.Second}},
		{"after-auth,count=1", applinktest.Fault{AfterAuth: true, Count: 1}},
		{"status=429, path=/rest/api/2/myself", applinktest.Fault{Status: 429, Path: "/rest/api/2/myself"}},
	}
	for _, tt := range tests {
		got, err := parseFault(tt.spec)
		if err != nil {
			t.Errorf("parseFault(%q): %v", tt.spec, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("parseFault(%q) (-want +got):\n%s", tt.spec, diff)
		}
	}
	for _, bad := range []string{"", "status", "status=abc", "count=0", "delay=-1s", "drop=1", "path=relative", "drop,status=503", "x=y"} {
		if _, err := parseFault(bad); err == nil {
			t.Errorf("parseFault(%q) = nil error, want one", bad)
		}
	}
}

func FuzzParseFault(f *testing.F) {
	for _, s := range []string{"status=503,count=2,retry-after=1s", "drop", "delay=2s", "after-auth,count=1", "path=/x", ",,", "="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		fault, err := parseFault(spec)
		if err != nil {
			return
		}
		if fault.Count < 0 || fault.Delay < 0 || fault.RetryAfter < 0 || (fault.Status != 0 && (fault.Status < 400 || fault.Status > 599)) {
			t.Errorf("parseFault(%q) = %v: out of range", spec, fault)
		}
	})
}

func TestTestServerRSAConsumerOverTLS(t *testing.T) {
	t.Parallel()
	key, err := signer.GenerateKey(2048)
	if err != nil {
		t.Fatal(err)
	}
	pemKey, err := signer.EncodePublicKeyPEM(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyFile, certFile := filepath.Join(dir, "jira-TEST-ONLY.pub"), filepath.Join(dir, "cert.pem")
	if err := os.WriteFile(keyFile, pemKey, 0o600); err != nil {
		t.Fatal(err)
	}

	// The deadline bounds the whole test, the command's start included.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	outR, outW := io.Pipe()
	var stderr lockedBuffer
	e := &env{stdout: outW, stderr: &stderr, getenv: func(string) string { return "" }}
	done := make(chan int, 1)
	go func() {
		done <- execute(ctx, []string{"testserver", "--consumer", "jira=" + keyFile, "--users", "alice",
			"--tls", "--cert-out", certFile}, e)
		outW.Close()
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the URL: %v (stderr: %s)", err, stderr.String())
	}
	base := strings.TrimSpace(line)
	if !strings.HasPrefix(base, "https://127.0.0.1:") {
		t.Fatalf("first line %q is not an https loopback URL", line)
	}
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(certPEM) {
		t.Fatalf("--cert-out wrote no certificate: %q", certPEM)
	}
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer client.CloseIdleConnections()

	m, err := signer.NewRSASHA1(key)
	if err != nil {
		t.Fatal(err)
	}
	s, err := signer.New("jira", m)
	if err != nil {
		t.Fatal(err)
	}
	get := func(method, u string, p signer.Params) (int, string) {
		req, err := http.NewRequestWithContext(ctx, method, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Sign(req, p); err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(http.MethodPost, base+applinktest.AtlassianRequestTokenPath, signer.Params{OmitToken: true, Callback: "oob"}); code != 200 {
		t.Errorf("request token: %d %s", code, body)
	}
	// Without --allow-impersonation, 2LOi is refused.
	code, body := get(http.MethodGet, base+"/rest/api/2/myself?xoauth_requestor_id=alice", signer.Params{})
	if code != 401 || !strings.Contains(body, "permission_denied") {
		t.Errorf("2LOi without --allow-impersonation: %d %s", code, body)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit code %d (stderr: %s)", code, stderr.String())
	}
}
