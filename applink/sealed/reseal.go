package sealed

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-applinks/applinks/applink/token"
)

// ResealReport says what [Reseal] did with each access token.
type ResealReport struct {
	// Resealed counts the tokens written again, sealed with the active key.
	Resealed int
	// Current counts the tokens already sealed with the active key.
	Current int
	// Skipped counts the tokens deleted or replaced while Reseal ran: they
	// were left as they were (a replacement is sealed with the active key).
	Skipped int
	// Failed counts the tokens that could not be opened or written; the
	// error Reseal returns says why, token by token.
	Failed int
}

// Reseal writes every access token of the sealed store s (returned by
// [New]) that is not sealed with the active key again, sealed with it, so
// that the older keys can be dropped from the keyring afterwards: after a
// rotation, tokens are otherwise re-sealed only when they are renewed or
// authorized again, and a token may live for years. With [AllowUnsealed],
// it also seals the tokens stored in the clear: a whole migration in one
// call.
//
// Each token is read, opened, checked to be still the same in the inner
// store and written, holding the store's [token.Locker] for its key
// when the inner store is one, so that no renewal runs in between. When
// the inner store is a [token.Swapper] (the memory store, the file store
// and pgstore are), the write is conditional, so that a token stored
// meanwhile without the lock (an authorization completing) is never
// overwritten; otherwise only the lock guards it. A token replaced or
// deleted meanwhile is skipped. Tokens that cannot be opened
// (an [*OpenError]) are left as they are and reported in the returned error
// (errors.Join of one error per token) while Reseal goes on with the
// others; it stops at once only when ctx ends or the inner store cannot
// list its tokens. Pending request tokens are not resealed: they live
// minutes.
func Reseal(ctx context.Context, s token.Store) (ResealReport, error) {
	var st *store
	switch v := s.(type) {
	case *store:
		st = v
	case *lockerStore:
		st = v.store
	case *danceStore:
		st = v.store
	case *lockerDanceStore:
		st = v.store
	case *fullStore:
		st = v.store
	default:
		return ResealReport{}, fmt.Errorf("sealed: Reseal needs a store returned by sealed.New, not %T", s)
	}
	keys, err := st.inner.AccessTokens(ctx)
	if err != nil {
		return ResealReport{}, fmt.Errorf("sealed: listing the tokens to reseal: %w", err)
	}
	locker, _ := st.inner.(token.Locker)
	var (
		rep  ResealReport
		errs []error
	)
	for _, key := range keys {
		if err := ctx.Err(); err != nil {
			return rep, errors.Join(append(errs, err)...)
		}
		outcome, err := st.reseal(ctx, locker, key)
		switch outcome {
		case resealed:
			rep.Resealed++
		case current:
			rep.Current++
		case skipped:
			rep.Skipped++
		default:
			if ctx.Err() != nil {
				return rep, errors.Join(append(errs, ctx.Err())...)
			}
			rep.Failed++
			errs = append(errs, fmt.Errorf("sealed: resealing the access token of link %q, user %q: %w", key.LinkID, key.User, err))
		}
	}
	return rep, errors.Join(errs...)
}

// resealOutcome is what became of one token.
type resealOutcome int

const (
	failed resealOutcome = iota
	resealed
	current
	skipped
)

// reseal reseals key's token, under locker's lock when there is one.
func (s *store) reseal(ctx context.Context, locker token.Locker, key token.Key) (resealOutcome, error) {
	if locker != nil {
		lock, err := locker.LockToken(ctx, key)
		if err != nil {
			return failed, err
		}
		defer lock.Unlock()
	}
	raw, err := s.inner.AccessToken(ctx, key)
	if errors.Is(err, token.ErrNotFound) {
		return skipped, nil
	}
	if err != nil {
		return failed, err
	}
	prefix := formatVersion + "." + s.keys.active + "."
	if !slices.ContainsFunc([]string{raw.Secret.Reveal(), raw.RefreshToken.Reveal(), raw.SessionHandle.Reveal()}, func(v string) bool {
		return v != "" && !strings.HasPrefix(v, prefix)
	}) {
		return current, nil
	}
	tok, err := s.AccessToken(ctx, key)
	if err != nil {
		return failed, err
	}
	// Still the token read? (A dance may have completed meanwhile.)
	again, err := s.inner.AccessToken(ctx, key)
	if errors.Is(err, token.ErrNotFound) {
		return skipped, nil
	}
	if err != nil {
		return failed, err
	}
	if again.Token != raw.Token || again.Secret.Reveal() != raw.Secret.Reveal() || again.RefreshToken.Reveal() != raw.RefreshToken.Reveal() || !again.SessionHandle.Equal(raw.SessionHandle) {
		return skipped, nil
	}
	swapper, ok := s.inner.(token.Swapper)
	if !ok {
		// Only the lock (if any) guards this write: a token stored
		// without it right now (an authorization completing) may be
		// overwritten.
		if err := s.PutAccessToken(ctx, key, tok); err != nil {
			return failed, err
		}
		return resealed, nil
	}
	// Written only if the stored token is still the one read, whoever
	// wrote meanwhile, lock or no lock.
	sealed, err := s.sealAccess(ctx, key, tok)
	if err != nil {
		return failed, err
	}
	err = swapper.SwapAccessToken(ctx, key, raw.Token, sealed)
	if errors.Is(err, token.ErrTokenChanged) {
		return skipped, nil
	}
	if err != nil {
		return failed, err
	}
	return resealed, nil
}
