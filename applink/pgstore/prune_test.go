package pgstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/testclock"
	gocmp "github.com/google/go-cmp/cmp"
)

// fillForPrune stores one token of each expiry kind and reports which keys
// and request tokens must survive a prune at clock's time.
func fillForPrune(t *testing.T, s *Store, clock *testclock.Clock) (keep []token.Key) {
	t.Helper()
	ctx := t.Context()
	now := clock.Now()
	put := func(user string, tok *token.AccessToken, survives bool) {
		k := token.Key{LinkID: "l", User: user}
		if err := s.PutAccessToken(ctx, k, tok); err != nil {
			t.Fatal(err)
		}
		if survives {
			keep = append(keep, k)
		}
	}
	fresh := token.NewAccessToken("a", "s")
	fresh.ExpiresAt = now.Add(time.Hour)
	put("fresh", fresh, true)
	put("forever", token.NewAccessToken("b", "s"), true)
	dead := token.NewAccessToken("c", "s")
	dead.ExpiresAt = now.Add(-time.Second)
	put("dead", dead, false)
	renewable := token.NewAccessToken("d", "s")
	renewable.ExpiresAt = now.Add(-time.Hour)
	renewable.SessionHandle = token.NewSecret("h")
	put("renewable", renewable, true)
	deadOAuth2 := token.NewOAuth2AccessToken("e", "")
	deadOAuth2.ExpiresAt = now.Add(-time.Hour)
	put("dead-oauth2", deadOAuth2, false)
	for _, rt := range []struct {
		token string
		ttl   time.Duration
	}{{"req-live", time.Minute}, {"req-dead", -time.Minute}} {
		r := token.NewRequestToken(rt.token, "s")
		r.ExpiresAt = now.Add(rt.ttl)
		if err := s.PutRequestToken(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, dd := range []struct {
		state string
		ttl   time.Duration
	}{{"dance-live", time.Minute}, {"dance-dead", -time.Minute}} {
		d := &token.PendingDance{State: token.NewSecret(dd.state), User: "alice", LinkID: "l", ExpiresAt: now.Add(dd.ttl)}
		if err := s.PutDance(ctx, d, token.DanceLimits{}); err != nil {
			t.Fatal(err)
		}
	}
	return keep
}

// rowCount counts the rows of a table, absent or not.
func rowCount(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.pool.QueryRow(t.Context(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPrune(t *testing.T) {
	t.Parallel()
	clock := testclock.New(testclock.Start)
	s := newTestStore(t, nil, WithClock(clock.Now))
	ctx := t.Context()
	keep := fillForPrune(t, s, clock)
	if got := rowCount(t, s, s.t.access); got != 5 {
		t.Fatalf("%d access rows before pruning, want 5 (expired rows stay until pruned)", got)
	}
	r, err := s.Prune(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(PruneResult{AccessTokens: 2, RequestTokens: 1, Dances: 1}, r); diff != "" {
		t.Errorf("Prune (-want +got):\n%s", diff)
	}
	if got := rowCount(t, s, s.t.access); got != len(keep) {
		t.Errorf("%d access rows after pruning, want %d", got, len(keep))
	}
	got, err := s.AccessTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sortKeys(keep)
	if diff := gocmp.Diff(keep, got); diff != "" {
		t.Errorf("tokens after pruning (-want +got):\n%s", diff)
	}
	if _, err := s.RequestToken(ctx, "req-live"); err != nil {
		t.Errorf("the live request token: %v", err)
	}
	if r, err := s.Prune(ctx); err != nil || r != (PruneResult{}) {
		t.Errorf("second Prune = %+v, %v; want nothing deleted", r, err)
	}
}

func TestPruneOnSchedule(t *testing.T) {
	t.Parallel()
	clock := testclock.New(testclock.Start)
	ticks := make(chan time.Time)
	results := make(chan PruneResult)
	s := newTestStore(t, nil, WithClock(clock.Now), withPruneTicks(ticks),
		withAfterPrune(func(r PruneResult, err error) {
			if err != nil {
				t.Error(err)
			}
			results <- r
		}))
	fillForPrune(t, s, clock)
	ticks <- clock.Now()
	if diff := gocmp.Diff(PruneResult{AccessTokens: 2, RequestTokens: 1, Dances: 1}, <-results); diff != "" {
		t.Errorf("scheduled prune (-want +got):\n%s", diff)
	}
	clock.Advance(2 * time.Hour) // "fresh" expires now
	ticks <- clock.Now()
	if diff := gocmp.Diff(PruneResult{AccessTokens: 1, RequestTokens: 1, Dances: 1}, <-results); diff != "" {
		t.Errorf("second scheduled prune (-want +got):\n%s", diff)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case ticks <- clock.Now():
		t.Error("the pruning goroutine still runs after Close")
	default:
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestPrunerOutlivesNewContext: the context given to New bounds the
// migration, not the pruner: after it ends the pruner still prunes, until
// Close.
func TestPrunerOutlivesNewContext(t *testing.T) {
	t.Parallel()
	ticks := make(chan time.Time)
	results := make(chan error)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute) // a startup timeout
	s, err := New(ctx, testPool(t), WithSchema(uniqueSchema()), withPruneTicks(ticks),
		withAfterPrune(func(_ PruneResult, err error) { results <- err }))
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	deadline := time.After(30 * time.Second)
	select {
	case ticks <- time.Now():
	case <-deadline:
		t.Fatal("the pruner stopped when New's context ended")
	}
	select {
	case err := <-results:
		if err != nil {
			t.Errorf("scheduled prune after New's context ended: %v", err)
		}
	case <-deadline:
		t.Fatal("no scheduled prune after New's context ended")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	<-s.done // Close stopped it
	// The store still works.
	if _, err := s.AccessToken(t.Context(), key); !errors.Is(err, token.ErrNotFound) {
		t.Errorf("after Close: %v", err)
	}
}

// TestPruneGoesByTheDatabaseClock: a replica whose clock runs 2 hours
// ahead prunes only what has expired by the database's clock, not the
// tokens, request tokens and dances the other replicas still use.
func TestPruneGoesByTheDatabaseClock(t *testing.T) {
	t.Parallel()
	pool := testPool(t)
	ctx := t.Context()
	var dbNow time.Time
	if err := pool.QueryRow(ctx, `SELECT now()`).Scan(&dbNow); err != nil {
		t.Fatal(err)
	}
	schema := uniqueSchema()
	onTime := newTestStore(t, pool, WithSchema(schema), WithClock(func() time.Time { return dbNow }))
	ahead := newTestStore(t, pool, WithSchema(schema), WithClock(func() time.Time { return dbNow.Add(2 * time.Hour) }))
	live := token.Key{LinkID: "l", User: "live"}
	// The live one first: PutDance deletes the dances already expired, so
	// the dead one put first would be gone before Prune runs.
	for _, e := range []struct {
		user    string
		expires time.Time
	}{{"live", dbNow.Add(time.Hour)}, {"dead", dbNow.Add(-time.Hour)}} {
		user, expires := e.user, e.expires
		tok := token.NewAccessToken("t-"+user, "s")
		tok.ExpiresAt = expires
		if err := onTime.PutAccessToken(ctx, token.Key{LinkID: "l", User: user}, tok); err != nil {
			t.Fatal(err)
		}
		r := token.NewRequestToken("req-"+user, "s")
		r.ExpiresAt = expires
		if err := onTime.PutRequestToken(ctx, r); err != nil {
			t.Fatal(err)
		}
		d := &token.PendingDance{State: token.NewSecret("dance-" + user), User: "alice", LinkID: "l", ExpiresAt: expires}
		if err := onTime.PutDance(ctx, d, token.DanceLimits{}); err != nil {
			t.Fatal(err)
		}
	}
	r, err := ahead.Prune(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(PruneResult{AccessTokens: 1, RequestTokens: 1, Dances: 1}, r); diff != "" {
		t.Errorf("Prune by a replica 2h ahead (-want +got):\n%s", diff)
	}
	if _, err := onTime.AccessToken(ctx, live); err != nil {
		t.Errorf("the live token after a replica 2h ahead pruned: %v", err)
	}
	if _, err := onTime.RequestToken(ctx, "req-live"); err != nil {
		t.Errorf("the live request token after a replica 2h ahead pruned: %v", err)
	}
	// The ahead replica's own PutDance cleanup spares it too.
	if err := ahead.PutDance(ctx, &token.PendingDance{State: token.NewSecret("dance-new"), User: "bob", LinkID: "l", ExpiresAt: dbNow.Add(3 * time.Hour)}, token.DanceLimits{}); err != nil {
		t.Fatal(err)
	}
	if _, err := onTime.TakeDance(ctx, "dance-live", "alice"); err != nil {
		t.Errorf("the live dance after a replica 2h ahead pruned and put a dance: %v", err)
	}
}
