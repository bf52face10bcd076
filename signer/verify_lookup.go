package signer

import (
	"context"
	"crypto/rsa"
	"errors"

	"github.com/go-applinks/applinks/internal/redact"
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
	secret    redact.Secret
}

// NewSecretConsumer returns a consumer that signs with a shared secret
// (HMAC-SHA1 or PLAINTEXT).
func NewSecretConsumer(key, secret string) *Consumer {
	return &Consumer{Key: key, secret: redact.NewSecret(secret)}
}

// NewRSAConsumer returns a consumer that signs with RSA-SHA1.
func NewRSAConsumer(key string, pub *rsa.PublicKey) *Consumer {
	return &Consumer{Key: key, PublicKey: pub}
}

// Secret returns the shared secret ("" for an RSA-only consumer).
func (c *Consumer) Secret() string { return c.secret.Reveal() }

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

// lookupProblem is the problem a consumer or token lookup's error means: a
// *ProblemError it returned (copied), or problem when it is unknown; nil
// for any other error, which the verifier returns as it is.
func lookupProblem(err, unknown error, problem string) *ProblemError {
	var pe *ProblemError
	switch {
	case errors.As(err, &pe):
		cp := *pe
		return &cp
	case errors.Is(err, unknown):
		return &ProblemError{Problem: problem}
	}
	return nil
}
