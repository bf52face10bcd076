package signer

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// VerifierConfig configures a [Verifier]. Only Consumers is required.
type VerifierConfig struct {
	// Consumers finds consumers by key. Required.
	Consumers ConsumerLookup
	// TokenSecrets finds token secrets. Nil means every non-empty token is
	// rejected with token_rejected (a provider that only speaks 2LO).
	TokenSecrets TokenSecretLookup
	// Clock is the provider's clock; nil means time.Now.
	Clock func() time.Time
	// Window is how far oauth_timestamp may be from the clock, either way,
	// in whole seconds; 0 means 300 seconds, as Atlassian's products allow.
	Window time.Duration
	// Nonces remembers nonces; nil means an in-memory store whose entries
	// expire after twice the window.
	Nonces NonceStore
	// BaseURL is the URL the provider believes it is served at (scheme,
	// host, port and context path). When set, the base string is rebuilt
	// with BaseURL's scheme and host instead of the request's, and BaseURL's
	// path put in front of the request's path: a provider at
	// https://jira.example.com/jira behind a proxy that forwards
	// /jira/rest/x as http://10.0.0.7:8080/rest/x. Nil means the request's
	// own scheme (https when r.TLS is set) and Host. Its query, fragment
	// and user are ignored.
	BaseURL *url.URL
	// Methods lists the signature methods accepted; nil means all three.
	Methods []string
	// Realm is the realm sent with problems; "" means the base URL.
	Realm string
	// Dialect is how the provider collects the parameters it verifies a
	// signature over; the zero value is [RFC5849]. [Servlet] verifies as
	// Jira, Confluence, Bitbucket, Bamboo and the Jenkins plugin do.
	Dialect Dialect
}

// Verifier checks OAuth 1.0a signatures on incoming requests, as a provider
// does. It is immutable after [NewVerifier] and safe for concurrent use.
type Verifier struct {
	cfg VerifierConfig
}

// NewVerifier returns a verifier for cfg. It copies cfg and fills in the
// defaults: time.Now, a 300-second window, all three methods and a
// [MemoryNonceStore] that keeps nonces for twice the window. It refuses a
// negative window and method names it does not know.
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	if cfg.Consumers == nil {
		return nil, errors.New("signer: VerifierConfig.Consumers is required")
	}
	if cfg.Dialect != RFC5849 && cfg.Dialect != Servlet {
		return nil, fmt.Errorf("signer: VerifierConfig.Dialect %v is unknown: use RFC5849 or Servlet", cfg.Dialect)
	}
	if cfg.Window < 0 {
		return nil, fmt.Errorf("signer: VerifierConfig.Window is negative (%v): give 0 for the default 300s", cfg.Window)
	}
	if cfg.Window == 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Methods == nil {
		cfg.Methods = []string{MethodRSASHA1, MethodHMACSHA1, MethodPlaintext}
	} else {
		cfg.Methods = slices.Clone(cfg.Methods)
		for _, m := range cfg.Methods {
			switch m {
			case MethodRSASHA1, MethodHMACSHA1, MethodPlaintext:
			default:
				return nil, fmt.Errorf("signer: VerifierConfig.Methods: unknown signature method %q: use RSA-SHA1, HMAC-SHA1 or PLAINTEXT", m)
			}
		}
	}
	if cfg.BaseURL != nil {
		u := *cfg.BaseURL
		if u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("signer: VerifierConfig.BaseURL %q needs a scheme and a host", u.Redacted())
		}
		u.RawQuery, u.Fragment, u.RawFragment, u.User = "", "", "", nil
		cfg.BaseURL = &u
	}
	if cfg.Nonces == nil {
		cfg.Nonces = NewMemoryNonceStore(2*cfg.Window, cfg.Clock)
	}
	return &Verifier{cfg: cfg}, nil
}

// DefaultWindow is how far oauth_timestamp may be from the provider's clock,
// either way, when [VerifierConfig.Window] is 0: Atlassian's 300 seconds.
const DefaultWindow = 300 * time.Second

// Verified is what [Verifier.Verify] found in a request whose signature is
// good. It never prints the verifier.
type Verified struct {
	// Consumer is the consumer the lookup returned for oauth_consumer_key.
	Consumer *Consumer
	// Token is oauth_token: "" for 2-legged requests and for the
	// request-token step.
	Token string
	// SignatureMethod is oauth_signature_method, such as "RSA-SHA1".
	SignatureMethod string
	// Timestamp is oauth_timestamp, in Unix seconds.
	Timestamp int64
	// Nonce is oauth_nonce.
	Nonce string
	// Callback is oauth_callback, when sent.
	Callback string
	// SessionHandle is oauth_session_handle, when sent (renewal).
	SessionHandle Secret
	// RequestorID is xoauth_requestor_id from the query (2LO with
	// impersonation), when sent.
	RequestorID string
	// BaseString is the signature base string the provider computed. It
	// carries oauth_verifier and oauth_session_handle in clear when they
	// were sent, so it is a Secret: Reveal it to compare, or show it
	// through [RedactBaseString].
	BaseString Secret
	verifier   Secret
}

