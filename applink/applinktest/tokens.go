package applinktest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-applinks/applinks/signer"
)

// ErrUnknownToken is returned by the token methods of [Server] for a token
// the server never issued.
var ErrUnknownToken = errors.New("applinktest: unknown token")

// TokenStateError is returned by [Server.Approve] and [Server.Deny] for a
// request token that can no longer be approved or denied.
type TokenStateError struct {
	// Token is the token, abbreviated.
	Token string
	// State says why: "expired", "already approved", "already denied" or
	// "not a request token".
	State string
}

// Error says which token is in which state.
func (e *TokenStateError) Error() string {
	return fmt.Sprintf("applinktest: request token %s is %s: get a new request token", e.Token, e.State)
}

type tokenKind int

const (
	requestToken tokenKind = iota + 1
	accessToken
)

type approval int

const (
	pending approval = iota
	approved
	denied
)

// token is a request or access token the server issued.
type token struct {
	kind     tokenKind
	value    string
	secret   string
	consumer string
	user     string
	seq      int
	expires  time.Time

	// request tokens
	callback string // "" for OAuth 1.0 (no oauth_callback), "oob" or a URL
	v10      bool
	state    approval
	verifier string

	// access tokens
	revoked        bool
	session        string
	sessionExpires time.Time
}

func (t *token) expired(now time.Time) bool { return !now.Before(t.expires) }

// purgeAt is how many tokens a server holds before it forgets request tokens
// that expired over an hour ago.
const purgeAt = 10_000

// newRequestToken stores a fresh request token for consumer.
func (s *Server) newRequestToken(consumer, callback string) *token {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.tokens) >= purgeAt {
		// A long-running server forgets request tokens long expired.
		for k, old := range s.tokens {
			if old.kind == requestToken && now.Sub(old.expires) > time.Hour {
				delete(s.tokens, k)
			}
		}
	}
	s.tokenSeq++
	t := &token{
		kind:     requestToken,
		value:    rand.Text(),
		secret:   rand.Text(),
		consumer: consumer,
		seq:      s.tokenSeq,
		expires:  now.Add(s.requestTTL),
		callback: callback,
		v10:      callback == "" && s.shape != Jenkins,
	}
	s.tokens[t.value] = t
	return t
}

// newAccessToken stores a fresh access token; the caller holds s.mu.
func (s *Server) newAccessTokenLocked(consumer, user string, now time.Time) *token {
	s.tokenSeq++
	t := &token{
		kind:           accessToken,
		value:          rand.Text(),
		secret:         rand.Text(),
		consumer:       consumer,
		user:           user,
		seq:            s.tokenSeq,
		expires:        now.Add(s.accessTTL),
		session:        rand.Text(),
		sessionExpires: now.Add(s.accessTTL),
	}
	s.tokens[t.value] = t
	return t
}

// Approve approves a pending request token as user, as the user's click on
// "Allow" does, and returns the verifier to send with the exchange. The user
// must exist.
func (s *Server) Approve(requestToken, user string) (verifier string, err error) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.users[user] {
		return "", fmt.Errorf("applinktest: cannot approve as %q: no such user: add it with WithUsers or AddUser", user)
	}
	t, err := s.pendingLocked(requestToken, now)
	if err != nil {
		return "", err
	}
	t.state = approved
	t.user = user
	t.verifier = newVerifier()
	return t.verifier, nil
}

// Deny refuses a pending request token, as the user's click on "Deny" does:
// its exchange then fails with permission_denied.
func (s *Server) Deny(requestToken string) error {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.pendingLocked(requestToken, now)
	if err != nil {
		return err
	}
	t.state = denied
	return nil
}

func (s *Server) pendingLocked(value string, now time.Time) (*token, error) {
	t, ok := s.tokens[value]
	if !ok {
		return nil, fmt.Errorf("%w %s", ErrUnknownToken, signer.Abbrev(value))
	}
	state := ""
	switch {
	case t.kind != requestToken:
		state = "not a request token"
	case t.expired(now):
		state = "expired"
	case t.state == approved:
		state = "already approved"
	case t.state == denied:
		state = "already denied"
	}
	if state != "" {
		return nil, &TokenStateError{Token: signer.Abbrev(value), State: state}
	}
	return t, nil
}

