package applink

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLinkNotFoundMessage: the not-found errors say it once (the sentinel's
// "link not found") and then only what was looked for.
func TestLinkNotFoundMessage(t *testing.T) {
	t.Parallel()
	svc, err := NewService([]Link{{ID: testLinkID, Name: "jira", Type: TypeJira, RPCURL: "https://jira.example.com", Auth: []Auth{AuthAnonymous}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"Link", func() error { _, err := svc.Link("nope"); return err }, `applink: link not found: "nope" matches no id or name`},
		{"Primary", func() error { _, err := svc.Primary(TypeConfluence); return err }, `applink: link not found: no link of type confluence`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.call()
			if !errors.Is(err, ErrLinkNotFound) {
				t.Fatalf("error %v does not wrap ErrLinkNotFound", err)
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}
