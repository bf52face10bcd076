package applink

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/google/go-cmp/cmp"
)

// validLink is a link that passes Validate.
func validLink() Link {
	return Link{ID: "0b6f3a3e-6f1e-4d53-9a43-2f4a5d0e9c11", Name: "Jira", Type: TypeJira,
		RPCURL: "https://jira.example.com", ConsumerKey: "app", PrivateKeyFile: "app.pem", Auth: []Auth{Auth3LO, Auth2LOi}}
}

// fieldsOf returns the fields of the *FieldErrors joined in err.
func fieldsOf(err error) []string {
	if err == nil {
		return nil
	}
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	var out []string
	for _, e := range list {
		var fe *FieldError
		if errors.As(e, &fe) {
			out = append(out, fe.Field)
		} else {
			out = append(out, "not a FieldError: "+e.Error())
		}
	}
	slices.Sort(out)
	return out
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*Link)
		want   []string
	}{
		{"valid", func(*Link) {}, nil},
		{"anonymous only needs no credentials", func(l *Link) { l.Auth = []Auth{AuthAnonymous}; l.PrivateKeyFile = ""; l.ConsumerKey = "" }, nil},
		{"in-code key beside its file", func(l *Link) { l.PrivateKey = testKey(t) }, nil},
		{"jenkins with a secret", func(l *Link) { l.Type = TypeJenkins; l.PrivateKeyFile = ""; l.SecretEnv = "S"; l.Auth = nil }, nil},
		{"display URL with path", func(l *Link) { l.DisplayURL = "https://jira.example.com/jira" }, nil},
		{"missing id", func(l *Link) { l.ID = "" }, []string{"id"}},
		{"bad id", func(l *Link) { l.ID = "jira-1" }, []string{"id"}},
		{"missing name", func(l *Link) { l.Name = " " }, []string{"name"}},
		{"unknown type", func(l *Link) { l.Type = "stash" }, []string{"type"}},
		{"missing type", func(l *Link) { l.Type = "" }, []string{"type"}},
		{"relative RPC URL", func(l *Link) { l.RPCURL = "jira.example.com" }, []string{"rpcUrl"}},
		{"ftp RPC URL", func(l *Link) { l.RPCURL = "ftp://jira.example.com" }, []string{"rpcUrl"}},
		{"RPC URL with query", func(l *Link) { l.RPCURL = "https://jira.example.com/?a=b" }, []string{"rpcUrl"}},
		{"RPC URL with fragment", func(l *Link) { l.RPCURL = "https://jira.example.com/#x" }, []string{"rpcUrl"}},
		{"RPC URL with password", func(l *Link) { l.RPCURL = "https://u:p@jira.example.com/" }, []string{"rpcUrl"}},
		{"bad display URL", func(l *Link) { l.DisplayURL = "/jira" }, []string{"displayUrl"}},
		{"missing consumer key", func(l *Link) { l.ConsumerKey = "" }, []string{"consumerKey"}},
		{"no credentials", func(l *Link) { l.PrivateKeyFile = "" }, []string{"privateKeyFile"}},
		{"two credential sources", func(l *Link) { l.SecretEnv = "S" }, []string{"secretEnv"}},
		{"secret in code beside a key file", func(l *Link) { l.Secret = token.NewSecret("s") }, []string{"privateKeyFile"}},
		{"unknown auth", func(l *Link) { l.Auth = []Auth{"oauth"} }, []string{"auth"}},
		{"repeated auth", func(l *Link) { l.Auth = []Auth{Auth2LO, Auth2LO} }, []string{"auth"}},
		{"jenkins with 2LO", func(l *Link) {
			l.Type = TypeJenkins
			l.PrivateKeyFile = ""
			l.SecretFile = "s"
			l.Auth = []Auth{Auth2LO}
		}, []string{"auth"}},
		{"jenkins with a key", func(l *Link) { l.Type = TypeJenkins; l.Auth = nil }, []string{"privateKeyFile"}},
		{"jenkins without credentials", func(l *Link) { l.Type = TypeJenkins; l.PrivateKeyFile = ""; l.Auth = nil }, []string{"secretEnv"}},
		{"relative endpoint", func(l *Link) { l.Endpoints.Authorize = "authorize" }, []string{"endpoints.authorize"}},
		{"several problems", func(l *Link) { l.ID = ""; l.Name = ""; l.RPCURL = "" }, []string{"id", "name", "rpcUrl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := validLink()
			tt.change(&l)
			err := l.Validate()
			if diff := cmp.Diff(tt.want, fieldsOf(err)); diff != "" {
				t.Errorf("fields (-want +got):\n%s\nerror: %v", diff, err)
			}
			if err != nil && strings.Contains(err.Error(), ":p@") {
				t.Errorf("the error shows a password: %v", err)
			}
		})
	}
}

func TestLinkRedaction(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-consumer-secret"
	key := testKey(t)
	links := []Link{validLink(), {ID: newLinkID(), Name: "J", Type: TypeJenkins, RPCURL: "http://j", ConsumerKey: "c", Secret: token.NewSecret(secret)}}
	links[0].PrivateKey = key
	invalid := validLink()
	invalid.RPCURL = "https://admin:" + secret + "@jira.example.com/"
	svc, err := NewService(links)
	if err != nil {
		t.Fatal(err)
	}
	bound := svc.Links()
	var buf strings.Builder
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	textLogger := slog.New(slog.NewTextHandler(&buf, nil))
	for i, l := range []any{links[0], links[1], &links[0], &links[1], bound[0], bound[1], *bound[1], svc, invalid} {
		for _, verb := range redactionVerbs {
			fmt.Fprintf(&buf, verb+"\n", l)
		}
		logger.Info("link", "link", l, "i", i)
		textLogger.Info("link", "link", l, "i", i)
	}
	out := buf.String()
	leaks := []string{secret, fmt.Sprintf("%x", []byte(secret)), fmt.Sprintf("%X", []byte(secret)),
		key.D.String(), fmt.Sprintf("%x", key.D.Bytes()[:8]), fmt.Sprintf("%X", key.D.Bytes()[:8])}
	for _, p := range key.Primes {
		leaks = append(leaks, p.String())
	}
	for _, leak := range leaks {
		if strings.Contains(out, leak) {
			t.Errorf("a credential leaked into:\n%s", out)
			break
		}
	}
}

// redactionVerbs are the fmt directives the redaction tests print every
// secret-holding value with: those fmt sends to String (%v %s %x %X %q) and
// those that would print raw fields but for a Format method (%d %t %10v …).
var redactionVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%X", "%10v", "%-8s", "%t", "%o", "%e", "%+d"}

// TestDisplayURL: the URL browsers reach the remote at is DisplayURL, else
// RPCURL.
func TestDisplayURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ display, rpc, want string }{
		{"", "http://10.0.0.5:8080", "http://10.0.0.5:8080"},
		{"https://jira.example.com", "http://10.0.0.5:8080", "https://jira.example.com"},
	} {
		l := Link{DisplayURL: tc.display, RPCURL: tc.rpc}
		if got := l.displayURL(); got != tc.want {
			t.Errorf("displayURL(display %q, rpc %q) = %q, want %q", tc.display, tc.rpc, got, tc.want)
		}
	}
}
