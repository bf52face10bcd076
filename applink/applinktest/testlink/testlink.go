package testlink

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/go-applinks/applinks/applink"
	"github.com/go-applinks/applinks/applink/applinktest"
	"github.com/go-applinks/applinks/applink/token"
	"github.com/go-applinks/applinks/signer"
)

// Option configures [New] and [Bound].
type Option func(*config)

type config struct {
	auth        []applink.Auth
	twoLOUser   string
	key         *rsa.PrivateKey
	bits        int
	consumerKey string
	typ         applink.Type
	svcOpts     []applink.Option
	credFile    string
}

// WithAuth sets the methods the link uses, in preference order, and that
// the consumer at the server allows (3LO, 2LO, 2LOi; anonymous needs
// nothing). The default is 3LO alone.
func WithAuth(methods ...applink.Auth) Option {
	return func(c *config) { c.auth = append([]applink.Auth(nil), methods...) }
}

// WithTwoLOUser sets the user the server runs 2-legged (2LO) requests as;
// the default is anonymous. The user must exist at the server.
func WithTwoLOUser(user string) Option { return func(c *config) { c.twoLOUser = user } }

// WithPrivateKey signs with key instead of a new one: RSA key generation
// takes a while, so tests that make many links share one key. The Jenkins
// shape takes a shared secret instead and ignores it.
func WithPrivateKey(key *rsa.PrivateKey) Option { return func(c *config) { c.key = key } }

// WithKeyBits sets the size of the RSA key made for the link; 0, the
// default, means 2048 bits. Ignored with [WithPrivateKey].
func WithKeyBits(bits int) Option { return func(c *config) { c.bits = bits } }

// WithConsumerKey sets the consumer key; the default is the link's name in
// lower case with runs of other characters than letters and digits made
// "-" ("My Jira" is "my-jira").
func WithConsumerKey(key string) Option { return func(c *config) { c.consumerKey = key } }

// WithType sets the link's application type; the default is
// [applink.TypeJira] for the Atlassian shape and [applink.TypeJenkins] for
// the Jenkins shape.
func WithType(t applink.Type) Option { return func(c *config) { c.typ = t } }

// WithCredentialsFile also writes the link's credential to a file at path
// (mode 0600): the PEM private key, or the shared secret for the Jenkins
// shape; and names the file in the link (PrivateKeyFile or SecretFile), so
// that the link can be saved in a config file (config.Config.Save) for
// code that reads one, such as config.Open.
func WithCredentialsFile(path string) Option { return func(c *config) { c.credFile = path } }

// WithServiceOptions adds options to the service [Bound] builds (a token
// store, a clock, a logger); [New] ignores them.
func WithServiceOptions(opts ...applink.Option) Option {
	return func(c *config) { c.svcOpts = append(c.svcOpts, opts...) }
}

// New makes a consumer at srv and returns a link named name to srv that
// signs as it: an RSA key pair for the Atlassian shape (the server gets the
// public key), a random shared secret for the Jenkins shape. The link has a
// new id, srv.URL as its RPC URL, and the methods of [WithAuth] (3LO by
// default), which the consumer allows. It is not bound to a service: give
// it to [applink.NewService] (with applink.WithHTTPClient(srv.Client()) for
// a server started with applinktest.WithTLS).
func New(srv *applinktest.Server, name string, opts ...Option) (applink.Link, error) {
	if srv == nil {
		return applink.Link{}, errors.New("testlink: no server: start one with applinktest.NewServer or applinktest.Start")
	}
	cfg := config{}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if len(cfg.auth) == 0 {
		cfg.auth = []applink.Auth{applink.Auth3LO}
	}
	if cfg.consumerKey == "" {
		cfg.consumerKey = slug(name)
	}
	if cfg.typ == "" {
		cfg.typ = applink.TypeJira
		if srv.Shape() == applinktest.Jenkins {
			cfg.typ = applink.TypeJenkins
		}
	}
	link := applink.Link{ID: applink.DefaultLinkID(name, srv.URL), Name: name, Type: cfg.typ, RPCURL: srv.URL,
		ConsumerKey: cfg.consumerKey, Auth: slices.Clone(cfg.auth)}
	cons := applinktest.Consumer{
		Key:           cfg.consumerKey,
		Name:          name,
		ThreeLO:       slices.Contains(cfg.auth, applink.Auth3LO),
		TwoLO:         slices.Contains(cfg.auth, applink.Auth2LO),
		TwoLOUser:     cfg.twoLOUser,
		Impersonation: slices.Contains(cfg.auth, applink.Auth2LOi),
	}
	var cred []byte
	if srv.Shape() == applinktest.Jenkins {
		secret := rand.Text()
		cons.Secret = signer.NewSecret(secret)
		link.Secret = token.NewSecret(secret)
		cred, link.SecretFile = []byte(secret+"\n"), cfg.credFile
	} else {
		key := cfg.key
		if key == nil {
			var err error
			if key, err = signer.GenerateKey(cfg.bits); err != nil {
				return applink.Link{}, fmt.Errorf("testlink: %w", err)
			}
		}
		cons.PublicKey = &key.PublicKey
		link.PrivateKey = key
		if cfg.credFile != "" {
			pem, err := signer.EncodePrivateKeyPEM(key)
			if err != nil {
				return applink.Link{}, fmt.Errorf("testlink: %w", err)
			}
			cred, link.PrivateKeyFile = pem, cfg.credFile
		}
	}
	if err := link.Validate(); err != nil {
		return applink.Link{}, err
	}
	if cfg.credFile != "" {
		if err := os.WriteFile(cfg.credFile, cred, 0o600); err != nil {
			return applink.Link{}, fmt.Errorf("testlink: writing the credentials file: %w", err)
		}
	}
	if err := srv.AddConsumer(cons); err != nil {
		return applink.Link{}, fmt.Errorf("testlink: link %q: %w: give another with testlink.WithConsumerKey", name, err)
	}
	return link, nil
}

// Bound is [New] for a test: it returns the link bound to a service of its
// own, which reaches srv through srv.Client(), keeps tokens in memory (unless
// [WithServiceOptions] says otherwise) and can make requests at once. It
// fails the test on any error.
func Bound(t testing.TB, srv *applinktest.Server, name string, opts ...Option) *applink.Link {
	t.Helper()
	l, err := New(srv, name, opts...)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config{}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	svc, err := applink.NewService([]applink.Link{l}, append([]applink.Option{applink.WithHTTPClient(srv.Client())}, cfg.svcOpts...)...)
	if err != nil {
		t.Fatal(err)
	}
	bound, err := svc.Link(l.ID)
	if err != nil {
		t.Fatal(err)
	}
	return bound
}

// slug is name in lower case, with every run of characters other than
// letters and digits made one "-".
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	if b.Len() == 0 {
		return "testlink"
	}
	return b.String()
}
