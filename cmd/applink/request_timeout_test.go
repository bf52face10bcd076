package main

import (
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// silentServer accepts connections and never reads from or answers them;
// it returns its URL.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

// TestRequestTimeout: a remote that accepts the connection and never
// answers makes `applink request` fail after --timeout with a message
// naming the timeout and the flag, instead of hanging.
func TestRequestTimeout(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	config := filepath.Join(dir, "config.json")
	url := silentServer(t)
	secret := writeFile(t, dir, "silent.secret", "not-a-real-secret")
	r := runCLITest(t, config, nil, "", "link", "add", "silent", "--url", url, "--type", "generic",
		"--consumer-key", "silent", "--secret-file", secret, "--auth", "anonymous")
	if r.code != 0 {
		t.Fatalf("link add: exit %d: %s", r.code, r.stderr)
	}
	r = runCLITest(t, config, nil, "", "request", "--link", "silent", "--timeout", "300ms", "GET", "/rest/x")
	checkOneLineError(t, r, exitFailure)
	for _, want := range []string{"300ms", "--timeout", "GET " + url + "/rest/x"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr %q does not contain %q", r.stderr, want)
		}
	}
}

func TestRequestTimeoutRefusedUnlessPositive(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"0", "-1s", "soon"} {
		r := runCLITest(t, filepath.Join(t.TempDir(), "config.json"), nil, "", "request", "--link", "jira", "--timeout", v, "GET", "/x")
		if r.code != exitUsage || !strings.Contains(r.stderr, "timeout") {
			t.Errorf("--timeout %s: exit %d, stderr %q; want %d naming the flag", v, r.code, r.stderr, exitUsage)
		}
	}
}
