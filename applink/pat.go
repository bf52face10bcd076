package applink

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/advice"
	"github.com/go-applinks/applinks/internal/engine"
	"github.com/go-applinks/applinks/internal/linkconf"
)

// LinkPAT names where a link's own personal access token is read from: a
// bot account's token, used for the requests that act as no user (a
// factory without a user, or [WithNonImpersonatingOnly]). Exactly one of
// TokenEnv and TokenFile is set. The token itself is never in the config.
type LinkPAT struct {
	// TokenEnv names an environment variable holding the token.
	TokenEnv string `json:"tokenEnv,omitempty"`
	// TokenFile is a file holding the token (trailing newline ignored); a
	// relative path is relative to the config file. It must be a regular
	// file that other users cannot access (mode 0600 or stricter, outside
	// Windows), like every other secret file.
	TokenFile string `json:"tokenFile,omitempty"`
}

// PATRefusedError says the remote refused a personal access token: it
// answered 401 to a request that carried it (revoked, expired, or never
// valid). A user's refused token has been deleted from the token store (no
// renewal exists); the link's own token (User "") is read from its
// environment variable or file, which must then be given a new one. A 403
// is not a refusal: the token is valid, its owner lacks permission.
type PATRefusedError struct {
	LinkName string
	// User is the token's user; "" for the link's own token ([Link.PAT]).
	User string
	// Status is the HTTP status (401).
	Status int
	// Reason is Seraph's X-Seraph-LoginReason (AUTHENTICATED_FAILED, ...),
	// "" when the remote sent none.
	Reason string
}

// Error names the link, whose token it was, what the remote answered and,
// for the link's own token, what to do.
func (e *PATRefusedError) Error() string {
	whose := fmt.Sprintf("user %q's personal access token", e.User)
	if e.User == "" {
		whose = "the link's own personal access token (its pat.tokenEnv or pat.tokenFile)"
	}
	msg := fmt.Sprintf("applink: link %q: the remote refused %s (%d", e.LinkName, whose, e.Status)
	if e.Reason != "" {
		msg += ", X-Seraph-LoginReason " + e.Reason
	}
	msg += "): it was revoked, has expired or is not valid"
	if e.User == "" {
		msg += ": make a new one as the bot account (Profile → Personal Access Tokens) and put it where the link reads it"
	}
	return msg
}

// validatePAT adds the problems of the link's PAT settings to bad.
func (l Link) validatePAT(bad func(field, format string, args ...any)) {
	if l.PAT == nil {
		return
	}
	if !l.allows(AuthPAT) {
		bad("pat", "set, but auth does not list pat: add pat to auth, or remove pat")
	}
	if field, err := (linkconf.PAT{TokenEnv: l.PAT.TokenEnv, TokenFile: l.PAT.TokenFile}).Check(); err != nil {
		bad(field, "%v", err)
	}
}

// loadPAT reads the link's own personal access token, nil when it has
// none. Errors are *FieldErrors that never include the token.
func (l *Link) loadPAT() (*token.AccessToken, error) {
	if l.PAT == nil {
		return nil, nil
	}
	v, field, err := (linkconf.PAT{TokenEnv: l.PAT.TokenEnv, TokenFile: l.PAT.TokenFile}).Read(l.resolve)
	if err != nil {
		return nil, &FieldError{Link: l.label(), Field: field, Err: err}
	}
	return token.NewPATAccessToken(v), nil
}

// patAuth is the authenticator of personal access tokens: the token as a
// bearer, on the link's own URLs; a 401 refuses it.
type patAuth struct{}

func (patAuth) kind() token.Kind { return token.KindPAT }

func (patAuth) route(_ context.Context, _ *RequestFactory, _ *token.AccessToken, u *url.URL) (*url.URL, error) {
	return u, nil
}

func (patAuth) authorize(out *http.Request, tok *token.AccessToken) {
	out.Header.Set("Authorization", "Bearer "+tok.Secret.Reveal())
}

// refusal: a 401 refuses the token (Seraph answers it with
// X-Seraph-LoginReason AUTHENTICATED_FAILED, without a Bearer challenge);
// a 403 is a valid token whose owner lacks permission, and is no refusal.
func (patAuth) refusal(f *RequestFactory, tok *token.AccessToken, _ *http.Request, resp *http.Response) error {
	if resp.StatusCode != http.StatusUnauthorized {
		return nil
	}
	user := f.user
	if tok == f.link.state.botPAT {
		user = ""
	}
	return &PATRefusedError{LinkName: f.link.Name, User: user, Status: resp.StatusCode,
		Reason: engine.SeraphReason(resp.Header)}
}

func (patAuth) protocol(*linkState) engine.Protocol[*token.AccessToken] { return patTokens{} }

// patTokens is the token source's view of personal access tokens: never
// renewed; refused by a 401 (*PATRefusedError), and once past an expiry
// their owner set.
type patTokens struct{}

func (patTokens) ID(t *token.AccessToken) string                   { return t.Token }
func (patTokens) Expired(t *token.AccessToken, now time.Time) bool { return t.Expired(now) }
func (patTokens) Renewable(*token.AccessToken, error, time.Time) bool {
	return false
}

func (patTokens) Renew(context.Context, *token.AccessToken) (*token.AccessToken, error) {
	return nil, errors.New("a personal access token cannot be renewed: " + advice.PATProfile)
}

func (patTokens) Refused(err error) bool {
	var pe *PATRefusedError
	return errors.As(err, &pe)
}
