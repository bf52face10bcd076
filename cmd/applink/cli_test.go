package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// result is what one run of the command line produced.
type result struct {
	code           int
	stdout, stderr string
}

// runCLITest runs the command line in-process with APPLINK_CONFIG=config
// (and more environment variables from vars) and stdin.
func runCLITest(t *testing.T, config string, vars map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errb strings.Builder
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: getenvFor(config, vars)}
	code := execute(t.Context(), args, e)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func getenvFor(config string, vars map[string]string) func(string) string {
	return func(k string) string {
		if k == configEnv {
			return config
		}
		return vars[k]
	}
}

// checkOneLineError asserts the usual shape of a failure: the exit code, and
// stderr a single "applink: ..." line with no Go stack.
func checkOneLineError(t *testing.T, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit code %d, want %d (stderr %q)", r.code, code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "applink: ") {
		t.Errorf("stderr is not one \"applink: ...\" line: %q", r.stderr)
	}
	if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, ".go:") {
		t.Errorf("stderr shows Go internals: %q", r.stderr)
	}
}

// authorizeInBackground runs "applink authorize ... --no-browser" with
// stderr on a pipe, and plays the browser: it reads the authorization URL
// from stderr and approves over HTTP as user, following the redirect to
// the loopback callback.
func authorizeInBackground(t *testing.T, config, link, user string) result {
	t.Helper()
	pr, pw := io.Pipe()
	var out strings.Builder
	var errLog strings.Builder
	var wg sync.WaitGroup
	wg.Add(1)
	approveErr := make(chan error, 1)
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(pr)
		approved := false
		for sc.Scan() {
			line := sc.Text()
			errLog.WriteString(line + "\n")
			if !approved && strings.HasPrefix(line, "http") {
				approved = true
				approveErr <- approve(t.Context(), line, user)
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: pw, getenv: getenvFor(config, nil)}
	code := execute(t.Context(), []string{"authorize", "--link", link, "--user", user, "--no-browser", "--timeout", "30s"}, e)
	pw.Close()
	wg.Wait()
	select {
	case err := <-approveErr:
		if err != nil {
			t.Errorf("approving at the provider: %v", err)
		}
	default:
		t.Errorf("authorize printed no URL: %q", errLog.String())
	}
	return result{code: code, stdout: out.String(), stderr: errLog.String()}
}

// testClient is the HTTP client of the tests that talk to a server
// themselves: every request has a deadline, generous for a loaded machine,
// so a hang fails within a minute.
var testClient = &http.Client{Timeout: time.Minute}

// approve approves at the provider's authorize page over HTTP as user and
// follows the redirect to the callback.
func approve(ctx context.Context, authURL, user string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL+"&user="+user+"&approve=1", nil)
	if err != nil {
		return err
	}
	resp, err := testClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return &httpStatusErr{resp.Status}
	}
	return nil
}

type httpStatusErr struct{ status string }

func (e *httpStatusErr) Error() string { return "status " + e.status }

// writeFile writes a test file.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
