package signer

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// Consumer is what a provider knows of a consumer: its key and the material
// to check its signatures: an RSA public key (RSA-SHA1) and/or a shared secret
// (HMAC-SHA1, PLAINTEXT). It never prints its secret.
type Consumer struct {
	// Key is the consumer key (oauth_consumer_key).
	Key string
	// Name is a display name, for messages; optional.
	Name string
	// PublicKey checks RSA-SHA1 signatures; nil when the consumer has none.
	PublicKey *rsa.PublicKey
	secret    string
}

// NewSecretConsumer returns a consumer that signs with a shared secret
// (HMAC-SHA1 or PLAINTEXT).
func NewSecretConsumer(key, secret string) *Consumer {
	return &Consumer{Key: key, secret: secret}
}

// NewRSAConsumer returns a consumer that signs with RSA-SHA1.
func NewRSAConsumer(key string, pub *rsa.PublicKey) *Consumer {
	return &Consumer{Key: key, PublicKey: pub}
}

// Secret returns the shared secret ("" for an RSA-only consumer).
func (c *Consumer) Secret() string { return c.secret }

// String describes the consumer without its secret.
func (c *Consumer) String() string {
	kind := "no credentials"
	switch {
	case c.PublicKey != nil && c.secret != "":
		kind = "RSA public key and shared secret (redacted)"
	case c.PublicKey != nil:
		kind = "RSA public key"
	case c.secret != "":
		kind = "shared secret (redacted)"
	}
	return fmt.Sprintf("Consumer(%q, %s)", c.Key, kind)
}

// GoString is [Consumer.String].
func (c *Consumer) GoString() string { return c.String() }

// LogValue keeps the secret out of slog output.
func (c *Consumer) LogValue() slog.Value { return slog.StringValue(c.String()) }

// ErrUnknownConsumer is what a [ConsumerLookup] returns for a key it does not
// know; the verifier reports it as consumer_key_unknown.
var ErrUnknownConsumer = errors.New("signer: unknown consumer key")

// ErrUnknownToken is what a [TokenSecretLookup] returns for a token it does
// not know; the verifier reports it as token_rejected.
var ErrUnknownToken = errors.New("signer: unknown token")

// ConsumerLookup finds a consumer by key. It returns [ErrUnknownConsumer]
// (possibly wrapped) for a key it does not know, or a *[ProblemError] to
// report another problem (consumer_key_rejected, say).
type ConsumerLookup func(ctx context.Context, consumerKey string) (*Consumer, error)

// TokenSecretLookup finds the secret of a token issued to a consumer. It
// returns [ErrUnknownToken] for a token it does not know, or a
// *[ProblemError] (token_expired, token_revoked, ...) to report why the token
// is no good.
type TokenSecretLookup func(ctx context.Context, consumerKey, token string) (secret string, err error)

// NonceStore remembers nonces so that a request cannot be replayed.
// Implementations must be safe for concurrent use.
type NonceStore interface {
	// Record remembers the nonce for (consumer key, token, timestamp) and
	// reports whether it had been recorded before (a replay).
	Record(ctx context.Context, consumerKey, token string, timestamp int64, nonce string) (replayed bool, err error)
}

// VerifierConfig configures a [Verifier]. Only Consumers is required.
type VerifierConfig struct {
	// Consumers finds consumers by key. Required.
	Consumers ConsumerLookup
	// TokenSecrets finds token secrets. Nil means every non-empty token is
	// rejected with token_rejected (a provider that only speaks 2LO).
	TokenSecrets TokenSecretLookup
	// Clock is the provider's clock; nil means time.Now.
	Clock func() time.Time
	// Window is how far oauth_timestamp may be from the clock, either way;
	// 0 means 300 seconds, as Atlassian's products allow.
	Window time.Duration
	// Nonces remembers nonces; nil means an in-memory store whose entries
	// expire after twice the window.
	Nonces NonceStore
	// BaseURL is the URL the provider believes it is served at (scheme,
	// host, port and context path); the request's path is taken relative to
	// it when rebuilding the base string. Nil means the request's own
	// scheme and Host. Set it to reproduce a provider behind a reverse proxy.
	BaseURL *url.URL
	// Methods lists the signature methods accepted; nil means all three.
	Methods []string
	// Realm is the realm sent with problems; "" means the base URL.
	Realm string
}

// Verifier checks OAuth 1.0a signatures on incoming requests, as a provider
// does. It is immutable after [NewVerifier] and safe for concurrent use.
type Verifier struct {
	cfg VerifierConfig
}

// NewVerifier returns a verifier for cfg.
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	if cfg.Consumers == nil {
		return nil, errors.New("signer: VerifierConfig.Consumers is required")
	}
	return &Verifier{cfg: cfg}, nil
}

// Verified is what [Verifier.Verify] found in a request whose signature is
// good. It never prints the verifier.
type Verified struct {
	Consumer        *Consumer
	Token           string // "" for 2-legged requests
	SignatureMethod string
	Timestamp       int64
	Nonce           string
	Callback        string // oauth_callback, when sent
	SessionHandle   string // oauth_session_handle, when sent
	// RequestorID is xoauth_requestor_id from the query (2LO with
	// impersonation), when sent.
	RequestorID string
	// BaseString is the signature base string the provider computed.
	BaseString string
	verifier   string
}

// Verifier returns oauth_verifier, when sent. It is a secret.
func (v *Verified) Verifier() string { return v.verifier }

// Verify checks r: parameters present and not repeated, version 1.0 when
// sent, consumer known, signature method accepted, timestamp within the
// window, signature valid, nonce not seen before (recorded only once the
// signature is good). Every failure is a *[ProblemError] with Atlassian's
// problem name, the status net.oauth uses, and, on signature_invalid, the
// base string the provider computed; other errors come from the lookups. A
// form body is read and put back.
func (v *Verifier) Verify(r *http.Request) (*Verified, error) {
	return nil, errNotImplemented
}

// BaseURLRealm returns the realm to report problems with for r.
func (v *Verifier) Realm(r *http.Request) string { return v.cfg.Realm }
