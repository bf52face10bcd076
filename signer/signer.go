package signer

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-applinks/applinks/internal/requri"
)

// Signer signs requests for one consumer with one signature method. It is
// immutable after [New] and safe for concurrent use.
type Signer struct {
	consumerKey string
	method      Method
	clock       func() time.Time
	rand        io.Reader
	nonce       string // WithNonce's nonce, "" for random ones
	encKey      string // Encode(consumerKey), once
	realm       string
	dialect     Dialect
}

// Option configures a [Signer].
type Option func(*Signer)

// WithClock sets the clock that oauth_timestamp is read from. The default is
// time.Now. [Params.ClockOffset] shifts it per request.
func WithClock(now func() time.Time) Option {
	return func(s *Signer) {
		if now != nil {
			s.clock = now
		}
	}
}

// WithRealm adds realm="..." to the Authorization header. The default is no
// realm, which is what Atlassian's own client sends. The realm is never
// signed.
func WithRealm(realm string) Option { return func(s *Signer) { s.realm = realm } }

// WithDialect sets how the provider collects the parameters it verifies a
// signature over; the default is [RFC5849]. Give [Servlet] for Jira,
// Confluence, Bitbucket, Bamboo and the Jenkins plugin, which count
// form-body parameters for POST only.
func WithDialect(d Dialect) Option { return func(s *Signer) { s.dialect = d } }

// WithNonce makes every signature carry oauth_nonce n instead of a random
// one, unless [Params].Nonce gives another. It exists to reproduce a
// signature (applink sign --link --nonce); a provider refuses a nonce it
// has seen, so never sign requests to send with it.
func WithNonce(n string) Option { return func(s *Signer) { s.nonce = n } }

// withRand replaces crypto/rand as the nonce source (tests only).
func withRand(r io.Reader) Option { return func(s *Signer) { s.rand = r } }

// New returns a signer for the consumer key with the given method: one of
// [NewRSASHA1], [NewHMACSHA1], [NewPlaintext], or any [Method] such as a
// github.com/dghubble/oauth1 signer.
func New(consumerKey string, method Method, opts ...Option) (*Signer, error) {
	if consumerKey == "" {
		return nil, errors.New("signer: the consumer key is empty: give the key the remote application has for this consumer")
	}
	if method == nil {
		return nil, errors.New("signer: no signature method: use NewRSASHA1, NewHMACSHA1 or NewPlaintext")
	}
	s := &Signer{consumerKey: consumerKey, encKey: Encode(consumerKey), method: method, clock: time.Now, rand: rand.Reader}
	for _, o := range opts {
		o(s)
	}
	if s.dialect != RFC5849 && s.dialect != Servlet {
		return nil, fmt.Errorf("signer: unknown dialect %v: use RFC5849 or Servlet", s.dialect)
	}
	return s, nil
}

// ConsumerKey returns the consumer key the signer signs as.
func (s *Signer) ConsumerKey() string { return s.consumerKey }

// Method returns the signature method.
func (s *Signer) Method() Method { return s.method }

// Dialect returns how the signer collects the parameters it signs
// ([WithDialect]); its BaseString method shows what was signed.
func (s *Signer) Dialect() Dialect { return s.dialect }

// Params are the protocol parameters of one signing beyond the consumer's
// own. The zero Params signs a 2-legged request (oauth_token=""). Params never
// prints the token secret or the verifier.
type Params struct {
	// Token is sent as oauth_token, even when empty (2-legged OAuth); its
	// secret keys HMAC-SHA1 and PLAINTEXT.
	Token Token
	// OmitToken leaves oauth_token out entirely, as the request-token step
	// of 3-legged OAuth does.
	OmitToken bool
	// Callback is sent as oauth_callback when set: a URL or "oob".
	Callback string
	// Verifier is sent as oauth_verifier when set (the access-token step).
	Verifier Secret
	// SessionHandle is sent as oauth_session_handle when set (renewal).
	SessionHandle Secret
	// Extra holds more oauth_ or xoauth_ parameters for the header. Other
	// names are refused: put them in the query or form body. Its values
	// are not secrets (the secret parameters have fields of their own and
	// are refused here): they print as they are.
	Extra map[string]string
	// ClockOffset is added to the signer's clock for oauth_timestamp: the
	// correction for a provider whose clock differs from ours.
	ClockOffset time.Duration
	// Timestamp and Nonce, when set, replace the clock and the random nonce:
	// for reproducing a signature, never for real traffic.
	Timestamp time.Time
	Nonce     string
}

