// Package seam is the one door from applink's companion packages
// (applink/doctor, applink/authorize) into what package applink keeps to
// itself. Those packages otherwise use only applink's exported API; what
// they need beyond it is listed here: for the doctor, a link's HTTP client,
// clock, signer, a signed probe sent once that changes nothing, and the
// OAuth 2.0 client's endpoints ([Link]); for applink/config, a token store
// the service owns and closes ([OwnedTokenStore]); for the applink
// command's reproducible signatures, a fixed nonce ([FixedNonce]); for the
// authorization flows, the service's clock and logger ([Service]), the
// pending request token the dance's start stored ([Start]), and what a
// token endpoint's refusal was ([TokenEndpoint]).
//
// Package applink registers its functions in an init function
// ([Register]); the companion packages, which import applink, call them
// through this package ([View]). Neither side imports the other's
// internals, and applink imports none of its companions. This package
// imports no public package of the module: links travel as any, and
// methods and errors as plain strings and errors.
package seam

import (
	"context"
	"errors"
	"sync"
)

// Funcs are the functions package applink registers.
type Funcs struct {
	// Link opens a bound *applink.Link for applink/doctor ([View]).
	Link func(link any) (*Link, error)
	// FixedNonce and OwnedTokenStore return options of applink.NewService
	// ([FixedNonce], [OwnedTokenStore]).
	FixedNonce      func(n string) any
	OwnedTokenStore func(store any) any
	// Service, Start and TokenEndpoint serve applink/authorize
	// ([OpenService], [Start], [TokenEndpoint]).
	Service       func(svc any) (*Service, error)
	Start         func(ctx context.Context, factory any, callback string) (*Started, error)
	TokenEndpoint func(err error) (status int, message string)
}

var (
	mu    sync.RWMutex
	funcs Funcs
)

// Register sets the functions of package applink. Package applink calls
// it once, in an init function; a second call replaces the first.
func Register(f Funcs) {
	mu.Lock()
	defer mu.Unlock()
	funcs = f
}

// registered returns what was registered.
func registered() Funcs {
	mu.RLock()
	defer mu.RUnlock()
	return funcs
}

// errNotRegistered is the error of a call before package applink
// registered its functions: a bug, since importing a companion package
// imports applink.
func errNotRegistered(who, what string) error {
	return errors.New(who + ": package applink registered no " + what + " (internal/seam): this is a bug")
}
