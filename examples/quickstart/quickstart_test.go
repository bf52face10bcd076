package main

import (
	"strings"
	"testing"
)

func TestQuickstart(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	if err := run(t.Context(), &out, 1024); err != nil {
		t.Fatalf("quickstart failed: %v\noutput so far:\n%s", err, out.String())
	}
	for _, want := range []string{
		"credentials required",
		`Jira says you are "alice"`,
		`Jira says you are "bob"`,
		`Jenkins says id "alice"`,
		`build queued by "alice"`,
		"all steps passed",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