// Sign signs req in place: it sets the "Authorization: OAuth ..." header over
// the request's method, URL, query and form body (RFC 5849 §3.4.1; the form
// body only for POST in the [Servlet] dialect) with a fresh nonce and
// timestamp. A form body is read and put back (through GetBody when set).
// Any query parameter or form field changed after Sign invalidates the
// signature. Use the dialect's BaseString method (s.Dialect().BaseString,
// or [BaseString] for the default) on the signed request to see what was
// signed.
//
// What cannot appear raw in an HTTP request line (a space, a non-ASCII
// byte, " < > \ ^ ` { | } [ ]) is percent-encoded first, in a copy of
// req.URL that replaces it, as browsers do: Go's client would send a query
// as written, and servlet containers refuse such a request line. So the
// request sent is the one signed. Valid percent-escapes and "+" are kept;
// a "%" not followed by two hex digits is an error.
func (s *Signer) Sign(req *http.Request, p Params) error {
	if req == nil || req.URL == nil {
		return errors.New("signer: nil request or URL")
	}
	if s == nil || s.method == nil {
		return errors.New("signer: the Signer was not built with New")
	}
	if req.Header == nil {
		req.Header = make(http.Header)
	}
	wire, err := requri.URL(req.URL)
	if err != nil {
		return fmt.Errorf("signer: the request URL cannot be sent as it is: %w: write a percent sign as %%25", err)
	}
	req.URL = wire
	nonce := cmp.Or(p.Nonce, s.nonce)
	var rnd [32]byte
	if nonce == "" {
		if err := s.randomNonce(&rnd); err != nil {
			return fmt.Errorf("signer: reading a random nonce: %w", err)
		}
		nonce = string(rnd[:])
	}
	var tb [20]byte
	timestamp := string(strconv.AppendInt(tb[:0], s.unixTime(p), 10))
	method := s.method.Name()
	// The parameters every signature has, in the order of their names,
	// decoded for the header and encoded for the base string, in arrays
	// that are written here and never appended to: so they need no
	// sorting, and the nonce, the timestamp and the signature (strings of
	// up to 32 bytes) stay on the stack.
	core := [...]pair{
		{"oauth_consumer_key", s.consumerKey},
		{"oauth_nonce", nonce},
		{"oauth_signature", ""}, // once signed
		{"oauth_signature_method", method},
		{"oauth_timestamp", timestamp},
		{"oauth_token", p.Token.key},
		{"oauth_version", "1.0"},
	}
	coreEnc := [...]pair{
		{"oauth_consumer_key", s.encKey},
		{"oauth_nonce", Encode(nonce)},
		{"oauth_signature_method", Encode(method)},
		{"oauth_timestamp", timestamp},
		{"oauth_token", Encode(p.Token.key)},
		{"oauth_version", "1.0"},
	}
	nc, ne := len(core), len(coreEnc)
	if p.OmitToken { // oauth_version takes oauth_token's place
		core[nc-2], nc = core[nc-1], nc-1
		coreEnc[ne-2], ne = coreEnc[ne-1], ne-1
	}
	// The optional ones, decoded and encoded, live on the stack unless
	// Extra makes them many.
	var obuf, ebuf [16]pair
	opt, err := appendOptionalParams(obuf[:0], p)
	if err != nil {
		return err
	}
	enc := ebuf[:0]
	for _, q := range opt {
		enc = append(enc, pair{Encode(q.k), Encode(q.v)})
	}
	// The base string and the header are built on the stack; the header
	// alone is copied out.
	var bb, hb [1024]byte
	base, err := appendBaseString(bb[:0], req, coreEnc[:ne], enc, s.dialect)
	if err != nil {
		return err
	}
	secret := p.Token.secret.Reveal()
	var sig string
	if h, ok := s.method.(*HMACSHA1); ok && sha1Usable() == nil {
		// h.Sign(secret, string(base)), without copying the base string
		// to the heap, and with the signature left on the stack.
		b64 := hmacSHA1Base64(h.consumerSecret.Reveal(), secret, base)
		sig = string(b64[:])
	} else if sig, err = s.method.Sign(secret, string(base)); err != nil {
		return fmt.Errorf("signer: signing with %s: %w", s.method.Name(), err)
	}
	core[2].v = sig
	// The key is canonical already: Header.Set would only check it.
	req.Header["Authorization"] = []string{string(appendAuthorization(hb[:0], s.realm, core[:nc], opt))}
	return nil
}

// appendOptionalParams appends to oauth the oauth_* parameters of p that
// not every signature has: callback, verifier, session handle and Extra.
func appendOptionalParams(oauth []pair, p Params) ([]pair, error) {
	if p.Callback != "" {
		oauth = append(oauth, pair{"oauth_callback", p.Callback})
	}
	if !p.Verifier.IsZero() {
		oauth = append(oauth, pair{"oauth_verifier", p.Verifier.Reveal()})
	}
	if !p.SessionHandle.IsZero() {
		oauth = append(oauth, pair{"oauth_session_handle", p.SessionHandle.Reveal()})
	}
	for k, v := range p.Extra {
		if !strings.HasPrefix(k, "oauth_") && !strings.HasPrefix(k, "xoauth_") {
			return nil, fmt.Errorf("signer: extra parameter %q is not an oauth_ or xoauth_ parameter: put it in the query or form body", k)
		}
		if k == "oauth_signature" || isCoreParam(k) {
			return nil, fmt.Errorf("signer: extra parameter %q is set by the signer itself: use the Params field for it", k)
		}
		oauth = append(oauth, pair{k, v})
	}
	return oauth, nil
}

// unixTime returns oauth_timestamp: p.Timestamp, or the signer's clock
// shifted by p.ClockOffset.
func (s *Signer) unixTime(p Params) int64 {
	if !p.Timestamp.IsZero() {
		return p.Timestamp.Unix()
	}
	return s.clock().Add(p.ClockOffset).Unix()
}

// randomNonce fills nonce with the hex of 16 random bytes.
func (s *Signer) randomNonce(nonce *[32]byte) error {
	var r [16]byte
	if err := s.readRandom(r[:]); err != nil {
		return err
	}
	hex.Encode(nonce[:], r[:])
	return nil
}

// readRandom fills b from the signer's random source. crypto/rand's own
// reader is read with rand.Read, which keeps b on the caller's stack; another
// reader (a test's) is read through a copy, for the same reason.
func (s *Signer) readRandom(b []byte) error {
	if s.rand == rand.Reader {
		_, err := rand.Read(b)
		return err
	}
	buf := make([]byte, len(b))
	_, err := io.ReadFull(s.rand, buf)
	copy(b, buf)
	return err
}

func isCoreParam(k string) bool {
	switch k {
	case "oauth_consumer_key", "oauth_nonce", "oauth_signature_method", "oauth_timestamp",
		"oauth_version", "oauth_token", "oauth_callback", "oauth_verifier", "oauth_session_handle":
		return true
	}
	return false
}
