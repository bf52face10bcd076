package applink

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// emptyPort matches an origin with a bare colon, such as "ftp://x:".
var emptyPort = regexp.MustCompile(`://[^\s/:]+:(\s|,|$)`)

// TestNewRequestForeignScheme checks that an absolute URL with a scheme other
// than http or https is refused with a message naming the problem, not an
// odd origin such as "ftp://x:".
func TestNewRequestForeignScheme(t *testing.T) {
	t.Parallel()
	l := Link{ID: newLinkID(), Name: "Jira", Type: TypeJira, RPCURL: "https://jira.example.com/jira", ConsumerKey: "k", Auth: []Auth{Auth2LO}, PrivateKey: testKey(t)}
	svc, err := NewService([]Link{l})
	if err != nil {
		t.Fatal(err)
	}
	bound, _ := svc.Link(l.ID)
	f, _ := bound.RequestFactory("")
	for _, in := range []string{"ftp://x/y", "FTP://jira.example.com/jira/rest", "ws://jira.example.com/jira/rest", "mailto:x@example.com"} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			_, err := f.NewRequest(http.MethodGet, in)
			if !errors.Is(err, ErrForeignURL) {
				t.Fatalf("NewRequest(%q) = %v, want ErrForeignURL", in, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, "not an http or https URL") || !strings.Contains(msg, "https://jira.example.com/jira") {
				t.Errorf("error %q does not say the URL must be http(s) under the RPC URL", msg)
			}
			if emptyPort.MatchString(msg) {
				t.Errorf("error %q shows an origin with an empty port", msg)
			}
		})
	}
}