// Revoke revokes an access token, as the user does on the "OAuth access
// tokens" page: requests with it then fail with token_revoked. Given an
// OAuth 2.0 access or refresh token, it revokes the consent it belongs to:
// its access and refresh tokens, also those refreshing produced (401
// invalid_token on resources, invalid_grant on refresh).
func (s *Server) Revoke(accessTokenValue string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.revokeOAuth2Locked(accessTokenValue) {
		return nil
	}
	t, ok := s.tokens[accessTokenValue]
	if !ok || t.kind != accessToken {
		return fmt.Errorf("%w %s: not an access token this server issued", ErrUnknownToken, signer.Abbrev(accessTokenValue))
	}
	t.revoked = true
	return nil
}

// RevokeUser revokes every access token of user for the consumer ("" for
// every consumer) and returns how many it revoked. On the [OAuth2] shape it
// also revokes the user's OAuth 2.0 consents for the client with that id,
// counting one per consent.
func (s *Server) RevokeUser(consumerKey, user string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.revokeOAuth2UserLocked(consumerKey, user)
	for _, t := range s.tokens {
		if t.kind == accessToken && !t.revoked && t.user == user && (consumerKey == "" || t.consumer == consumerKey) {
			t.revoked = true
			n++
		}
	}
	return n
}

// Expire makes a request or access token expire now (by the server's
// clock): it then fails with token_expired. An access token's session
// (its oauth_session_handle) stays valid, so the consumer can renew it, as
// with a token that reached the end of its life. An OAuth 2.0 access token
// then fails with invalid_token and its refresh token still works; an
// OAuth 2.0 refresh token then fails with invalid_grant.
func (s *Server) Expire(tokenValue string) error {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.expireOAuth2Locked(tokenValue, now) {
		return nil
	}
	t, ok := s.tokens[tokenValue]
	if !ok {
		return fmt.Errorf("%w %s", ErrUnknownToken, signer.Abbrev(tokenValue))
	}
	t.expires = now
	return nil
}

// AccessTokens returns the live (neither revoked nor expired) access tokens
// of user for the consumer ("" for every consumer), oldest first. On the
// [OAuth2] shape the user's live OAuth 2.0 access tokens for the client
// with that id follow.
func (s *Server) AccessTokens(consumerKey, user string) []string {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var ts []*token
	for _, t := range s.tokens {
		if t.kind == accessToken && !t.revoked && !t.expired(now) && t.user == user &&
			(consumerKey == "" || t.consumer == consumerKey) {
			ts = append(ts, t)
		}
	}
	slices.SortFunc(ts, func(a, b *token) int { return a.seq - b.seq })
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.value
	}
	for _, t := range s.oauth2AccessTokensLocked(consumerKey, user, now) {
		out = append(out, t.value)
	}
	return out
}

// accessTokenSecret is the verifier's token lookup for resources: only live
// access tokens of the consumer are good.
func (s *Server) accessTokenSecret(_ context.Context, consumerKey, value string) (string, error) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[value]
	switch {
	case !ok:
		return "", signer.ErrUnknownToken
	case t.consumer != consumerKey:
		return "", &signer.ProblemError{Problem: signer.ProblemTokenRejected, Advice: "the token was issued to another consumer"}
	case t.kind == requestToken:
		return "", &signer.ProblemError{Problem: signer.ProblemTokenRejected, Advice: "a request token cannot be used as an access token: exchange it at the access-token endpoint first"}
	case t.revoked:
		return "", &signer.ProblemError{Problem: signer.ProblemTokenRevoked}
	case t.expired(now):
		return "", &signer.ProblemError{Problem: signer.ProblemTokenExpired}
	}
	return t.secret, nil
}

// exchangeTokenSecret is the verifier's token lookup for the access-token
// endpoint: request tokens (state checked after the signature) and, for
// renewal, access tokens.
func (s *Server) exchangeTokenSecret(_ context.Context, consumerKey, value string) (string, error) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[value]
	switch {
	case !ok:
		return "", signer.ErrUnknownToken
	case t.consumer != consumerKey:
		return "", &signer.ProblemError{Problem: signer.ProblemTokenRejected, Advice: "the token was issued to another consumer"}
	case t.kind == requestToken && t.expired(now):
		return "", &signer.ProblemError{Problem: signer.ProblemTokenExpired}
	case t.kind == accessToken && t.revoked:
		return "", &signer.ProblemError{Problem: signer.ProblemTokenRevoked}
	}
	return t.secret, nil
}

const verifierAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// newVerifier returns 6 random alphanumerics, as the products issue.
func newVerifier() string {
	out := make([]byte, 0, 6)
	var b [16]byte
	for len(out) < 6 {
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
		for _, c := range b {
			if int(c) < 4*len(verifierAlphabet) && len(out) < 6 {
				out = append(out, verifierAlphabet[int(c)%len(verifierAlphabet)])
			}
		}
	}
	return string(out)
}
