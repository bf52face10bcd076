package redact

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Excerpt redacts the start of a response or request body before it is
// shown in an error: in JSON-looking text, the value of every "name": value
// member whose name is [Sensitive] becomes "REDACTED"; text that does not
// start like JSON or markup ('{', '[', '<') is also treated as a form
// (oauth_token=...&oauth_token_secret=..., as OAuth token endpoints answer)
// and redacted as a URL query is, an oauth_signature_base_string through
// [BaseString]. It works on cut-off text and never panics.
func Excerpt(s string) string {
	s = jsonMembers(s)
	trimmed := strings.TrimLeft(s, " \t\r\n")
	if trimmed == "" || strings.ContainsAny(trimmed[:1], "{[<") || !strings.Contains(s, "=") {
		return s
	}
	return redactQuery(s, nestedDepth)
}

// jsonMembers masks the values of sensitive members in JSON-looking text.
func jsonMembers(s string) string {
	if !strings.Contains(s, `":`) && !strings.Contains(s, `" :`) {
		return s
	}
	var b strings.Builder
	i := 0
	for i < len(s) {
		// Find the next string literal.
		q := strings.IndexByte(s[i:], '"')
		if q < 0 {
			break
		}
		start := i + q
		end := closingQuote(s[start:])
		if end < 0 {
			break
		}
		end += start // index of the closing quote
		name := s[start+1 : end]
		j := end + 1
		for j < len(s) && isJSONSpace(s[j]) {
			j++
		}
		if j >= len(s) || s[j] != ':' || !Sensitive(name) {
			b.WriteString(s[i : end+1])
			i = end + 1
			continue
		}
		j++
		for j < len(s) && isJSONSpace(s[j]) {
			j++
		}
		b.WriteString(s[i:j])
		// The value: a string, or a bare token up to a delimiter. Objects
		// and arrays are left to the scan, which masks their sensitive
		// members.
		switch {
		case j < len(s) && s[j] == '"':
			b.WriteString(`"` + Mask + `"`)
			vend := closingQuote(s[j:])
			if vend < 0 {
				return b.String()
			}
			i = j + vend + 1
		case j < len(s) && (s[j] == '{' || s[j] == '['):
			i = j
		default:
			k := j
			for k < len(s) && !strings.ContainsRune(",}] \t\r\n", rune(s[k])) {
				k++
			}
			if k > j {
				b.WriteString(Mask)
			}
			i = k
		}
	}
	b.WriteString(s[i:])
	return b.String()
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// Shorten returns s when it is at most max bytes long, else its first max
// bytes (cut at a UTF-8 boundary) and a note of how many were left out:
// for text a remote sent (an echoed signature base string, say) quoted in
// an error message, which should stay readable. Redact s first: the cut
// may fall inside a value.
func Shorten(s string, max int) string {
	if max < 0 {
		max = 0
	}
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d more bytes)", s[:cut], len(s)-cut)
}
