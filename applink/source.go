package applink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/go-applinks/applinks/applink/token"

	"github.com/go-applinks/applinks/internal/engine"
)

// source returns the user's token source: the one place that gets, renews,
// stores and deletes the factory's user's token (see internal/engine and the
// rule in the package doc).
func (f *RequestFactory) source() *engine.Source[*token.AccessToken] {
	st := f.link.state
	p := byKind{views: map[token.Kind]engine.Protocol[*token.AccessToken]{}}
	for _, a := range st.link.auths() {
		var v engine.Protocol[*token.AccessToken]
		switch au := st.authenticator(a); {
		case au != nil:
			v = au.protocol(st, f.user)
		case a == Auth3LO:
			v = oauth1Tokens{st: st}
		case a == AuthOAuth2:
			v = oauth2Tokens{st: st, user: f.user}
		default:
			continue
		}
		p.views[st.tokenKind(a)] = v
		if p.other == nil {
			p.other = v
		}
	}
	if p.other == nil {
		p.other = oauth1Tokens{st: st}
	}
	var logger *slog.Logger
	if st.svc.logger != nil {
		logger = st.svc.logger.With(slog.String("link", f.link.Name), slog.String("user", f.user))
	}
	return &engine.Source[*token.AccessToken]{
		Protocol: p,
		Store:    storeSlot{store: st.svc.store, key: token.Key{LinkID: f.link.ID, User: f.user}},
		Local:    &st.renews,
		Key:      f.user,
		Now:      st.now,
		Logger:   logger,
	}
}

// sourceError turns what the token source answered into the error a
// request returns: credentials required when the user has no token or the
// remote refused it (it was deleted), else the error itself with the token
// kept.
func (f *RequestFactory) sourceError(ctx context.Context, err error) error {
	var refused *engine.RefusedError
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, engine.ErrNoToken):
		return f.credentialsRequired(nil)
	case errors.As(err, &refused):
		cause := refused.Cause
		var rr *resourceRefusal
		if errors.As(cause, &rr) {
			cause = rr.err
		}
		return f.credentialsRequired(cause)
	}
	if strings.HasPrefix(err.Error(), "applink: ") {
		return err // it names the link already
	}
	return fmt.Errorf("applink: link %q: user %q's token (kept): %w", f.link.Name, f.user, err)
}

// storeSlot is one user's token in the service's [token.Store], as the
// token source uses it.
type storeSlot struct {
	store token.Store
	key   token.Key
}

func (s storeSlot) Load(ctx context.Context) (*token.AccessToken, error) {
	t, err := s.store.AccessToken(ctx, s.key)
	switch {
	case errors.Is(err, token.ErrNotFound), err == nil && t == nil:
		return nil, engine.ErrNoToken
	case err != nil:
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("reading the token from the token store: %w", err)
	}
	return t, nil
}

func (s storeSlot) Swap(ctx context.Context, old string, t *token.AccessToken) error {
	if sw, ok := s.store.(token.Swapper); ok {
		err := sw.SwapAccessToken(ctx, s.key, old, t)
		if errors.Is(err, token.ErrTokenChanged) {
			return engine.ErrChanged
		}
		return err
	}
	// Without a conditional write, check then write: the renewal lock is
	// held, so only a dance completing meanwhile can slip in between.
	cur, err := s.Load(ctx)
	if err == nil && cur.Token != old {
		return engine.ErrChanged
	}
	if err != nil && !errors.Is(err, engine.ErrNoToken) {
		return err
	}
	return s.store.PutAccessToken(ctx, s.key, t)
}

func (s storeSlot) Delete(ctx context.Context, old string) error {
	cur, err := s.Load(ctx)
	switch {
	case errors.Is(err, engine.ErrNoToken):
		return nil
	case err != nil:
		return err
	case cur.Token != old:
		return nil // renewed or authorized again meanwhile: keep it
	}
	if err := s.store.DeleteAccessToken(ctx, s.key); err != nil && !errors.Is(err, token.ErrNotFound) {
		return err
	}
	return nil
}

func (s storeSlot) Lock(ctx context.Context) (engine.Lock, error) {
	locker, ok := s.store.(token.Locker)
	if !ok {
		return heldLock{}, nil
	}
	return locker.LockToken(ctx, s.key)
}

// heldLock is the lock of a store that is no token.Locker: only the
// in-process lock excludes, and there is nothing to lose.
type heldLock struct{}

func (heldLock) Held(context.Context) error { return nil }
func (heldLock) Unlock()                    {}

// resourceRefusal is a resource's 401 to a request that used the user's
// token, as the transport hands it to the token source: err is the
// remote's answer (an *OAuth2Error or a *signer.ProblemError).
type resourceRefusal struct{ err error }

func (r *resourceRefusal) Error() string { return r.err.Error() }
func (r *resourceRefusal) Unwrap() error { return r.err }
