package applink

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// AuthorizeOutOfBand plays the 3-legged dance out of band ("oob"), for a
// program that cannot receive a callback: it obtains the authorization URL
// and calls verifier with it; verifier shows the URL to the user (print it,
// open a browser) and returns the verification code the remote then shows
// them. Leading and trailing space is ignored, and a pasted URL or query
// string holding oauth_verifier=CODE gives its code: Jenkins' plugin shows
// no code page, and after approval the browser lands on a missing page
// whose address ends in "oob?oauth_token=...&oauth_verifier=CODE" (6
// letters and digits), which the user can paste whole.
// AuthorizeOutOfBand then completes the dance as
// [RequestFactory.CompleteAuthorization] does and stores the user's token.
//
// A verifier that returns an error ends the dance with that error (the
// pending request token expires by itself). The errors of
// [RequestFactory.CompleteAuthorization] apply.
func (f *RequestFactory) AuthorizeOutOfBand(ctx context.Context, verifier func(ctx context.Context, authURL string) (string, error)) error {
	if verifier == nil {
		return errors.New("applink: AuthorizeOutOfBand needs a verifier function that shows the URL and returns the code")
	}
	u, rt, err := f.startDance(ctx, "")
	if err != nil {
		return err
	}
	code, err := verifier(ctx, u.String())
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("applink: link %q: getting the verification code: %w", f.link.Name, err)
	}
	code = verifierFromInput(code)
	if code == "" {
		return fmt.Errorf("applink: link %q: the verification code is empty: approve at the authorization URL and enter the code it shows", f.link.Name)
	}
	return f.CompleteAuthorization(ctx, rt.Token, code)
}

// verifierFromInput returns the verification code a user typed or pasted:
// the oauth_verifier of a pasted URL or query string, else the trimmed
// input.
func verifierFromInput(s string) string {
	s = strings.TrimSpace(s)
	i := strings.Index(s, "oauth_verifier=")
	if i < 0 {
		return s
	}
	q, err := url.ParseQuery(s[i:])
	if err != nil || q.Get("oauth_verifier") == "" {
		return s
	}
	return q.Get("oauth_verifier")
}
