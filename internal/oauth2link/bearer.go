package oauth2link

import (
	"net/http"
	"strings"

	"github.com/go-applinks/applinks/internal/redact"
)

// BearerChallenge is what a resource's "WWW-Authenticate: Bearer ..."
// header says (RFC 6750 §3).
type BearerChallenge struct {
	Code, Description, Scope string
}

// ParseBearerChallenge reads the Bearer challenge of a response's
// WWW-Authenticate headers; ok is false when there is none.
func ParseBearerChallenge(h http.Header) (c BearerChallenge, ok bool) {
	for _, v := range h.Values("WWW-Authenticate") {
		scheme, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
		if !strings.EqualFold(scheme, "Bearer") {
			continue
		}
		params := parseAuthParams(rest)
		return BearerChallenge{Code: params["error"], Description: truncate(params["error_description"]), Scope: params["scope"]}, true
	}
	return BearerChallenge{}, false
}

// Refusal reads a resource's refusal of a bearer token: a 401 or 403 with
// a Bearer challenge, whose values are masked of the bearer the request
// carried (a resource may echo it); a 401's challenge without an error code
// is invalid_token. ok is false for any other response.
func Refusal(resp *http.Response) (c BearerChallenge, ok bool) {
	if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
		return BearerChallenge{}, false
	}
	ch, ok := ParseBearerChallenge(resp.Header)
	if !ok {
		return BearerChallenge{}, false
	}
	bearer := SentBearer(resp.Request)
	c = BearerChallenge{Code: redact.Secrets(ch.Code, bearer), Description: redact.Secrets(ch.Description, bearer), Scope: redact.Secrets(ch.Scope, bearer)}
	if c.Code == "" && resp.StatusCode == http.StatusUnauthorized {
		c.Code = CodeInvalidToken
	}
	return c, true
}

// SentBearer returns the bearer token a request was sent with, or "".
func SentBearer(req *http.Request) string {
	if req == nil {
		return ""
	}
	scheme, tok, ok := strings.Cut(req.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// parseAuthParams reads comma-separated name=value or name="value" pairs.
func parseAuthParams(s string) map[string]string {
	out := map[string]string{}
	for s != "" {
		s = strings.TrimLeft(s, " ,\t")
		name, rest, ok := strings.Cut(s, "=")
		if !ok {
			break
		}
		name = strings.ToLower(strings.TrimSpace(name))
		rest = strings.TrimLeft(rest, " ")
		var value string
		if strings.HasPrefix(rest, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(rest); i++ {
				if rest[i] == '\\' && i+1 < len(rest) {
					i++
					b.WriteByte(rest[i])
					continue
				}
				if rest[i] == '"' {
					break
				}
				b.WriteByte(rest[i])
			}
			value = b.String()
			if i < len(rest) {
				i++
			}
			s = rest[i:]
		} else {
			value, s, _ = strings.Cut(rest, ",")
			value = strings.TrimSpace(value)
		}
		out[name] = value
	}
	return out
}
