package applinktest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// ApproveURL approves, as user, the request token of an authorization URL
// this server issued (the URL a client shows the user, such as
// applink's RequestFactory.AuthorizationURL), and returns the verifier, as
// [Server.Approve] does. It saves a test from parsing oauth_token out of the
// URL. A URL of another server or page, or one without oauth_token, is an
// error.
//
// Given an OAuth 2.0 consent URL ([OAuth2] shape), it approves it as
// [Server.ApproveOAuth2] does and returns the address the browser lands on
// (the client's redirect URL with code and state), which applink takes
// wherever it takes a verifier, as a user would paste it.
func (s *Server) ApproveURL(authURL, user string) (verifier string, err error) {
	if s.isOAuth2URL(authURL) {
		return s.ApproveOAuth2(authURL, user)
	}
	token, err := s.requestTokenOf(authURL)
	if err != nil {
		return "", err
	}
	return s.Approve(token, user)
}

// Approver returns a function that approves as user, in code, the
// authorization URL it is given and returns the verifier: what
// applink/authorize's OutOfBand takes, so that a test plays the whole
// out-of-band dance in one call:
//
//	err := authorize.OutOfBand(ctx, factory, srv.Approver("alice"))
func (s *Server) Approver(user string) func(ctx context.Context, authURL string) (string, error) {
	return func(ctx context.Context, authURL string) (string, error) {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		return s.ApproveURL(authURL, user)
	}
}

// Browser returns a function that plays a browser approving as user: it
// opens the authorization URL it is given with "Allow" clicked as user,
// follows the server's redirect to the client's callback, and returns once
// the callback has answered. It is what applink/authorize's Loopback takes
// as its open function:
//
//	err := authorize.Loopback(ctx, factory, srv.Browser("alice"))
//
// It returns an error when the authorization page refuses (an unknown
// user, an expired request token) or cannot be reached; what the callback
// answers is the client's to report. It goes through [Server.Client], so it
// trusts the server's certificate with [WithTLS].
func (s *Server) Browser(user string) func(ctx context.Context, authURL string) error {
	return func(ctx context.Context, authURL string) error {
		if _, err := s.requestTokenOf(authURL); err != nil && !s.isOAuth2URL(authURL) {
			return err
		}
		u := authURL + "&user=" + url.QueryEscape(user) + "&approve=1"
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return fmt.Errorf("applinktest: browser: %w", err)
		}
		c := *s.client
		c.CheckRedirect = nil // follow to the callback, as a browser does
		resp, err := c.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("applinktest: browser: %w", err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		if resp.Request.URL.Host == req.URL.Host && resp.StatusCode != http.StatusOK {
			// The authorization page itself refused.
			return fmt.Errorf("applinktest: browser: the authorization page answered %s: %s", resp.Status, strings.TrimSpace(string(body)))
		}
		return nil
	}
}

// requestTokenOf returns the oauth_token of one of this server's
// authorization URLs.
func (s *Server) requestTokenOf(authURL string) (string, error) {
	u, err := url.Parse(authURL)
	if err != nil {
		return "", fmt.Errorf("applinktest: %q is not an authorization URL: %w", authURL, err)
	}
	page := s.AuthorizationURL("")
	pages := []string{page, s.baseLink(strings.TrimPrefix(page, s.URL))} // as reached, and as it believes it is served
	at := u.Scheme + "://" + u.Host + u.Path
	if at != pages[0] && at != pages[1] {
		return "", fmt.Errorf("applinktest: %s is not this server's authorization page (%s): approve at the server the link points to", u.Redacted(), page)
	}
	token := u.Query().Get("oauth_token")
	if token == "" {
		return "", errors.New("applinktest: the authorization URL has no oauth_token: give the URL the client made for the user")
	}
	return token, nil
}

// isOAuth2URL reports whether authURL is this server's OAuth 2.0 consent
// page.
func (s *Server) isOAuth2URL(authURL string) bool {
	if s.shape != OAuth2 {
		return false
	}
	_, err := s.authorizationQuery(authURL)
	return err == nil
}
