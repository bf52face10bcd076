package advice

import (
	"regexp"
	"strings"
)

var (
	quotedRE = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|(?:^|\s)'[^'\n]+'|\b[a-z][a-z0-9+.-]*://\S+|/\S*|\S*%[0-9A-Fa-f]{2}\S*`)
	clauseRE = regexp.MustCompile(`[:;]\s+|\.\s+|\n`)
	wordRE   = regexp.MustCompile(`[a-z0-9']+`)
)

// Repeated returns the first clause or five-word run that msg says
// twice, or "": the tests of applink's errors and of the applink command
// use it, since the command adds advice to the library's errors and must
// not add what they already say. Quoted names, URLs and paths are left
// out: a message may name a link or a file twice, but it must not say a
// thing twice ("check the link's RPC URL ...: check the link's RPC URL
// ...").
func Repeated(msg string) string {
	msg = strings.ToLower(quotedRE.ReplaceAllString(msg, "\x00"))
	seen := map[string]bool{}
	for _, c := range clauseRE.Split(msg, -1) {
		words := wordRE.FindAllString(c, -1)
		if len(words) < 3 {
			continue
		}
		k := strings.Join(words, " ")
		if seen[k] {
			return k
		}
		seen[k] = true
	}
	words := wordRE.FindAllString(strings.ReplaceAll(msg, "\x00", " | "), -1)
	runs := map[string]bool{}
	for i := 0; i+5 <= len(words); i++ {
		k := strings.Join(words[i:i+5], " ")
		if runs[k] {
			return k
		}
		runs[k] = true
	}
	return ""
}