// Verifier returns oauth_verifier, when sent. It is a secret.
func (v *Verified) Verifier() string { return v.verifier.Reveal() }

// Verify checks r: parameters present and not repeated, version 1.0 when
// sent, consumer known, signature method accepted, timestamp within the
// window, signature valid, nonce not seen before (recorded only once the
// signature is good). Every failure is a *[ProblemError] with Atlassian's
// problem name, the status net.oauth uses, and, on signature_invalid, the
// base string the provider computed; other errors come from the lookups. A
// form body is read and put back.
//
// The request must carry an "Authorization: OAuth ..." header. As in
// net.oauth, oauth_ parameters in the query or form body count too (and are
// signed); one sent twice, in any of the three places, is rejected with
// parameter_rejected. The lookups get r.Context().
//
// The base string is rebuilt from what the provider sees: the request's
// scheme (https when r.TLS is set) and Host. With [VerifierConfig.BaseURL]
// set, it is BaseURL's scheme and host instead, and BaseURL's path is put in
// front of the request's path (a provider mounted under a context path behind
// a proxy that strips it).
func (v *Verifier) Verify(r *http.Request) (*Verified, error) {
	if r == nil || r.URL == nil {
		return nil, errors.New("signer: Verify: nil request or URL")
	}
	ctx := r.Context()
	fail := func(p *ProblemError) (*Verified, error) {
		if p.Realm == "" {
			p.Realm = v.Realm(r)
		}
		if p.Status == 0 {
			p.Status = ProblemStatus(p.Problem)
		}
		return nil, p
	}

	oauth, err := authorizationParams(r.Header, v.cfg.Dialect)
	if errors.Is(err, ErrNoAuthorization) {
		return fail(&ProblemError{
			Problem:          ProblemParameterAbsent,
			Advice:           "send the OAuth parameters in an \"Authorization: OAuth ...\" header",
			ParametersAbsent: slices.Clone(requiredParams[:]),
		})
	}
	if err != nil {
		return fail(&ProblemError{Problem: ProblemParameterRejected, Advice: "malformed Authorization header"})
	}

	// Every parameter that is signed, so that repeats across header, query
	// and body are seen.
	pairs, err := requestPairs(r, oauth, v.cfg.Dialect)
	if err != nil {
		return fail(&ProblemError{Problem: ProblemParameterRejected, Advice: strings.TrimPrefix(err.Error(), "signer: ")})
	}
	got := make(map[string]string, len(oauth))
	var repeated []string
	count := func(k, val string) {
		if !strings.HasPrefix(k, "oauth_") {
			return
		}
		if _, dup := got[k]; dup {
			if !slices.Contains(repeated, k) {
				repeated = append(repeated, k)
			}
			return
		}
		got[k] = val
	}
	for _, p := range pairs {
		count(p.k, p.v)
	}
	for _, p := range oauth {
		if p.k == "oauth_signature" {
			count(p.k, p.v)
		}
	}
	var absent []string
	for _, k := range requiredParams {
		if got[k] == "" {
			absent = append(absent, k)
		}
	}
	if len(absent) > 0 {
		return fail(&ProblemError{Problem: ProblemParameterAbsent, ParametersAbsent: absent})
	}
	if len(repeated) > 0 {
		slices.Sort(repeated)
		return fail(&ProblemError{Problem: ProblemParameterRejected, ParametersRejected: repeated,
			Advice: "each OAuth parameter may be sent once"})
	}
	if ver, ok := got["oauth_version"]; ok && ver != "1.0" {
		return fail(&ProblemError{Problem: ProblemVersionRejected, AcceptableVersions: "1.0-1.0"})
	}

	key := got["oauth_consumer_key"]
	consumer, err := v.cfg.Consumers(ctx, key)
	if err != nil {
		if p := lookupProblem(err, ErrUnknownConsumer, ProblemConsumerKeyUnknown); p != nil {
			return fail(p)
		}
		return nil, fmt.Errorf("signer: looking up consumer %q: %w", key, err)
	}
	if consumer == nil {
		return fail(&ProblemError{Problem: ProblemConsumerKeyUnknown})
	}

	method := got["oauth_signature_method"]
	if !v.accepts(consumer, method) {
		return fail(&ProblemError{Problem: ProblemSignatureMethodRejected,
			Advice: "accepted for this consumer: " + strings.Join(v.methodsFor(consumer), ", ")})
	}

	ts, err := strconv.ParseInt(got["oauth_timestamp"], 10, 64)
	if err != nil {
		return fail(&ProblemError{Problem: ProblemParameterRejected, ParametersRejected: []string{"oauth_timestamp"},
			Advice: "oauth_timestamp must be a number of seconds since 1970"})
	}
	now := v.cfg.Clock().Unix()
	window := int64(v.cfg.Window / time.Second)
	if ts < now-window || ts > now+window {
		return fail(&ProblemError{Problem: ProblemTimestampRefused, MinTimestamp: now - window, MaxTimestamp: now + window})
	}

	token := got["oauth_token"]
	var tokenSecret string
	if token != "" {
		if v.cfg.TokenSecrets == nil {
			return fail(&ProblemError{Problem: ProblemTokenRejected})
		}
		tokenSecret, err = v.cfg.TokenSecrets(ctx, key, token)
		if err != nil {
			if p := lookupProblem(err, ErrUnknownToken, ProblemTokenRejected); p != nil {
				return fail(p)
			}
			return nil, fmt.Errorf("signer: looking up token %s of consumer %q: %w", Abbrev(token), key, err)
		}
	}

	base := assemble(r.Method, v.baseURI(r), pairs)
	sig := got["oauth_signature"]
	switch method {
	case MethodRSASHA1:
		err = VerifyRSASHA1(consumer.PublicKey, base, sig)
	case MethodHMACSHA1:
		err = VerifyHMACSHA1(consumer.secret.Reveal(), tokenSecret, base, sig)
	default:
		err = VerifyPlaintext(consumer.secret.Reveal(), tokenSecret, sig)
	}
	if err != nil {
		pe := &ProblemError{Problem: ProblemSignatureInvalid}
		errors.As(err, &pe)
		pe.SignatureMethod = method
		pe.SignatureBaseString = NewSecret(base)
		if method != MethodPlaintext {
			// A PLAINTEXT signature is the secrets themselves: never echo it.
			pe.Signature = NewSecret(sig)
		}
		return fail(pe)
	}

	replayed, err := v.cfg.Nonces.Record(ctx, key, token, ts, got["oauth_nonce"])
	if err != nil {
		return nil, fmt.Errorf("signer: recording the nonce: %w", err)
	}
	if replayed {
		return fail(&ProblemError{Problem: ProblemNonceUsed})
	}

	return &Verified{
		Consumer:        consumer,
		Token:           token,
		SignatureMethod: method,
		Timestamp:       ts,
		Nonce:           got["oauth_nonce"],
		Callback:        got["oauth_callback"],
		SessionHandle:   NewSecret(got["oauth_session_handle"]),
		RequestorID:     requestorID(r.URL),
		BaseString:      NewSecret(base),
		verifier:        NewSecret(got["oauth_verifier"]),
	}, nil
}

