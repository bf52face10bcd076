package engine

import "strings"

// Match returns the indexes, among n links, of those key names, by the one
// rule a command line or a config names a link with: the link whose id is
// key (compared without regard to case), else the links named key
// exactly, else those named key without regard to case. It returns none
// when nothing matches, and several when a name is ambiguous.
func Match(n int, key string, id, name func(i int) string) []int {
	for i := range n {
		if strings.EqualFold(id(i), key) {
			return []int{i}
		}
	}
	for _, fold := range []bool{false, true} {
		var found []int
		for i := range n {
			if v := name(i); v == key || fold && strings.EqualFold(v, key) {
				found = append(found, i)
			}
		}
		if len(found) > 0 {
			return found
		}
	}
	return nil
}
