package applink

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/internal/engine"
	"github.com/go-applinks/applinks/internal/oauth2link"
	"github.com/go-applinks/applinks/internal/redact"
	"github.com/go-applinks/applinks/internal/seam"
	"github.com/go-applinks/applinks/signer"
)

// The one seam of the companion packages beyond the exported API: see package
// internal/seam for what each field promises.
func init() {
	seam.Register(seam.Funcs{
		Link:          doctorView,
		Service:       serviceView,
		Start:         startView,
		TokenEndpoint: tokenEndpointView,
		FixedNonce:    func(n string) any { return withFixedNonce(n) },
		OwnedTokenStore: func(st any) any {
			ts, _ := st.(token.Store)
			return withOwnedTokenStore(ts)
		},
	})
}

// serviceView opens a *Service for applink/authorize.
func serviceView(v any) (*seam.Service, error) {
	s, ok := v.(*Service)
	if !ok || s == nil {
		return nil, errors.New("applink: no Service: build one with NewService")
	}
	now := s.clock
	if now == nil {
		now = time.Now
	}
	return &seam.Service{Now: now, Logger: s.logger}, nil
}

// startView is seam.Start: AuthorizationURL, also returning the pending
// request token.
func startView(ctx context.Context, v any, callback string) (*seam.Started, error) {
	f, _ := v.(*RequestFactory)
	u, rt, err := f.startDance(ctx, callback)
	if err != nil {
		return nil, err
	}
	return &seam.Started{URL: u, RequestToken: rt.Token, User: f.user}, nil
}

// tokenEndpointView is seam.TokenEndpoint.
func tokenEndpointView(err error) (int, string) {
	var (
		se *tokenStatusError
		te *tokenEndpointError
	)
	switch {
	case errors.As(err, &se):
		return se.status, ""
	case errors.As(err, &te):
		return 0, te.describe(false)
	}
	return 0, ""
}

// doctorView opens a bound *Link for applink/doctor.
func doctorView(v any) (*seam.Link, error) {
	l, ok := v.(*Link)
	if !ok || l == nil || l.state == nil {
		return nil, errors.New("applink: the link is not bound to a Service: get it from Service.Link or Service.Primary")
	}
	st := l.state
	out := &seam.Link{
		Client: &http.Client{
			Transport:     st.svc.client.Transport,
			Jar:           st.svc.client.Jar,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		UserAgent:   st.svc.agent,
		Now:         st.svc.clock,
		Resolve:     st.scope.Resolve,
		Probe:       st.probe,
		ClockOffset: st.clockOffset,
	}
	if st.signer != nil && st.signer.Method() != nil {
		out.SignatureMethod = st.signer.Method().Name()
		if m, ok := st.signer.Method().(*signer.RSASHA1); ok {
			out.PublicKey = m.PublicKey()
		}
	}
	if st.o2 != nil {
		out.OAuth2 = &seam.OAuth2{
			AuthorizationURL: st.o2.AuthorizationURL,
			TokenURL:         st.o2.TokenURL,
			ClientID:         st.o2.ClientID,
			Exchange: func(ctx context.Context, code string) error {
				_, err := st.oauth2Config("checking the client").Exchange(ctx, code, oauth2link.GenerateVerifier())
				return st.oauth2Error(err)
			},
			ClientCredentials: func(ctx context.Context) ([]string, error) {
				t, err := st.clientCredentialsToken(ctx, nil)
				if err != nil {
					return nil, err
				}
				return t.Scopes, nil
			},
		}
	}
	return out, nil
}

// probe is seam.Link.Probe: GET path with method auth, once, through
// the signing transport in its probe mode (the user's token as stored,
// never renewed or deleted), without retries.
func (st *linkState) probe(ctx context.Context, auth, user, path string) (*http.Response, string, error) {
	a := Auth(auth)
	f, err := st.link.RequestFactory(user, WithAuth(a))
	if err != nil {
		return nil, "", err
	}
	r, err := f.NewRequest(http.MethodGet, path)
	if err != nil {
		return nil, "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url.String(), nil)
	if err != nil {
		return nil, "", err
	}
	req.URL = r.URL()
	req.Header.Set("Accept", "application/json")
	hc := &http.Client{
		Transport:     &transport{factory: f, auth: a, probe: true},
		CheckRedirect: st.scope.CheckRedirect(true),
		Jar:           st.svc.client.Jar,
	}
	resp, err := hc.Do(req)
	if err != nil {
		var own *engine.OwnError
		var ue *url.Error
		switch {
		case errors.As(err, &own):
			err = own.Err
		case errors.As(err, &ue):
			err = fmt.Errorf("applink: link %q: GET %s: %w", st.link.Name, redact.URL(req.URL), ue.Err)
		}
		return nil, "", err
	}
	base := ""
	if resp.Request != nil && resp.Request.Header.Get("Authorization") != "" {
		if b, err := st.dialect().BaseString(resp.Request); err == nil {
			base = redact.BaseString(b)
		}
	}
	return resp, base, nil
}
