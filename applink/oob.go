package applink

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// AuthoriseOutOfBand plays the 3-legged dance out of band ("oob"), for a
// program that cannot receive a callback: it obtains the authorisation URL
// and calls verifier with it; verifier shows the URL to the user (print it,
// open a browser) and returns the verification code the remote then shows
// them (Jenkins' is 6 letters and digits). Leading and trailing space is
// ignored. AuthoriseOutOfBand then completes the dance as
// [RequestFactory.CompleteAuthorisation] does and stores the user's token.
//
// A verifier that returns an error ends the dance with that error (the
// pending request token expires by itself). The errors of
// [Service.CompleteAuthorisation] apply.
func (f *RequestFactory) AuthoriseOutOfBand(ctx context.Context, verifier func(ctx context.Context, authURL string) (string, error)) error {
	if verifier == nil {
		return errors.New("applink: AuthoriseOutOfBand needs a verifier function that shows the URL and returns the code")
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
	code = strings.TrimSpace(code)
	if code == "" {
		return fmt.Errorf("applink: link %q: the verification code is empty: approve at the authorisation URL and enter the code it shows", f.link.Name)
	}
	return f.CompleteAuthorisation(ctx, rt.Token, code)
}
