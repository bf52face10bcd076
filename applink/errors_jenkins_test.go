package applink

import (
	"errors"
	"strings"
	"testing"

	"github.com/go-applinks/applinks/applink/token"
)

// TestAuthNotConfiguredJenkins checks that asking a Jenkins link for a
// 2-legged method says Jenkins supports 3LO only, rather than suggesting the
// method be added to the link (which Validate would refuse).
func TestAuthNotConfiguredJenkins(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		typ        Type
		opt        Option
		wantAdvice string
		notAdvice  string
	}{
		{"jenkins 2loi", TypeJenkins, WithAuth(Auth2LOi), "Bitbucket Server Integration plugin supports 3LO only", "add it to the link's auth list"},
		{"jenkins 2lo", TypeJenkins, WithAuth(Auth2LO), "Bitbucket Server Integration plugin supports 3LO only", "add it to the link's auth list"},
		{"jira 2loi", TypeJira, WithAuth(Auth2LOi), "add it to the link's auth list", "Jenkins"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := Link{ID: newLinkID(), Name: "CI", Type: tt.typ, RPCURL: "https://ci.example.com", ConsumerKey: "c", Auth: []Auth{Auth3LO}, Secret: token.NewSecret("s")}
			if tt.typ != TypeJenkins {
				l = Link{ID: l.ID, Name: "CI", Type: tt.typ, RPCURL: l.RPCURL, ConsumerKey: "c", Auth: []Auth{Auth3LO}, PrivateKey: testKey(t)}
			}
			svc, err := NewService([]Link{l})
			if err != nil {
				t.Fatal(err)
			}
			bound, _ := svc.Link(l.ID)
			_, err = bound.RequestFactory("bob", tt.opt)
			var nce *AuthNotConfiguredError
			if !errors.As(err, &nce) {
				t.Fatalf("RequestFactory = %v, want *AuthNotConfiguredError", err)
			}
			if nce.Type != tt.typ {
				t.Errorf("Type = %q, want %q", nce.Type, tt.typ)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantAdvice) || strings.Contains(msg, tt.notAdvice) {
				t.Errorf("error %q: want it to say %q and not %q", msg, tt.wantAdvice, tt.notAdvice)
			}
		})
	}
}
