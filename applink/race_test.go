package applink

import (
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/filestore"

	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/handler"
)

// TestConcurrentUsers sends requests for many users from many goroutines
// through one service (run with -race), with the memory and the file token
// store: 3LO users with tokens, 2LOi users
// without, a provider whose clock is off (the offset is learnt while others
// sign) and 503s to retry.
func TestConcurrentUsers(t *testing.T) {
	t.Parallel()
	for _, store := range []string{"memory", "file"} {
		t.Run(store, func(t *testing.T) {
			t.Parallel()
			var opts []Option
			if store == "file" {
				fs, err := filestore.Open(filepath.Join(t.TempDir(), "tokens.json"))
				if err != nil {
					t.Fatal(err)
				}
				opts = append(opts, WithTokenStore(fs))
			}
			testConcurrentUsers(t, opts)
		})
	}
}

func testConcurrentUsers(t *testing.T, opts []Option) {
	const users, perUser = 16, 8
	var names []string
	for i := range users {
		names = append(names, fmt.Sprintf("user%02d", i))
	}
	fx := newCoreFixture(t, coreConfig{svcOpts: opts, srvOpts: []applinktest.Option{applinktest.WithUsers(names...), applinktest.WithSkew(20 * time.Minute)}})
	fx.link.state.offset.Store(int64(20 * time.Minute)) // the dance needs the right clock
	for _, u := range names[:users/2] {
		fx.authorize(t, u)
	}
	fx.link.state.offset.Store(0)
	// Fewer 503s than one request's retries (3 by default): a request whose
	// retries happen to meet every fault must still succeed.
	fx.srv.InjectFault(applinktest.Fault{Status: http.StatusServiceUnavailable, AfterAuth: true, Count: 3, Path: "/rest/api/2/myself"})

	var wg sync.WaitGroup
	errs := make(chan error, users*perUser)
	for i, u := range names {
		f := fx.factory(t, u)
		for range perUser {
			wg.Go(func() {
				req, err := f.NewRequest(http.MethodGet, "/rest/api/2/myself")
				if err != nil {
					errs <- err
					return
				}
				me, err := Execute(t.Context(), req, handler.JSON[myself]())
				want := Auth2LOi
				if i < users/2 {
					want = Auth3LO
				}
				switch {
				case err != nil:
					errs <- fmt.Errorf("%s: %w", u, err)
				case me.Name != u || req.Auth() != want:
					errs <- fmt.Errorf("%s: answered as %q over %s, want %s", u, me.Name, req.Auth(), want)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