// requiredParams are the parameters every signed request carries, in the
// order parameter_absent lists them.
var requiredParams = [...]string{"oauth_consumer_key", "oauth_signature_method", "oauth_signature", "oauth_timestamp", "oauth_nonce"}

// accepts reports whether method is configured and the consumer has the
// material to check it.
func (v *Verifier) accepts(c *Consumer, method string) bool {
	return slices.Contains(v.methodsFor(c), method)
}

// methodsFor lists the configured methods the consumer can be checked with.
func (v *Verifier) methodsFor(c *Consumer) []string {
	var out []string
	for _, m := range v.cfg.Methods {
		if m == MethodRSASHA1 && c.PublicKey != nil || m != MethodRSASHA1 && !c.secret.IsZero() {
			out = append(out, m)
		}
	}
	return out
}

// baseURI is the normalised base string URI of r as this provider sees it.
func (v *Verifier) baseURI(r *http.Request) string {
	path := r.URL.EscapedPath()
	if b := v.cfg.BaseURL; b != nil {
		return baseURI(b.Scheme, b.Host, strings.TrimSuffix(b.EscapedPath(), "/")+path)
	}
	scheme, host := requestOrigin(r)
	return baseURI(scheme, host, path)
}

// requestOrigin returns the scheme and host of r as a server sees them.
func requestOrigin(r *http.Request) (scheme, host string) {
	scheme = r.URL.Scheme
	if scheme == "" {
		scheme = "http"
		if r.TLS != nil {
			scheme = "https"
		}
	}
	host = r.URL.Host
	if r.Host != "" {
		host = r.Host
	}
	return scheme, host
}

// Realm returns the realm to report problems with for r:
// [VerifierConfig.Realm] when set, else the base URL (BaseURL when set, else
// the request's scheme and host).
func (v *Verifier) Realm(r *http.Request) string {
	if v.cfg.Realm != "" {
		return v.cfg.Realm
	}
	if b := v.cfg.BaseURL; b != nil {
		return strings.TrimSuffix(b.String(), "/")
	}
	if r == nil || r.URL == nil {
		return ""
	}
	scheme, host := requestOrigin(r)
	return strings.ToLower(scheme) + "://" + host
}

// requestorID returns xoauth_requestor_id from the query (2LO with
// impersonation), or "".
func requestorID(u *url.URL) string {
	if !strings.Contains(u.RawQuery, "xoauth_requestor_id") {
		return ""
	}
	return u.Query().Get("xoauth_requestor_id")
}
