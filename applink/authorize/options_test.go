package authorize

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/token"
)

// TestOptionGivenToTheWrongCall gives every option to the call it does not
// configure: the call refuses it with an error naming the option and the
// call it belongs to, and nothing is silently ignored.
func TestOptionGivenToTheWrongCall(t *testing.T) {
	t.Parallel()
	fx := newDanceFixture(t, applinktest.Jenkins)
	calls := map[target]func(Option) error{
		forHandler: func(o Option) error {
			_, err := NewHandler(fx.svc, func(*http.Request) (string, error) { return "alice", nil }, o)
			return err
		},
		forLoopback: func(o Option) error {
			return Loopback(t.Context(), fx.factory(t, "alice"), func(context.Context, string) error { return nil }, o)
		},
	}
	options := []struct {
		name    string
		opt     Option
		belongs target
	}{
		{"WithPrefix", WithPrefix("/x"), forHandler},
		{"WithBaseURL", WithBaseURL("https://app.example.com"), forHandler},
		{"WithStateTTL", WithStateTTL(time.Minute), forHandler},
		{"WithMaxPending", WithMaxPending(5), forHandler},
		{"WithMaxPendingPerUser", WithMaxPendingPerUser(2), forHandler},
		{"WithCrossOriginProtection", WithCrossOriginProtection(nil), forHandler},
		{"WithDanceStore", WithDanceStore(token.NewMemoryStore()), forHandler},
		{"WithLoopbackAddr", WithLoopbackAddr("127.0.0.1:0"), forLoopback},
		{"WithLoopbackTimeout", WithLoopbackTimeout(time.Second), forLoopback},
	}
	for _, o := range options {
		for given, call := range calls {
			if given == o.belongs {
				continue
			}
			t.Run(o.name+" to "+given.call(), func(t *testing.T) {
				err := call(o.opt)
				if err == nil {
					t.Fatalf("%s given to %s: no error; want one naming the option and %s", o.name, given.call(), o.belongs.call())
				}
				if msg := err.Error(); !strings.Contains(msg, o.name) || !strings.Contains(msg, o.belongs.call()) || !strings.Contains(msg, "not "+given.call()) {
					t.Errorf("%s given to %s: %q; want the option, where it belongs (%s) and where it was given", o.name, given.call(), msg, o.belongs.call())
				}
			})
		}
	}
	if storedTokens(fx.store) != 0 {
		t.Error("a refused option let a flow store a token")
	}
}

// TestNilOptionDoesNothing: a nil Option is accepted.
func TestNilOptionDoesNothing(t *testing.T) {
	t.Parallel()
	fx := newDanceFixture(t, applinktest.Jenkins)
	if _, err := NewHandler(fx.svc, func(*http.Request) (string, error) { return "alice", nil }, nil); err != nil {
		t.Errorf("NewHandler with a nil option: %v", err)
	}
}
