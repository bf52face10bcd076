package main

import (
	"strings"
	"testing"

	"github.com/go-applinks/applinks/internal/pgtest"
)

// TestFleet runs the example on a database of its own, twice (the second
// run finds the tables and alice's old token, and starts over).
func TestFleet(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDatabase(t)
	for i := range 2 {
		var out strings.Builder
		got, err := run(t.Context(), &out, db, "fleet_example")
		if err != nil {
			t.Fatalf("run %d: %v\noutput:\n%s", i+1, err, out.String())
		}
		if got.StartedOn == got.CompletedOn || got.StartedOn == "" {
			t.Errorf("run %d: the dance started on %q and completed on %q, want two replicas", i+1, got.StartedOn, got.CompletedOn)
		}
		for _, r := range []string{"A", "B"} {
			if !strings.Contains(got.Pages[r], "You are <b>alice</b> (Alice) in Jira") {
				t.Errorf("run %d: replica %s's page after the dance:\n%s", i+1, r, got.Pages[r])
			}
		}
		if !strings.Contains(out.String(), "the callback reached replica") {
			t.Errorf("run %d: output:\n%s", i+1, out.String())
		}
	}
}
