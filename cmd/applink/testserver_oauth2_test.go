package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/applinktest"
)

func TestTestServerOAuth2Shape(t *testing.T) {
	t.Parallel()
	// The deadline bounds the whole test, the command's start included.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	outR, outW := io.Pipe()
	var stderr lockedBuffer
	e := &env{stdin: strings.NewReader(""), stdout: outW, stderr: &stderr, getenv: func(k string) string {
		if k == "CLIENT_SECRET" {
			return "client-s3cret-TEST-ONLY"
		}
		return ""
	}}
	done := make(chan int, 1)
	go func() {
		done <- execute(ctx, []string{"testserver", "--shape", "oauth2", "--users", "alice,robot",
			"--oauth2-client", "id=my-app,secret-env=CLIENT_SECRET,redirect=http://127.0.0.1:9/cb,scope=read,service-user=robot"}, e)
		outW.Close()
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the URL: %v (stderr: %s)", err, stderr.String())
	}
	base := strings.TrimSpace(line)

	// A service account token, then a request with it.
	form := url.Values{"grant_type": {"client_credentials"}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+applinktest.OAuth2TokenPath, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("my-app", "client-s3cret-TEST-ONLY")
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		Scope       string `json:"scope"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || tok.Scope != "READ" {
		t.Fatalf("client_credentials: %d %v scope %q", resp.StatusCode, err, tok.Scope)
	}
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, base+"/rest/api/2/myself", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"name":"robot"`) {
		t.Fatalf("bearer request: %d %s", resp.StatusCode, body)
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d (stderr: %s)", code, stderr.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("testserver did not stop after cancellation")
	}
	logs := stderr.String()
	if strings.Contains(logs, "s3cret") || strings.Contains(logs, tok.AccessToken) {
		t.Error("the log shows the client secret or the bearer token")
	}
	if !strings.Contains(logs, `"grant":"client_credentials"`) || !strings.Contains(logs, `"flow":"oauth2"`) {
		t.Errorf("the log lacks the token request or the bearer request: %s", logs)
	}
}

func TestTestServerOAuth2UsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"client on the atlassian shape", []string{"--oauth2-client", "id=a,secret-env=S,redirect=http://127.0.0.1/cb"}, "needs --shape oauth2"},
		{"no id", []string{"--shape", "oauth2", "--oauth2-client", "secret-env=S,redirect=http://127.0.0.1/cb"}, "id= is missing"},
		{"unset secret", []string{"--shape", "oauth2", "--oauth2-client", "id=a,secret-env=NOT_SET,redirect=http://127.0.0.1/cb"}, "NOT_SET is not set"},
		{"no redirect", []string{"--shape", "oauth2", "--oauth2-client", "id=a,secret-env=S"}, "redirect= is missing"},
		{"unknown item", []string{"--shape", "oauth2", "--oauth2-client", "id=a,color=red"}, "unknown item"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			e := &env{stdout: &stdout, stderr: &stderr, getenv: func(k string) string {
				if k == "S" {
					return "s3cret-TEST-ONLY"
				}
				return ""
			}}
			code := execute(t.Context(), append([]string{"testserver"}, tt.args...), e)
			checkOneLineError(t, result{code: code, stderr: stderr.String()}, exitUsage)
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr %q does not mention %q", stderr.String(), tt.want)
			}
			if strings.Contains(stderr.String(), "s3cret") {
				t.Error("the secret printed")
			}
		})
	}
}
