package applinktest

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/go-applinks/applinks/signer"
)

type consumerEntry struct {
	Consumer
	signer *signer.Consumer
}

// AddConsumer adds a consumer (an incoming link) while the server runs, as
// [WithConsumer] does at start. It returns an error for an invalid consumer
// or a key already in use.
func (s *Server) AddConsumer(c Consumer) error {
	return s.addConsumer(c)
}

func (s *Server) addConsumer(c Consumer) error {
	if c.Key == "" {
		return errors.New("applinktest: a consumer has an empty key")
	}
	if c.PublicKey == nil && c.Secret.IsZero() {
		return fmt.Errorf("applinktest: consumer %q has neither a public key nor a secret: set PublicKey (RSA-SHA1) or Secret (HMAC-SHA1)", c.Key)
	}
	if s.shape == Jenkins && c.Secret.IsZero() {
		return fmt.Errorf("applinktest: consumer %q: the Jenkins shape takes HMAC-SHA1 consumers only: set Secret", c.Key)
	}
	if c.PublicKey != nil && c.PublicKey.N.BitLen() < signer.MinKeyBits {
		return fmt.Errorf("applinktest: consumer %q: %w", c.Key, &signer.KeySizeError{Bits: c.PublicKey.N.BitLen()})
	}
	var sc *signer.Consumer
	if !c.Secret.IsZero() {
		sc = signer.NewSecretConsumer(c.Key, c.Secret.Reveal())
		sc.PublicKey = c.PublicKey
	} else {
		sc = signer.NewRSAConsumer(c.Key, c.PublicKey)
	}
	if s.shape == Jenkins {
		sc.PublicKey = nil
	}
	sc.Name = c.Name
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.consumers[c.Key]; dup {
		return fmt.Errorf("applinktest: consumer key %q is already in use", c.Key)
	}
	s.consumers[c.Key] = &consumerEntry{Consumer: c, signer: sc}
	return nil
}

func (s *Server) consumer(key string) (Consumer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.consumers[key]
	if !ok {
		return Consumer{}, false
	}
	return c.Consumer, true
}

func (s *Server) setupVerifiers() error {
	s.nonces = newNonceStore(s.Now)
	methods := []string{signer.MethodRSASHA1, signer.MethodHMACSHA1}
	if s.shape == Jenkins {
		methods = []string{signer.MethodHMACSHA1}
	}
	var base *url.URL
	if s.proxied {
		b := *s.base
		base = &b
	}
	mk := func(tokens signer.TokenSecretLookup) (*signer.Verifier, error) {
		return signer.NewVerifier(signer.VerifierConfig{
			Consumers:    s.lookupConsumer,
			TokenSecrets: tokens,
			Clock:        s.Now,
			Nonces:       s.nonces,
			BaseURL:      base,
			Methods:      methods,
			Realm:        s.realm,
			// Both shapes verify as net.oauth behind Tomcat does: form
			// bodies count for POST only, "=x" is dropped, a raw "+" in
			// the header is a space.
			Dialect: signer.Servlet,
		})
	}
	var err error
	if s.verifyNone, err = mk(nil); err != nil {
		return err
	}
	if s.verifyExchange, err = mk(s.exchangeTokenSecret); err != nil {
		return err
	}
	s.verifyAccess, err = mk(s.accessTokenSecret)
	return err
}

func (s *Server) lookupConsumer(_ context.Context, key string) (*signer.Consumer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.consumers[key]
	if !ok {
		return nil, signer.ErrUnknownConsumer
	}
	return c.signer, nil
}
