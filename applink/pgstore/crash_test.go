package pgstore_test

import (
	"bufio"
	"context"
	"fmt"
	"github.com/go-applinks/applinks/applink/token"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/pgstore"
	"github.com/go-applinks/applinks/internal/pgtest"
	"github.com/jackc/pgx/v5/pgxpool"
)

// writerEnv names the database the writer process writes to; set only in
// the child that TestKilledWriterLosesNothing starts.
const writerEnv = "APPLINK_PGSTORE_TEST_WRITER_URL"

// TestWriterProcess is the child of TestKilledWriterLosesNothing: it
// writes tokens as fast as it can, each on a key of its own and each over a
// shared key, and prints "ack N" once PutAccessToken has returned for
// both, until it is killed.
func TestWriterProcess(t *testing.T) {
	url := os.Getenv(writerEnv)
	if url == "" {
		t.Skip("the writer process of TestKilledWriterLosesNothing")
	}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	s, err := pgstore.New(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		tok := token.NewAccessToken(fmt.Sprintf("token-%d", i), fmt.Sprintf("secret-%d", i))
		tok.SessionHandle = token.NewSecret(fmt.Sprintf("handle-%d", i))
		if err := s.PutAccessToken(ctx, token.Key{LinkID: "l", User: fmt.Sprintf("user-%d", i)}, tok); err != nil {
			t.Fatal(err)
		}
		if err := s.PutAccessToken(ctx, token.Key{LinkID: "l", User: "shared"}, tok); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(out, "ack %d\n", i)
		if err := out.Flush(); err != nil {
			return
		}
	}
}

// TestKilledWriterLosesNothing kills (SIGKILL) a process in the middle of
// writing tokens: every write it acknowledged is in the store, whole.
func TestKilledWriterLosesNothing(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestWriterProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), writerEnv+"="+url)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	last := -1
	for lines.Scan() {
		n, ok := strings.CutPrefix(lines.Text(), "ack ")
		if !ok {
			continue
		}
		if last, err = strconv.Atoi(n); err != nil {
			t.Fatal(err)
		}
		if last == 200 {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	// Acknowledgements already in the pipe count too.
	for lines.Scan() {
		if n, ok := strings.CutPrefix(lines.Text(), "ack "); ok {
			if last, err = strconv.Atoi(n); err != nil {
				t.Fatal(err)
			}
		}
	}
	_ = cmd.Wait()
	if last < 200 {
		t.Fatalf("the writer stopped after %d writes, before it was killed", last+1)
	}

	s, err := pgstore.New(t.Context(), pgtest.Pool(t, url))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for i := 0; i <= last; i++ {
		got, err := s.AccessToken(ctx, token.Key{LinkID: "l", User: fmt.Sprintf("user-%d", i)})
		if err != nil {
			t.Fatalf("acknowledged write %d is lost: %v", i, err)
		}
		if got.Token != fmt.Sprintf("token-%d", i) || got.Secret.Reveal() != fmt.Sprintf("secret-%d", i) || got.SessionHandle.Reveal() != fmt.Sprintf("handle-%d", i) {
			t.Fatalf("acknowledged write %d reads back as %v", i, got)
		}
	}
	shared, err := s.AccessToken(ctx, token.Key{LinkID: "l", User: "shared"})
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimPrefix(shared.Token, "token-"))
	if err != nil || n < last || shared.Secret.Reveal() != fmt.Sprintf("secret-%d", n) {
		t.Errorf("the shared key holds %v (secret matches: %v) after %d acknowledged writes: an acknowledged overwrite is lost or torn",
			shared, shared.Secret.Reveal() == fmt.Sprintf("secret-%d", n), last+1)
	}
}
