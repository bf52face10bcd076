package filestore

import (
	"bufio"
	"errors"
	"fmt"
	"github.com/go-applinks/applinks/applink/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Environment of TestHelperProcess: the test binary re-executes itself to
// act as another process sharing a token file.
const (
	helperEnvMode   = "APPLINK_TOKENSTORE_HELPER" // "put" or "crash"
	helperEnvPath   = "APPLINK_TOKENSTORE_PATH"
	helperEnvPrefix = "APPLINK_TOKENSTORE_PREFIX"
	helperEnvCount  = "APPLINK_TOKENSTORE_COUNT"
	// helperTempWritten is what a "crash" helper prints when its temporary
	// file is written and it is about to rename it.
	helperTempWritten = "temp-file-written"
)

// TestHelperProcess is not a test: it runs only in a child started by the
// tests below. After reading its standard input to the end (the parent's
// "go"), it puts tokens into the token file named in its environment:
//   - "put": COUNT access tokens for users PREFIX-0 ... PREFIX-(COUNT-1);
//   - "crash": one token, stopping after the temporary file is written and
//     before it replaces the token file, to be killed there.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnvMode)
	if mode == "" {
		t.Skip("helper process for the file store's multi-process tests")
	}
	path, prefix := os.Getenv(helperEnvPath), os.Getenv(helperEnvPrefix)
	switch mode {
	case "put":
		n, err := strconv.Atoi(os.Getenv(helperEnvCount))
		if err != nil {
			t.Fatalf("%s: %v", helperEnvCount, err)
		}
		s, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, os.Stdin); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			key := token.Key{LinkID: "link", User: fmt.Sprintf("%s-%d", prefix, i)}
			if err := s.PutAccessToken(t.Context(), key, token.NewAccessToken("token-"+key.User, "secret-"+key.User)); err != nil {
				t.Fatalf("PutAccessToken(%v): %v", key, err)
			}
		}
	case "crash":
		s, err := Open(path, withAfterTempWrite(func(string) {
			fmt.Println(helperTempWritten)
			// Wait to be killed: the parent keeps standard input open.
			io.Copy(io.Discard, os.Stdin)
			os.Exit(3)
		}))
		if err != nil {
			t.Fatal(err)
		}
		key := token.Key{LinkID: "link", User: prefix}
		if err := s.PutAccessToken(t.Context(), key, token.NewAccessToken("token-"+prefix, "secret")); err != nil {
			t.Fatalf("PutAccessToken: %v", err)
		}
		t.Fatal("the crash hook did not stop the write")
	default:
		t.Fatalf("unknown %s %q", helperEnvMode, mode)
	}
}

// helperProcess returns the test binary run as TestHelperProcess in mode,
// with its output going to the test log unless the caller takes stdout.
func helperProcess(t *testing.T, mode, path, prefix string, count int) *exec.Cmd {
	t.Helper()
	if runtime.GOOS == "js" || runtime.GOOS == "wasip1" || runtime.GOOS == "ios" || runtime.GOOS == "android" {
		t.Skipf("cannot run a child process on %s", runtime.GOOS)
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(),
		helperEnvMode+"="+mode,
		helperEnvPath+"="+path,
		helperEnvPrefix+"="+prefix,
		helperEnvCount+"="+strconv.Itoa(count),
	)
	cmd.Stderr = &testLogWriter{t: t, name: prefix}
	return cmd
}

// testLogWriter sends a child's output to the test log.
type testLogWriter struct {
	t    *testing.T
	name string
}

func (w *testLogWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s: %s", w.name, p)
	return len(p), nil
}

func TestFileTokenStoreTwoProcesses(t *testing.T) {
	t.Parallel()
	const perProcess = 50
	path := filepath.Join(t.TempDir(), "tokens.json")
	var children []*exec.Cmd
	var gos []io.WriteCloser
	for _, prefix := range []string{"first", "second"} {
		cmd := helperProcess(t, "put", path, prefix, perProcess)
		cmd.Stdout = cmd.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatalf("start helper: %v", err)
		}
		children = append(children, cmd)
		gos = append(gos, stdin)
	}
	// Both are running: let them write at once.
	for _, g := range gos {
		g.Close()
	}
	for _, cmd := range children {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper process: %v", err)
		}
	}

	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.AccessTokens(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var want []token.Key
	for _, prefix := range []string{"first", "second"} {
		for i := range perProcess {
			want = append(want, token.Key{LinkID: "link", User: fmt.Sprintf("%s-%d", prefix, i)})
		}
	}
	if diff := cmp.Diff(want, got, cmp.Transformer("sort", sortedKeys)); diff != "" {
		t.Errorf("tokens after two processes wrote %d each (-want +got):\n%s", perProcess, diff)
	}
	tok, err := s.AccessToken(t.Context(), token.Key{LinkID: "link", User: "second-49"})
	if err != nil || tok.Secret.Reveal() != "secret-second-49" {
		t.Errorf("AccessToken(second-49) = %v, %v; want its secret intact", tok, err)
	}
}

// sortedKeys sorts keys for comparison.
func sortedKeys(keys []token.Key) []token.Key {
	return slices.SortedFunc(slices.Values(keys), token.Key.Compare)
}

func TestFileTokenStoreKilledWriter(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	path := filepath.Join(dir, "tokens.json")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	before := token.Key{LinkID: "link", User: "before"}
	if err := s.PutAccessToken(ctx, before, token.NewAccessToken("token-before", "secret-before")); err != nil {
		t.Fatal(err)
	}
	previous, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	cmd := helperProcess(t, "crash", path, "killed", 0)
	stdin, err := cmd.StdinPipe() // held open: the child waits on it
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start helper: %v", err)
	}
	lines := bufio.NewScanner(stdout)
	reached := false
	for lines.Scan() {
		if lines.Text() == helperTempWritten {
			reached = true
			break
		}
		t.Logf("helper: %s", lines.Text())
	}
	if !reached {
		cmd.Wait()
		t.Fatal("helper process ended before writing its temporary file")
	}
	temps, err := filepath.Glob(filepath.Join(dir, ".tokens.json.tmp-*"))
	if err != nil || len(temps) != 1 {
		t.Errorf("temporary files while the writer is stopped: %v, %v; want one", temps, err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	var exit *exec.ExitError
	if err := cmd.Wait(); !errors.As(err, &exit) || exit.Success() {
		t.Fatalf("helper process: %v, want it killed", err)
	}

	assertFileUnchanged(t, path, previous)
	after, err := Open(path)
	if err != nil {
		t.Fatalf("Open after the killed write: %v", err)
	}
	if _, err := after.AccessToken(ctx, before); err != nil {
		t.Errorf("token written before the crash: %v", err)
	}
	if _, err := after.AccessToken(ctx, token.Key{LinkID: "link", User: "killed"}); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("token of the killed write: error = %v, want token.ErrNotFound", err)
	}
	// The lock died with the process, and the next write clears its
	// temporary file.
	if err := after.PutAccessToken(ctx, token.Key{LinkID: "link", User: "next"}, token.NewAccessToken("t", "s")); err != nil {
		t.Fatalf("PutAccessToken after the killed write: %v", err)
	}
	if temps, _ := filepath.Glob(filepath.Join(dir, ".tokens.json.tmp-*")); len(temps) != 0 {
		t.Errorf("temporary files left after the next write: %v", temps)
	}
}
