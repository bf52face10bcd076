package engine

import (
	"slices"
	"testing"
)

func TestMatch(t *testing.T) {
	t.Parallel()
	ids := []string{"ID-1", "id-2", "id-3", "id-4"}
	names := []string{"Jira", "jira", "Wiki", "wiki"}
	match := func(key string) []int {
		return Match(len(ids), key, func(i int) string { return ids[i] }, func(i int) string { return names[i] })
	}
	for _, tt := range []struct {
		key  string
		want []int
	}{
		{"id-1", []int{0}},    // an id, without regard to case
		{"Jira", []int{0}},    // an exact name first
		{"JIRA", []int{0, 1}}, // then without regard to case: ambiguous
		{"wiki", []int{3}},
		{"nope", nil},
	} {
		if got := match(tt.key); !slices.Equal(got, tt.want) {
			t.Errorf("Match(%q) = %v, want %v", tt.key, got, tt.want)
		}
	}
}
