package linkconf

import (
	"strings"
	"testing"
)

func TestUnique(t *testing.T) {
	var u Unique
	steps := []struct {
		add     func() error
		wantErr string // "" for none
	}{
		{func() error { return u.ID("abc", `"Jira"`) }, ""},
		{func() error { return u.ID("ABC", `"Wiki"`) }, `ABC is also the id of link "Jira": ids must be unique`},
		{func() error { return u.ID("def", `"Wiki"`) }, ""},
		{func() error { return u.Primary("jira", `"Jira"`) }, ""},
		{func() error { return u.Primary("confluence", `"Wiki"`) }, ""},
		{func() error { return u.Primary("jira", "#3") }, `link "Jira" is already the primary jira link`},
	}
	for i, s := range steps {
		err := s.add()
		switch {
		case s.wantErr == "" && err != nil:
			t.Errorf("step %d: %v", i, err)
		case s.wantErr != "" && (err == nil || !strings.Contains(err.Error(), s.wantErr)):
			t.Errorf("step %d: %v, want %q", i, err, s.wantErr)
		}
	}
	if !u.HasPrimary("jira") || u.HasPrimary("bamboo") {
		t.Error("HasPrimary: want jira only")
	}
}
